package disruptor

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestSharedDeadlineHonoured: on a shared ring whose waiters park on a
// futex with a safety timeout of an hour, Next on an empty ring and Claim
// on a full one return context.DeadlineExceeded soon after a 1, 5 or 20 ms
// deadline, not at the end of the futex's 20 ms slice. The bound is loose
// for loaded machines (the median overshoot is logged; it is well under a
// millisecond on an idle one). An in-process ring, whose waiters park on
// channels and wait on ctx.Done too, is checked the same way.
func TestSharedDeadlineHonoured(t *testing.T) {
	shared, _ := tempRing(t, WithWaitStrategy(BlockTimeout(time.Hour)))
	t.Run("shared", func(t *testing.T) { testDeadlineHonoured(t, shared) })
	inproc, err := New[int](16, WithWaitStrategy(BlockTimeout(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("inproc", func(t *testing.T) { testDeadlineHonoured(t, inproc) })
}

func testDeadlineHonoured(t *testing.T, r *Ring[int]) {
	p, c := pair(t, r)
	// median runs op five times under a deadline d and returns the median
	// time past d it took to return.
	median := func(t *testing.T, d time.Duration, op func(context.Context) error) time.Duration {
		var over []time.Duration
		for range 5 {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			dl, _ := ctx.Deadline()
			err := op(ctx)
			late := time.Since(dl) // from the deadline itself: the caller may be descheduled before op
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err %v, want context.DeadlineExceeded", err)
			}
			if late < 0 {
				t.Fatalf("returned %v before the deadline %v", -late, d)
			}
			over = append(over, late)
		}
		slices.Sort(over)
		return over[len(over)/2]
	}
	for _, d := range []time.Duration{time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		next := median(t, d, func(ctx context.Context) error { _, err := c.Next(ctx); return err })
		t.Logf("Next, deadline %v: median overshoot %v", d, next)
		if next > 15*time.Millisecond {
			t.Errorf("Next with a deadline of %v returned %v late (median of 5)", d, next)
		}
	}
	for range 16 { // fill the ring: the consumer reads nothing
		if _, err := p.Claim(context.Background()); err != nil {
			t.Fatal(err)
		}
		p.Publish()
	}
	for _, d := range []time.Duration{time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		claim := median(t, d, func(ctx context.Context) error { _, err := p.Claim(ctx); return err })
		t.Logf("Claim on a full ring, deadline %v: median overshoot %v", d, claim)
		if claim > 15*time.Millisecond {
			t.Errorf("Claim with a deadline of %v returned %v late (median of 5)", d, claim)
		}
	}
}
