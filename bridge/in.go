package bridge

// Stream → ring.
//
// In reads the stream in order (an ordered consumer, or a durable one:
// durable.go) and writes each
// frame into the ring: its events with one ClaimN and Publish, then its
// marker (Flush, or Close for the EOF). Each publication carries the
// producer's mark (disruptor.Producer.SetMark): the frame's stream sequence
// S as 2S, or 2S+1 for the events of a frame whose marker is still to come.
// The mark is published with the ring's cursor, so after a crash at any
// point the mark says exactly what the ring holds: In resumes after it
// (with the marker of frame S first, if the mark is odd) and nothing is
// written into the ring twice, or lost.
//
// Frames are checked before anything of them is written: the ring identity
// (Config.RingID, or that of the first frame), the event layout, the body's
// length and checksum, and that each frame starts right after the one
// before (ErrForeignRing, ErrLayout, ErrCorrupt, ErrGap). Holes are not
// written into the ring (its consumers would pass over them anyway).

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// In writes a JetStream stream's frames into a ring, exactly once.
type In[E any] struct {
	cfg    Config
	ring   *disruptor.Ring[E]
	p      *disruptor.Producer[E]
	stream jetstream.Stream
	layout string
	size   int
	prev   *frame // the last frame written (or, after a restart, at the mark)
	next   uint64 // the next stream sequence to read
	done   bool
	st     counters
}

// NewIn prepares to write cfg.Stream into r as the producer cfg.Name; it
// reads where a producer of that name left the ring (its mark) and, unless
// the ring holds the stream's EOF already, registers the producer.
func NewIn[E any](ctx context.Context, r *disruptor.Ring[E], cfg Config) (*In[E], error) {
	if err := cfg.defaults("bridge-in"); err != nil {
		return nil, err
	}
	layout, err := Layout[E]()
	if err != nil {
		return nil, err
	}
	st, err := cfg.JS.Stream(ctx, cfg.Stream)
	if err != nil {
		return nil, fmt.Errorf("bridge: stream %q: %w", cfg.Stream, err)
	}
	in := &In[E]{cfg: cfg, ring: r, stream: st, layout: layout, size: int(unsafe.Sizeof(*new(E))), next: cfg.StartSeq}
	if in.st, err = newCounters(r, "bridge_in", cfg.Name); err != nil {
		return nil, err
	}
	if err := in.start(ctx); err != nil {
		in.st.set.Close()
		return nil, err
	}
	return in, nil
}

// start resumes at the ring's mark and registers the producer.
func (in *In[E]) start(ctx context.Context) error {
	cfg, r, st := &in.cfg, in.ring, in.stream
	m, ok, err := r.ProducerMark(cfg.Name)
	if err != nil {
		return err
	}
	half := false
	if ok {
		s := m >> 1
		half = m&1 == 1
		raw, err := st.GetMsg(ctx, s)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("%w: the ring holds stream %q up to sequence %d, which the stream no longer has", ErrGap, cfg.Stream, s)
		}
		if err != nil {
			return fmt.Errorf("bridge: stream %q sequence %d, where the ring's mark says it is: %w", cfg.Stream, s, err)
		}
		f, err := in.decode(raw.Header, raw.Data, s)
		if err != nil {
			return err
		}
		in.prev, in.next = f, s+1
		in.st.ackedSeq.Store(int64(s))
		in.st.ringSeq.Store(f.last)
		if !half && f.marker == MarkerEOF {
			in.done = true // the ring holds the stream's EOF: nothing more to write
			return nil
		}
	}
	if in.p, err = r.NewProducer(cfg.Name); err != nil {
		return err
	}
	if half { // the events of frame prev are in, its marker is not
		if err := in.marker(ctx, in.prev); err != nil {
			return err
		}
	}
	return nil
}

// Stats returns the bridge's counters.
func (in *In[E]) Stats() Stats { return in.st.snapshot() }

// Close frees the bridge's counter set in the ring (the producer stays
// the ring's, closed by Run at the stream's EOF or by the ring's Close).
func (in *In[E]) Close() error { return in.st.set.Close() }

// Done reports whether the ring holds the stream's EOF.
func (in *In[E]) Done() bool { return in.done }

func (in *In[E]) decode(h map[string][]string, body []byte, seq uint64) (*frame, error) {
	f, err := decode(h, body, seq, in.cfg.RingID, in.layout, in.size)
	if err != nil {
		return nil, err
	}
	if in.cfg.RingID == "" {
		in.cfg.RingID = h[hdrRing][0] // every later frame must come from it
	}
	return f, nil
}

// Run writes the stream's frames into the ring until the stream's EOF is
// written (nil), ctx ends (its error), or a frame is refused (ErrForeignRing,
// ErrLayout, ErrCorrupt, ErrGap, ErrFrameTooLarge: nothing of it is written).
// A slow ring leaves the stream's messages unread: nothing is dropped. With
// Config.Durable, each message is acknowledged once its frame is in the
// ring, or, if the ring held it already, once it is passed over.
func (in *In[E]) Run(ctx context.Context) error {
	if in.done {
		return nil
	}
	cons, err := in.consumer(ctx)
	if err != nil {
		return err
	}
	if err := in.catchUp(ctx, cons); err != nil || in.done {
		return err
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("bridge: reading %q: %w", in.cfg.Stream, err)
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		msg, err := in.nextMsg(it)
		if errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil { // a durable idle for a while
			if err := in.catchUp(ctx, cons); err != nil || in.done {
				return err
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("bridge: reading %q: %w", in.cfg.Stream, err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		seq := md.Sequence.Stream
		if seq < in.next {
			in.st.redeliveries.Add(1) // the ring holds it
			in.ack(msg)
			continue
		}
		if err := in.fill(ctx, seq); err != nil { // frames a redelivery would bring out of order
			return err
		}
		if in.done {
			in.ack(msg)
			return nil
		}
		f, err := in.decode(msg.Headers(), msg.Data(), seq)
		if err != nil {
			return err
		}
		if err := in.write(ctx, f); err != nil {
			return err
		}
		in.ack(msg)
		if in.done {
			return nil
		}
	}
}

// write checks f against the frame before and writes it.
func (in *In[E]) write(ctx context.Context, f *frame) error {
	if in.prev != nil && f.first != in.prev.last+1 {
		return fmt.Errorf("%w: stream %q sequence %d starts at ring sequence %d, but sequence %d ended at %d", ErrGap, in.cfg.Stream, f.streamSeq, f.first, in.prev.streamSeq, in.prev.last)
	}
	if f.events > in.ring.Size() {
		return fmt.Errorf("%w: stream %q sequence %d holds %d events, the ring has %d slots", ErrFrameTooLarge, in.cfg.Stream, f.streamSeq, f.events, in.ring.Size())
	}
	mark := f.streamSeq << 1
	if f.events > 0 {
		b, err := in.p.ClaimN(ctx, f.events)
		if err != nil {
			return err
		}
		a, c := b.Slices()
		n := copy(asBytes(a), f.body)
		copy(asBytes(c), f.body[n:])
		m := mark
		if f.marker != MarkerNone {
			m |= 1 // the marker is still to come
		}
		in.p.SetMark(m)
		in.p.Publish()
	}
	if err := in.marker(ctx, f); err != nil {
		return err
	}
	in.prev, in.next = f, f.streamSeq+1
	in.st.frames.Add(1)
	in.st.events.Add(int64(f.events))
	in.st.ackedSeq.Store(int64(f.streamSeq))
	in.st.ringSeq.Store(f.last)
	return nil
}

// marker writes f's marker, if it has one.
func (in *In[E]) marker(ctx context.Context, f *frame) error {
	switch f.marker {
	case MarkerFlush:
		in.p.SetMark(f.streamSeq << 1)
		return in.p.Flush(ctx)
	case MarkerEOF:
		in.p.SetMark(f.streamSeq << 1)
		if err := in.p.CloseContext(ctx); err != nil {
			return err
		}
		in.done = true
	}
	return nil
}

func asBytes[E any](s []E) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}
