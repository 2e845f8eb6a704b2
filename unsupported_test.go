package disruptor

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestLeaseErrors: Lease on a work group member and Lease with a max below
// one return errors (not panics), and leave the consumer usable.
func TestLeaseErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := New[int](8)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.NewProducer("p")
	wg, err := r.NewWorkGroup("workers", 2)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.NewConsumer("c")
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := p.Claim(ctx)
	*ev = 7
	p.Publish()

	m := wg.Member(0)
	if _, err := m.Lease(ctx, 4); !errors.Is(err, ErrNotSupported) || !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Lease on a member: %v, want ErrNotSupported (and errors.ErrUnsupported)", err)
	}
	if got, err := m.Next(ctx); err != nil || *got != 7 {
		t.Fatalf("member's Next after the refused Lease: %v, %v", got, err)
	}
	for _, max := range []int{0, -1} {
		if _, err := c.Lease(ctx, max); !errors.Is(err, ErrInvalidLease) {
			t.Fatalf("Lease(%d): %v, want ErrInvalidLease", max, err)
		}
	}
	l, err := c.Lease(ctx, 4)
	if err != nil || l.Len() != 1 {
		t.Fatalf("Lease after the refused ones: %d events, %v", l.Len(), err)
	}
	for _, v := range l.All() {
		if *v != 7 {
			t.Fatalf("leased %d, want 7", *v)
		}
	}
	l.Release()
}

// TestSharedLeaseOnMember: the same on a shared ring's work group.
func TestSharedLeaseOnMember(t *testing.T) {
	r, _ := tempRing(t)
	wg, err := r.NewWorkGroup("workers", 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wg.Member(1).Lease(context.Background(), 1); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("Lease on a shared member: %v, want ErrNotSupported", err)
	}
}
