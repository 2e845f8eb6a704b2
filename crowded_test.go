package disruptor

import (
	"context"
	"testing"
	"time"
)

// onTwo makes a ring of 64 that runs as on a machine of 2 processors.
func onTwo(t *testing.T, opts ...Option) *Ring[int64] {
	t.Helper()
	r, err := New[int64](64, opts...)
	if err != nil {
		t.Fatal(err)
	}
	r.eng.Procs = 2 // before anyone waits or claims
	return r
}

// A ring with more participants than processors is crowded: its waiters
// never spin (every idle poll of a parking strategy yields, then they park)
// and its consumers do not linger. With as many as processors, a waiter
// spins first.
func TestCrowdedWaitsYield(t *testing.T) {
	for _, tc := range []struct {
		consumers int
		crowded   bool
	}{{1, false}, {2, true}} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r := onTwo(t)
		p, _ := r.NewProducer("p")
		cs := make([]*Consumer[int64], tc.consumers)
		for i := range cs {
			cs[i], _ = r.NewConsumer("c")
		}
		if got := r.eng.Crowded(); got != tc.crowded {
			t.Fatalf("%d consumers and a producer on 2 processors: Crowded() = %v, want %v", tc.consumers, got, tc.crowded)
		}
		const n = 50
		produced := make(chan struct{})
		go func() {
			defer close(produced)
			defer p.Close()
			for i := range int64(n) {
				time.Sleep(200 * time.Microsecond) // every read waits, past any spin phase
				if err := p.Put(ctx, i); err != nil {
					return
				}
			}
		}()
		errs := make(chan error, len(cs))
		for _, c := range cs {
			go func() {
				for i := range int64(n) {
					if ev, err := c.Next(ctx); err != nil || *ev != i {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range cs {
			if err := <-errs; err != nil {
				t.Fatalf("%d consumers: %v", tc.consumers, err)
			}
		}
		for i, c := range cs {
			s := c.Stats()
			switch {
			case s.EmptyPolls < n/4: // each read should wait; a loaded machine may leave a few already there
				t.Fatalf("%d consumers: consumer %d polled %d times for %d events, each waited for: the checks below would prove nothing", tc.consumers, i, s.EmptyPolls, n)
			case tc.crowded && s.Yields != s.EmptyPolls:
				t.Errorf("crowded: consumer %d yielded %d of %d idle polls: it spun", i, s.Yields, s.EmptyPolls)
			case !tc.crowded && s.Yields > s.EmptyPolls/2:
				t.Errorf("not crowded: consumer %d yielded %d of %d idle polls: it should spin first", i, s.Yields, s.EmptyPolls)
			}
		}
		<-produced
		cancel()
		if r.eng.Crowded() {
			t.Errorf("%d consumers, the producer closed: still crowded", tc.consumers)
		}
	}
}

// On a crowded ring, a multi-producer claim that takes the slow path (a
// claim of several always does) first gives its processor away, and
// counts it among its yields; on a ring that is not crowded, and for a
// TryClaimN, it never does. Every event still arrives, in order.
func TestCrowdedClaimsGiveWay(t *testing.T) {
	for _, tc := range []struct {
		producers int
		try       bool
		yields    bool
	}{{1, false, false}, {2, false, true}, {2, true, false}} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r := onTwo(t, WithMultiProducer())
		c, _ := r.NewConsumer("c")
		ps := make([]*Producer[int64], tc.producers)
		for i := range ps {
			ps[i], _ = r.NewProducer("p")
		}
		const claims = 20
		p := ps[0]
		for i := range int64(claims) {
			var b Batch[int64]
			var err error
			if tc.try {
				b, err = p.TryClaimN(2)
			} else {
				b, err = p.ClaimN(ctx, 2)
			}
			if err != nil {
				t.Fatalf("%+v: claim %d: %v", tc, i, err)
			}
			*b.At(0), *b.At(1) = 2*i, 2*i+1
			p.Publish()
			for j := range int64(2) {
				if ev, err := c.Next(ctx); err != nil || *ev != 2*i+j {
					t.Fatalf("%+v: event %d: %v, %v", tc, 2*i+j, ev, err)
				}
			}
		}
		for i := len(ps) - 1; i >= 0; i-- { // p last: its Close claims on a ring no longer crowded
			ps[i].Close()
		}
		y := p.Stats().Yields
		switch {
		case tc.yields && y < claims:
			t.Errorf("%+v: crowded: %d yields for %d claims of several, want one a claim at least", tc, y, claims)
		case !tc.yields && y != 0:
			t.Errorf("%+v: %d yields, want none", tc, y)
		}
		cancel()
	}
}
