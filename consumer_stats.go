package disruptor

import "github.com/disruptor-go/disruptor/internal/buggify"

// A consumer's counters, flushed to its record in batches.

// markers counts the markers the consumer passed.
func (c *Consumer[E]) markers() int64 { return c.t.V[cHoles] + c.t.V[cFlushes] + c.t.V[cEOFs] }

// fold sets a broadcast consumer's event count from its sequences: every
// sequence it passed since it started was an event or a marker, so Next
// and Batch count nothing one by one. (Work group members count.)
func (c *Consumer[E]) fold() {
	if c.group == nil {
		c.t.V[cEvents] = c.evBase + (c.next - c.evStart) - (c.markers() - c.mkBase)
	}
}

// showWaits folds the consumer's waits into its tallies and publishes them.
func (c *Consumer[E]) showWaits() {
	c.t.AddWaits(&c.wc, cPolls, cYields, cParks)
	c.flushStats()
}

// flushStats publishes the consumer's tallies and position.
func (c *Consumer[E]) flushStats() {
	c.fold()
	c.flushedAt = c.next
	c.t.V[cPos] = c.released
	c.t.Flush()
	if c.w.Beat != nil && !(buggify.Enabled && buggify.Fire(buggify.Heartbeat)) { // a shared consumer's heartbeat (shm_pace.go)
		c.beat()
	}
}

// Stats returns a snapshot of the consumer's counters. It is safe to call
// from any goroutine; values may trail the consumer by a few events.
func (c *Consumer[E]) Stats() ConsumerStats {
	rec := c.r.host.statsOf(c.t.Rec)
	if rec == nil { // a fault on the mapping
		return ConsumerStats{}
	}
	return consumerStats(c.name, rec)
}
