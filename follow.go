package disruptor

// The end of the stream for consumers that start, or resume, after it.
//
// A consumer that reads the final EOF marker returns io.EOF. One whose next
// sequence lies past that marker (made with StartAtLatest after it, or
// resumed right after it) has no marker left to read: it asks, on the slow
// path only (acquire, a member's wait), whether every producer has closed
// with nothing claimed at or after its next sequence. After every producer
// closed, the final EOF marker is the highest claimed sequence, so the
// claim cursor records it. The full check (the producer table of a shared
// ring, the producer list under r.mu in-process) runs when the consumer
// starts waiting and then at most every endCheckEvery.

import "time"

// FollowStreams makes the consumer wait for the next producer's stream
// instead of ending. Without it, a consumer returns io.EOF from the final
// EOF marker on, and one that starts or resumes after the final EOF returns
// io.EOF at once. With it, the final EOF marker still returns io.EOF once,
// and the calls after it (and those of a consumer that starts after it)
// wait for a producer to publish again. Use it to tail a shared ring across
// producer restarts.
func FollowStreams() ConsumerOption { return func(c *consumerConfig) { c.follow = true } }

// endCheckEvery bounds how often a waiting consumer checks whether the
// stream ended behind it.
const endCheckEvery = time.Millisecond

// endWatch is what one wait remembers of its checks.
type endWatch struct{ last time.Time }

// pastEnd reports whether the stream ended before next: every producer has
// closed and the final EOF marker lies before next. Producers claim nothing
// after their EOF, so only a consumer past every claim can be past the end.
func (c *Consumer[E]) pastEnd(w *endWatch, next int64) bool {
	e := &c.r.eng
	if c.follow || next <= e.claimed() || e.ctl.Producers.Load() == 0 {
		return false
	}
	now := time.Now()
	if !w.last.IsZero() && now.Sub(w.last) < endCheckEvery {
		return false
	}
	w.last = now
	// The claim cursor is read again after the producers: one that claimed
	// its EOF marker and closed after the first read must not be missed.
	if sh := c.r.sh; sh != nil {
		return sh.anyClosed() && sh.eofEnds(next-1) && next > e.claimed()
	}
	return c.r.producersClosed() && next > e.claimed()
}

// anyClosed reports whether a producer of the shared ring has closed: a
// table with none (a producer may be registering: Producers counts it
// before its entry is active) has no stream that ended.
func (sh *shared) anyClosed() bool {
	for j := range sh.ctl.Table {
		if sh.ctl.Table[j].State.Load() == prodClosed {
			return true
		}
	}
	return false
}

// producersClosed reports whether every producer made has closed (sent its
// EOF), for an in-process ring.
func (r *Ring[E]) producersClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.producers {
		if !p.closed {
			return false
		}
	}
	return len(r.producers) > 0
}
