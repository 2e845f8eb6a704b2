package disruptor

import (
	"context"
	"fmt"
	"testing"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// TestPrefetchEveryShape: the claims that prefetch ask for lines beyond
// what they hold, on rings smaller than the distance and at the slots'
// end; every event still arrives whole, whatever the ring's size, the
// event's size and the producer's mode.
func TestPrefetchEveryShape(t *testing.T) {
	for _, size := range []int{2, 4, 16, 64} {
		for _, multi := range []bool{false, true} {
			name := fmt.Sprintf("size%d/multi=%v", size, multi)
			t.Run(name+"/int64", func(t *testing.T) {
				roundTrip(t, size, multi, func(i int64) int64 { return i }, func(v *int64) int64 { return *v })
			})
			t.Run(name+"/24B", func(t *testing.T) {
				roundTrip(t, size, multi, func(i int64) [3]int64 { return [3]int64{i, -i, i} },
					func(v *[3]int64) int64 {
						if v[1] != -v[0] || v[2] != v[0] {
							return -1
						}
						return v[0]
					})
			})
			t.Run(name+"/520B", func(t *testing.T) {
				roundTrip(t, size, multi, func(i int64) (v [65]int64) { v[0], v[64] = i, i; return },
					func(v *[65]int64) int64 {
						if v[64] != v[0] {
							return -1
						}
						return v[0]
					})
			})
		}
	}
}

// roundTrip publishes laps of a ring of size, alternating Put and
// Claim/Publish, and reads each lap back with Batch, checking with get
// that event i arrived as mk(i).
func roundTrip[E any](t *testing.T, size int, multi bool, mk func(int64) E, get func(*E) int64) {
	t.Helper()
	var opts []Option
	if multi {
		opts = append(opts, WithMultiProducer())
	}
	r, err := New[E](size, opts...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.NewConsumer("c")
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	var words unsafe.Pointer
	if multi {
		words = unsafe.Pointer(&r.eng.Avail[0])
	}
	if want := engine.NewPrefetch(unsafe.Pointer(&r.slots[0]), words, int64(size-1), int64(unsafe.Sizeof(*new(E)))); p.pf != want {
		t.Fatalf("producer's plan %+v, want %+v", p.pf, want)
	}
	ctx := context.Background()
	next := int64(0)
	for lap := range 40 {
		for k := range size {
			i := int64(lap*size + k)
			if i%2 == 0 {
				if err := p.Put(ctx, mk(i)); err != nil {
					t.Fatalf("Put %d: %v", i, err)
				}
				continue
			}
			ev, err := p.Claim(ctx)
			if err != nil {
				t.Fatalf("Claim %d: %v", i, err)
			}
			*ev = mk(i)
			p.Publish()
		}
		for read := 0; read < size; {
			n, err := c.Batch(ctx, func(ev *E, s int64, _ bool) error {
				if got := get(ev); got != s || s != next {
					return fmt.Errorf("event %d (sequence %d) arrived as %d", next, s, got)
				}
				next++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			read += n
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPrefetchLoneMultiProducer: on a multi-producer ring a producer
// prefetches only while it is the one open producer (its asks would
// otherwise move lines the others are writing); it learns of others
// joining and leaving at its next slow claim. A single producer always
// does, once a block of publications, and its fast path's bound (quietTo)
// stops at the next one due.
func TestPrefetchLoneMultiProducer(t *testing.T) {
	r, err := New[int64](64, WithMultiProducer())
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.NewConsumer("c")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p1, _ := r.NewProducer("p1")
	if !p1.pfOn {
		t.Fatal("lone producer: not prefetching")
	}
	slowClaim := func(p *Producer[int64]) { // a claim of two always takes the slow path
		t.Helper()
		b, err := p.ClaimN(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		*b.At(0), *b.At(1) = 1, 2
		p.Publish()
		for range 2 {
			if _, err := c.Next(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	p2, _ := r.NewProducer("p2")
	if p2.pfOn {
		t.Error("second producer: prefetching")
	}
	slowClaim(p1)
	if p1.pfOn {
		t.Error("first producer, another open, after a slow claim: prefetching")
	}
	if err := p2.Close(); err != nil {
		t.Fatal(err)
	}
	slowClaim(p1)
	if !p1.pfOn {
		t.Error("first producer alone again, after a slow claim: not prefetching")
	}
}

// TestPrefetchDue: a single producer's fast publications call published
// (which prefetches) once a block: quietTo stops at the next prefetch due,
// and each prefetch moves it a block on.
func TestPrefetchDue(t *testing.T) {
	r, err := New[int64](1024)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := r.NewConsumer("c")
	p, _ := r.NewProducer("p")
	if !engine.HavePrefetch {
		if p.pfOn {
			t.Fatal("prefetching with no prefetch to ask for")
		}
		return
	}
	block := p.pf.Block
	ctx := context.Background()
	for i := range int64(200) {
		if err := p.Put(ctx, i); err != nil {
			t.Fatal(err)
		}
		if p.pfAt <= i || p.pfAt > i+block {
			t.Fatalf("after publishing %d: next prefetch due at %d, want within (%d, %d]", i, p.pfAt, i, i+block)
		}
		if p.quietTo > p.pfAt {
			t.Fatalf("after publishing %d: quietTo %d past the prefetch due at %d", i, p.quietTo, p.pfAt)
		}
	}
	for n := 0; n < 200; {
		k, err := c.Batch(ctx, func(*int64, int64, bool) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
}
