package bridge

// Ring → stream.
//
// Out reads the ring with a ManualRelease consumer, packs what it reads
// into frames and publishes each asynchronously, at most Window in flight,
// each with the stream sequence it must follow (WithExpectLastSequence): the
// stream stores a frame only right after the one this bridge sent before it,
// so a frame lost in flight, sent twice or written by someone else fails
// the precondition instead of landing out of place. A frame's slots are
// released (ReleaseThrough its last sequence) only when its acknowledgement
// arrives, in order: until then the ring holds them, and gates its
// producers (back-pressure from a slow stream).
//
// On start and after any failure, Out resynchronises from the stream's
// tail: the last frame's last ring sequence L is what the stream holds.
// Frames of the window up to L are done (their acknowledgements were lost);
// the others are published again, after L; events up to L that the
// consumer reads (after a restart, it resumes right after what it had
// released) are passed over. A stream that ends before what the ring has
// released is a gap: ErrGap, never a silent loss.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
	"unsafe"

	"github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats.go/jetstream"
)

// Out carries a ring's events into a JetStream stream, exactly once.
type Out[E any] struct {
	cfg    Config
	ring   *disruptor.Ring[E]
	c      *disruptor.Consumer[E]
	stream jetstream.Stream
	layout string
	size   int

	win      []inflight // published, not acknowledged, in order
	cur      *frame     // being filled
	free     []*frame
	expect   uint64 // the stream's last sequence the next publication expects
	sent     int64  // the last ring sequence in a frame sent (or that the stream holds)
	released int64  // the last ring sequence released
	skip     int64  // events up to it are in the stream already
	done     bool   // the EOF frame was acknowledged
	eof      bool   // the ring's EOF was read: nothing more to read
	started  bool   // the first resync happened
	// stored is the stream sequence of the latest message known to be one
	// of this ring's frames, in order; storedLast is that frame's last
	// ring sequence (see verify)
	stored     uint64
	storedLast int64
	idle       *time.Timer

	st counters
}

type inflight struct {
	f      *frame
	fut    jetstream.PubAckFuture // nil: not sent (the publish call failed)
	expect uint64
	at     time.Time // when it was sent
}

// errResync asks Run to resynchronise from the stream's tail.
var errResync = errors.New("bridge: resync")

// NewOut registers the ring consumer cfg.Name (ManualRelease; a shared
// ring's consumer resumes from where an earlier process left it) that
// feeds cfg.Stream.
func NewOut[E any](ctx context.Context, r *disruptor.Ring[E], cfg Config) (*Out[E], error) {
	if err := cfg.defaults("bridge-out"); err != nil {
		return nil, err
	}
	layout, err := Layout[E]()
	if err != nil {
		return nil, err
	}
	if cfg.RingID == "" {
		if cfg.RingID, err = RingID(r); err != nil {
			return nil, err
		}
	}
	st, err := cfg.JS.Stream(ctx, cfg.Stream)
	if err != nil {
		return nil, fmt.Errorf("bridge: stream %q: %w", cfg.Stream, err)
	}
	sts, err := newCounters(r, "bridge_out", cfg.Name)
	if err != nil {
		return nil, err
	}
	c, err := r.NewConsumer(cfg.Name, disruptor.ManualRelease())
	if err != nil {
		sts.set.Close()
		return nil, err
	}
	o := &Out[E]{cfg: cfg, ring: r, c: c, stream: st, layout: layout, size: int(unsafe.Sizeof(*new(E))), st: sts}
	o.released, o.sent, o.skip = c.Passed(), c.Passed(), c.Passed()
	o.st.ringSeq.Store(o.released)
	return o, nil
}

// Stats returns the bridge's counters.
func (o *Out[E]) Stats() Stats { return o.st.snapshot() }

// Close detaches the ring consumer: its record keeps gating the ring's
// producers at what was acknowledged, and a later Out of the same name
// resumes there. It frees the bridge's counter set in the ring.
func (o *Out[E]) Close() error {
	o.st.set.Close()
	return o.c.Detach()
}

// Run forwards the ring's events until the ring's EOF is acknowledged
// (nil), ctx ends (its error, once the frames in flight are acknowledged or
// a second has passed), or a failure the bridge cannot mend: ErrGap,
// ErrSecondWriter, ErrForeignRing, ErrLayout, ErrCorrupt, or an error of the
// ring. Failures of the connection or the server are mended by resyncing
// from the stream's tail, as often as it takes.
func (o *Out[E]) Run(ctx context.Context) error {
	if err := o.resync(ctx); err != nil {
		return err
	}
	wait, acked := time.Duration(0), o.st.frames.Load()
	for !o.done {
		err := o.step(ctx)
		switch {
		case err == nil:
		case errors.Is(err, errResync):
			o.st.resyncs.Add(1)
			// Back off while resyncs acknowledge nothing (a stream that
			// refuses frames: full, or its server unwell).
			if n := o.st.frames.Load(); n != acked {
				wait, acked = 0, n
			} else {
				wait = min(max(2*wait, 10*time.Millisecond), time.Second)
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(wait):
				}
			}
			if err := o.resync(ctx); err != nil {
				return err
			}
		case ctx.Err() != nil:
			o.drain()
			return ctx.Err()
		default:
			return err
		}
	}
	return nil
}

// drain waits a little for the acknowledgements in flight, so that a
// clean stop leaves little to publish again.
func (o *Out[E]) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for len(o.win) > 0 && o.awaitOne(ctx) == nil {
	}
}

// step fills a frame from the ring and publishes it, or waits for an
// acknowledgement when the ring has nothing and frames are in flight.
func (o *Out[E]) step(ctx context.Context) error {
	if o.eof {
		if len(o.win) == 0 { // cannot be: the EOF frame is in flight until acknowledged
			return fmt.Errorf("bridge: ring EOF read, but its frame is neither in flight nor acknowledged")
		}
		return o.awaitOne(ctx)
	}
	f := o.cur
	if f == nil {
		f = o.newFrame()
		o.cur = f
	}
	for f.events < o.cfg.FrameEvents && f.marker == MarkerNone {
		ev, err := o.c.TryNext()
		if errors.Is(err, disruptor.ErrEmpty) {
			if f.events > 0 {
				break // send what there is
			}
			if len(o.win) > 0 {
				// The ring is idle: retire what was sent, looking at the
				// ring again every idlePoll (acknowledgements and events
				// cannot be waited for at once).
				if err := o.pollAck(ctx); err != nil {
					return err
				}
				continue
			}
			ev, err = o.c.Next(ctx)
		}
		if err := o.take(f, ev, err); err != nil {
			return err
		}
	}
	if f.events == 0 && f.marker == MarkerNone {
		return nil
	}
	o.cur = nil
	for len(o.win) >= o.cfg.Window {
		if err := o.awaitOne(ctx); err != nil {
			o.win = append(o.win, inflight{f: f}) // sent after the resync
			return err
		}
	}
	return o.publish(f)
}

// take adds what a read of the ring returned to f.
func (o *Out[E]) take(f *frame, ev *E, err error) error {
	switch {
	case err == nil:
		if s := o.c.Sequence(); s > o.skip {
			f.add(s, bytesOf(ev))
		} else {
			o.c.ReleaseThrough(s) // the stream holds it
		}
	case errors.Is(err, disruptor.ErrFlush), err == io.EOF:
		m := MarkerFlush
		if err == io.EOF {
			m = MarkerEOF
		}
		o.eof = m == MarkerEOF
		if s := o.c.Passed(); s > o.skip {
			f.end(s, m)
		} else {
			o.c.ReleaseThrough(s)
			if m == MarkerEOF {
				o.done = true // the stream holds the EOF too
			}
		}
	default:
		return err
	}
	return nil
}

func (o *Out[E]) newFrame() *frame {
	var f *frame
	if n := len(o.free); n > 0 {
		f, o.free = o.free[n-1], o.free[:n-1]
	} else {
		f = &frame{body: make([]byte, 0, o.cfg.FrameEvents*o.size)}
	}
	f.reset(o.sent + 1)
	return f
}

// publish sends f, expecting the stream's last sequence to be o.expect.
func (o *Out[E]) publish(f *frame) error {
	if f.sent == 0 {
		f.sent = time.Now().UnixNano()
	}
	p := inflight{f: f, expect: o.expect, at: time.Now()}
	fut, err := o.cfg.JS.PublishMsgAsync(f.msg(o.cfg.Subject, o.cfg.RingID, o.layout), jetstream.WithExpectLastSequence(o.expect))
	o.sent = max(o.sent, f.last)
	if err != nil {
		o.win = append(o.win, p) // sent after the resync
		return fmt.Errorf("%w: publish: %v", errResync, err)
	}
	p.fut = fut
	o.expect++
	o.win = append(o.win, p)
	o.gauge()
	return nil
}

// idlePoll is how long an idle Out waits for an acknowledgement before it
// looks at the ring again.
const idlePoll = 100 * time.Microsecond

// pollAck retires the frames whose acknowledgements arrive within
// idlePoll.
func (o *Out[E]) pollAck(ctx context.Context) error {
	if o.idle == nil {
		o.idle = time.NewTimer(idlePoll)
	} else {
		o.idle.Reset(idlePoll)
	}
	defer o.idle.Stop()
	for len(o.win) > 0 {
		p := o.win[0]
		if p.fut == nil {
			return errResync
		}
		select {
		case ack := <-p.fut.Ok():
			if err := o.settle(p, ack); err != nil {
				return err
			}
		case err := <-p.fut.Err():
			return o.failed(p, err)
		case <-o.idle.C:
			if time.Since(p.at) > o.cfg.AckTimeout {
				return fmt.Errorf("%w: frame %d..%d: no acknowledgement within %v", errResync, p.f.first, p.f.last, o.cfg.AckTimeout)
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// awaitOne waits for the oldest frame's acknowledgement and releases its
// slots.
func (o *Out[E]) awaitOne(ctx context.Context) error {
	p := o.win[0]
	if p.fut == nil {
		return errResync
	}
	t := time.NewTimer(o.cfg.AckTimeout)
	defer t.Stop()
	select {
	case ack := <-p.fut.Ok():
		return o.settle(p, ack)
	case err := <-p.fut.Err():
		return o.failed(p, err)
	case <-t.C:
		return fmt.Errorf("%w: frame %d..%d: no acknowledgement within %v", errResync, p.f.first, p.f.last, o.cfg.AckTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settle takes the acknowledgement of the oldest frame p.
func (o *Out[E]) settle(p inflight, ack *jetstream.PubAck) error {
	if ack.Duplicate { // sent again after a resync, but an earlier send landed after it read the tail
		return fmt.Errorf("%w: frame %d..%d is in the stream already (sequence %d)", errResync, p.f.first, p.f.last, ack.Sequence)
	}
	if ack.Sequence != p.expect+1 || ack.Stream != o.cfg.Stream {
		return fmt.Errorf("%w: frame %d..%d stored at %s/%d, expected %s/%d", ErrSecondWriter, p.f.first, p.f.last, ack.Stream, ack.Sequence, o.cfg.Stream, p.expect+1)
	}
	o.acked(p.f, ack.Sequence)
	return nil
}

// failed takes the failure of the oldest frame p's publication.
func (o *Out[E]) failed(p inflight, err error) error {
	if precondition(err) {
		o.st.preconds.Add(1)
	}
	return fmt.Errorf("%w: frame %d..%d: %v", errResync, p.f.first, p.f.last, err)
}

// acked retires the oldest frame of the window, stored at stream sequence
// seq.
func (o *Out[E]) acked(f *frame, seq uint64) {
	o.win = o.win[1:]
	if f.last > o.released {
		o.c.ReleaseThrough(f.last)
		o.released = f.last
	}
	if f.marker == MarkerEOF {
		o.done = true
	}
	o.stored, o.storedLast = max(o.stored, seq), max(o.storedLast, f.last)
	o.gauge()
	o.st.frames.Add(1)
	o.st.events.Add(int64(f.events))
	o.st.ackedSeq.Store(int64(seq))
	o.st.ringSeq.Store(f.last)
	o.free = append(o.free, f)
}
