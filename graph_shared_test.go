package disruptor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// sharedGraphRing makes a small shared ring in t.TempDir(), with the Block
// wait strategy (see graphRing), closed at the end of the test.
func sharedGraphRing(t *testing.T, size int) *Ring[gev] {
	t.Helper()
	r, err := Create[gev](filepath.Join(t.TempDir(), "ring"), size, WithWaitStrategy(Block()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// A pipeline on a shared ring: each stage follows the one before by name
// and must find its stamp; at the end the graph's consumers left the ring,
// downstream first.
func TestGraphSharedPipeline(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := sharedGraphRing(t, 16)
	const n = 5000
	g := NewGraph(r)
	seen, sum := int64(0), int64(0)
	ord := graphInOrder(t, "c")
	graphMust(t, g.Handle("c", func(ev *gev, seq int64, _ bool) error {
		if ev.a != ev.v+1 || ev.b != ev.v+2 {
			return fmt.Errorf("c: event %d stamps a=%d b=%d", ev.v, ev.a, ev.b)
		}
		ord(seq)
		seen++
		sum += ev.v
		return nil
	}, "b"))
	graphMust(t, g.Handle("b", func(ev *gev, _ int64, _ bool) error {
		if ev.a != ev.v+1 || ev.b != 0 {
			return fmt.Errorf("b: event %d stamps a=%d b=%d", ev.v, ev.a, ev.b)
		}
		ev.b = ev.v + 2
		return nil
	}, "a"))
	graphMust(t, g.Handle("a", func(ev *gev, _ int64, _ bool) error {
		if ev.a != 0 || ev.b != 0 {
			return fmt.Errorf("a: event %d already stamped", ev.v)
		}
		ev.a = ev.v + 1
		return nil
	}))
	graphMust(t, g.Start())
	if got := r.Consumers(); got != 3 {
		t.Fatalf("%d consumers registered after Start, want 3", got)
	}
	graphProduce(t, r, 1, n, false)
	graphMust(t, waitGraph(t, g))
	if seen != n || sum != n*(n-1)/2 {
		t.Fatalf("c saw %d events, sum %d; want %d, %d", seen, sum, n, n*(n-1)/2)
	}
	if got := r.Consumers(); got != 0 {
		t.Fatalf("%d consumers still registered after the graph ended, want 0", got)
	}
}

// A diamond with a work group on a shared ring, stopped by Shutdown while
// the producer stays open: the join follows both sides by name, and
// Shutdown closes every stage (followers first) so none gates the ring.
func TestGraphSharedDiamondShutdown(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := sharedGraphRing(t, 8)
	const n = 3000
	g := NewGraph(r)
	joined := int64(0)
	ord := graphInOrder(t, "join")
	graphMust(t, g.Handle("join", func(ev *gev, seq int64, _ bool) error {
		if ev.a != ev.v+1 || ev.b != ev.v+2 || ev.c != ev.v+3 {
			return fmt.Errorf("join: event %d stamps %+v", ev.v, *ev)
		}
		ord(seq)
		joined++
		return nil
	}, "left", "right"))
	graphMust(t, g.Handle("in", func(ev *gev, _ int64, _ bool) error { ev.a = ev.v + 1; return nil }))
	graphMust(t, g.Handle("left", func(ev *gev, _ int64, _ bool) error {
		if ev.a != ev.v+1 {
			return fmt.Errorf("left: event %d not stamped by in", ev.v)
		}
		ev.b = ev.v + 2
		return nil
	}, "in"))
	right := func(ev *gev, _ int64, _ bool) error {
		if ev.a != ev.v+1 {
			return fmt.Errorf("right: event %d not stamped by in", ev.v)
		}
		ev.c = ev.v + 3
		return nil
	}
	graphMust(t, g.WorkGroup("right", []Handler[gev]{right, right}, "in"))
	graphMust(t, g.Start())
	graphProduce(t, r, 1, n, true) // the producer stays open
	ctx, cancel := context.WithTimeout(context.Background(), graphDeadline)
	defer cancel()
	graphMust(t, g.Shutdown(ctx))
	if joined != n {
		t.Fatalf("join saw %d events, want %d", joined, n)
	}
	if got := r.Consumers(); got != 0 {
		t.Fatalf("%d consumers still registered after Shutdown, want 0", got)
	}
}

// On a shared ring, names are still checked: an unknown stage, a cycle, and
// an External name no consumer holds; a stage may follow a consumer of the
// ring made outside the graph once it is declared External.
func TestGraphSharedNames(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := sharedGraphRing(t, 16)
	nop := func(*gev, int64, bool) error { return nil }

	g := NewGraph(r)
	graphMust(t, g.Handle("a", nop, "nobody"))
	if err := g.Start(); !errors.Is(err, ErrUnknownStage) {
		t.Fatalf("Start with an undeclared name = %v, want ErrUnknownStage", err)
	}
	g = NewGraph(r)
	graphMust(t, g.Handle("a", nop, "b"))
	graphMust(t, g.Handle("b", nop, "a"))
	if err := g.Start(); !errors.Is(err, ErrCycle) {
		t.Fatalf("Start with a cycle = %v, want ErrCycle", err)
	}
	g = NewGraph(r)
	graphMust(t, g.Handle("up", nop))
	graphMust(t, g.External("outside"))
	graphMust(t, g.Handle("a", nop, "up", "outside"))
	if err := g.Start(); !errors.Is(err, ErrUnknownConsumer) {
		t.Fatalf("Start following an External name nobody holds = %v, want ErrUnknownConsumer", err)
	}
	if got := r.Consumers(); got != 0 {
		t.Fatalf("a failed Start left %d consumers registered", got)
	}
	if err := g.External("up"); !errors.Is(err, ErrDuplicateStage) {
		t.Fatalf("External of a stage's name = %v, want ErrDuplicateStage", err)
	}
	if err := g.Handle("outside", nop); !errors.Is(err, ErrDuplicateStage) {
		t.Fatalf("a stage named as an External = %v, want ErrDuplicateStage", err)
	}

	// The same graph starts once "outside" exists: a stage follows it.
	out, err := r.NewConsumer("outside")
	graphMust(t, err)
	graphMust(t, g.Start())
	produced := make(chan struct{})
	go func() { defer close(produced); graphProduce(t, r, 1, 100, false) }()
	// "a" cannot pass "outside", which reads nothing yet.
	time.Sleep(20 * time.Millisecond)
	if got := g.byName["a"].cons.rec.Cursor.Load(); got >= 0 {
		t.Fatalf("stage a released sequence %d before the External consumer it follows released anything", got)
	}
	if err := out.Close(); !errors.Is(err, ErrHasDependents) {
		t.Fatalf("Close of a consumer a stage follows = %v, want ErrHasDependents", err)
	}
	ctx := graphCtx(t)
	for {
		if _, err := out.Next(ctx); err != nil {
			if err != io.EOF {
				t.Fatalf("outside: %v", err)
			}
			break
		}
	}
	<-produced
	graphMust(t, waitGraph(t, g))
	graphMust(t, out.Close())
}

// TestGraphSharedAcrossProcesses splits a graph over two processes: this
// one's stage "a" stamps every event; the child's graph declares "a"
// External and its stage "b" follows it by name, checking every stamp.
func TestGraphSharedAcrossProcesses(t *testing.T) {
	x := newXT(t, 30*time.Second)
	r := x.create(64)
	n := xscaled(5000, 100000)
	g := NewGraph(r)
	if err := g.Handle("a", func(ev *xev, _ int64, _ bool) error {
		ev.Stamp = xstamp(ev.P, ev.N)
		return nil
	}); err != nil {
		x.Fatal(err)
	}
	if err := g.Start(); err != nil {
		x.Fatal(err)
	}
	b := x.child("b", helperSpec{Role: "graph", Name: "b", After: "a"})
	b.next("ready")
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
	x.checkAll("b", b.next("done").Check, 0, n-1)
	done := x.goDo("graph a", g.Wait)
	if err := x.recv("graph a", done); err != nil {
		x.Fatal(err)
	}
}

// graph is the child role of TestGraphSharedAcrossProcesses: a graph whose
// one stage, spec.Name, follows the consumer spec.After of another process
// and checks every event (with its stamp). It reports "ready" once started
// and "done" when the graph ended at EOF.
func (h *xhelper) graph(r *Ring[xev]) int {
	s := &h.spec
	k := newXcheck()
	k.Stamped = true
	g := NewGraph(r)
	if err := g.External(s.After); err != nil {
		return h.fail(err)
	}
	if err := g.Handle(s.Name, func(ev *xev, seq int64, _ bool) error { return k.see(seq, ev) }, s.After); err != nil {
		return h.fail(err)
	}
	if err := g.Start(); err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "ready"})
	if err := g.Wait(); err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "done", Check: k})
	return 0
}
