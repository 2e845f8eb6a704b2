package disruptor

// The end of the stream for consumers that start, or resume, after it.
//
// A consumer that reads the final EOF marker returns io.EOF. One whose next
// sequence lies past that marker (made with StartAtLatest after it, or
// resumed right after it) has no marker left to read: it asks, on the slow
// path only (acquire, a member's wait), whether every producer has closed
// with nothing claimed at or after its next sequence. After every producer
// closed, the final EOF marker is the highest claimed sequence, so the
// claim cursor records it. In-process that is two counts compared (the
// producers made, those closed): every poll may ask. The check of a shared
// ring (its producer table) runs when the consumer starts waiting, after
// each of its parks, and every endCheckPolls polls in between, so that
// polls stay short (a clock read to throttle it would cost a poll as much
// again).

// FollowStreams makes the consumer wait for the next producer's stream
// instead of ending. Without it, a consumer returns io.EOF from the final
// EOF marker on, and one that starts or resumes after the final EOF returns
// io.EOF at once. With it, the final EOF marker still returns io.EOF once,
// and the calls after it (and those of a consumer that starts after it)
// wait for a producer to publish again. Use it to tail a shared ring across
// producer restarts.
func FollowStreams() ConsumerOption { return func(c *consumerConfig) { c.follow = true } }

// endCheckPolls is how often, in polls, a consumer waiting on a shared
// ring checks whether the stream ended behind it, besides after each park.
const endCheckPolls = 32

// endWatch is what one wait remembers of its checks: the calls so far, and
// the waiter's parks at the last check.
type endWatch struct {
	calls int
	parks int64
}

// pastEnd reports whether the stream ended before next: every producer has
// closed and the final EOF marker lies before next. Producers claim nothing
// after their EOF, so only a consumer past every claim can be past the end.
func (c *Consumer[E]) pastEnd(w *endWatch, next int64) bool {
	e := &c.r.eng
	if c.follow || next <= e.Claimed() || e.Ctl.Producers.Load() == 0 {
		return false
	}
	ended, seen := c.r.host.pastEnd(*w, next, c.w.Parks) // w by value: a pointer would escape, and allocate each wait
	*w = seen
	return ended
}
