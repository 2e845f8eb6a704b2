package disruptor

import (
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// TestSharedFullBarriers: a shared ring whose creator parks at once (Park)
// is marked FullBarriers in its file. Every handle on it, whatever its own
// strategy, then publishes with full barriers and parks with no barrier
// across processes; a ring made with another strategy keeps release stores
// and the barrier. Over a marked ring, two handles move events with waiters
// that only park (with an hour's safety timeout, so a lost wake-up hangs the
// test instead of passing late), every event delivered in order.
func TestSharedFullBarriers(t *testing.T) {
	parkOnly := WaitStrategy{s: engine.Schedule{Name: "park", Park: true, Timeout: time.Hour}}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		w    WaitStrategy
		full bool
	}{
		{"park", Park(), true},
		{"park-only", parkOnly, true},
		{"default", DefaultWait(), false},
		{"spin-pause", SpinPause(), false},
	} {
		path := dir + "/" + tc.name
		r, err := Create[int](path, 8, WithWaitStrategy(tc.w))
		if err != nil {
			t.Fatal(err)
		}
		a, err := Attach[int](path) // the default strategy: the file decides
		if err != nil {
			t.Fatal(err)
		}
		in, err := Inspect(path)
		if err != nil {
			t.Fatal(err)
		}
		if in.FullBarriers != tc.full {
			t.Errorf("%s: Inspect says FullBarriers %v, want %v", tc.name, in.FullBarriers, tc.full)
		}
		for who, h := range map[string]*Ring[int]{"creator": r, "attacher": a} {
			e := &h.eng
			if e.FullBarriers != tc.full {
				t.Errorf("%s, %s: fullBarriers %v, want %v", tc.name, who, e.FullBarriers, tc.full)
			}
			if want := !tc.full && engine.HaveReleaseStore && sharedBarrierOK(); e.Relaxed != want {
				t.Errorf("%s, %s: relaxed %v, want %v", tc.name, who, e.Relaxed, want)
			}
		}
		a.Close()
		r.Close()
	}

	path := dir + "/delivery"
	r, err := Create[int](path, 8, WithWaitStrategy(parkOnly))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a, err := Attach[int](path, WithWaitStrategy(parkOnly))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := watch(t, testDeadline(), r, a)
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.NewConsumer("c")
	if err != nil {
		t.Fatal(err)
	}
	n := int(scaled(20000, 500000))
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := p.Put(ctx, i); err != nil {
				done <- err
				return
			}
		}
		done <- p.CloseContext(ctx)
	}()
	for want := 0; want < n; want++ {
		ev, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("event %d: %v", want, err)
		}
		if *ev != want {
			t.Fatalf("read %d, want %d", *ev, want)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ps, cs := p.Stats(), c.Stats()
	t.Logf("parks: producer %d, consumer %d of %d events", ps.Parks, cs.Parks, n)
	if ps.Parks+cs.Parks == 0 {
		t.Error("nobody parked: the test proved nothing about wake-ups")
	}
}
