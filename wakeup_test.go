package disruptor

// Lost wake-ups: thousands of single-event bursts with random gaps, under
// the blocking strategy with its safety timeout set to an hour, so a lost
// wake-up would leave a waiter parked for an hour. Each read has a 100 ms
// deadline (a timeout, not a speed assertion): an event that was published
// and not delivered within it was a wake-up lost. Consumers also pause at
// random, so producers park on a full ring and dependents on their
// upstream: every park site is exercised.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
)

// lostWakeupLimit is how long a published event may wait for a parked
// consumer. It is no speed target: only a lost wake-up can exceed it.
const lostWakeupLimit = 100 * time.Millisecond

// gap waits a random short while: nothing, a busy wait of up to 20µs (to
// land in the window between announcing a park and parking), or a sleep
// of up to 300µs (to let the other side park).
func gap(rng *rand.Rand) {
	switch rng.IntN(3) {
	case 0:
	case 1:
		for end := time.Now().Add(time.Duration(rng.IntN(20_000))); time.Now().Before(end); {
		}
	case 2:
		time.Sleep(time.Duration(rng.IntN(300_000)))
	}
}

func TestNoLostWakeups(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run("data/"+modeName(multi), func(t *testing.T) { lostDataWakeups(t, multi, false) })
		// where the release store is no barrier: Publish's fast paths fence
		t.Run("data/"+modeName(multi)+"/fenced", func(t *testing.T) { lostDataWakeups(t, multi, true) })
		t.Run("space/"+modeName(multi), func(t *testing.T) { lostSpaceWakeups(t, multi) })
	}
}

// lostDataWakeups: each producer publishes one event, then waits until the
// last stage acknowledges it, then waits a random gap. Consumers are
// always waiting (parked, mostly): c0 for the producers, c1 for c0. A lost
// wake-up leaves the burst undelivered, since nothing else is published
// until it is.
func lostDataWakeups(t *testing.T, multi, fenced bool) {
	r, err := New[tev](8, modeOpts(multi, WithWaitStrategy(BlockTimeout(time.Hour)))...)
	if err != nil {
		t.Fatal(err)
	}
	if fenced {
		r.eng.Relaxed = false // as if membarrier were not there
	}
	ctx := watch(t, testDeadline(), r)
	rng := testRand(t)
	nprod := 1 + btoi(multi)
	n := scaled(1500, 100000) // bursts per producer
	var ps []*Producer[tev]
	acks := make([]chan int64, nprod)
	for i := range nprod {
		p, _ := r.NewProducer(fmt.Sprint("p", i))
		ps = append(ps, p)
		acks[i] = make(chan int64, 1)
	}
	c0, _ := r.NewConsumer("c0")
	c1, _ := r.NewConsumer("c1", After(c0))
	k0, k1 := newChecker("c0", 0, nprod), newChecker("c1", 0, nprod)
	k0.gaps, k1.gaps = true, true // producers close independently
	g := newCrew(r)
	for i, p := range ps {
		prng := newRandFrom(rng)
		g.goDo(p.Name(), func() error {
			timer := time.NewTimer(time.Hour)
			defer timer.Stop()
			for k := range n {
				ev, err := p.Claim(ctx)
				if err != nil {
					return fmt.Errorf("claim %d: %w", k, err)
				}
				ev.set(int64(i), k)
				p.Publish()
				timer.Reset(lostWakeupLimit)
				select {
				case got := <-acks[i]:
					if got != k {
						return fmt.Errorf("acknowledged %d, want %d", got, k)
					}
				case <-timer.C:
					return fmt.Errorf("event %d not through both stages within %v: lost wake-up (c0 at %d, c1 at %d)",
						k, lostWakeupLimit, c0.releasedCursor(), c1.releasedCursor())
				case <-ctx.Done():
					return ctx.Err()
				}
				gap(prng)
			}
			return p.CloseContext(ctx)
		})
	}
	g.goDo("c0", func() error { return drain(ctx, c0, byNext, nil, 1, k0.see) })
	g.goDo("c1", func() error {
		return drain(ctx, c1, byNext, nil, 1, func(seq int64, ev *tev) error {
			acks[ev.P] <- ev.N
			return k1.see(seq, ev)
		})
	})
	g.wait(t)
	for _, k := range []*checker{k0, k1} {
		if err := k.complete(n); err != nil {
			t.Error(err)
		}
	}
	s0, s1 := c0.Stats(), c1.Stats()
	t.Logf("parks: c0 %d, c1 %d of %d bursts", s0.Parks, s1.Parks, int64(nprod)*n)
	if s0.Parks == 0 || s1.Parks == 0 {
		t.Errorf("a consumer never parked (c0 %d, c1 %d): the test proved nothing there", s0.Parks, s1.Parks)
	}
}

// lostSpaceWakeups: producers claim without pause on a ring of 2 slots;
// consumers read one event at a time with random gaps, so producers park
// on the full ring and c1 parks waiting for c0. Nobody idles by choice for
// more than a fraction of a millisecond, so a read that finds nothing for
// lostWakeupLimit means a waiter was never woken.
func lostSpaceWakeups(t *testing.T, multi bool) {
	r, err := New[tev](2, modeOpts(multi, WithWaitStrategy(BlockTimeout(time.Hour)))...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := watch(t, testDeadline(), r)
	rng := testRand(t)
	nprod := 1 + btoi(multi)
	n := scaled(1000, 50000)
	var ps []*Producer[tev]
	for i := range nprod {
		p, _ := r.NewProducer(fmt.Sprint("p", i))
		ps = append(ps, p)
	}
	c0, _ := r.NewConsumer("c0")
	c1, _ := r.NewConsumer("c1", After(c0))
	k0, k1 := newChecker("c0", 0, nprod), newChecker("c1", 0, nprod)
	k0.gaps, k1.gaps = true, true
	g := newCrew(r)
	for i, p := range ps {
		g.goDo(p.Name(), func() error {
			for k := range n {
				ev, err := p.Claim(ctx)
				if err != nil {
					return fmt.Errorf("claim %d: %w", k, err)
				}
				ev.set(int64(i), k)
				p.Publish()
			}
			return p.CloseContext(ctx)
		})
	}
	reader := func(c *Consumer[tev], k *checker) func() error {
		crng := newRandFrom(rng)
		return func() error {
			for {
				rctx, cancel := context.WithTimeout(ctx, lostWakeupLimit)
				ev, err := c.Next(rctx)
				cancel()
				switch {
				case err == io.EOF:
					return nil
				case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
					d, dp, s := r.parkedCounts()
					return fmt.Errorf("nothing to read for %v after %d events: lost wake-up (parked: data %d, dep %d, space %d)",
						lostWakeupLimit, k.count, d, dp, s)
				case err != nil:
					return err
				}
				if err := k.see(c.Sequence(), ev); err != nil {
					return err
				}
				gap(crng)
			}
		}
	}
	g.goDo("c0", reader(c0, k0))
	g.goDo("c1", reader(c1, k1))
	g.wait(t)
	for _, k := range []*checker{k0, k1} {
		if err := k.complete(n); err != nil {
			t.Error(err)
		}
	}
	var parks int64
	for _, p := range ps {
		parks += p.Stats().Parks
	}
	t.Logf("producer parks: %d of %d events; c1 parks %d", parks, int64(nprod)*n, c1.Stats().Parks)
	switch {
	case parks > 0:
	case buggify.Enabled: // pauses injected in the producers' gate refresh let consumers make room first
		t.Log("no producer parked on the full ring: the injected pauses kept making room in time")
	default:
		t.Error("no producer ever parked on the full ring: the test proved nothing")
	}
}
