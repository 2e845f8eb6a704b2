package disruptor

// Lingering (linger.go): never after a wait, never for a producer that
// stopped, never a lost or repeated event, never a lower high mark.

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// lingerOpts are the consumer settings the linger tests run under: off,
// the default, and a budget so long that only the idle rule can end one.
var lingerOpts = []struct {
	name string
	opts []ConsumerOption
}{
	{"off", []ConsumerOption{Linger(0)}},
	{"default", nil},
	{"hour", []ConsumerOption{Linger(time.Hour)}},
}

// within runs f and fails the test if it has not returned after d.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still running after %v", what, d)
	}
}

// TestLingerNotAfterWait: a consumer that had to wait for its event returns
// it once it is published, whatever its linger budget (a liveness check).
func TestLingerNotAfterWait(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, lo := range lingerOpts {
			for _, m := range []readMode{byNext, byBatch, byLease} {
				name := fmt.Sprintf("%s/%s/%v", modeName(multi), lo.name, m)
				t.Run(name, func(t *testing.T) {
					r, _ := New[int](64, modeOpts(multi)...)
					ctx := watch(t, 5*time.Second, r)
					p, _ := r.NewProducer("p")
					c, _ := r.NewConsumer("c", lo.opts...)
					type result struct {
						v, n int
						err  error
					}
					got := make(chan result, 1)
					start := time.Now()
					go func() {
						var res result
						switch m {
						case byNext:
							var v *int
							if v, res.err = c.Next(ctx); res.err == nil {
								res.v, res.n = *v, 1
							}
						case byBatch:
							res.n, res.err = c.Batch(ctx, func(v *int, _ int64, _ bool) error { res.v = *v; return nil })
						case byLease:
							var l Lease[int]
							if l, res.err = c.Lease(ctx, 64); res.err == nil {
								for _, v := range l.All() {
									res.v = *v
								}
								res.n = l.Len()
								l.Release()
							}
						}
						got <- res
					}()
					time.Sleep(20 * time.Millisecond) // the consumer is waiting by now (or soon will be)
					ev, err := p.Claim(ctx)
					if err != nil {
						t.Fatal(err)
					}
					*ev = 42
					p.Publish()
					select {
					case res := <-got:
						if res.err != nil || res.n != 1 || res.v != 42 {
							t.Fatalf("read %d events (last %d), %v; want the one event 42", res.n, res.v, res.err)
						}
					case <-time.After(5 * time.Second):
						t.Fatalf("the event published %v after the consumer started waiting was not returned within 5 s", time.Since(start))
					}
				})
			}
		}
	}
}

// TestLingerIdle: a consumer that finds a few events waiting and no
// producer publishing returns them promptly, even with a budget of an hour.
func TestLingerIdle(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, lo := range lingerOpts {
			t.Run(modeName(multi)+"/"+lo.name, func(t *testing.T) {
				r, _ := New[int](64, modeOpts(multi)...)
				ctx := watch(t, testDeadline(), r)
				p, _ := r.NewProducer("p")
				c, _ := r.NewConsumer("c", lo.opts...)
				pub := func(vs ...int) {
					for _, v := range vs {
						ev, err := p.TryClaim()
						if err != nil {
							t.Fatal(err)
						}
						*ev = v
						p.Publish()
					}
				}
				pub(0, 1, 2)
				var seen []int
				within(t, 5*time.Second, "Batch of 3 waiting events", func() {
					n, err := c.Batch(ctx, func(v *int, seq int64, end bool) error {
						seen = append(seen, *v)
						return nil
					})
					if n != 3 || err != nil {
						t.Errorf("Batch: %d, %v; want the 3 waiting events", n, err)
					}
				})
				pub(3, 4, 5)
				within(t, 5*time.Second, "Lease of 3 waiting events", func() {
					l, err := c.Lease(ctx, 64)
					if err != nil || l.Len() != 3 {
						t.Errorf("Lease: %d events, %v; want the 3 waiting", l.Len(), err)
						return
					}
					for _, v := range l.All() {
						seen = append(seen, *v)
					}
					l.Release()
				})
				pub(6, 7, 8)
				within(t, 5*time.Second, "Next of 3 waiting events", func() {
					for range 3 {
						v, err := c.Next(ctx)
						if err != nil {
							t.Errorf("Next: %v", err)
							return
						}
						seen = append(seen, *v)
					}
				})
				if fmt.Sprint(seen) != "[0 1 2 3 4 5 6 7 8]" {
					t.Fatalf("read %v, want 0..8", seen)
				}
			})
		}
	}
}

// TestLingerBursts: under a producer that publishes in bursts with random
// pauses, consumers that linger and consumers that do not deliver every
// event exactly once, in order.
func TestLingerBursts(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, lo := range lingerOpts {
			for _, m := range []readMode{byNext, byBatch, byLease} {
				name := fmt.Sprintf("%s/%s/%v", modeName(multi), lo.name, m)
				t.Run(name, func(t *testing.T) {
					rng := testRand(t)
					r, _ := New[tev](256, modeOpts(multi)...)
					ctx := watch(t, testDeadline(), r)
					p, _ := r.NewProducer("p")
					c, _ := r.NewConsumer("c", lo.opts...)
					n := scaled(4000, 200000)
					prng, crng := newRandFrom(rng), newRandFrom(rng)
					g := newCrew(r)
					g.goDo("p", func() error {
						for i := int64(0); i < n; {
							burst := min(1+prng.Int64N(100), n-i)
							for j := range burst {
								ev, err := p.Claim(ctx)
								if err != nil {
									return fmt.Errorf("claim %d: %w", i+j, err)
								}
								ev.set(0, i+j)
								p.Publish()
							}
							i += burst
							switch prng.IntN(4) {
							case 0: // straight on
							case 1:
								runtime.Gosched()
							case 2:
								for range prng.IntN(2000) { // a pause shorter than a sleep
									engine.CPUPause()
								}
							case 3:
								time.Sleep(time.Duration(prng.IntN(200)) * time.Microsecond)
							}
						}
						return p.Close()
					})
					k := newChecker("c", 0, 1)
					g.goDo("c", func() error { return drain(ctx, c, m, crng, 50, k.see) })
					g.wait(t)
					if err := k.complete(n); err != nil {
						t.Fatal(err)
					}
					if k.digest != singleDigest(0, n) {
						t.Fatalf("digest %#x, want %#x", k.digest, singleDigest(0, n))
					}
				})
			}
		}
	}
}

// TestLingerMethod calls linger itself. With no producer publishing it
// returns the high mark it was given; with a producer publishing it returns
// one at least as high, and never one beyond what is readable.
func TestLingerMethod(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, lo := range lingerOpts[1:] { // a budget of 0 never calls linger
			t.Run(modeName(multi)+"/"+lo.name, func(t *testing.T) {
				r, _ := New[int](1024, modeOpts(multi)...)
				ctx := watch(t, testDeadline(), r)
				p, _ := r.NewProducer("p")
				c, _ := r.NewConsumer("c", lo.opts...)
				e := &r.eng
				for range 3 {
					ev, _ := p.TryClaim()
					*ev = 1
					p.Publish()
				}
				hi := e.Available(c.next, c.deps)
				if hi != 2 {
					t.Fatalf("available: %d, want 2", hi)
				}
				within(t, 5*time.Second, "linger with no producer publishing", func() {
					for range 100 {
						if got := c.linger(hi); got != hi {
							t.Errorf("linger(%d) with nothing published: %d", hi, got)
							return
						}
					}
				})

				var stop atomic.Bool
				g := newCrew(r)
				g.goDo("p", func() error {
					for !stop.Load() {
						ev, err := p.TryClaim()
						if err == ErrFull {
							runtime.Gosched()
							continue
						}
						if err != nil {
							return err
						}
						*ev = 1
						p.Publish()
					}
					return nil
				})
				within(t, 5*time.Second, "linger while a producer publishes", func() {
					rose := false
					for i := 0; i < 2000 && ctx.Err() == nil; i++ {
						hi := e.Available(c.next, c.deps)
						if hi < c.next { // consumers linger only over events they found
							runtime.Gosched()
							continue
						}
						got := c.linger(hi)
						if got < hi {
							t.Errorf("linger(%d) returned %d: lower than it was given", hi, got)
							return
						}
						if now := e.Available(c.next, c.deps); got > now {
							t.Errorf("linger(%d) returned %d: beyond the readable %d", hi, got, now)
							return
						}
						rose = rose || got > hi
						c.next = got + 1 // read them: the producer gets room
						c.release(got)
					}
					if !rose {
						t.Logf("no linger saw a new event (the producer may not have run meanwhile)")
					}
				})
				stop.Store(true)
				g.wait(t)
			})
		}
	}
}
