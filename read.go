package disruptor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// Handler is the callback of Batch and of graph stages: ev is valid only
// during the call; endOfBatch is true on the last event of the run the
// consumer acquired, and on the last event before a flush.
type Handler[E any] func(ev *E, seq int64, endOfBatch bool) error

// Batch waits for events, then hands the available events to fn in order,
// and releases them: at most a quarter of the ring's size (plus one) per
// call, so that producers get room back from a long backlog, and one event
// for a work group member. It returns how many events fn was given. A flush
// or EOF marker ends the batch (fn saw endOfBatch before it); where a flush
// marker comes first, Batch returns 0 and nil. After the final EOF, Batch
// returns io.EOF. If fn returns an error, Batch stops there and returns it:
// the failed event counts as consumed. Its other errors are Next's. Batch
// while a lease is held panics.
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
	for c.next > c.hi { // nothing acquired to deliver: markers first, then wait
		if k, s, ok := c.takeMarker(); ok {
			switch err := c.marker(k, s); err {
			case nil: // a hole, or an EOF that does not end the stream
			case ErrFlush:
				c.release(s)
				return 0, nil
			default:
				return 0, err
			}
			continue
		}
		if err := c.acquire(ctx, false); err != nil {
			return 0, err
		}
	}
	for {
		n0 := c.next
		err = c.deliver(fn)
		n += int(c.next - n0)
		if err != nil {
			break
		}
		for c.next == c.markAt && c.markKind == engine.KindHole {
			k, s, _ := c.takeMarker()
			c.marker(k, s)
		}
		if c.next <= c.hi {
			continue // data after holes: the same batch
		}
		if c.next == c.markAt && c.markKind == engine.KindFlush {
			k, s, _ := c.takeMarker()
			c.marker(k, s) // the batch ends here
		}
		break // with what was acquired, or before an EOF (the next call reads it)
	}
	if !c.done {
		c.release(c.next - 1)
	}
	return n, err
}

// deliver hands the acquired data run [c.next, c.hi] to fn, moving c.next
// past each event given (a failed one too). endOfBatch is set on the run's
// last event unless only holes lie between it and more acquired data.
func (c *Consumer[E]) deliver(fn Handler[E]) error {
	lo, hi := c.next, c.hi
	last := hi
	if c.markKind == engine.KindHole && c.markAt == hi+1 && c.dataAfterHoles(hi+1) {
		last = hi + 1 // the batch goes on past the hole
	}
	a, b := segments(c.slots, c.mask, lo, int(hi-lo+1))
	at, err := c.run(a, lo, last, fn)
	if err == nil && len(b) > 0 {
		at, err = c.run(b, lo+int64(len(a)), last, fn)
	}
	if err != nil {
		c.next, c.last = at+1, at
		return err
	}
	c.next, c.last = hi+1, hi
	return nil
}

// run hands seg, the events from sequence s0, to fn, and returns the
// sequence of the event that failed with fn's error. The event at last,
// which ends the batch, is handed on its own, after the others, so that
// the loop over them (runPlain) compares nothing with it.
func (c *Consumer[E]) run(seg []E, s0, last int64, fn Handler[E]) (int64, error) {
	body, ends := seg, len(seg) > 0 && s0+int64(len(seg))-1 == last
	if ends {
		body = seg[:len(seg)-1]
	}
	if c.lat != nil {
		for i := range body {
			s := s0 + int64(i)
			c.observe(s)
			if err := fn(&body[i], s, false); err != nil {
				return s, err
			}
		}
	} else if i, err := runPlain(body, s0, fn); err != nil {
		return s0 + int64(i), err
	}
	if !ends {
		return 0, nil
	}
	if c.lat != nil {
		c.observe(last)
	}
	if err := fn(&seg[len(body)], last, true); err != nil {
		return last, err
	}
	return 0, nil
}

// runPlain is run's loop without latency stamps, returning the index of
// the event that failed: it keeps five words alive across the handler's
// call (the slice, the index, s0 and fn), reloaded from the stack after
// each, and stores none but the index.
//
//go:noinline
func runPlain[E any](seg []E, s0 int64, fn Handler[E]) (int, error) {
	for i := range seg {
		if err := fn(&seg[i], s0+int64(i), false); err != nil {
			return i, err
		}
	}
	return 0, nil
}

// dataAfterHoles reports whether, past the hole at m and any holes right
// after it, acquired data follows.
func (c *Consumer[E]) dataAfterHoles(m int64) bool {
	for s := m + 1; s <= c.avail; s++ {
		switch c.r.eng.KindAt(s) {
		case engine.KindData:
			return true
		case engine.KindHole:
		default:
			return false
		}
	}
	return false
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

// Lease waits for events and leases up to max of them (at least one slot;
// at most what one Batch would hand out). A lease holds data only: holes
// are passed over, and a lease ends before a flush or EOF marker (the next
// call returns ErrFlush or io.EOF there). Work group members cannot lease:
// Lease returns ErrNotSupported (members take one event at a time: use Next
// or Batch). A max below one gives ErrInvalidLease. Its other errors are
// Next's. Lease while a lease is held panics: Release it first.
func (c *Consumer[E]) Lease(ctx context.Context, max int) (Lease[E], error) {
	switch {
	case c.leased:
		panic("disruptor: Lease while a lease is held")
	case c.group != nil:
		return Lease[E]{}, fmt.Errorf("%w: Lease on work group member %q (members take one event at a time: use Next or Batch)",
			ErrNotSupported, c.name)
	case max < 1:
		return Lease[E]{}, fmt.Errorf("%w: Lease(%d); a lease holds at least one event", ErrInvalidLease, max)
	}
	for c.next > c.hi {
		if k, s, ok := c.takeMarker(); ok {
			if err := c.marker(k, s); err != nil {
				return Lease[E]{}, err
			}
			continue
		}
		if err := c.acquire(ctx, false); err != nil {
			return Lease[E]{}, err
		}
	}
	l := Lease[E]{c: c, lo: c.next, hi: c.next + min(c.hi-c.next, int64(max)-1)} // no overflow for a huge max
	l.events = int(l.hi - l.lo + 1)
	c.leased, c.plain = true, false
	return l, nil
}

// Len is the number of events in the lease.
func (l Lease[E]) Len() int { return l.events }

// All iterates over the lease's events in order; over none once the
// consumer (or its ring's handle) was closed: the slots are no longer held.
func (l Lease[E]) All() iter.Seq2[int64, *E] {
	return func(yield func(int64, *E) bool) {
		if l.c == nil || l.c.closed {
			return
		}
		c := l.c
		for s := l.lo; s <= l.hi; s++ {
			if !yield(s, &c.slots[s&c.mask]) {
				return
			}
		}
	}
}

// Slices returns the lease's events as at most two slices, the first
// starting at sequence first: the second is empty unless the lease wraps
// around the ring's end. They stay valid until Release; none once the
// consumer (or its ring's handle) was closed.
func (l Lease[E]) Slices() (first int64, a, b []E) {
	if l.c == nil || l.c.closed || l.hi < l.lo {
		return l.lo, nil, nil
	}
	a, b = segments(l.c.slots, l.c.mask, l.lo, int(l.hi-l.lo+1))
	return l.lo, a, b
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
	c.release(l.hi)
}
