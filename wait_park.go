package disruptor

import "github.com/disruptor-go/disruptor/internal/engine"

// Park parks at once when there is nothing to do, with no spin and no
// yield first, and never learns to spin (Block and DefaultWait spin longer
// after short parks): a waiter costs nothing while it waits, and a
// hand-over costs a wake-up. It suits processes whose cores other work
// needs more, such as a bridge beside a NATS server on a small machine,
// where each spin takes a processor from the server; latency is that of a
// wake-up (a few to tens of microseconds). Publishers wake parked waiters
// as for Block; a parked waiter re-checks at least every 250ms.
//
// It never learns to spin because the adaptation of parking strategies
// (waiter.adapt) doubles the spins of a schedule, and twice none is none.
//
// A ring whose strategy parks at once publishes with a full barrier (an
// XCHG on amd64) rather than a plain release store: its waiters park on
// every wait, and with release stores each park would first run a barrier
// on every thread of the process (membarrier), a system call that
// interrupts the other cores, where the XCHG costs a few nanoseconds per
// publication. A shared ring created with it records that in its file
// (RingInfo.FullBarriers): every process that attaches publishes with full
// barriers too, whatever its own strategy, and no park needs a barrier
// across processes.
func Park() WaitStrategy {
	return WaitStrategy{s: engine.Schedule{Name: "park", Spins: 0, Yields: 0, Park: true, Timeout: defaultSafetyTimeout}}
}

// parksAtOnce reports whether the strategy parks with no spin or yield
// first (Park): see Park on the barrier its rings publish with.
func (w WaitStrategy) parksAtOnce() bool { return w.s.Park && w.s.Spins == 0 && w.s.Yields == 0 }
