package disruptor

// Batch.Slices and Lease.Slices at the ring's end: the two segments, where
// they start, when the second is there, and that what is written through
// them is what consumers read.

import (
	"fmt"
	"testing"
)

// advance publishes k events and reads them back with Next, so that the
// next claim of a fresh ring starts at sequence k with the ring free.
func advance(t *testing.T, p *Producer[int], c *Consumer[int], k int) {
	t.Helper()
	ctx := bounded(t)
	for i := range k {
		ev, err := p.TryClaim()
		if err != nil {
			t.Fatalf("advance: claim %d: %v", i, err)
		}
		*ev = -1
		p.Publish()
		if _, err := c.Next(ctx); err != nil {
			t.Fatalf("advance: Next %d: %v", i, err)
		}
	}
	// Next holds the event it returned until the next read: this one
	// releases it, so that a claim of the whole ring fits.
	if v, err := c.TryNext(); err != ErrEmpty {
		t.Fatalf("advance: TryNext after %d events: %v, %v; want ErrEmpty", k, v, err)
	}
}

// checkSegments checks that a and b are the n slots of ring r from
// sequence lo, in order: a from lo's slot, b from slot 0 exactly when the
// run wraps, both capped at their length.
func checkSegments(r *Ring[int], lo int64, n int, a, b []int) error {
	size := len(r.slots)
	i := int(lo & r.eng.Mask)
	wraps := i+n > size
	switch {
	case len(a)+len(b) != n:
		return fmt.Errorf("segments of %d+%d slots, want %d", len(a), len(b), n)
	case len(a) == 0:
		return fmt.Errorf("first segment empty")
	case &a[0] != &r.slots[i]:
		return fmt.Errorf("first segment does not start at slot %d", i)
	case wraps != (len(b) > 0):
		return fmt.Errorf("second segment of %d slots; run from slot %d of %d wraps: %v", len(b), i, n, wraps)
	case wraps && &b[0] != &r.slots[0]:
		return fmt.Errorf("second segment does not start at slot 0")
	case cap(a) != len(a) || cap(b) != len(b):
		return fmt.Errorf("segments of caps %d, %d beyond their lengths %d, %d: an append would overwrite other slots", cap(a), cap(b), len(a), len(b))
	}
	return nil
}

// TestBatchSlicesWrap: ClaimN of every length at every slot offset of rings
// of 8 and 16; Slices returns the claim as the slots from its own, wrapping
// exactly when the claim passes the ring's end; At and Seq agree with them;
// what is written through them is read back in order.
func TestBatchSlicesWrap(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, size := range []int{8, 16} {
			for off := range size {
				for n := 1; n <= size; n++ {
					name := fmt.Sprintf("%s/size%d/off%d/n%d", modeName(multi), size, off, n)
					testClaimSlices(t, name, size, off, n, multi)
				}
			}
		}
	}
}

func testClaimSlices(t *testing.T, name string, size, off, n int, multi bool) {
	t.Helper()
	r, _ := New[int](size, modeOpts(multi)...)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	ctx := bounded(t)
	advance(t, p, c, off)
	bt, err := p.ClaimN(ctx, n)
	if err != nil {
		t.Fatalf("%s: ClaimN: %v", name, err)
	}
	if bt.Len() != n || bt.Seq(0) != int64(off) || p.Sequence() != int64(off) {
		t.Fatalf("%s: batch of %d from %d (producer at %d), want %d from %d", name, bt.Len(), bt.Seq(0), p.Sequence(), n, off)
	}
	a, b := bt.Slices()
	if err := checkSegments(r, int64(off), n, a, b); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i := range n {
		if bt.At(i) != segAt(a, b, i) {
			t.Fatalf("%s: At(%d) is not the slot the segments hold there", name, i)
		}
		if bt.Seq(i) != int64(off+i) {
			t.Fatalf("%s: Seq(%d) = %d, want %d", name, i, bt.Seq(i), off+i)
		}
	}
	for _, i := range []int{-1, n, size} {
		if !panics(func() { bt.At(i) }) {
			t.Fatalf("%s: At(%d) outside a batch of %d did not panic", name, i, n)
		}
	}
	for i := range a {
		a[i] = 1000 + off + i
	}
	for j := range b {
		b[j] = 1000 + off + len(a) + j
	}
	p.Publish()
	for i := range n {
		v, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("%s: Next %d: %v", name, i, err)
		}
		if c.Sequence() != int64(off+i) || *v != 1000+off+i {
			t.Fatalf("%s: read %d at %d, want %d at %d", name, *v, c.Sequence(), 1000+off+i, off+i)
		}
	}
	if v, err := c.TryNext(); err != ErrEmpty {
		t.Fatalf("%s: after the batch, TryNext: %v, %v; want ErrEmpty", name, v, err)
	}
}

// TestLeaseSlicesWrap: leases of runs that straddle the ring's end give
// their first sequence and the same two segments as the run's slots, with
// the values published there; a lease wraps at least once per ring; Slices
// is empty once the consumer has closed.
func TestLeaseSlicesWrap(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, size := range []int{8, 16} {
			wraps := 0
			for off := range size {
				for _, n := range []int{1, 2, size / 2, size - 1, size} {
					name := fmt.Sprintf("%s/size%d/off%d/n%d", modeName(multi), size, off, n)
					if testLeaseSlices(t, name, size, off, n, multi) {
						wraps++
					}
				}
			}
			if wraps == 0 { // leases end where acquisitions do: some must cross the end
				t.Errorf("%s size %d: no lease wrapped around the ring's end", modeName(multi), size)
			}
		}
	}
}

// testLeaseSlices leases the n events published from sequence off and
// reports whether a lease wrapped.
func testLeaseSlices(t *testing.T, name string, size, off, n int, multi bool) bool {
	t.Helper()
	r, _ := New[int](size, modeOpts(multi)...)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	ctx := bounded(t)
	advance(t, p, c, off)
	for i := range n {
		ev, err := p.TryClaim()
		if err != nil {
			t.Fatalf("%s: claim %d: %v", name, i, err)
		}
		*ev = 1000 + off + i
		p.Publish()
	}
	next, wrapped := int64(off), false
	for next < int64(off+n) {
		l, err := c.Lease(ctx, n)
		if err != nil {
			t.Fatalf("%s: Lease at %d: %v", name, next, err)
		}
		first, a, b := l.Slices()
		if first != next || l.Len() < 1 || first+int64(l.Len()) > int64(off+n) {
			t.Fatalf("%s: lease of %d from %d, want from %d within [%d, %d)", name, l.Len(), first, next, off, off+n)
		}
		if err := checkSegments(r, first, l.Len(), a, b); err != nil {
			t.Fatalf("%s: lease from %d: %v", name, first, err)
		}
		wrapped = wrapped || len(b) > 0
		for i, v := range append(append([]int(nil), a...), b...) {
			if want := 1000 + int(first) + i; v != want {
				t.Fatalf("%s: lease from %d holds %d at %d, want %d", name, first, v, first+int64(i), want)
			}
		}
		i := 0
		for seq, v := range l.All() { // All walks the same slots
			if seq != first+int64(i) || v != segAt(a, b, i) {
				t.Fatalf("%s: All yields sequence %d at position %d, not the segments' slot", name, seq, i)
			}
			i++
		}
		l.Release()
		next += int64(i)
	}
	if next != int64(off+n) {
		t.Fatalf("%s: leased up to %d, want %d", name, next, off+n)
	}

	// A lease's slices are gone once its consumer closed.
	ev, _ := p.TryClaim()
	*ev = 7
	p.Publish()
	l, err := c.Lease(ctx, 1)
	if err != nil {
		t.Fatalf("%s: Lease before Close: %v", name, err)
	}
	if _, a, b := l.Slices(); len(a)+len(b) != 1 {
		t.Fatalf("%s: lease of 1 with segments of %d+%d", name, len(a), len(b))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if first, a, b := l.Slices(); a != nil || b != nil || first != int64(off+n) {
		t.Fatalf("%s: Slices after Close: %d, %d+%d slots; want %d and none", name, first, len(a), len(b), off+n)
	}
	l.Release()
	var zero Lease[int]
	if first, a, b := zero.Slices(); first != 0 || a != nil || b != nil {
		t.Fatalf("zero Lease: Slices gave %d, %d+%d slots", first, len(a), len(b))
	}
	return wrapped
}

// segAt is the i-th slot of the segments a then b.
func segAt[E any](a, b []E, i int) *E {
	if i < len(a) {
		return &a[i]
	}
	return &b[i-len(a)]
}

// TestZeroAllocsSlices: filling a claim through Batch.Slices, and reading a
// lease through Lease.Slices, allocate nothing, wrapping or not (claims of 5
// on a ring of 64 wrap every few rounds). TestZeroAllocs covers the rest.
func TestZeroAllocsSlices(t *testing.T) {
	ctx := bounded(t)
	for _, multi := range []bool{false, true} {
		var sink int64
		check := func(name string, f func(p *Producer[tev], c *Consumer[tev])) {
			t.Helper()
			r, _ := New[tev](64, modeOpts(multi)...)
			p, _ := r.NewProducer("p")
			c, _ := r.NewConsumer("c")
			run := func() { f(p, c) }
			run() // warm up
			if n := testing.AllocsPerRun(1000, run); n != 0 {
				t.Errorf("%s %s: %v allocations per run, want 0", modeName(multi), name, n)
			}
		}
		lease := func(c *Consumer[tev], n int) {
			for got := 0; got < n; {
				l, err := c.Lease(ctx, n)
				if err != nil {
					t.Fatal(err)
				}
				_, a, b := l.Slices()
				for i := range a {
					sink += a[i].N
				}
				for i := range b {
					sink += b[i].N
				}
				got += len(a) + len(b)
				l.Release()
			}
		}
		check("ClaimN+Slices+Publish", func(p *Producer[tev], c *Consumer[tev]) {
			bt, err := p.ClaimN(ctx, 5)
			if err != nil {
				t.Fatal(err)
			}
			a, b := bt.Slices()
			for i := range a {
				a[i].N = 1
			}
			for i := range b {
				b[i].N = 1
			}
			p.Publish()
			lease(c, 5)
		})
		check("Claim+Publish+Lease+Slices+Release", func(p *Producer[tev], c *Consumer[tev]) {
			for range 3 {
				ev, err := p.Claim(ctx)
				if err != nil {
					t.Fatal(err)
				}
				ev.N = 1
				p.Publish()
			}
			lease(c, 3)
		})
		if sink == 0 {
			t.Error("nothing was read")
		}
	}
}

// panics reports whether f panics.
func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}
