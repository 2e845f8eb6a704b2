//go:build !linux

package engine

// Without membarrier(2), publishers use sequentially consistent stores.
func RelaxedOK() bool { return false }

func ProcessBarrier() {}

func RegisterGlobal() bool { return false }

func GlobalBarrier() {}

func OSYield() {}
