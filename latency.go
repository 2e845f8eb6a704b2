package disruptor

import "time"

// LatencyRecorder receives publish-to-consume latencies in nanoseconds.
// An *hdrhistogram.Histogram is one; it is called from the consumer's
// goroutine only.
type LatencyRecorder interface {
	RecordValue(v int64) error
}

// WithPublishTimes makes producers stamp every publication with the wall
// clock, so that consumers given RecordLatency can measure publish-to-
// consume latency. Off (the default), it costs nothing; on, a clock read per
// Publish. Shared rings keep the stamps in their file (its stamps region),
// so every process can measure; Create over an existing ring must agree
// with it on this option.
func WithPublishTimes() Option { return func(c *config) { c.stamps = true } }

// RecordLatency hands rec the publish-to-consume latency of every event the
// consumer reads, if the ring stamps publications (WithPublishTimes).
func RecordLatency(rec LatencyRecorder) ConsumerOption {
	return func(c *consumerConfig) { c.lat = rec }
}

// stamp records the publication time of [lo, hi].
func stamp(stamps []int64, mask, lo, hi int64) {
	now := time.Now().UnixNano()
	for s := lo; s <= hi; s++ {
		stamps[s&mask] = now
	}
}

// observe records the latency of the event at s, if the consumer measures.
func (c *Consumer[E]) observe(s int64) {
	if c.lat != nil {
		c.lat.RecordValue(max(0, time.Now().UnixNano()-c.stamps[s&c.mask]))
	}
}
