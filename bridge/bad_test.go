package bridge

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats.go"
)

// testFrame is a frame of n events numbered from first, at ring sequences
// from first.
func testFrame(first int64, n int) *frame {
	f := &frame{}
	f.reset(first)
	for i := range n {
		ev := tev{N: first + int64(i), Sum: tsum(first + int64(i))}
		f.add(first+int64(i), bytesOf(&ev))
	}
	return f
}

// Frames the ring must refuse: typed errors, and nothing of them written
// into the ring.
func TestBridgeBadInput(t *testing.T) {
	srv := startJS(t)
	js := srv.connect(t)
	layout, _ := Layout[tev]()
	corrupt := func(m *nats.Msg) *nats.Msg { m.Data[3] ^= 0x40; return m }
	for i, tc := range []struct {
		name   string
		msgs   []*nats.Msg
		want   error
		events int64 // what the ring holds afterwards
	}{
		{"foreign ring", []*nats.Msg{testFrame(0, 10).msg("", "ring-b#2", layout)}, ErrForeignRing, 0},
		{"other layout", []*nats.Msg{testFrame(0, 10).msg("", "ring-a#1", "other/64/0123456789abcdef")}, ErrLayout, 0},
		{"corrupt body", []*nats.Msg{corrupt(testFrame(0, 10).msg("", "ring-a#1", layout))}, ErrCorrupt, 0},
		{"not a frame", []*nats.Msg{{Data: []byte("hello")}}, ErrCorrupt, 0},
		{"bad holes", []*nats.Msg{func() *nats.Msg {
			m := testFrame(0, 10).msg("", "ring-a#1", layout)
			m.Header.Set(hdrHoles, "3-99")
			return m
		}()}, ErrCorrupt, 0},
		{"gap", []*nats.Msg{testFrame(0, 10).msg("", "ring-a#1", layout), testFrame(20, 5).msg("", "ring-a#1", layout)}, ErrGap, 10},
		{"too large", []*nats.Msg{testFrame(0, 100).msg("", "ring-a#1", layout)}, ErrFrameTooLarge, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			name := fmt.Sprintf("BAD%d", i)
			makeStream(t, js, name)
			for _, m := range tc.msgs {
				m.Subject = name + ".frames"
				if _, err := js.PublishMsg(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			b, err := disruptor.New[tev](64)
			if err != nil {
				t.Fatal(err)
			}
			in, err := NewIn(ctx, b, Config{JS: js, Stream: name, RingID: "ring-a#1"})
			if err != nil {
				t.Fatal(err)
			}
			err = in.Run(ctx)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Run: %v, want %v", err, tc.want)
			}
			t.Logf("%v", err)
			if got := b.Cursor() + 1; got != tc.events {
				t.Fatalf("the ring holds %d sequences, want %d", got, tc.events)
			}
		})
	}
}

// Another writer on the stream stops Out with ErrSecondWriter.
func TestBridgeSecondWriter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 64, 64)
	out, err := NewOut(ctx, pl.a, pl.cfg())
	if err != nil {
		t.Fatal(err)
	}
	pctx, stop := context.WithCancel(ctx)
	produced := make(chan error, 1)
	go func() { produced <- produce(pctx, pl.a, 0, 1<<40, 1000, time.Millisecond) }()
	defer func() { stop(); <-produced }() // before the ring closes
	done := make(chan error, 1)
	go func() { done <- out.Run(ctx) }()
	for out.Stats().Frames < 3 {
		select {
		case err := <-done:
			t.Fatalf("Run ended early: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	if _, err := pl.js.Publish(ctx, "FRAMES.frames", []byte("not yours")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrSecondWriter) {
			t.Fatalf("Run: %v, want ErrSecondWriter", err)
		}
		t.Logf("%v", err)
	case <-ctx.Done():
		t.Fatalf("Run did not stop: %+v", out.Stats())
	}
	if s := out.Stats(); s.PreconditionFailures < 1 {
		t.Errorf("stats %+v: no precondition failure counted", s)
	}
}

// The server restarts on the same store mid-run, down for longer than
// Out waits for an acknowledgement: Out resyncs from the tail (while what
// nats.go buffered during the outage may land too), In's ordered consumer
// comes back, and every event arrives exactly once.
func TestBridgeServerRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 64, 64)
	pl.ackTimeout = 300 * time.Millisecond
	go func() {
		for pl.reader.Stats().Events < 500 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		srv.stop()
		time.Sleep(1500 * time.Millisecond)
		srv.start()
	}()
	out, in := pl.run(ctx, 4000, 100, 10*time.Millisecond)
	t.Logf("out %+v\nin %+v", out.Stats(), in.Stats())
	if out.Stats().Resyncs < 1 {
		t.Errorf("out never resynced across the restart")
	}
}

// A foreign message that lands where the first frame of Out's window
// should have gone lets the next frame, which expected the foreign
// message's sequence, land after it: the stream's tail is then this ring's
// frame, and the frame that failed must not count as stored. verify finds
// the foreign message between the last frame Out saw stored and the tail.
func TestBridgeVerifyWindowAfterForeign(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 64, 64)
	out, err := NewOut(ctx, pl.a, pl.cfg())
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := out.resync(ctx); err != nil { // an empty stream: nothing stored yet
		t.Fatal(err)
	}
	pub := func(m *nats.Msg) uint64 {
		t.Helper()
		ack, err := pl.js.PublishMsg(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return ack.Sequence
	}
	subj := "FRAMES.frames"
	// Out saw its frame 0..9 stored (settle's record of it).
	out.stored, out.storedLast = pub(testFrame(0, 10).msg(subj, pl.ringID, out.layout)), 9
	// The window's next frame (10..19) failed its precondition: a foreign
	// message took its place, and the frame after it (20..29) landed.
	pub(nats.NewMsg(subj))
	last := pub(testFrame(20, 10).msg(subj, pl.ringID, out.layout))
	if err := out.verify(ctx, last); !errors.Is(err, ErrSecondWriter) {
		t.Fatalf("verify through %d: %v, want ErrSecondWriter", last, err)
	}

	// Without the foreign message, frames in order pass.
	out.stored, out.storedLast = last, 29
	last = pub(testFrame(30, 10).msg(subj, pl.ringID, out.layout))
	last = pub(testFrame(40, 5).msg(subj, pl.ringID, out.layout))
	if err := out.verify(ctx, last); err != nil {
		t.Fatalf("verify of frames in order: %v", err)
	}
	// A frame of this ring out of order is no frame of this Out's either.
	out.stored, out.storedLast = last, 44
	last = pub(testFrame(42, 8).msg(subj, pl.ringID, out.layout)) // another message id: not deduplicated
	if err := out.verify(ctx, last); !errors.Is(err, ErrSecondWriter) {
		t.Fatalf("verify of a frame repeating ring sequences: %v, want ErrSecondWriter", err)
	}
}
