package disruptor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
)

// Handler is the callback of Batch and of graph stages: ev is valid only
// during the call; endOfBatch is true on the last event of the run the
// consumer acquired, and on the last event before a flush.
type Handler[E any] func(ev *E, seq int64, endOfBatch bool) error

// Batch waits for events, then hands every available event to fn in order,
// and releases them. It returns how many events fn was given. A flush or EOF
// marker ends the batch (fn saw endOfBatch before it). After the final EOF, Batch
// returns io.EOF. If fn returns an error, Batch stops there and returns it:
// the failed event counts as consumed.
func (c *Consumer[E]) Batch(ctx context.Context, fn Handler[E]) (n int, err error) {
	if c.leased {
		panic("disruptor: Batch while a lease is held")
	}
	if c.group != nil {
		ev, err := c.readWork(ctx, false)
		if err != nil {
			if errors.Is(err, ErrFlush) {
				return 0, nil
			}
			return 0, err
		}
		return 1, fn(ev, c.last, true)
	}
	if c.next > c.hi {
		if err := c.acquire(ctx, false); err != nil {
			return 0, err
		}
	}
	var pend *E
	var pendSeq int64
	s := c.next
scan:
	for ; s <= c.hi; s++ {
		sl := c.r.at(s)
		if sl.kind == kindData {
			if pend != nil {
				n++
				c.observe(pendSeq)
				if err = fn(pend, pendSeq, false); err != nil {
					break scan // s is not delivered yet; everything before it is
				}
			}
			pend, pendSeq = &sl.ev, s
			continue
		}
		if sl.kind == kindEOF && pend != nil {
			break scan // the final EOF releases s: hand pend to fn first
		}
		switch err = c.marker(sl.kind, s); err {
		case nil:
		case ErrFlush:
			s++
			err = nil
			break scan
		default: // io.EOF: deliver what came before, then report it
			s++
			break scan
		}
	}
	c.next = s
	if pend != nil && pendSeq < s && (err == nil || err == io.EOF) {
		n++
		c.last = pendSeq
		c.observe(pendSeq)
		if ferr := fn(pend, pendSeq, true); ferr != nil {
			err = ferr
		}
	}
	c.t.v[cEvents] += int64(n)
	c.t.pending += n
	if !c.done {
		c.release(c.next - 1)
	}
	return n, err
}

// Events returns an iterator over the consumer's events, in order, for use
// with range. Flush markers are passed over. The loop ends after the final
// EOF, or on the first error, which Err then returns.
func (c *Consumer[E]) Events(ctx context.Context) iter.Seq2[int64, *E] {
	return func(yield func(int64, *E) bool) {
		c.err = nil
		for {
			ev, err := c.Next(ctx)
			switch {
			case err == nil:
				if !yield(c.last, ev) {
					return
				}
			case errors.Is(err, ErrFlush):
			case err == io.EOF:
				return
			default:
				c.err = err
				return
			}
		}
	}
}

// Err returns the error that ended the last Events loop, or nil if it ended
// at EOF or by the loop's own break.
func (c *Consumer[E]) Err() error { return c.err }

// Lease is a run of events a consumer reads in place: they stay valid, and
// producers keep off their slots, until Release.
type Lease[E any] struct {
	c      *Consumer[E]
	lo, hi int64
	events int
}

// Lease waits for events and leases up to max of them (at least one slot).
// A lease ends before a flush or EOF marker: the next call returns ErrFlush
// or io.EOF there. Work group members cannot lease.
func (c *Consumer[E]) Lease(ctx context.Context, max int) (Lease[E], error) {
	switch {
	case c.leased:
		panic("disruptor: Lease while a lease is held")
	case c.group != nil:
		panic("disruptor: Lease on a work group member")
	case max < 1:
		panic(fmt.Sprintf("disruptor: Lease(%d)", max))
	}
	for {
		if c.next > c.hi {
			if err := c.acquire(ctx, false); err != nil {
				return Lease[E]{}, err
			}
		}
		if k := c.r.at(c.next).kind; k == kindFlush || k == kindEOF {
			s := c.next
			c.next++
			if err := c.marker(k, s); err != nil {
				return Lease[E]{}, err
			}
			continue
		}
		l := Lease[E]{c: c, lo: c.next, hi: c.next + min(c.hi-c.next, int64(max)-1)} // no overflow for a huge max
		for s := l.lo; s <= l.hi; s++ {
			switch c.r.at(s).kind {
			case kindData:
				l.events++
			case kindHole:
			default:
				l.hi = s - 1
			}
		}
		c.leased, c.plain = true, false
		return l, nil
	}
}

// Len is the number of events in the lease (holes excluded).
func (l Lease[E]) Len() int { return l.events }

// All iterates over the lease's events in order; over none once the
// consumer (or its ring's handle) was closed: the slots are no longer held.
func (l Lease[E]) All() iter.Seq2[int64, *E] {
	return func(yield func(int64, *E) bool) {
		if l.c == nil || l.c.closed {
			return
		}
		for s := l.lo; s <= l.hi; s++ {
			if sl := l.c.r.at(s); sl.kind == kindData && !yield(s, &sl.ev) {
				return
			}
		}
	}
}

// Release ends the lease: its slots go back to the producers.
func (l Lease[E]) Release() {
	c := l.c
	if c == nil || !c.leased || c.next != l.lo {
		panic("disruptor: Release of a lease that is not held")
	}
	if c.closed { // Close left the ring: its table entry may be another consumer's now
		c.leased = false
		return
	}
	c.leased, c.plain = false, c.lat == nil
	c.next = l.hi + 1
	c.last = l.hi
	c.t.v[cHoles] += l.hi - l.lo + 1 - int64(l.events)
	c.t.v[cEvents] += int64(l.events)
	c.t.pending += l.events
	c.release(l.hi)
}
