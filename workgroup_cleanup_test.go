package disruptor

import (
	"errors"
	"testing"
)

// TestWorkGroupFailedCleanup is the in-process twin of
// TestSharedWorkGroupFailedCleanup: a work group that cannot be made
// (the table is full) frees every record its members joined: they neither
// count as consumers nor gate the producer, and their entries can be taken
// again.
func TestWorkGroupFailedCleanup(t *testing.T) {
	r, err := New[int](8, WithMaxConsumers(3))
	if err != nil {
		t.Fatal(err)
	}
	other, err := r.NewConsumer("other")
	if err != nil {
		t.Fatal(err)
	}
	members := r.eng.Members.Load()
	if _, err := r.NewWorkGroup("g", 3); !errors.Is(err, ErrTooManyConsumers) {
		t.Fatalf("NewWorkGroup(g, 3) with 2 entries free: %v, want ErrTooManyConsumers", err)
	}
	if n := r.Consumers(); n != 1 {
		t.Errorf("%d consumers registered after the failed group, want 1 (other)\n%s", n, r.dump())
	}
	if n := r.eng.Members.Load(); n != members {
		t.Errorf("%d members after the failed group, want %d as before", n, members)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 * r.Size() { // a record left behind would gate at -1: full after 8
		if _, err := p.TryClaim(); err != nil {
			t.Fatalf("claim %d with no consumer: %v\n%s", i, err, r.dump())
		}
		p.Publish()
	}
	g, err := r.NewWorkGroup("g", 3) // every entry is free again
	if err != nil {
		t.Fatalf("NewWorkGroup(g, 3) on an empty table: %v\n%s", err, r.dump())
	}
	if n := r.Consumers(); n != 3 {
		t.Errorf("%d consumers registered, want 3 (g's members)", n)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
}
