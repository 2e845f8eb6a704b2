//go:build !linux

package disruptor

// Without membarrier(2), publishers use sequentially consistent stores.
func relaxedOK() bool { return false }

func processBarrier() {}

func registerGlobal() bool { return false }

func globalBarrier() {}

func osYield() {}
