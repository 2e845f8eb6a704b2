package disruptor

// Cross-process delivery: several producer and consumer processes, consumer
// processes mixed with goroutine consumers, where consumers start, waiting
// for consumers, and dependencies between processes.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// checkAll asserts that k saw the single producer's events [from, to]
// exactly, in order.
func (x *xt) checkAll(who string, k *xcheck, from, to int64) {
	x.Helper()
	switch {
	case k == nil:
		x.Errorf("%s: no report", who)
	case k.Err != "":
		x.Errorf("%s: %s", who, k.Err)
	case k.Count != to-from+1 || k.First != from || k.Last != to || k.Skipped != 0:
		x.Errorf("%s: saw %d events %d..%d (skipping %d), want %d..%d", who, k.Count, k.First, k.Last, k.Skipped, from, to)
	case k.PerP[0] != to-from+1 || k.FirstN[0] != from:
		x.Errorf("%s: saw %d events of producer 0 from its event %d, want %d from %d", who, k.PerP[0], k.FirstN[0], to-from+1, from)
	case k.Digest != xdigest(from, to):
		x.Errorf("%s: digest %#x, want %#x", who, k.Digest, xdigest(from, to))
	}
}

// TestSharedProcExactDelivery runs two producer processes and two consumer
// processes on a multi-producer ring small enough to wrap constantly.
func TestSharedProcExactDelivery(t *testing.T) {
	x := newXT(t, 30*time.Second)
	x.create(256, WithMultiProducer())
	n := xscaled(30000, 2000000)
	var cons []*xchild
	for i := range 2 {
		c := x.child(fmt.Sprintf("c%d", i), helperSpec{Role: "consumer"})
		if m := c.next("ready"); m.Start != 0 {
			x.Fatalf("%s starts at %d, want 0", c.name, m.Start)
		}
		cons = append(cons, c)
	}
	var prods []*xchild
	for i := range 2 {
		p := x.child(fmt.Sprintf("p%d", i), helperSpec{Role: "producer", ID: int64(i), N: n, WaitGo: true, Batch: 16})
		p.next("ready")
		prods = append(prods, p)
	}
	// Both producers are registered before either publishes: consumers
	// end after one EOF from each producer registered.
	if in := x.inspect(); len(in.Producers) != 2 || len(in.Consumers) != 2 {
		x.Fatalf("inspect before the run: %d producers, %d consumers", len(in.Producers), len(in.Consumers))
	}
	for _, p := range prods {
		p.send("go")
	}
	var digest uint64
	for i, c := range cons {
		k := c.next("done").Check
		switch {
		case k.Err != "":
			x.Errorf("%s: %s", c.name, k.Err)
		case k.Count != 2*n || k.PerP[0] != n || k.PerP[1] != n || k.FirstN[0] != 0 || k.FirstN[1] != 0:
			x.Errorf("%s: %d events, per producer %v from %v; want %d each from 0", c.name, k.Count, k.PerP[:2], k.FirstN[:2], n)
		case k.First != 0 || k.Skipped > 1 || k.Last > 2*n:
			// Only the EOF of the producer that closed first lies between
			// data events.
			x.Errorf("%s: sequences %d..%d skipping %d", c.name, k.First, k.Last, k.Skipped)
		case i > 0 && k.Digest != digest:
			x.Errorf("%s: digest %#x, %s had %#x: the consumers saw different orders", c.name, k.Digest, cons[0].name, digest)
		}
		digest = k.Digest
	}
	for _, p := range prods {
		p.next("closed")
		if st := p.waitExit(); st != "exited 0" {
			x.Errorf("%s: %s", p.name, st)
		}
	}
	in := x.inspect()
	if in.Cursor != 2*n+1 {
		x.Errorf("cursor %d, want %d (2n events and 2 EOF markers)", in.Cursor, 2*n+1)
	}
	for _, p := range in.Producers {
		if p.State != "closed" || p.Producer.Published != n {
			x.Errorf("producer %s: %s, published %d", p.Name, p.State, p.Producer.Published)
		}
	}
	if len(in.Consumers) != 0 {
		x.Errorf("consumers left registered after Close: %+v", in.Consumers)
	}
}

// TestSharedProcMixed runs one producer process, two consumer processes
// (one of them slow) and two goroutine consumers of the creating process,
// on two different handles.
func TestSharedProcMixed(t *testing.T) {
	x := newXT(t, 30*time.Second)
	r := x.create(128)
	r2 := x.attach()
	n := xscaled(20000, 1000000)
	fast := x.child("fast", helperSpec{Role: "consumer"})
	slow := x.child("slow", helperSpec{Role: "consumer", SpinUs: 20})
	fast.next("ready")
	slow.next("ready")
	var local []<-chan error
	var checks []*xcheck
	for i, h := range []*Ring[xev]{r, r2} {
		c, err := h.NewConsumer(fmt.Sprintf("local%d", i))
		if err != nil {
			x.Fatal(err)
		}
		k := newXcheck()
		checks = append(checks, k)
		local = append(local, x.goDo(c.Name(), func() error {
			if err := xconsume(x.ctx, c, k, xconsumeOpts{}, nil); err != nil {
				return err
			}
			return c.Close()
		}))
	}
	if got := r.Consumers(); got != 4 {
		x.Fatalf("Consumers() = %d, want 4", got)
	}
	p := x.child("producer", helperSpec{Role: "producer", N: n, Batch: 8})
	for _, c := range []*xchild{fast, slow} {
		x.checkAll(c.name, c.next("done").Check, 0, n-1)
	}
	for i, ch := range local {
		if err := x.recv("local consumer", ch); err != nil {
			x.Fatal(err)
		}
		x.checkAll(fmt.Sprintf("local%d", i), checks[i], 0, n-1)
	}
	p.next("closed")
}

// TestSharedProcStartPositions: a new consumer starts at the oldest event
// the ring retains by default, at the next event with StartAtLatest.
func TestSharedProcStartPositions(t *testing.T) {
	t.Run("unwrapped", func(t *testing.T) {
		x := newXT(t, 20*time.Second)
		r := x.create(1024)
		p, err := r.NewProducer("p")
		if err != nil {
			x.Fatal(err)
		}
		if err := xproduce(x.ctx, p, 0, 0, 100, xprodOpts{batch: 4, rng: x.rng}); err != nil {
			x.Fatal(err)
		}
		old := x.child("old", helperSpec{Role: "consumer"})
		latest := x.child("latest", helperSpec{Role: "consumer", Latest: true})
		if m := old.next("ready"); m.Start != 0 {
			x.Errorf("default start %d, want 0 (the ring retains every event)", m.Start)
		}
		if m := latest.next("ready"); m.Start != 100 {
			x.Errorf("StartAtLatest start %d, want 100", m.Start)
		}
		if err := xproduce(x.ctx, p, 0, 100, 200, xprodOpts{batch: 4, rng: x.rng}); err != nil {
			x.Fatal(err)
		}
		if err := p.Close(); err != nil {
			x.Fatal(err)
		}
		x.checkAll("old", old.next("done").Check, 0, 199)
		x.checkAll("latest", latest.next("done").Check, 100, 199)
	})
	t.Run("wrapped", func(t *testing.T) {
		x := newXT(t, 20*time.Second)
		const size = 256
		r := x.create(size)
		p, err := r.NewProducer("p")
		if err != nil {
			x.Fatal(err)
		}
		// No consumer yet: the producer laps the ring freely.
		if err := xproduce(x.ctx, p, 0, 0, 3000, xprodOpts{batch: 4, rng: x.rng}); err != nil {
			x.Fatal(err)
		}
		old := x.child("old", helperSpec{Role: "consumer"})
		latest := x.child("latest", helperSpec{Role: "consumer", Latest: true})
		start := old.next("ready").Start
		if start < 3000-size || start > 3000 {
			x.Errorf("default start %d: outside the retained events %d..2999", start, 3000-size)
		}
		if m := latest.next("ready"); m.Start != 3000 {
			x.Errorf("StartAtLatest start %d, want 3000", m.Start)
		}
		if err := xproduce(x.ctx, p, 0, 3000, 4000, xprodOpts{batch: 4, rng: x.rng}); err != nil {
			x.Fatal(err)
		}
		if err := p.Close(); err != nil {
			x.Fatal(err)
		}
		x.checkAll("old", old.next("done").Check, start, 3999)
		x.checkAll("latest", latest.next("done").Check, 3000, 3999)
	})
}

// TestSharedProcWaitForConsumers: waiting for more consumers than have
// registered ends with the context's deadline; it succeeds as soon as
// enough consumer processes have registered.
func TestSharedProcWaitForConsumers(t *testing.T) {
	x := newXT(t, 20*time.Second)
	r := x.create(64)
	a := x.child("a", helperSpec{Role: "consumer"})
	a.next("ready")

	ctx, cancel := context.WithTimeout(x.ctx, 300*time.Millisecond)
	t0 := time.Now()
	err := r.WaitForConsumers(ctx, 2)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "have 1") {
		x.Fatalf("WaitForConsumers(2) with one consumer: %v, want the context's deadline (having 1)", err)
	}
	if d := time.Since(t0); d < 250*time.Millisecond {
		x.Errorf("WaitForConsumers gave up after %v, before its deadline", d)
	}

	b := x.child("b", helperSpec{Role: "consumer"})
	ctx, cancel = context.WithTimeout(x.ctx, 10*time.Second)
	err = r.WaitForConsumers(ctx, 2)
	cancel()
	if err != nil {
		x.Fatalf("WaitForConsumers(2) while a second consumer process registers: %v", err)
	}
	if b.exited() {
		x.Fatalf("b exited: %s", b.exitStatus())
	}
	b.next("ready")
	if n := r.Consumers(); n != 2 {
		x.Fatalf("Consumers() = %d, want 2", n)
	}
	p, err := r.NewProducer("p")
	if err != nil {
		x.Fatal(err)
	}
	if err := xproduce(x.ctx, p, 0, 0, 1000, xprodOpts{batch: 4, rng: x.rng}); err != nil {
		x.Fatal(err)
	}
	if err := p.Close(); err != nil {
		x.Fatal(err)
	}
	x.checkAll("a", a.next("done").Check, 0, 999)
	x.checkAll("b", b.next("done").Check, 0, 999)
}

// TestSharedProcAfterName runs a pipeline across processes: stage 1 stamps
// every event in place; stage 2, in another process, follows it by name and
// must find every stamp; stage 3, a goroutine of the creating process,
// follows stage 2.
func TestSharedProcAfterName(t *testing.T) {
	x := newXT(t, 30*time.Second)
	r := x.create(128, WithMultiProducer())
	n := xscaled(6000, 100000)
	s1 := x.child("s1", helperSpec{Role: "consumer", Stamp: true, GapUs: 40})
	s1.next("ready")
	s2 := x.child("s2", helperSpec{Role: "consumer", After: "s1", Stamped: true})
	s2.next("ready")
	if _, err := r.NewConsumer("s3", AfterName("nobody")); !errors.Is(err, ErrUnknownConsumer) {
		x.Fatalf("AfterName of an unknown consumer: %v, want ErrUnknownConsumer", err)
	}
	c3, err := r.NewConsumer("s3", AfterName("s2"))
	if err != nil {
		x.Fatal(err)
	}
	k3 := newXcheck()
	k3.Stamped = true
	done3 := x.goDo("s3", func() error {
		if err := xconsume(x.ctx, c3, k3, xconsumeOpts{}, nil); err != nil {
			return err
		}
		return c3.Close()
	})
	p, err := r.NewProducer("p")
	if err != nil {
		x.Fatal(err)
	}
	if err := xproduce(x.ctx, p, 0, 0, n, xprodOpts{batch: 8, rng: x.rng}); err != nil {
		x.Fatal(err)
	}
	if err := p.Close(); err != nil {
		x.Fatal(err)
	}
	x.checkAll("s1", s1.next("done").Check, 0, n-1)
	x.checkAll("s2", s2.next("done").Check, 0, n-1)
	if err := x.recv("s3", done3); err != nil {
		x.Fatal(err)
	}
	x.checkAll("s3", k3, 0, n-1)
}
