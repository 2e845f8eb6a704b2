package disruptor

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
func Park() WaitStrategy {
	return WaitStrategy{name: "park", spins: 0, yields: 0, park: true, timeout: defaultSafetyTimeout}
}
