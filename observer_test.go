package disruptor

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

func TestObserver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, multi := range []bool{false, true} {
		opts := []Option{WithDir(t.TempDir())}
		if multi {
			opts = append(opts, WithMultiProducer())
		}
		r, err := Create[shmEv]("obs", 8, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&Ring[int]{}).NewObserver(false); !errors.Is(err, ErrNotSupported) {
			t.Fatalf("an observer of an in-process ring: %v, want ErrNotSupported", err)
		}
		o, err := r.NewObserver(false)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := r.NewProducer("p")
		publish := func(from, to int64) {
			for i := from; i < to; i++ {
				ev, err := p.Claim(ctx)
				if err != nil {
					t.Fatal(err)
				}
				*ev = shmEv{Seq: i, Sum: uint64(i) * 7}
				p.Publish()
			}
		}
		// Keeping up: every event, in order, never gating the producer.
		var ev shmEv
		for i := int64(0); i < 20; i++ {
			publish(i, i+1)
			s, err := o.Next(ctx, &ev)
			if err != nil || s != i || ev.Seq != i || ev.Sum != uint64(i)*7 {
				t.Fatalf("multi=%v: Next = %d, %+v, %v; want %d", multi, s, ev, err, i)
			}
		}
		// Lapped: the producer runs 3 rings ahead (no consumer holds it back).
		publish(20, 44)
		p.Close()
		_, err = o.Next(ctx, &ev)
		if !errors.Is(err, ErrLapped) {
			t.Fatalf("multi=%v: after being lapped, Next = %v, want ErrLapped", multi, err)
		}
		// It goes on from a safe event, with intact data, to EOF.
		last := int64(-1)
		for {
			s, err := o.Next(ctx, &ev)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("multi=%v: %v", multi, err)
			}
			if ev.Seq != s || ev.Sum != uint64(s)*7 || s <= last {
				t.Fatalf("multi=%v: seq %d holds %+v after %d", multi, s, ev, last)
			}
			last = s
		}
		if last != 43 {
			t.Fatalf("multi=%v: last event %d, want 43", multi, last)
		}
		r.Close()
	}
}
