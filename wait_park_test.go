package disruptor

import (
	"context"
	"testing"
	"time"
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
