package disruptor

import (
	"errors"
	"io"
	"testing"
	"time"
)

// Across processes, with no consumer to gate them: a producer of a
// multi-producer shared ring stops a lap short of a claim another process
// holds, waits while that process lives, goes on once the claim is healed
// (its process killed), and what the ring retains is whole. (A producer
// used to run on over the claim: its holder's late publication put an older
// lap's sequence back into the slot's word, and a consumer joining later
// read torn events or waited forever.)
func TestSharedProcNoConsumerWaitsForClaim(t *testing.T) {
	const size, n = 64, 1000
	x := newXT(t, 60*time.Second)
	r := x.create(size, WithMultiProducer())
	a := x.child("a", helperSpec{Role: "producer", ID: 0, HangAt: 10, Batch: 6})
	m := a.next("claimed")
	const batch = 4
	b := x.child("b", helperSpec{Role: "producer", ID: 1, N: n, Batch: batch, Progress: true})
	// b has room for the slots after a's claim up to the lap before it
	// (less a claim of up to batch that would cross it); then it must stop.
	b.count("pub", int(size-m.N-(batch-1)))
	if _, ok := b.nextBefore(time.After(300*time.Millisecond), "published"); ok {
		x.Fatalf("b published all %d events past a's claim at %d, unpublished", n, m.Seq)
	}
	for _, p := range b.all("pub") {
		if p.Seq >= m.Seq+size {
			x.Fatalf("b published sequence %d, a lap past a's claim at %d", p.Seq, m.Seq)
		}
	}
	a.kill()
	b.next("closed")
	c, err := r.NewConsumer("late")
	if err != nil {
		x.Fatal(err)
	}
	defer c.Close()
	got, want := 0, int64(-1)
	for {
		ev, err := c.TryNext()
		if errors.Is(err, ErrEmpty) || errors.Is(err, io.EOF) || errors.Is(err, ErrProducerGone) {
			break
		}
		if err != nil {
			x.Fatal(err)
		}
		if ev.Sum != xsum(ev.P, ev.N) || ev.P == 0 && ev.N >= 10 {
			x.Fatalf("sequence %d holds a torn or unpublished event %+v", c.Sequence(), *ev)
		}
		if ev.P == 1 {
			if want >= 0 && ev.N != want {
				x.Fatalf("sequence %d holds b's event %d, want %d", c.Sequence(), ev.N, want)
			}
			want = ev.N + 1
		}
		got++
	}
	if got == 0 || want != n {
		x.Fatalf("read %d retained events, b's up to %d; want b's last, %d", got, want-1, n-1)
	}
}
