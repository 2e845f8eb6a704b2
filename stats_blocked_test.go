package disruptor

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A producer blocked on a full ring shows its full-ring wait and its parks
// while it is still blocked, not only once the claim returns.
func TestStatsShowWhileBlocked(t *testing.T) {
	r, err := New[int64](4, WithWaitStrategy(Block()))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 4 {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = 1
		p.Publish()
	}
	claimed := make(chan error, 1)
	go func() {
		_, err := p.Claim(ctx) // blocks: the consumer has read nothing
		claimed <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := p.Stats()
		if st.FullWaits >= 1 && st.Parks >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("while blocked, the producer's stats say %+v: want a full wait and a park", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-claimed:
		t.Fatalf("the claim returned (%v) while the ring was full", err)
	default:
	}
	if _, err := c.Next(ctx); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := <-claimed; err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	// A consumer waiting for events shows its parks while it waits too.
	r2, _ := New[int64](4, WithWaitStrategy(Block()))
	c2, _ := r2.NewConsumer("c")
	got := make(chan error, 1)
	go func() { _, err := c2.Next(ctx); got <- err }()
	for {
		if st := c2.Stats(); st.Parks >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("while waiting, the consumer's stats say %+v: want a park", c2.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	r2.Halt()
	if err := <-got; !errors.Is(err, ErrHalted) {
		t.Fatalf("Next after Halt = %v", err)
	}
}
