package disruptor

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Graph errors, panics, and the ways a graph stops. Helpers are in
// graph_test.go.

var errGraphBoom = errors.New("boom")

func TestGraphHandlerErrorStops(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, group := range []bool{false, true} {
		t.Run(fmt.Sprint("group=", group), func(t *testing.T) {
			r := graphRing(t, 8, false)
			g := NewGraph(r)
			fail := func(ev *gev, _ int64, _ bool) error {
				if ev.v == 50 {
					return errGraphBoom
				}
				return nil
			}
			graphMust(t, g.Handle("in", func(*gev, int64, bool) error { return nil }))
			if group {
				graphMust(t, g.WorkGroup("mid", []Handler[gev]{fail, fail}, "in"))
			} else {
				graphMust(t, g.Handle("mid", fail, "in"))
			}
			graphMust(t, g.Handle("out", func(ev *gev, _ int64, _ bool) error {
				if ev.v == 50 {
					t.Error("out handled the failed event after the graph stopped")
				}
				return nil
			}, "mid"))
			graphMust(t, g.Start())
			p, _ := r.NewProducer("p")
			var claimErr error
			for v := int64(0); v < 10000; v++ {
				ev, err := p.Claim(graphCtx(t))
				if err != nil {
					claimErr = err
					break
				}
				ev.v = v
				p.Publish()
			}
			err := waitGraph(t, g)
			if !errors.Is(err, errGraphBoom) || !strings.Contains(err.Error(), `"mid"`) || !strings.Contains(err.Error(), "50") {
				t.Fatalf("Wait: %v; want boom from mid at 50", err)
			}
			if !errors.Is(claimErr, ErrHalted) {
				t.Errorf("producer: %v, want ErrHalted", claimErr)
			}
		})
	}
}

func TestGraphErrorHandlerCarriesOn(t *testing.T) {
	defer goleak.VerifyNone(t)
	type report struct {
		stage string
		seq   int64
		err   error
	}
	var reports []report // no lock: error handler calls are serialized
	r := graphRing(t, 16, true)
	g := NewGraph(r, WithErrorHandler(func(stage string, seq int64, err error) error {
		reports = append(reports, report{stage, seq, err})
		return nil
	}))
	const n = 5000
	graphMust(t, g.Handle("flaky", func(ev *gev, _ int64, _ bool) error {
		switch {
		case ev.v%10 == 0:
			return errGraphBoom
		case ev.v%10 == 5:
			panic("flaky panic")
		}
		return nil
	}))
	var members [2]int64
	hs := []Handler[gev]{
		func(ev *gev, _ int64, _ bool) error {
			members[0]++
			if ev.v%100 == 1 {
				panic(ev.v)
			}
			return nil
		},
		func(ev *gev, _ int64, _ bool) error {
			members[1]++
			if ev.v%100 == 1 {
				return errGraphBoom
			}
			return nil
		},
	}
	graphMust(t, g.WorkGroup("group", hs, "flaky"))
	var last int64
	graphMust(t, g.Handle("last", func(*gev, int64, bool) error { last++; return nil }, "group"))
	graphMust(t, g.Start())
	graphProduce(t, r, 2, n, false)
	graphMust(t, waitGraph(t, g))
	if last != n || members[0]+members[1] != n {
		t.Fatalf("last saw %d, group %v; want %d", last, members, n)
	}
	var flakyErrs, flakyPanics, groupErrs int
	for _, rep := range reports {
		var pe *PanicError
		switch {
		case rep.stage == "flaky" && errors.Is(rep.err, errGraphBoom):
			flakyErrs++
		case rep.stage == "flaky" && errors.As(rep.err, &pe) && pe.Stage == "flaky" && pe.Value == "flaky panic":
			flakyPanics++
		case rep.stage == "group":
			groupErrs++
		default:
			t.Errorf("unexpected report %+v", rep)
		}
	}
	if flakyErrs != n/10 || flakyPanics != n/10 || groupErrs != n/100 {
		t.Fatalf("reports: %d errors, %d panics from flaky, %d from group", flakyErrs, flakyPanics, groupErrs)
	}
}

func TestGraphPanic(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, group := range []bool{false, true} {
		t.Run(fmt.Sprint("group=", group), func(t *testing.T) {
			r := graphRing(t, 8, false)
			g := NewGraph(r)
			h := func(ev *gev, _ int64, _ bool) error {
				if ev.v == 3 {
					panic(fmt.Sprintf("bad event %d", ev.v))
				}
				return nil
			}
			if group {
				graphMust(t, g.WorkGroup("boom", []Handler[gev]{h, h, h}))
			} else {
				graphMust(t, g.Handle("boom", h))
			}
			graphMust(t, g.Start())
			p, _ := r.NewProducer("p")
			for v := range int64(10) {
				ev, err := p.Claim(graphCtx(t))
				if err != nil {
					break
				}
				ev.v = v
				p.Publish()
			}
			p.Close()
			err := waitGraph(t, g)
			var pe *PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("Wait: %v, want a *PanicError", err)
			}
			if pe.Stage != "boom" || pe.Value != "bad event 3" || !strings.Contains(string(pe.Stack), "graph_stop_test.go") {
				t.Fatalf("PanicError: stage %q, value %v, stack:\n%s", pe.Stage, pe.Value, pe.Stack)
			}
		})
	}
}

func TestGraphGoexit(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := graphRing(t, 8, false)
	g := NewGraph(r)
	graphMust(t, g.Handle("quitter", func(*gev, int64, bool) error { runtime.Goexit(); return nil }))
	graphMust(t, g.Start())
	p, _ := r.NewProducer("p")
	if _, err := p.Claim(graphCtx(t)); err != nil {
		t.Fatal(err)
	}
	p.Publish()
	if err := waitGraph(t, g); err == nil || !strings.Contains(err.Error(), "Goexit") {
		t.Fatalf("Wait: %v", err)
	}
}

func TestGraphShutdownDrains(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, k := range []int{1, 2} {
		t.Run(fmt.Sprint("producers=", k), func(t *testing.T) {
			r := graphRing(t, 16, k > 1)
			const n = 3000
			g := NewGraph(r)
			var done atomic.Int64
			var slow int64
			graphMust(t, g.Handle("in", func(*gev, int64, bool) error { return nil }))
			graphMust(t, g.WorkGroup("work", []Handler[gev]{
				func(*gev, int64, bool) error { return nil },
				func(*gev, int64, bool) error { return nil },
			}, "in"))
			graphMust(t, g.Handle("slow", func(*gev, int64, bool) error {
				if slow++; slow%500 == 0 {
					time.Sleep(time.Millisecond)
				}
				done.Add(1)
				return nil
			}, "work"))
			graphMust(t, g.Start())
			graphProduce(t, r, k, n, true) // producers stay open: no EOF
			ctx, cancel := context.WithTimeout(context.Background(), graphDeadline)
			defer cancel()
			graphMust(t, g.Shutdown(ctx))
			if got := done.Load(); got != n {
				t.Fatalf("Shutdown returned after %d of %d events", got, n)
			}
			graphMust(t, g.Wait())
			graphMust(t, g.Shutdown(ctx)) // idempotent
			g.Halt()                      // after the end: nothing to do
			graphMust(t, g.Wait())
			// The graph left the ring: the producers are no longer gated.
			if r.Halted() {
				t.Fatal("a clean Shutdown halted the ring")
			}
			p := r.producers[0]
			for range 2 * r.Size() {
				if _, err := p.TryClaim(); err != nil {
					t.Fatalf("claim after Shutdown: %v", err)
				}
				p.Publish()
			}
		})
	}
}

func TestGraphShutdownTimeout(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := graphRing(t, 8, false)
	g := NewGraph(r)
	hold := make(chan struct{})
	graphMust(t, g.Handle("stuck", func(*gev, int64, bool) error { <-hold; return nil }))
	graphMust(t, g.Start())
	p, _ := r.NewProducer("p")
	if _, err := p.Claim(graphCtx(t)); err != nil {
		t.Fatal(err)
	}
	p.Publish()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := g.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v", err)
	}
	if !r.Halted() {
		t.Error("Shutdown past its deadline did not halt the ring")
	}
	close(hold)
	if err := waitGraph(t, g); !errors.Is(err, ErrHalted) {
		t.Fatalf("Wait: %v, want ErrHalted", err)
	}
}

func TestGraphHaltFullRing(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := graphRing(t, 8, false)
	g := NewGraph(r)
	var handled atomic.Int64
	graphMust(t, g.Handle("a", func(*gev, int64, bool) error { return nil }))
	graphMust(t, g.Handle("slow", func(*gev, int64, bool) error {
		handled.Add(1)
		time.Sleep(200 * time.Microsecond)
		return nil
	}, "a"))
	graphMust(t, g.Start())
	p, _ := r.NewProducer("p")
	claimed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), graphDeadline)
		defer cancel()
		for {
			if _, err := p.Claim(ctx); err != nil {
				claimed <- err
				return
			}
			p.Publish()
		}
	}()
	deadline := time.Now().Add(graphDeadline)
	for p.Stats().FullWaits == 0 { // the producer is waiting for room
		if time.Now().After(deadline) {
			t.Fatal("the producer never found the ring full")
		}
		time.Sleep(time.Millisecond)
	}
	g.Halt()
	g.Halt() // idempotent
	select {
	case err := <-claimed:
		if !errors.Is(err, ErrHalted) {
			t.Fatalf("producer: %v, want ErrHalted", err)
		}
	case <-time.After(graphDeadline):
		t.Fatal("the blocked producer did not return after Halt")
	}
	if err := waitGraph(t, g); !errors.Is(err, ErrHalted) {
		t.Fatalf("Wait: %v, want ErrHalted", err)
	}
	if err := g.Shutdown(context.Background()); !errors.Is(err, ErrHalted) {
		t.Fatalf("Shutdown after Halt: %v, want ErrHalted", err)
	}
	n := handled.Load()
	time.Sleep(5 * time.Millisecond)
	if handled.Load() != n {
		t.Fatal("a stage kept handling events after Wait returned")
	}
}

func TestGraphHaltBeforeStart(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := graphRing(t, 8, false)
	g := NewGraph(r)
	graphMust(t, g.Handle("a", func(*gev, int64, bool) error { t.Error("handled after Halt"); return nil }))
	g.Halt()
	graphMust(t, g.Start())
	if err := waitGraph(t, g); !errors.Is(err, ErrHalted) {
		t.Fatalf("Wait: %v, want ErrHalted", err)
	}
}

// TestGraphRingHaltedByOwner: a ring halted outside the graph ends it with
// ErrHalted, naming a stage.
func TestGraphRingHaltedByOwner(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := graphRing(t, 8, false)
	g := NewGraph(r)
	graphMust(t, g.Handle("a", func(*gev, int64, bool) error { return nil }))
	graphMust(t, g.Start())
	r.Halt()
	if err := waitGraph(t, g); !errors.Is(err, ErrHalted) || !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("Wait: %v, want ErrHalted from stage a", err)
	}
}

// TestGraphHaltFromHandlers: Halt may be called from a handler and from the
// error handler.
func TestGraphHaltFromHandlers(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, fromErrorHandler := range []bool{false, true} {
		t.Run(fmt.Sprint("fromErrorHandler=", fromErrorHandler), func(t *testing.T) {
			r := graphRing(t, 8, false)
			var g *Graph[gev]
			g = NewGraph(r, WithErrorHandler(func(string, int64, error) error { g.Halt(); return nil }))
			graphMust(t, g.Handle("a", func(ev *gev, _ int64, _ bool) error {
				if ev.v == 5 {
					if fromErrorHandler {
						return errGraphBoom
					}
					g.Halt()
				}
				if ev.v > 5 {
					t.Errorf("event %d handled after Halt", ev.v)
				}
				return nil
			}))
			graphMust(t, g.Start())
			p, _ := r.NewProducer("p")
			for v := range int64(100) {
				ev, err := p.Claim(graphCtx(t))
				if err != nil {
					break
				}
				ev.v = v
				p.Publish()
			}
			if err := waitGraph(t, g); !errors.Is(err, ErrHalted) {
				t.Fatalf("Wait: %v, want ErrHalted", err)
			}
		})
	}
}
