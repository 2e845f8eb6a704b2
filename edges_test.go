package disruptor

// Edges: tiny rings that wrap constantly, claims of every size, fullness
// exactly when the ring is full, invalid sizes, single-producer mode, and
// sequences far from zero. Most of these run from one goroutine and are
// deterministic.

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func modeOpts(multi bool, extra ...Option) []Option {
	if multi {
		return append(extra, WithMultiProducer())
	}
	return extra
}

func modeName(multi bool) string {
	if multi {
		return "multi"
	}
	return "single"
}

// TestTinyRings: rings of 2, 4 and 8 slots wrap on nearly every claim, with
// a pipeline of two consumers behind a producer using ClaimN.
func TestTinyRings(t *testing.T) {
	for _, size := range []int{2, 4, 8} {
		for _, multi := range []bool{false, true} {
			t.Run(fmt.Sprintf("size=%d/%s", size, modeName(multi)), func(t *testing.T) {
				r, err := New[tev](size, modeOpts(multi, WithWaitStrategy(Block()))...)
				if err != nil {
					t.Fatal(err)
				}
				ctx := watch(t, testDeadline(), r)
				n := scaled(5000, 500000)
				p, _ := r.NewProducer("p")
				c0, _ := r.NewConsumer("c0")
				c1, err := r.NewConsumer("c1", After(c0))
				if err != nil {
					t.Fatal(err)
				}
				k0, k1 := newChecker("c0", 0, 1), newChecker("c1", 0, 1)
				rng := testRand(t)
				g := newCrew(r)
				g.goDo("c0", func() error { return drain(ctx, c0, byBatch, nil, 1, k0.see) })
				lrng := newRandFrom(rng)
				g.goDo("c1", func() error { return drain(ctx, c1, byLease, lrng, size, k1.see) })
				if err := publishN(ctx, p, 0, n, size, rng, !multi, 0); err != nil {
					t.Error(err)
				}
				if err := p.CloseContext(ctx); err != nil {
					t.Error(err)
				}
				g.wait(t)
				for _, k := range []*checker{k0, k1} {
					if err := k.complete(n); err != nil {
						t.Error(err)
					}
					if k.digest != singleDigest(0, n) {
						t.Errorf("%s: wrong digest", k.name)
					}
				}
			})
		}
	}
}

// TestTinyRingsOneGoroutine interleaves claims of random sizes with reads
// from one goroutine, on every small ring size.
func TestTinyRingsOneGoroutine(t *testing.T) {
	rng := testRand(t)
	for size := 2; size <= 8; size *= 2 {
		for _, multi := range []bool{false, true} {
			r, err := New[int64](size, modeOpts(multi)...)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := r.NewProducer("p")
			c, _ := r.NewConsumer("c")
			var next, want int64
			for round := 0; round < 2000; round++ {
				k := 1 + rng.IntN(size)
				b, err := p.TryClaimN(k)
				if err != nil {
					t.Fatalf("size %d %s: TryClaimN(%d) on a drained ring: %v", size, modeName(multi), k, err)
				}
				for i := range k {
					*b.At(i) = next
					next++
				}
				p.Publish()
				for {
					v, err := c.TryNext()
					if err == ErrEmpty {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					if *v != want || c.Sequence() != want {
						t.Fatalf("size %d %s: read %d at %d, want %d", size, modeName(multi), *v, c.Sequence(), want)
					}
					want++
				}
			}
			if want != next {
				t.Fatalf("read %d events, published %d", want, next)
			}
		}
	}
}

// TestClaimSizes: claims of 1, size-1 and size slots on a drained ring
// succeed and round-trip; a claim above size is ErrTooLarge, at once.
func TestClaimSizes(t *testing.T) {
	for _, size := range []int{2, 4, 8, 64} {
		for _, multi := range []bool{false, true} {
			r, err := New[int](size, modeOpts(multi)...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := watch(t, testDeadline(), r)
			p, _ := r.NewProducer("p")
			c, _ := r.NewConsumer("c")
			next, want := 0, 0
			for round := 0; round < 3; round++ {
				for _, k := range []int{1, size - 1, size} {
					b, err := p.ClaimN(ctx, k)
					if err != nil {
						t.Fatalf("size %d: ClaimN(%d): %v", size, k, err)
					}
					if b.Len() != k {
						t.Fatalf("ClaimN(%d) gave %d slots", k, b.Len())
					}
					for i := range k {
						if b.Seq(i) != int64(next) {
							t.Fatalf("slot %d of ClaimN(%d) at sequence %d, want %d", i, k, b.Seq(i), next)
						}
						*b.At(i) = next
						next++
					}
					p.Publish()
					for got := 0; got < k; { // a consumer may take a long run in parts
						n, err := c.Batch(ctx, func(v *int, seq int64, end bool) error {
							if *v != want || seq != int64(want) {
								return fmt.Errorf("read %d at %d, want %d", *v, seq, want)
							}
							want++
							return nil
						})
						if err != nil || n < 1 || got+n > k {
							t.Fatalf("size %d: Batch after ClaimN(%d) and %d read: %d, %v", size, k, got, n, err)
						}
						got += n
					}
				}
			}
			for _, k := range []int{size + 1, 2 * size, 0, -1} {
				if _, err := p.ClaimN(ctx, k); err == nil {
					t.Errorf("size %d: ClaimN(%d) succeeded", size, k)
				} else if k > size && !errors.Is(err, ErrTooLarge) {
					t.Errorf("size %d: ClaimN(%d): %v, want ErrTooLarge", size, k, err)
				}
				if _, err := p.TryClaimN(k); k > size && !errors.Is(err, ErrTooLarge) {
					t.Errorf("size %d: TryClaimN(%d): %v, want ErrTooLarge", size, k, err)
				}
			}
			// A failed claim leaves the producer usable.
			if _, err := p.TryClaim(); err != nil {
				t.Fatal(err)
			}
			p.Publish()
		}
	}
}

// TestTryClaimFullExactly: with a consumer gating, TryClaim fails with
// ErrFull exactly when size events are unreleased, and each released slot
// makes room for exactly one more claim.
func TestTryClaimFullExactly(t *testing.T) {
	ctx := bounded(t)
	for _, size := range []int{2, 4, 8} {
		for _, multi := range []bool{false, true} {
			name := fmt.Sprintf("size %d %s", size, modeName(multi))
			r, err := New[int](size, modeOpts(multi)...)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := r.NewProducer("p")
			slow, _ := r.NewConsumer("slow")
			fast, _ := r.NewConsumer("fast")
			published := 0
			claim := func() error {
				ev, err := p.TryClaim()
				if err == nil {
					*ev = published
					published++
					p.Publish()
				}
				return err
			}
			for i := range size {
				if err := claim(); err != nil {
					t.Fatalf("%s: claim %d of %d: %v", name, i, size, err)
				}
			}
			for round := 0; round < 4*size; round++ {
				if err := claim(); err != ErrFull {
					t.Fatalf("%s round %d: TryClaim on a full ring: %v, want ErrFull", name, round, err)
				}
				if _, err := p.TryClaimN(1); err != ErrFull {
					t.Fatalf("%s round %d: TryClaimN(1) on a full ring: %v, want ErrFull", name, round, err)
				}
				// The fast consumer releasing everything makes no room.
				for {
					l, err := fast.Lease(ctx, size)
					if err != nil {
						t.Fatal(err)
					}
					n := l.Len()
					l.Release()
					if fast.releasedCursor() == int64(published-1) {
						break
					}
					if n == 0 {
						t.Fatal("empty lease")
					}
				}
				if err := claim(); err != ErrFull {
					t.Fatalf("%s: TryClaim with the slow consumer behind: %v, want ErrFull", name, err)
				}
				// The slow one releases k slots: exactly k claims fit.
				k := 1 + round%size
				for left := k; left > 0; {
					l, err := slow.Lease(ctx, left)
					if err != nil || l.Len() < 1 || l.Len() > left {
						t.Fatalf("%s: Lease(%d): %d events, %v", name, left, l.Len(), err)
					}
					left -= l.Len()
					l.Release()
				}
				if k < size {
					if b, err := p.TryClaimN(k + 1); err != ErrFull {
						t.Fatalf("%s: TryClaimN(%d) with %d free: %v (batch %d), want ErrFull", name, k+1, k, err, b.Len())
					}
				}
				for i := range k {
					if err := claim(); err != nil {
						t.Fatalf("%s: claim %d of %d freed: %v", name, i+1, k, err)
					}
				}
			}
			if st := p.Stats(); st.FullWaits == 0 {
				t.Errorf("%s: FullWaits is 0 after failed claims: %+v", name, st)
			}
			// Once the gating consumers close, the ring is never full.
			if err := slow.Close(); err != nil {
				t.Fatal(err)
			}
			if err := fast.Close(); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3*size; i++ {
				if err := claim(); err != nil {
					t.Fatalf("%s: TryClaim with no consumer: %v", name, err)
				}
			}
		}
	}
}

// TestNoConsumerNeverFull: a ring without consumers never refuses a claim.
func TestNoConsumerNeverFull(t *testing.T) {
	for _, multi := range []bool{false, true} {
		r, _ := New[int](4, modeOpts(multi)...)
		p, _ := r.NewProducer("p")
		for i := 0; i < 100; i++ {
			if _, err := p.TryClaimN(1 + i%4); err != nil {
				t.Fatalf("%s: claim %d: %v", modeName(multi), i, err)
			}
			p.Publish()
		}
	}
}

// TestTryNextEmpty: TryNext returns ErrEmpty on an empty ring, after the
// ring is drained, and (multi-producer) before a slower producer's claim
// is published, even when a later claim is.
func TestTryNextEmpty(t *testing.T) {
	for _, multi := range []bool{false, true} {
		r, _ := New[int](4, modeOpts(multi)...)
		p, _ := r.NewProducer("p")
		c, _ := r.NewConsumer("c")
		if _, err := c.TryNext(); err != ErrEmpty {
			t.Errorf("%s: TryNext on a new ring: %v, want ErrEmpty", modeName(multi), err)
		}
		ev, _ := p.TryClaim()
		*ev = 7
		if _, err := c.TryNext(); err != ErrEmpty {
			t.Errorf("%s: TryNext before Publish: %v, want ErrEmpty", modeName(multi), err)
		}
		p.Publish()
		if v, err := c.TryNext(); err != nil || *v != 7 {
			t.Errorf("%s: TryNext: %v, %v", modeName(multi), v, err)
		}
		if _, err := c.TryNext(); err != ErrEmpty {
			t.Errorf("%s: TryNext on a drained ring: %v, want ErrEmpty", modeName(multi), err)
		}
	}
	r, _ := New[int](8, WithMultiProducer())
	slow, _ := r.NewProducer("slow")
	fast, _ := r.NewProducer("fast")
	c, _ := r.NewConsumer("c")
	e1, _ := slow.TryClaim() // sequence 0
	*e1 = 1
	b, _ := fast.TryClaimN(2) // sequences 1 and 2
	*b.At(0), *b.At(1) = 2, 3
	fast.Publish()
	if _, err := c.TryNext(); err != ErrEmpty {
		t.Fatalf("TryNext past an unpublished claim: %v, want ErrEmpty", err)
	}
	slow.Publish()
	var got []int
	for {
		v, err := c.TryNext()
		if err == ErrEmpty {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, *v)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("read %v, want [1 2 3]", got)
	}
}

func TestInvalidSize(t *testing.T) {
	for _, c := range []struct {
		size int
		want string
	}{
		{0, "smallest ring has 2 slots"},
		{1, "smallest ring has 2 slots"},
		{-8, "smallest ring has 2 slots"},
		{3, "use 2 or 4"},
		{6, "use 4 or 8"},
		{1000, "use 512 or 1024"},
		{1025, "use 1024 or 2048"},
	} {
		r, err := New[int](c.size)
		if r != nil || !errors.Is(err, ErrInvalidSize) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%d) = %v, %v; want ErrInvalidSize saying %q", c.size, r, err, c.want)
		}
	}
	for _, size := range []int{2, 4, 1024, 1 << 16} {
		r, err := New[byte](size)
		if err != nil || r.Size() != size {
			t.Errorf("New(%d): %v", size, err)
		}
	}
	if _, err := New[int](8, WithMaxConsumers(0)); err == nil {
		t.Error("WithMaxConsumers(0) accepted")
	}
}

func TestSingleProducerMode(t *testing.T) {
	r, _ := New[int](4)
	if _, err := r.NewProducer("a"); err != nil {
		t.Fatal(err)
	}
	if p, err := r.NewProducer("b"); p != nil || !errors.Is(err, ErrSingleProducer) {
		t.Errorf("second producer in single mode: %v, %v; want ErrSingleProducer", p, err)
	}
	m, _ := New[int](4, WithMultiProducer())
	for i := range 5 {
		if _, err := m.NewProducer(fmt.Sprint(i)); err != nil {
			t.Errorf("multi-producer mode, producer %d: %v", i, err)
		}
	}
}

func TestTooManyConsumers(t *testing.T) {
	r, _ := New[int](4, WithMaxConsumers(2))
	a, _ := r.NewConsumer("a")
	if _, err := r.NewConsumer("b"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.NewConsumer("c"); !errors.Is(err, ErrTooManyConsumers) {
		t.Errorf("third consumer of 2: %v, want ErrTooManyConsumers", err)
	}
	if _, err := r.NewWorkGroup("g", 1); !errors.Is(err, ErrTooManyConsumers) {
		t.Errorf("group beyond the table: %v, want ErrTooManyConsumers", err)
	}
	// A closed consumer frees its entry.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.NewConsumer("c"); err != nil {
		t.Errorf("consumer after a Close freed an entry: %v", err)
	}
	other, _ := New[int](4)
	oc, _ := other.NewConsumer("x")
	if _, err := r.NewConsumer("d", After(oc)); !errors.Is(err, ErrForeignDependency) {
		t.Errorf("dependency on another ring: %v, want ErrForeignDependency", err)
	}
	if _, err := r.NewWorkGroup("g", 0); err == nil {
		t.Error("work group of 0 members accepted")
	}
}

// TestNearMaxSequence starts sequences just below 2^62 and runs across it
// through many wraps, in both modes, concurrently and from one goroutine.
func TestNearMaxSequence(t *testing.T) {
	for _, first := range []int64{1<<62 - 5, 1<<62 + 3, 1<<62 - 1<<20} {
		for _, multi := range []bool{false, true} {
			t.Run(fmt.Sprintf("first=%#x/%s", first, modeName(multi)), func(t *testing.T) {
				n := scaled(3000, 200000)
				d := runDelivery(t, deliveryCase{producers: 1 + btoi(multi), multi: multi, consumers: 2,
					modes: []readMode{byNext, byLease}, size: 4, n: n, wait: Block(), first: first, maxBatch: 4})
				if !multi && !t.Failed() && d != singleDigest(first, n) {
					t.Errorf("digest differs from a run from %d", first)
				}

				r, _ := New[int64](2, modeOpts(multi, WithFirstSequence(first))...)
				p, _ := r.NewProducer("p")
				c, _ := r.NewConsumer("c")
				if r.Cursor() != first-1 {
					t.Fatalf("new ring's cursor %d, want %d", r.Cursor(), first-1)
				}
				for i := int64(0); i < 100; i++ {
					ev, err := p.TryClaim()
					if err != nil {
						t.Fatal(err)
					}
					if p.Sequence() != first+i {
						t.Fatalf("claim at %d, want %d", p.Sequence(), first+i)
					}
					*ev = i
					p.Publish()
					v, err := c.TryNext()
					if err != nil || *v != i || c.Sequence() != first+i {
						t.Fatalf("read %v at %d (%v), want %d at %d", v, c.Sequence(), err, i, first+i)
					}
				}
				if err := p.Close(); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Next(bounded(t)); err != io.EOF {
					t.Fatalf("after Close: %v, want io.EOF", err)
				}
			})
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
