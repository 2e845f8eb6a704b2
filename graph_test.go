package disruptor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
	"go.uber.org/goleak"
)

// gev is the event of the graph tests: each stage stamps its own field.
type gev struct {
	v       int64
	a, b, c int64
}

const graphDeadline = 20 * time.Second

// graphRing makes a small ring (so producers wrap it many times) with the
// Block wait strategy: the tests never spin more goroutines than cores.
func graphRing(t *testing.T, size int, multi bool) *Ring[gev] {
	t.Helper()
	opts := []Option{WithWaitStrategy(Block())}
	if multi {
		opts = append(opts, WithMultiProducer())
	}
	r, err := New[gev](size, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// graphProduce publishes n events with v = 0..n-1 from k producers (k > 1
// needs a multi-producer ring), then closes them unless keepOpen. It fails
// the test if the graph does not let it finish before the deadline.
func graphProduce(t *testing.T, r *Ring[gev], k int, n int64, keepOpen bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), graphDeadline)
	defer cancel()
	ps := make([]*Producer[gev], k)
	for i := range ps {
		p, err := r.NewProducer(fmt.Sprint("p", i))
		if err != nil {
			t.Fatal(err)
		}
		ps[i] = p
	}
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := int64(i); v < n; v += int64(k) {
				ev, err := p.Claim(ctx)
				if err != nil {
					t.Errorf("claim %d: %v", v, err)
					return
				}
				*ev = gev{v: v}
				p.Publish()
			}
			if !keepOpen {
				if err := p.CloseContext(ctx); err != nil {
					t.Errorf("close: %v", err)
				}
			}
		}()
	}
	wg.Wait()
}

// waitGraph is g.Wait with a hard deadline: past it, the graph is halted and
// the test fails.
func waitGraph(t *testing.T, g *Graph[gev]) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- g.Wait() }()
	select {
	case err := <-errc:
		return err
	case <-time.After(graphDeadline):
		g.Halt()
		t.Errorf("graph did not end within %v", graphDeadline)
		return <-errc
	}
}

// graphActiveRecords counts the consumers gating the ring's producers.
func graphActiveRecords(r *Ring[gev]) int {
	n := 0
	for i := range r.eng.Recs {
		if r.eng.Recs[i].State.Load() == engine.RecActive {
			n++
		}
	}
	return n
}

// graphCtx is a context that ends at the tests' hard deadline, so that a
// producer blocked on a graph that failed to stop fails the test instead of
// hanging it.
func graphCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), graphDeadline)
	t.Cleanup(cancel)
	return ctx
}

func graphMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// graphInOrder returns a check that sequences arrive strictly increasing.
func graphInOrder(t *testing.T, stage string) func(seq int64) {
	last := int64(-1)
	return func(seq int64) {
		if seq <= last {
			t.Errorf("%s: sequence %d after %d", stage, seq, last)
		}
		last = seq
	}
}

func TestGraphPipeline(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, k := range []int{1, 3} {
		t.Run(fmt.Sprint("producers=", k), func(t *testing.T) {
			r := graphRing(t, 16, k > 1)
			const n = 10000
			g := NewGraph(r)
			var seen int64
			var sum int64
			ordC := graphInOrder(t, "c")
			// Declared downstream first: names resolve at Start.
			graphMust(t, g.Handle("c", func(ev *gev, seq int64, _ bool) error {
				if ev.a != ev.v+1 || ev.b != ev.v+2 {
					return fmt.Errorf("c: event %d stamps a=%d b=%d", ev.v, ev.a, ev.b)
				}
				ordC(seq)
				ev.c = ev.v + 3
				seen++
				sum += ev.v
				return nil
			}, "b"))
			graphMust(t, g.Handle("b", func(ev *gev, _ int64, _ bool) error {
				if ev.a != ev.v+1 || ev.c != 0 {
					return fmt.Errorf("b: event %d stamps a=%d c=%d", ev.v, ev.a, ev.c)
				}
				ev.b = ev.v + 2
				return nil
			}, "a"))
			graphMust(t, g.Handle("a", func(ev *gev, _ int64, _ bool) error {
				if ev.b != 0 || ev.c != 0 {
					return fmt.Errorf("a: event %d already stamped", ev.v)
				}
				ev.a = ev.v + 1
				return nil
			}))
			graphMust(t, g.Start())
			graphProduce(t, r, k, n, false)
			graphMust(t, waitGraph(t, g))
			if seen != n || sum != n*(n-1)/2 {
				t.Fatalf("c saw %d events, sum %d; want %d, %d", seen, sum, n, n*(n-1)/2)
			}
		})
	}
}

func TestGraphDiamond(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := graphRing(t, 8, false)
	const n = 10000
	g := NewGraph(r)
	var joined int64
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
	graphMust(t, g.Handle("right", func(ev *gev, _ int64, _ bool) error {
		if ev.a != ev.v+1 {
			return fmt.Errorf("right: event %d not stamped by in", ev.v)
		}
		ev.c = ev.v + 3
		return nil
	}, "in"))
	graphMust(t, g.Start())
	graphProduce(t, r, 1, n, false)
	graphMust(t, waitGraph(t, g))
	if joined != n {
		t.Fatalf("join saw %d events, want %d", joined, n)
	}
}

func TestGraphWorkGroupFanOutJoin(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, k := range []int{1, 2} {
		t.Run(fmt.Sprint("producers=", k), func(t *testing.T) {
			r := graphRing(t, 16, k > 1)
			const n = 10000
			var handled [n]atomic.Int32
			var perMember [3]int64
			g := NewGraph(r)
			hs := make([]Handler[gev], len(perMember))
			for i := range hs {
				hs[i] = func(ev *gev, _ int64, _ bool) error {
					if ev.a != ev.v+1 {
						return fmt.Errorf("member %d: event %d not stamped by in", i, ev.v)
					}
					handled[ev.v].Add(1)
					perMember[i]++
					ev.b = int64(i) + 1 // only this member touches this event
					return nil
				}
			}
			var joined, other int64
			graphMust(t, g.Handle("in", func(ev *gev, _ int64, _ bool) error { ev.a = ev.v + 1; return nil }))
			graphMust(t, g.WorkGroup("work", hs, "in"))
			graphMust(t, g.Handle("join", func(ev *gev, _ int64, _ bool) error {
				if ev.b < 1 || ev.b > 3 {
					return fmt.Errorf("join: event %d not handled by the group (b=%d)", ev.v, ev.b)
				}
				joined++
				return nil
			}, "work"))
			// A broadcast stage beside the group sees every event too.
			graphMust(t, g.Handle("other", func(*gev, int64, bool) error { other++; return nil }, "in"))
			graphMust(t, g.Start())
			graphProduce(t, r, k, n, false)
			graphMust(t, waitGraph(t, g))
			for v := range handled {
				if c := handled[v].Load(); c != 1 {
					t.Fatalf("event %d handled %d times by the group", v, c)
				}
			}
			if sum := perMember[0] + perMember[1] + perMember[2]; sum != n || joined != n || other != n {
				t.Fatalf("group %d (%v), join %d, other %d; want %d each", sum, perMember, joined, other, n)
			}
		})
	}
}

func TestGraphDeclarationErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	nop := func(*gev, int64, bool) error { return nil }
	type decl struct{ name, after string }
	for _, tc := range []struct {
		name  string
		decls []decl // after "" means none; "x,y" means two
		want  error
		words []string // the error names these
	}{
		{"self cycle", []decl{{"a", "a"}}, ErrCycle, []string{"a -> a"}},
		{"two cycle", []decl{{"a", "b"}, {"b", "a"}}, ErrCycle, []string{`a -> b -> a`}},
		{"three cycle off a root", []decl{{"root", ""}, {"x", "root,z"}, {"y", "x"}, {"z", "y"}, {"tail", "z"}},
			ErrCycle, []string{"x -> y -> z -> x"}},
		{"unknown", []decl{{"a", ""}, {"b", "a,nope"}}, ErrUnknownStage, []string{`"b"`, `"nope"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := graphRing(t, 8, false)
			g := NewGraph(r)
			for _, d := range tc.decls {
				var after []string
				if d.after != "" {
					after = strings.Split(d.after, ",")
				}
				if d.name == "z" || d.name == "y" {
					graphMust(t, g.WorkGroup(d.name, []Handler[gev]{nop, nop}, after...))
				} else {
					graphMust(t, g.Handle(d.name, nop, after...))
				}
			}
			err := g.Start()
			if !errors.Is(err, tc.want) {
				t.Fatalf("Start: %v, want %v", err, tc.want)
			}
			for _, w := range tc.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Start: %q does not name %s", err, w)
				}
			}
			if n := graphActiveRecords(r); n != 0 {
				t.Errorf("a failed Start left %d consumers in the ring", n)
			}
		})
	}

	t.Run("duplicate", func(t *testing.T) {
		g := NewGraph(graphRing(t, 8, false))
		graphMust(t, g.Handle("a", nop))
		if err := g.Handle("a", nop); !errors.Is(err, ErrDuplicateStage) {
			t.Fatalf("second Handle(a): %v", err)
		}
		if err := g.WorkGroup("a", []Handler[gev]{nop}); !errors.Is(err, ErrDuplicateStage) {
			t.Fatalf("WorkGroup(a): %v", err)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		g := NewGraph(graphRing(t, 8, false))
		for _, err := range []error{g.Handle("", nop), g.Handle("n", nil), g.WorkGroup("w", nil),
			g.WorkGroup("w", []Handler[gev]{nop, nil}), g.Start(), g.Wait(), g.Shutdown(context.Background())} {
			if err == nil {
				t.Error("want an error")
			}
		}
	})

	t.Run("fix and retry, then started", func(t *testing.T) {
		r := graphRing(t, 8, false)
		g := NewGraph(r)
		graphMust(t, g.Handle("b", nop, "a"))
		if err := g.Start(); !errors.Is(err, ErrUnknownStage) {
			t.Fatalf("Start: %v", err)
		}
		graphMust(t, g.Handle("a", nop))
		graphMust(t, g.Start())
		if err := g.Start(); !errors.Is(err, ErrStarted) {
			t.Errorf("second Start: %v", err)
		}
		if err := g.Handle("c", nop); !errors.Is(err, ErrStarted) {
			t.Errorf("Handle after Start: %v", err)
		}
		if err := g.WorkGroup("d", []Handler[gev]{nop}); !errors.Is(err, ErrStarted) {
			t.Errorf("WorkGroup after Start: %v", err)
		}
		graphProduce(t, r, 1, 100, false)
		graphMust(t, waitGraph(t, g))
		g.Halt() // after the end: nothing to do
		graphMust(t, g.Wait())
		graphMust(t, g.Shutdown(context.Background()))
		if n := graphActiveRecords(r); n != 0 {
			t.Errorf("%d of the graph's consumers did not leave the ring", n)
		}
	})
}

// BenchmarkGraphPipeline measures an event through a three-stage pipeline;
// BenchmarkGraphPipelineBaseline runs the same consumers with hand-written
// Batch loops, so the difference is the graph's per-event cost (the stop
// check and the panic guard).
func BenchmarkGraphPipeline(b *testing.B) { benchGraphPipeline(b, true) }

func BenchmarkGraphPipelineBaseline(b *testing.B) { benchGraphPipeline(b, false) }

func benchGraphPipeline(b *testing.B, graph bool) {
	r, _ := New[gev](1024)
	stamp := func(ev *gev, _ int64, _ bool) error { ev.a++; return nil }
	var wait func() error
	if graph {
		g := NewGraph(r)
		g.Handle("a", stamp)
		g.Handle("b", stamp, "a")
		g.Handle("c", stamp, "b")
		if err := g.Start(); err != nil {
			b.Fatal(err)
		}
		wait = g.Wait
	} else {
		var wg sync.WaitGroup
		var up []ConsumerOption
		for _, name := range []string{"a", "b", "c"} {
			c, err := r.NewConsumer(name, up...)
			if err != nil {
				b.Fatal(err)
			}
			up = []ConsumerOption{After(c)}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if _, err := c.Batch(context.Background(), stamp); err != nil {
						return
					}
				}
			}()
		}
		wait = func() error { wg.Wait(); return nil }
	}
	p, _ := r.NewProducer("p")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev, _ := p.Claim(ctx)
		ev.v = int64(i)
		p.Publish()
	}
	p.Close()
	if err := wait(); err != nil {
		b.Fatal(err)
	}
}
