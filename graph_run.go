package disruptor

// Running a graph: the stage goroutines, errors, and the ways a graph ends.
// See the invariants at the top of graph.go.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"runtime/pprof"
	"sync/atomic"
	"time"
)

// errStopped is what a stage's handler wrapper returns to Batch once the
// graph was told to stop: Batch then returns without handling more events.
var errStopped = errors.New("disruptor: graph stopped")

// errNotStarted is returned by Wait and Shutdown before Start.
var errNotStarted = errors.New("disruptor: graph not started")

// run is a stage goroutine, labelled for profiles with the ring
// (disruptor_ring: its Path, or "inproc") and the stage (disruptor_stage),
// so that a CPU or goroutine profile tells the stages apart.
func (g *Graph[E]) run(s *stage[E], c *Consumer[E], h Handler[E]) {
	ring := g.r.Path()
	if ring == "" {
		ring = "inproc"
	}
	labels := pprof.Labels("disruptor_ring", ring, "disruptor_stage", s.name)
	pprof.Do(g.ctx, labels, func(context.Context) { g.runStage(s, c, h) })
}

// runStage is a Batch loop over c, calling h, until the final EOF, a stop,
// or an error.
func (g *Graph[E]) runStage(s *stage[E], c *Consumer[E], h Handler[E]) {
	returned := false
	defer func() {
		if !returned { // h called runtime.Goexit: nothing can carry on here
			g.fail(fmt.Errorf("disruptor: stage %q: handler called runtime.Goexit", s.name))
		}
		g.wg.Done()
	}()
	call := func(ev *E, seq int64, endOfBatch bool) error {
		if g.stop.Load() {
			return errStopped
		}
		err := invoke(s.name, h, ev, seq, endOfBatch)
		if err == nil {
			return nil
		}
		return g.handleError(s.name, seq, err)
	}
	for {
		_, err := c.Batch(g.ctx, call)
		if err == nil {
			continue
		}
		if err != io.EOF && !g.stop.Load() { // e.g. the ring was halted by its owner
			g.fail(fmt.Errorf("disruptor: stage %q: %w", s.name, err))
		}
		returned = true
		return
	}
}

// invoke calls h, recovering a panic into a *PanicError.
func invoke[E any](stage string, h Handler[E], ev *E, seq int64, endOfBatch bool) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Stage: stage, Value: v, Stack: debug.Stack()}
		}
	}()
	return h(ev, seq, endOfBatch)
}

// handleError passes a handler's error to the error handler: nil lets the
// stage carry on; otherwise the graph stops with the handler's verdict.
func (g *Graph[E]) handleError(stage string, seq int64, err error) error {
	g.onErrMu.Lock()
	verdict := g.onErr(stage, seq, err)
	g.onErrMu.Unlock()
	if verdict == nil {
		return nil
	}
	g.fail(verdict)
	return errStopped
}

// fail stops the graph now with err, unless it already ended or failed:
// the first error is the one Wait returns.
func (g *Graph[E]) fail(err error) {
	g.errMu.Lock()
	if g.ended {
		g.errMu.Unlock()
		return
	}
	if g.err == nil {
		g.err = err
	}
	g.errMu.Unlock()
	g.stop.Store(true)
	g.r.Halt()
	if g.isStarted() { // before Start, the stages will end as they start
		g.cancel()
	}
}

// finish waits for the stage goroutines, marks the graph ended, then removes
// the graph's consumers from the ring unless the ring was halted. On a
// halted ring the consumers stay: they keep gating its producers, which must
// then wait for room and so learn that the ring halted, rather than publish
// on ungated into a ring nobody reads.
func (g *Graph[E]) finish() {
	g.wg.Wait()
	g.errMu.Lock()
	g.ended = true // a Halt from now on does nothing
	g.errMu.Unlock()
	if !g.r.Halted() {
		closeStages(g.order)
	}
	g.cancel()
	close(g.done)
}

// Wait blocks until every stage goroutine returned and the graph's consumers
// were closed (see Graph), and returns the first error: what the error handler
// returned, or ErrHalted (possibly wrapped) if the graph was halted (by
// Halt, by Shutdown's context ending, or by the ring's own Halt). It returns
// nil when the graph ended normally: every stage read the EOF of every
// producer (io.EOF is not an error here), or Shutdown completed. Before
// Start, Wait and Shutdown return an error at once.
func (g *Graph[E]) Wait() error {
	if !g.isStarted() {
		return errNotStarted
	}
	<-g.done
	g.errMu.Lock()
	defer g.errMu.Unlock()
	return g.err
}

// Halt stops the graph now: it halts the ring, so blocked producers and
// stages return ErrHalted, and no stage calls its handler again (a handler
// call in progress finishes). Events not yet handled stay unhandled; Wait
// then returns ErrHalted. Halt does not wait for the goroutines: Wait does.
// It may be called from a handler or the error handler (unlike Wait and
// Shutdown, which would wait for themselves). Halt after the graph ended,
// and every call after the first, do nothing. Halt before Start halts the
// ring: the stages then end as soon as they start.
func (g *Graph[E]) Halt() {
	g.fail(ErrHalted)
}

// Shutdown stops the graph gracefully: it waits until every stage has
// handled every event published when Shutdown was called, then stops the
// stages (without halting the ring: producers carry on, no longer gated by
// the graph's consumers) and waits for the goroutines to return. It returns
// what Wait returns. If ctx ends first, Shutdown halts the graph and
// returns ctx.Err() without waiting further for the goroutines (Wait
// does). Events published after the call may or may not be handled. Do not
// call Shutdown from a handler: it would wait for itself.
//
// In multi-producer mode, "published" is the run of published sequences
// the consumers can see: events published after a slot that is claimed but
// not yet published are not waited for.
func (g *Graph[E]) Shutdown(ctx context.Context) error {
	if !g.isStarted() {
		return errNotStarted
	}
	select {
	case <-g.done: // the cursors may belong to other consumers by now
		return g.Wait()
	default:
	}
	target := g.published()
	pause := 20 * time.Microsecond
	t := time.NewTimer(pause)
	defer t.Stop()
	for !g.reached(target) {
		select {
		case <-g.done:
			return g.Wait()
		case <-ctx.Done():
			g.Halt()
			return ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, 5*time.Millisecond)
		t.Reset(pause)
	}
	g.stop.Store(true)
	g.cancel()
	select {
	case <-g.done:
		return g.Wait()
	case <-ctx.Done(): // a handler call outlived ctx
		g.Halt()
		return ctx.Err()
	}
}

// published is the highest sequence up to which every sequence is published.
func (g *Graph[E]) published() int64 {
	from := g.cursors[0].Load()
	for _, c := range g.cursors[1:] {
		from = min(from, c.Load())
	}
	return g.r.eng.Published(from + 1)
}

// reached reports whether every consumer of the graph released target.
func (g *Graph[E]) reached(target int64) bool {
	for _, c := range g.cursors {
		if c.Load() < target {
			return false
		}
	}
	return true
}

func (g *Graph[E]) isStarted() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.started
}

func (s *stage[E]) dependency() Dependency {
	if s.group {
		return s.wgrp
	}
	return s.cons
}

func (s *stage[E]) cursors() []*atomic.Int64 {
	_, words := s.dependency().cursors()
	return words
}

// closeStages closes the stages' consumers, dependents first; every
// goroutine using them has returned.
func closeStages[E any](order []*stage[E]) {
	for i := len(order) - 1; i >= 0; i-- {
		s := order[i]
		if s.group {
			_ = s.wgrp.Close() // cannot fail: its dependents closed first
		} else {
			_ = s.cons.Close()
		}
	}
}
