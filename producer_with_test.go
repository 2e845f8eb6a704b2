package disruptor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor"
)

var errFill = errors.New("fill failed")

type withEv struct{ seq, v int64 }

func withRing(t *testing.T, multi bool) (*disruptor.Producer[withEv], *disruptor.Consumer[withEv]) {
	t.Helper()
	var opts []disruptor.Option
	if multi {
		opts = append(opts, disruptor.WithMultiProducer())
	}
	r, err := disruptor.New[withEv](8, opts...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.NewConsumer("c")
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func withCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// drain reads what is available and returns the events.
func drain(t *testing.T, c *disruptor.Consumer[withEv]) []withEv {
	t.Helper()
	var got []withEv
	for {
		ev, err := c.TryNext()
		if errors.Is(err, disruptor.ErrEmpty) {
			return got
		}
		if err != nil {
			t.Fatalf("TryNext: %v", err)
		}
		if c.Sequence() != ev.seq {
			t.Errorf("event %+v read at sequence %d", *ev, c.Sequence())
		}
		got = append(got, *ev)
	}
}

func fillV(v int64) func(*withEv, int64) error {
	return func(ev *withEv, seq int64) error { ev.seq, ev.v = seq, v; return nil }
}

// A fill's error skips the slot and is returned; a fill's panic skips the
// slot and reaches the caller; either way the next claim works and the
// consumer sees the events around a hole.
func TestPublishWith(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run(fmt.Sprint("multi=", multi), func(t *testing.T) {
			ctx := withCtx(t)
			p, c := withRing(t, multi)
			if err := p.PublishWith(ctx, fillV(10)); err != nil {
				t.Fatalf("PublishWith: %v", err)
			}
			err := p.PublishWith(ctx, func(ev *withEv, seq int64) error {
				ev.seq, ev.v = seq, 666 // written, then abandoned
				return fmt.Errorf("event %d: %w", seq, errFill)
			})
			if !errors.Is(err, errFill) {
				t.Fatalf("PublishWith with a failing fill = %v, want %v", err, errFill)
			}
			func() {
				defer func() {
					if v := recover(); v != "fill panicked" {
						t.Errorf("recovered %v, want the fill's own panic", v)
					}
				}()
				p.PublishWith(ctx, func(ev *withEv, seq int64) error {
					ev.seq, ev.v = seq, 667
					panic("fill panicked")
				})
				t.Error("PublishWith returned from a panicking fill")
			}()
			ev, err := p.Claim(ctx) // would panic if a claim were left outstanding
			if err != nil {
				t.Fatalf("Claim after the panic: %v", err)
			}
			ev.seq, ev.v = p.Sequence(), 30
			p.Publish()
			if err := p.TryPublishWith(fillV(40)); err != nil {
				t.Fatalf("TryPublishWith: %v", err)
			}
			want := []withEv{{0, 10}, {3, 30}, {4, 40}}
			if got := drain(t, c); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("consumer read %v, want %v (sequences 1 and 2 holes)", got, want)
			}
			st := p.Stats()
			if st.Skips != 2 {
				t.Errorf("producer stats: %d skips, want 2", st.Skips)
			}
		})
	}
}

// TryPublishWith on a full ring returns ErrFull without calling fill.
func TestTryPublishWithFull(t *testing.T) {
	p, _ := withRing(t, false)
	for i := range 8 {
		if err := p.TryPublishWith(fillV(int64(i))); err != nil {
			t.Fatalf("TryPublishWith %d: %v", i, err)
		}
	}
	called := false
	err := p.TryPublishWith(func(*withEv, int64) error { called = true; return nil })
	if !errors.Is(err, disruptor.ErrFull) || called {
		t.Fatalf("TryPublishWith on a full ring = %v, fill called %v; want ErrFull, not called", err, called)
	}
	err = p.TryPublishBatchWith(2, func(disruptor.Batch[withEv]) error { called = true; return nil })
	if !errors.Is(err, disruptor.ErrFull) || called {
		t.Fatalf("TryPublishBatchWith on a full ring = %v, fill called %v; want ErrFull, not called", err, called)
	}
}

// A batch fill's error or panic skips the whole batch, wrapping around the
// ring's end included.
func TestPublishBatchWith(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run(fmt.Sprint("multi=", multi), func(t *testing.T) {
			ctx := withCtx(t)
			p, c := withRing(t, multi)
			fill := func(v int64) func(disruptor.Batch[withEv]) error {
				return func(b disruptor.Batch[withEv]) error {
					for i := range b.Len() {
						*b.At(i) = withEv{b.Seq(i), v + int64(i)}
					}
					return nil
				}
			}
			if err := p.PublishBatchWith(ctx, 3, fill(100)); err != nil {
				t.Fatalf("PublishBatchWith: %v", err)
			}
			if got := len(drain(t, c)); got != 3 {
				t.Fatalf("read %d events, want 3", got)
			}
			err := p.PublishBatchWith(ctx, 4, func(b disruptor.Batch[withEv]) error {
				fill(900)(b)
				return errFill
			})
			if !errors.Is(err, errFill) {
				t.Fatalf("PublishBatchWith with a failing fill = %v", err)
			}
			func() {
				defer func() {
					if v := recover(); v != "batch panicked" {
						t.Errorf("recovered %v, want the fill's own panic", v)
					}
				}()
				p.PublishBatchWith(ctx, 2, func(b disruptor.Batch[withEv]) error {
					fill(950)(b)
					panic("batch panicked")
				})
			}()
			if err := p.TryPublishBatchWith(2, fill(200)); err != nil {
				t.Fatalf("TryPublishBatchWith after the panic: %v", err)
			}
			want := []withEv{{9, 200}, {10, 201}}
			if got := drain(t, c); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("consumer read %v, want %v (sequences 3..8 holes)", got, want)
			}
		})
	}
}

// The helpers allocate nothing: the fill is the caller's func value.
func TestPublishWithAllocs(t *testing.T) {
	for _, multi := range []bool{false, true} {
		ctx := context.Background()
		p, c := withRing(t, multi)
		one := fillV(1)
		fail := func(*withEv, int64) error { return errFill }
		batch := func(b disruptor.Batch[withEv]) error { b.At(0).v = 2; return nil }
		allocs := testing.AllocsPerRun(100, func() {
			p.PublishWith(ctx, one)
			p.TryPublishWith(fail)
			p.PublishBatchWith(ctx, 2, batch)
			for {
				if _, err := c.TryNext(); err != nil {
					break
				}
			}
		})
		if allocs != 0 {
			t.Errorf("multi=%v: %v allocations a round, want 0", multi, allocs)
		}
	}
}
