package disruptor

import (
	"context"
	"io"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// A consumer's runs: it acquires what is readable (published, or released
// by its upstreams), cuts what follows a marker, and releases what it read
// back to the producers.

// cut sets what the consumer may read of the readable sequences [lo, hi]:
// data up to c.hi, then the marker at c.markAt if markKind says one is
// there (markers.go), then, through c.avail, what a later cut will tell.
func (c *Consumer[E]) cut(lo, hi int64) {
	m, k := c.r.eng.NextMark(lo, hi)
	c.hi, c.markAt, c.markKind, c.avail = m-1, m, k, hi
}

// drop forgets what was acquired: the next read acquires afresh.
func (c *Consumer[E]) drop() { c.hi, c.markKind, c.avail = c.next-1, engine.KindData, c.next-1 }

// acquire releases what was read and waits until the next sequence is
// readable, setting c.hi.
func (c *Consumer[E]) acquire(ctx context.Context, try bool) error {
	switch {
	case c.done:
		return io.EOF
	case c.closed:
		return ErrClosed
	}
	if err := c.r.host.usable(); err != nil { // truncated: the slots are not the ring's any more
		return err
	}
	c.release(c.next - 1)
	if buggify.Enabled {
		buggify.Pause(buggify.AcquireGap)
	}
	if c.evicted() {
		return c.untethered()
	}
	e := &c.r.eng
	hi := c.readable()
	waited := hi < c.next
	if waited {
		c.flushStats()
		c.paceAt = 0 // what follows is waiting (or the caller's own time, after ErrEmpty), not handling
		var end endWatch
		if c.pastEnd(&end, c.next) {
			c.done = true
			return io.EOF
		}
		if try {
			c.t.V[cPolls]++
			return ErrEmpty
		}
		ended := false
		err := e.Await(ctx, c.site, &c.w, &c.wc, func() bool {
			hi = c.readable()
			ended = hi < c.next && c.pastEnd(&end, c.next)
			return hi >= c.next || ended || c.evicted()
		})
		c.t.AddWaits(&c.wc, cPolls, cYields, cParks)
		c.paceAt = 0 // the interval since the last flush was spent waiting
		if err != nil {
			return err
		}
		if c.evicted() { // while it waited, perhaps stopped
			return c.untethered()
		}
		if ended {
			c.done = true
			return io.EOF
		}
	}
	if c.lingers > 0 && !waited && hi-c.next+1 < lingerBatch && !e.Crowded() {
		hi = c.linger(hi) // the producers are ahead: let them get further
	}
	// Take at most a quarter of the ring at a time, so that producers get
	// room back while a long batch is still being read (a shared consumer:
	// what it handles within its heartbeat's pace).
	to := c.runLimit(hi)
	if buggify.Enabled { // a batch that ends early
		to = c.next - 1 + buggify.Cut(buggify.AcquireShort, to-c.next+1)
	}
	c.cut(c.next, to)
	c.t.V[cBatches]++
	if lag := hi - c.next + 1; lag > c.t.V[cLagMax] {
		c.t.V[cLagMax] = lag
	}
	return nil
}

// readable returns the highest sequence readable from c.next, as the
// engine's available does. On a multi-producer ring that is a scan of the
// availability words; it goes on from where the last one ended, so that a
// backlog taken a quarter of the ring at a time is scanned once, not once
// per batch. What the last scan found stays readable while c.next moves
// forward within it: this consumer has released none of it, so no producer
// can have claimed those slots again.
func (c *Consumer[E]) readable() int64 {
	from := c.next
	if c.seenFrom <= from && from <= c.seen {
		from = c.seen + 1
	}
	hi := c.r.eng.Available(from, c.deps)
	c.seenFrom, c.seen = c.next, hi
	return hi
}

// release stores the consumer's cursor at s: producers may then overwrite,
// and dependents read, every sequence up to s. A ManualRelease consumer's
// reads release nothing: only ReleaseThrough does (store).
func (c *Consumer[E]) release(s int64) {
	if !c.manual {
		c.store(s)
	}
}

// store is release, whoever asks.
func (c *Consumer[E]) store(s int64) {
	if s <= c.released {
		return
	}
	if c.t.Exact {
		c.fold()
		c.t.Store(cEvents) // what was consumed, as the cursor says
	}
	if buggify.Enabled { // done with s, not yet telling producers and dependents
		buggify.Pause(buggify.ReleaseWake)
		if c.r.eng.Claimed()-s <= 2 { // a consumer at the head lags: its dependents wait, maybe past the end of the stream
			buggify.Delay(buggify.LateRelease)
		}
	}
	c.r.eng.Store(&c.rec.Cursor, s)
	c.released = s
	if buggify.Enabled {
		buggify.Pause(buggify.ReleaseWake)
	}
	c.t.V[cUnparks] += c.r.eng.Released()
	if c.flushDue() {
		c.flushStats()
	}
}
