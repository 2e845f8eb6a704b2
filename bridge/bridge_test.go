package bridge

import (
	"cmp"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats.go/jetstream"
)

// pipeline is ring A → Out → stream → In → ring B, in this process.
type pipeline struct {
	t      *testing.T
	js     jetstream.JetStream
	st     jetstream.Stream
	a, b   *disruptor.Ring[tev]
	reader *disruptor.Consumer[tev]
	ringID string
	// ackTimeout is Out's AckTimeout (2s if zero).
	ackTimeout time.Duration
}

func newPipeline(t *testing.T, srv *jsServer, sizeA, sizeB int) *pipeline {
	t.Helper()
	pl := &pipeline{t: t, js: srv.connect(t)}
	pl.st = makeStream(t, pl.js, "FRAMES")
	var err error
	if pl.a, err = disruptor.Create[tev](ringPath(t, "a"), sizeA); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pl.a.Close() })
	if pl.b, err = disruptor.Create[tev](ringPath(t, "b"), sizeB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pl.b.Close() })
	if pl.reader, err = pl.b.NewConsumer("reader"); err != nil {
		t.Fatal(err)
	}
	if pl.ringID, err = RingID(pl.a); err != nil {
		t.Fatal(err)
	}
	return pl
}

func (pl *pipeline) cfg() Config {
	return Config{JS: pl.js, Stream: "FRAMES", FrameEvents: 64, Window: 8, AckTimeout: cmp.Or(pl.ackTimeout, 2*time.Second)}
}

// run carries n events through the pipeline; mid, if set, runs once the
// reader has seen some events.
func (pl *pipeline) run(ctx context.Context, n, flushEvery int64, pause time.Duration) (*Out[tev], *In[tev]) {
	t := pl.t
	out, err := NewOut(ctx, pl.a, pl.cfg())
	if err != nil {
		t.Fatal(err)
	}
	in, err := NewIn(ctx, pl.b, pl.cfg())
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	go func() { errs <- produce(ctx, pl.a, 0, n, flushEvery, pause) }()
	go func() { errs <- out.Run(ctx) }()
	go func() { errs <- in.Run(ctx) }()
	go func() { errs <- checkRing(ctx, pl.b, pl.reader, n, flushEvery) }()
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("%v (out %+v, in %+v)", err, out.Stats(), in.Stats())
		}
	}
	frames, err := checkStream(ctx, pl.st, pl.ringID)
	if err != nil {
		t.Fatal(err)
	}
	if s := out.Stats(); s.Frames != int64(frames) || s.FramesInFlight != 0 {
		t.Errorf("out: %+v, but the stream holds %d frames", s, frames)
	}
	if s := in.Stats(); s.Frames != int64(frames) || s.Events != n {
		t.Errorf("in: %+v, want %d frames, %d events", s, frames, n)
	}
	return out, in
}

// Ring A → stream → ring B: every event exactly once, in order, flushes
// where ring A's producer flushed, holes passed over, EOF at the end; the
// stream holds each ring sequence once.
func TestBridgeExact(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 256, 128)
	out, _ := pl.run(ctx, 20000, 500, 0)
	if s := out.Stats(); s.Events != 20000 {
		t.Errorf("out carried %d events, want 20000", s.Events)
	}
}

// A restarted Out resumes from the stream's tail; a restarted In from its
// mark in ring B.
func TestBridgeRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 64, 64)
	cfg := pl.cfg()
	errs := make(chan error, 2)
	go func() { errs <- produce(ctx, pl.a, 0, 3000, 100, 5*time.Millisecond) }()
	go func() { errs <- checkRing(ctx, pl.b, pl.reader, 3000, 100) }()
	for round := 0; ; round++ {
		rctx, stop := context.WithTimeout(ctx, time.Duration(10+round%7*5)*time.Millisecond)
		// Handles of their own, closed after each round as if their
		// process had ended.
		a, err := disruptor.Attach[tev](pl.a.Path())
		if err != nil {
			t.Fatal(err)
		}
		b, err := disruptor.Attach[tev](pl.b.Path())
		if err != nil {
			t.Fatal(err)
		}
		out, err := NewOut(rctx, a, cfg)
		var in *In[tev]
		if err == nil {
			in, err = NewIn(rctx, b, cfg)
		}
		if errors.Is(err, context.DeadlineExceeded) { // the round ended before both began
			stop()
			if out != nil {
				out.Close()
			}
			a.Close()
			b.Close()
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 2)
		go func() { done <- out.Run(rctx) }()
		go func() { done <- in.Run(rctx) }()
		e1, e2 := <-done, <-done
		stop()
		out.Close()
		a.Close()
		b.Close()
		for _, err := range []error{e1, e2} {
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if e1 == nil && e2 == nil {
			t.Logf("%d rounds", round+1)
			if round < 3 {
				t.Errorf("done after %d rounds: the test restarted too little", round+1)
			}
			break
		}
		if round > 200 {
			t.Fatal("no end after 200 rounds")
		}
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := checkStream(ctx, pl.st, pl.ringID); err != nil {
		t.Fatal(err)
	}
}
