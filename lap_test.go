package disruptor

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A claim is its producer's until it is published: on a multi-producer ring,
// no other producer may take the slot's next lap before then, consumers or
// none. With no consumer to gate them, producers used to run a ring ahead of
// a claim in hand: the slot was written twice at once, and the claimer's
// late publication stored an older lap's sequence over a newer one, so a
// consumer that joined later read a torn event or waited forever.
func TestMultiNeverLapsAClaim(t *testing.T) {
	const size = 8
	for _, latest := range []bool{false, true} {
		name := "no-consumer"
		if latest {
			name = "latest-joiner"
		}
		t.Run(name, func(t *testing.T) {
			r, err := New[int64](size, WithMultiProducer(), WithWaitStrategy(BlockTimeout(time.Hour)))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			a, _ := r.NewProducer("a")
			b, _ := r.NewProducer("b")
			// b publishes 3 events, a claims the 4th (sequence 3) and holds it.
			for i := range int64(3) {
				if err := b.Put(context.Background(), i); err != nil {
					t.Fatal(err)
				}
			}
			ev, err := a.TryClaim()
			if err != nil {
				t.Fatal(err)
			}
			if s := a.Sequence(); s != 3 {
				t.Fatalf("a claimed %d, want 3", s)
			}
			var c *Consumer[int64]
			if latest {
				// It joins at the first unpublished sequence: a's claim,
				// not past it (it could not read in order past it, and
				// it would not gate the slot's next lap).
				if c, err = r.NewConsumer("late", StartAtLatest()); err != nil {
					t.Fatal(err)
				}
			}
			// b may fill the ring up to the slot before a's next lap, and
			// no further.
			for i := int64(4); i < 3+size; i++ {
				if err := b.TryPut(i); err != nil {
					t.Fatalf("b's put of sequence %d: %v", i, err)
				}
			}
			if err := b.TryPut(99); !errors.Is(err, ErrFull) {
				t.Fatalf("b's put over a's claim (sequence %d): %v, want ErrFull", 3+size, err)
			}
			// A blocking put waits.
			done := make(chan error, 1)
			go func() { done <- b.Put(context.Background(), 3+size) }()
			select {
			case err := <-done:
				t.Fatalf("b's put over a's claim returned %v before a published", err)
			case <-time.After(50 * time.Millisecond):
			}
			*ev = 3
			a.Publish()
			// With nothing but a's claim in the way, its publication wakes
			// b (parked with no timeout that could do it instead).
			if !latest {
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("b's put still waits after a published")
				}
				done <- nil
			}
			// What a consumer reads is whole: sequence s carries s. (Next
			// releases what it read when it next finds the batch done.)
			next := func(s int64) {
				t.Helper()
				for deadline := time.Now().Add(10 * time.Second); ; {
					ev, err := c.TryNext()
					if errors.Is(err, ErrEmpty) && time.Now().Before(deadline) {
						time.Sleep(time.Millisecond)
						continue
					}
					if err != nil {
						t.Fatalf("at %d: %v", s, err)
					}
					if *ev != s {
						t.Fatalf("sequence %d carries %d", s, *ev)
					}
					return
				}
			}
			from := int64(3)
			if latest {
				if c.next != 3 {
					t.Fatalf("the latest joiner starts at %d, want 3 (a's claim)", c.next)
				}
			} else {
				// The ring retains what no gate passed: GateCache+1 on.
				if c, err = r.NewConsumer("late"); err != nil {
					t.Fatal(err)
				}
				if from = c.next; from < 4 || from > 3+size {
					t.Fatalf("a consumer joining now starts at %d, want 4 to %d", from, 3+size)
				}
			}
			for s := from; s < 3+size; s++ {
				next(s)
			}
			next(3 + size) // the latest joiner gates b: this read lets it through
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
