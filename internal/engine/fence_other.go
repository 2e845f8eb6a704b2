//go:build !linux

package engine

// Without membarrier(2), publishers use sequentially consistent stores.
func RelaxedOK() bool { return false }

// ProcessBarrier has no barrier to run: publishers use sequentially
// consistent stores here.
func ProcessBarrier() {}

// RegisterGlobal reports that this platform has no global barrier.
func RegisterGlobal() bool { return false }

// GlobalBarrier has no barrier to run (see ProcessBarrier).
func GlobalBarrier() {}

// OSYield does nothing here: runtime.Gosched is the only yield.
func OSYield() {}
