package disruptor

// Shutdown: Halt while producers are blocked on a full ring and consumers
// are parked; context cancellation of blocked calls; graceful close with EOF
// exactly once after all data. The blocking strategy's safety timeout is an
// hour, so only a real wake-up can return a parked call in time.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

type returned struct {
	who string
	err error
	at  time.Time
}

func TestHaltWhileBlocked(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, multi := range []bool{false, true} {
		t.Run(modeName(multi), func(t *testing.T) {
			r, err := New[tev](4, modeOpts(multi, WithWaitStrategy(BlockTimeout(time.Hour)))...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := watch(t, testDeadline(), r)
			nprod := 1
			if multi {
				nprod = 3
			}
			var ps []*Producer[tev]
			for i := range nprod {
				p, _ := r.NewProducer(fmt.Sprint("p", i))
				ps = append(ps, p)
			}
			gate, _ := r.NewConsumer("gate") // never read: the ring fills
			dep, _ := r.NewConsumer("dep", After(gate))
			eager, _ := r.NewConsumer("eager")
			wg, _ := r.NewWorkGroup("wg", 2)
			readers := []*Consumer[tev]{dep, eager, wg.Member(0), wg.Member(1)}
			out := make(chan returned, nprod+len(readers))
			for i, p := range ps {
				go func() {
					for {
						ev, err := p.Claim(ctx)
						if err != nil {
							out <- returned{p.Name(), err, time.Now()}
							return
						}
						ev.set(int64(i), 0)
						p.Publish()
					}
				}()
			}
			for _, c := range readers {
				go func() {
					for {
						if _, err := c.Next(ctx); err != nil {
							out <- returned{c.Name(), err, time.Now()}
							return
						}
					}
				}()
			}
			parked := func() bool {
				data, depw, space := r.parkedCounts()
				return space == int32(nprod) && depw == 1 && data == 3
			}
			if !waitFor(10*time.Second, parked) {
				d, dp, s := r.parkedCounts()
				t.Fatalf("not all parked: data=%d dep=%d space=%d", d, dp, s)
			}
			if r.Cursor() != 3 {
				t.Fatalf("cursor %d, want a full ring (3)", r.Cursor())
			}
			halt := time.Now()
			r.Halt()
			for range nprod + len(readers) {
				x := <-out
				if !errors.Is(x.err, ErrHalted) {
					t.Errorf("%s returned %v, want ErrHalted", x.who, x.err)
				}
				if d := x.at.Sub(halt); d > time.Second {
					t.Errorf("%s returned %v after Halt", x.who, d)
				}
			}
			r.Halt() // idempotent
			if !r.Halted() {
				t.Error("Halted() is false after Halt")
			}
			// Later blocking calls return at once.
			if _, err := ps[0].Claim(ctx); !errors.Is(err, ErrHalted) {
				t.Errorf("Claim on a halted full ring: %v", err)
			}
			if err := ps[0].CloseContext(ctx); !errors.Is(err, ErrHalted) {
				t.Errorf("Close on a halted full ring: %v", err)
			}
			if _, err := eager.Next(ctx); !errors.Is(err, ErrHalted) {
				t.Errorf("Next on a halted drained ring: %v", err)
			}
			// What was published can still be read.
			if _, err := gate.TryNext(); err != nil {
				t.Errorf("reading an available event after Halt: %v", err)
			}
		})
	}
}

// TestContextCancel: a blocked Claim, ClaimN, Close, Next, Batch, Lease and
// work-group Next return ctx.Err() promptly under every strategy, and leave
// their producer or consumer usable.
func TestContextCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, s := range []struct {
		name string
		w    WaitStrategy
	}{
		{"Block", BlockTimeout(time.Hour)},
		{"Sleep", Sleep(time.Millisecond)},
		{"Hybrid", Hybrid(time.Millisecond)},
		{"BusySpin", BusySpin()}, // one waiter at a time: one spinning goroutine
	} {
		for _, multi := range []bool{false, true} {
			t.Run(s.name+"/"+modeName(multi), func(t *testing.T) {
				r, _ := New[tev](2, modeOpts(multi, WithWaitStrategy(s.w))...)
				other, _ := New[tev](4, WithWaitStrategy(s.w))
				ctx := watch(t, testDeadline(), r, other)
				p, _ := r.NewProducer("p")
				c, _ := r.NewConsumer("c")
				d, _ := r.NewConsumer("d", After(c))
				op, _ := other.NewProducer("op")
				wg, _ := other.NewWorkGroup("wg", 1)
				empty, _ := other.NewConsumer("empty")
				for range 2 {
					ev, _ := p.TryClaim()
					ev.set(0, 0)
					p.Publish()
				}
				calls := []struct {
					name string
					call func(context.Context) error
				}{
					{"Claim", func(ctx context.Context) error { _, err := p.Claim(ctx); return err }},
					{"ClaimN", func(ctx context.Context) error { _, err := p.ClaimN(ctx, 2); return err }},
					{"Flush", func(ctx context.Context) error { return p.Flush(ctx) }},
					{"CloseContext", func(ctx context.Context) error { return p.CloseContext(ctx) }},
					{"Next after c", func(ctx context.Context) error { _, err := d.Next(ctx); return err }},
					{"Batch after c", func(ctx context.Context) error {
						_, err := d.Batch(ctx, func(*tev, int64, bool) error { return nil })
						return err
					}},
					{"Lease after c", func(ctx context.Context) error { _, err := d.Lease(ctx, 1); return err }},
					{"Next on empty", func(ctx context.Context) error { _, err := empty.Next(ctx); return err }},
					{"member Next", func(ctx context.Context) error { _, err := wg.Member(0).Next(ctx); return err }},
				}
				for _, cl := range calls {
					cctx, cancel := context.WithCancel(ctx)
					done := make(chan returned, 1)
					go func() { err := cl.call(cctx); done <- returned{cl.name, err, time.Now()} }()
					time.Sleep(5 * time.Millisecond) // let it block (and park, where it parks)
					select {
					case x := <-done:
						t.Fatalf("%s returned %v before it was cancelled", cl.name, x.err)
					default:
					}
					at := time.Now()
					cancel()
					x := <-done
					if !errors.Is(x.err, context.Canceled) {
						t.Errorf("%s: %v, want context.Canceled", cl.name, x.err)
					}
					if d := x.at.Sub(at); d > time.Second {
						t.Errorf("%s returned %v after cancel", cl.name, d)
					}
					tctx, tcancel := context.WithTimeout(ctx, 10*time.Millisecond)
					if err := cl.call(tctx); !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("%s with a deadline: %v, want context.DeadlineExceeded", cl.name, err)
					}
					tcancel()
				}
				// Everyone is still usable: c and d read and release, p
				// claims, the group member reads what it waited for.
				for _, x := range []*Consumer[tev]{c, d} {
					if err := readN(ctx, x, 2); err != nil {
						t.Fatal(err)
					}
					if _, err := x.TryNext(); err != ErrEmpty { // releases
						t.Fatalf("%s: %v, want ErrEmpty", x.Name(), err)
					}
				}
				ev, err := p.Claim(ctx)
				if err != nil {
					t.Fatalf("Claim after the cancellations: %v", err)
				}
				ev.set(0, 1)
				p.Publish()
				if err := p.Close(); err != nil {
					t.Fatal(err)
				}
				for _, x := range []*Consumer[tev]{c, d} {
					if err := readN(ctx, x, 1); err != nil {
						t.Fatal(err)
					}
					if _, err := x.Next(ctx); err != io.EOF {
						t.Fatalf("%s after all: %v, want io.EOF", x.Name(), err)
					}
				}
				oev, _ := op.TryClaim()
				oev.set(7, 7)
				op.Publish()
				if ev, err := wg.Member(0).Next(ctx); err != nil || ev.P != 7 {
					t.Fatalf("member after cancellations: %v, %v", ev, err)
				}
			})
		}
	}
}

func readN(ctx context.Context, c *Consumer[tev], n int) error {
	for i := range n {
		if _, err := c.Next(ctx); err != nil {
			return fmt.Errorf("%s: read %d of %d: %w", c.Name(), i, n, err)
		}
	}
	return nil
}

// TestGracefulClose: producers blocked on a full ring and a consumer parked
// for data; the slow consumer resumes, producers finish and close; every
// consumer sees all data, then io.EOF exactly once (and again after).
func TestGracefulClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	r, _ := New[tev](4, WithMultiProducer(), WithWaitStrategy(BlockTimeout(time.Hour)))
	ctx := watch(t, testDeadline(), r)
	const P = 3
	n := scaled(2000, 50000)
	var ps []*Producer[tev]
	for i := range P {
		p, _ := r.NewProducer(fmt.Sprint("p", i))
		ps = append(ps, p)
	}
	slow, _ := r.NewConsumer("slow")
	fast, _ := r.NewConsumer("fast")
	ks, kf := newChecker("slow", 0, P), newChecker("fast", 0, P)
	ks.gaps, kf.gaps = true, true
	resume := make(chan struct{})
	rng := testRand(t)
	g := newCrew(r)
	for i, p := range ps {
		prng := newRandFrom(rng)
		g.goDo(p.Name(), func() error {
			if err := publishN(ctx, p, int64(i), n, 2, prng, false, 0); err != nil {
				return err
			}
			return p.CloseContext(ctx)
		})
	}
	g.goDo("fast", func() error { return drain(ctx, fast, byNext, nil, 1, kf.see) })
	g.goDo("slow", func() error {
		select {
		case <-resume:
		case <-ctx.Done():
			return ctx.Err()
		}
		return drain(ctx, slow, byBatch, nil, 1, ks.see)
	})
	if !waitFor(10*time.Second, func() bool { d, _, s := r.parkedCounts(); return s == P && d == 1 }) {
		d, _, s := r.parkedCounts()
		t.Errorf("not parked: data=%d space=%d", d, s)
	}
	close(resume)
	g.wait(t)
	for i, k := range []*checker{ks, kf} {
		if err := k.complete(n); err != nil {
			t.Error(err)
		}
		c := []*Consumer[tev]{slow, fast}[i]
		if st := c.Stats(); st.EOFs != P || st.Events != P*n {
			t.Errorf("%s: stats %+v, want %d EOFs and %d events", c.Name(), st, P, P*n)
		}
	}
	if st := ps[0].Stats(); st.FullWaits == 0 {
		t.Errorf("p0 never found the ring full: %+v", st)
	}
}
