package disruptor

// Invariants of observers.
//
// An observer reads a shared ring without registering: producers never wait
// for it. It copies a slot, then checks that no producer could have written
// that slot meanwhile: a producer writes sequence q only after raising
// GateCache to at least q-size, so the slot of s can have been overwritten
// only if GateCache >= s. Reading GateCache after the copy (loads stay in
// order on amd64 and arm64's acquire loads keep later loads after them;
// the copy is then checked like a seqlock read) tells a clean copy from a
// possibly torn one, which is reported as ErrLapped, never returned as data.

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// ErrLapped is returned by an observer that fell so far behind that
// producers may have overwritten the events it was about to read. The
// observer then continues at the oldest event still safe to read.
var ErrLapped = errors.New("disruptor: observer lapped by the producers")

// Observer reads every event of a shared ring by copying, without joining
// the consumer table: it never holds producers back, and is told when it
// falls behind (ErrLapped). Use it for monitoring and tools. One goroutine
// uses an observer at a time.
type Observer[E any] struct {
	r    *Ring[E]
	next int64
	done bool
	w    engine.Waiter
	wc   engine.WaitCounts
}

// NewObserver starts an observer at the next event to be published (latest)
// or at the oldest one safe to read. Observers read shared rings only: on
// an in-process ring NewObserver returns ErrNotSupported (use a consumer).
// After the ring's Close it returns ErrClosed, and ErrTruncated once the
// ring's file was truncated.
func (r *Ring[E]) NewObserver(latest bool) (*Observer[E], error) {
	h := r.host
	if h == nil { // a zero Ring: an in-process ring with nothing in it
		h = new(heapHost)
	}
	if err := h.observable(); err != nil {
		return nil, err
	}
	o := &Observer[E]{r: r, next: r.eng.Ctl.GateCache.Load() + 1}
	if latest {
		o.next = max(o.next, r.eng.Published(o.next)+1)
	}
	return o, nil
}

// Next waits for the next event and copies it into dst, returning its
// sequence. It returns ErrLapped if the producers overtook the observer
// (the observer moves on to the oldest safe event), ErrFlush at a flush
// marker, and io.EOF after an EOF from every producer. It waits until ctx
// ends (returning ctx's error) or the ring halts (ErrHalted). After the
// ring's Close it returns ErrClosed, and ErrTruncated once its file was
// truncated.
func (o *Observer[E]) Next(ctx context.Context, dst *E) (int64, error) {
	e := &o.r.eng
	for {
		if o.done {
			return 0, io.EOF
		}
		if err := o.r.host.usable(); err != nil {
			return 0, err
		}
		s := o.next
		if g := e.Ctl.GateCache.Load(); s <= g {
			o.next = g + 1
			return 0, fmt.Errorf("%w: at %d, the oldest safe event is %d", ErrLapped, s, g+1)
		}
		if e.Published(s) < s {
			ready := func() bool { return e.Published(s) >= s || e.Ctl.GateCache.Load() >= s }
			if err := e.Await(ctx, e.DataSite, &o.w, &o.wc, ready); err != nil {
				return 0, err
			}
		}
		if e.Published(s) < s {
			continue // lapped while waiting: the check above says so
		}
		kind, ev := e.KindAt(s), o.r.slots[s&e.Mask]
		if g := e.Ctl.GateCache.Load(); s <= g { // overwritten while copying?
			o.next = g + 1
			return 0, fmt.Errorf("%w: at %d, the oldest safe event is %d", ErrLapped, s, g+1)
		}
		o.next = s + 1
		if kind == engine.KindData {
			*dst = ev
			return s, nil
		}
		switch err := o.r.signal(kind, s, 0); err { // shared rings only: their rule counts no EOFs
		case nil: // a hole, or an EOF another producer's stream goes on after
		case io.EOF:
			o.done = true
			return s, err
		default:
			return s, err
		}
	}
}
