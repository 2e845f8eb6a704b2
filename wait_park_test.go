package disruptor

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// Park waits by parking at once: a consumer fed with gaps parks at its
// waits and polls about once a park, however short the parks were (Block
// learns to spin through them: hundreds of polls a wait).
func TestParkDoesNotSpin(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := New[int64](64, WithWaitStrategy(Park()))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	const n = 200
	go func() {
		for i := range int64(n) {
			time.Sleep(100 * time.Microsecond) // short parks: Block doubles its spins after each
			ev, err := p.Claim(ctx)
			if err != nil {
				return
			}
			*ev = i
			p.Publish()
		}
	}()
	for i := range int64(n) {
		ev, err := c.Next(ctx)
		if err != nil || *ev != i {
			t.Fatalf("event %d: %v, %v", i, ev, err)
		}
	}
	s := c.Stats()
	if s.Parks < n/4 || s.EmptyPolls > 2*s.Parks+n/10 {
		t.Fatalf("consumer: %d parks, %d empty polls for %d events: want parks, and about a poll a park", s.Parks, s.EmptyPolls, n)
	}
	if got := Park().String(); got != "park(spins=0,yields=0,timeout=250ms)" {
		t.Errorf("Park().String() = %q", got)
	}
}

// Under Park every hand-over is a wake-up, both ways: single events
// bounced between a producer and a consumer (the consumer parks for data,
// then the producer, on a ring of 2, for room), with random gaps, the
// safety timeout an hour. Each read has lostWakeupLimit (no speed target:
// only a wake-up lost leaves an event waiting that long).
func TestParkNoLostWakeups(t *testing.T) {
	w := Park()
	w.s.Timeout = time.Hour
	for _, multi := range []bool{false, true} {
		t.Run(modeName(multi), func(t *testing.T) {
			r, err := New[int64](2, modeOpts(multi, WithWaitStrategy(w))...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := watch(t, testDeadline(), r)
			rng := testRand(t)
			p, _ := r.NewProducer("p")
			c, _ := r.NewConsumer("c")
			n := scaled(2000, 50000)
			prng := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())) // the producer's own
			errs := make(chan error, 1)
			go func() {
				for i := range n {
					ev, err := p.Claim(ctx)
					if err != nil {
						errs <- err
						return
					}
					*ev = i
					p.Publish()
					if i%2 == 0 {
						gap(prng)
					}
				}
				errs <- nil
			}()
			for i := range n {
				rctx, cancel := context.WithTimeout(ctx, lostWakeupLimit)
				ev, err := c.Next(rctx)
				cancel()
				if err != nil || *ev != i {
					t.Fatalf("event %d: %v, %v (a wake-up lost?)", i, ev, err)
				}
				if i%3 == 0 {
					gap(rng)
				}
			}
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A ring whose strategy parks at once publishes with full barriers, so its
// waiters park without a process-wide barrier; other strategies keep the
// release stores where the platform has them.
func TestParkRingsPublishWithBarriers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		w       WaitStrategy
		relaxed bool
	}{
		{"park", Park(), false},
		{"default", DefaultWait(), engine.RelaxedOK()},
		{"spin-pause", SpinPause(), engine.RelaxedOK()},
	} {
		r, err := New[int](8, WithWaitStrategy(tc.w))
		if err != nil {
			t.Fatal(err)
		}
		if r.eng.Relaxed != tc.relaxed {
			t.Errorf("%s: relaxed %v, want %v", tc.name, r.eng.Relaxed, tc.relaxed)
		}
	}
}
