package bridge

// Resynchronising Out from the stream's tail (see out.go).

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// gauge counts what is in flight.
func (o *Out[E]) gauge() {
	var frames, events int64
	for _, p := range o.win {
		if p.fut != nil {
			frames++
			events += int64(p.f.events)
		}
	}
	o.st.framesIn.Store(frames)
	o.st.eventsIn.Store(events)
}

// resync reads the stream's tail and sends again what it lacks, retrying
// while the server cannot be reached.
func (o *Out[E]) resync(ctx context.Context) error {
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err := o.tryResync(ctx)
		if err == nil || !errors.Is(err, errResync) {
			o.started = true
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (o *Out[E]) tryResync(ctx context.Context) error {
	info, err := o.stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("%w: stream info: %v", errResync, err)
	}
	last, tail := info.State.LastSeq, int64(-1)
	has := info.State.Msgs > 0 && last > 0
	if has {
		raw, err := o.stream.GetMsg(ctx, last)
		if err != nil {
			return fmt.Errorf("%w: stream tail %d: %v", errResync, last, err)
		}
		f, err := decode(raw.Header, raw.Data, last, o.cfg.RingID, o.layout, o.size)
		if err != nil {
			if o.started { // it was ours when this bridge started
				return fmt.Errorf("%w: %w", ErrSecondWriter, err)
			}
			return err
		}
		tail = f.last
		if o.started {
			if err := o.verify(ctx, last); err != nil {
				return err
			}
		}
		if f.marker == MarkerEOF && tail <= o.released && len(o.win) == 0 {
			o.done = true // the stream ends with the ring's EOF, which the ring released
		}
	}
	// A tail of this ring's frames beyond what this bridge knows was
	// written by an earlier Out of this ring: one killed while its last
	// frames were on their way to the server lands them after a later Out
	// read the tail. The stream holds every ring sequence once, in order,
	// whoever wrote it (each frame expected the last): go on after it.
	switch {
	case !has && last > 0 && o.released >= 0:
		return fmt.Errorf("%w: stream %q is empty after sequence %d, but the ring released through ring sequence %d", ErrGap, o.cfg.Stream, last, o.released)
	case has && tail < o.released:
		return fmt.Errorf("%w: stream %q ends at ring sequence %d (stream sequence %d), but the ring released through %d", ErrGap, o.cfg.Stream, tail, last, o.released)
	}
	// What the stream holds of the window is done; the rest goes again.
	o.expect = last
	if has {
		o.stored, o.storedLast = last, max(o.storedLast, tail)
	}
	keep := o.win[:0]
	for _, p := range o.win {
		switch {
		case has && p.f.last <= tail:
			o.acked(p.f, last)
		case has && p.f.first <= tail: // the stream holds its beginning (see above)
			p.f.trimTo(tail+1, o.size)
			keep = append(keep, p)
		default:
			keep = append(keep, p)
		}
	}
	pending := append([]inflight(nil), keep...)
	o.win = o.win[:0]
	o.gauge()
	if has && tail > o.sent { // after a restart: the stream is ahead of the consumer
		o.skip = max(o.skip, tail)
		o.sent = tail
		if o.cur != nil && o.cur.events == 0 && o.cur.marker == MarkerNone {
			o.cur.reset(tail + 1)
		}
	}
	for _, p := range pending {
		if o.started {
			o.st.redeliveries.Add(1)
		}
		if err := o.publish(p.f); err != nil {
			o.win = append(o.win, pending[len(o.win):]...)
			return err
		}
	}
	return nil
}

// verify checks the messages the stream took after the latest one this Out
// knows is its ring's (o.stored), through last: each must be one of this
// ring's frames, each after the one before. Publications expect the
// stream's last sequence, but a window of them is in flight: a foreign
// message that lands where the window's first frame should have gone makes
// that one fail and lets the next, which expected the foreign message's
// sequence, land after it. The tail is then this ring's frame, and without
// this check the frame that failed would count as stored. A message that
// retention removed meanwhile cannot be checked and is passed over.
func (o *Out[E]) verify(ctx context.Context, last uint64) error {
	prev := o.storedLast
	for seq := o.stored + 1; seq <= last; seq++ {
		raw, err := o.stream.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%w: stream message %d: %v", errResync, seq, err)
		}
		f, err := decode(raw.Header, raw.Data, seq, o.cfg.RingID, o.layout, o.size)
		if err != nil {
			return fmt.Errorf("%w: stream sequence %d: %w", ErrSecondWriter, seq, err)
		}
		if f.first <= prev {
			return fmt.Errorf("%w: stream sequence %d holds ring sequences %d..%d, after %d", ErrSecondWriter, seq, f.first, f.last, prev)
		}
		prev = f.last
	}
	return nil
}
