package disruptor

// Invariants of graphs.
//
// A graph is declared (Handle, WorkGroup) and started (Start) under g.mu.
// Start publishes g.stages, g.order, g.cursors, g.ctx and g.done before it
// starts any goroutine; they are read-only afterwards.
//
// Each consumer (each work group member) is used by exactly one stage
// goroutine until that goroutine returns. The finisher goroutine closes the
// consumers, dependents first, only after every stage goroutine returned
// (g.wg.Wait synchronizes after their last use).
//
// g.stop is set before the ring is halted and before g.ctx is cancelled, so
// a stage goroutine that sees ErrHalted or ctx.Err() from Batch also sees
// stop and knows it was asked to end. Every handler call is preceded by a
// load of stop, and an event is released only after the handler call (or
// the skipped call) for it: so once any stage observes stop, no stage after
// it handles an event that stage passed over.
//
// g.err is the first error: written under g.errMu, only while g.ended is
// unset; g.done is closed after g.ended is set, so Wait reads g.err after
// the last write.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Graph runs handlers over a ring's events, each stage on its own
// goroutines, wired as any directed acyclic graph: the LMAX
// handleEventsWith(a).then(b) is
//
//	g.Handle("a", a)
//	g.Handle("b", b, "a")
//
// and a stage may follow several others (a join) or be followed by several
// (a fan-out). A broadcast stage (Handle) sees every event in sequence order;
// a work group stage (WorkGroup) hands each event to exactly one of its
// handlers. Handlers may change events in place: a stage sees the changes of
// every stage it follows, directly or not.
//
// A graph runs over a shared ring (Create, Attach) as over an in-process
// one. Its stages may also follow consumers that are not in the graph, such
// as another process's stages, once declared with External.
//
// The graph owns the consumers it makes. When the graph ends normally (EOF
// or Shutdown) they leave the ring, so it no longer gates producers; when it
// ends by a halt they stay, so the halted ring's producers learn of the halt
// the next time they wait for room.
type Graph[E any] struct {
	r     *Ring[E]
	onErr func(stage string, seq int64, err error) error

	mu      sync.Mutex // guards the declaration below until Start
	stages  []*stage[E]
	byName  map[string]*stage[E]
	extern  map[string]bool // names declared with External
	started bool

	order   []*stage[E]     // topological: every stage after its dependencies
	cursors []*atomic.Int64 // every consumer's cursor, for Shutdown
	ctx     context.Context // cancelled to stop the stages without halting the ring
	cancel  context.CancelFunc
	wg      sync.WaitGroup // one per stage goroutine
	done    chan struct{}  // closed when the goroutines returned and consumers closed
	stop    atomic.Bool    // the stages must call no more handlers

	onErrMu sync.Mutex // serializes error handler calls
	errMu   sync.Mutex // guards err and ended
	err     error
	ended   bool
}

// stage is one declared stage and, after Start, its consumers.
type stage[E any] struct {
	name  string
	after []string
	hs    []Handler[E]
	group bool

	deps []*stage[E]   // resolved at Start
	ext  []string      // names in after declared with External
	cons *Consumer[E]  // broadcast stage
	wgrp *WorkGroup[E] // work group stage
}

// GraphOption configures NewGraph.
type GraphOption func(*graphConfig)

type graphConfig struct {
	onErr func(stage string, seq int64, err error) error
}

// WithErrorHandler sets what happens when a handler returns an error or
// panics (the panic is recovered into a *PanicError). fn is called on the
// failing stage's goroutine with the stage's name (a work group's own name),
// the event's sequence and the error; calls are serialized across the graph,
// so fn needs no locking of its own. The event counts as handled either way.
// If fn returns nil the stage carries on with the next event; otherwise the
// graph stops (the ring is halted) and Wait returns what fn returned.
//
// The default handler stops the graph with the error wrapped with the stage
// name and sequence; errors.Is and errors.As see through the wrapping.
func WithErrorHandler(fn func(stage string, seq int64, err error) error) GraphOption {
	return func(c *graphConfig) { c.onErr = fn }
}

// NewGraph makes an empty graph over r. Declare its stages, then Start it.
func NewGraph[E any](r *Ring[E], opts ...GraphOption) *Graph[E] {
	var cfg graphConfig
	for _, o := range opts {
		o(&cfg)
	}
	g := &Graph[E]{r: r, onErr: cfg.onErr, byName: make(map[string]*stage[E]), extern: make(map[string]bool)}
	if g.onErr == nil {
		g.onErr = defaultErrorHandler
	}
	return g
}

func defaultErrorHandler(stage string, seq int64, err error) error {
	return &stageError{stage: stage, seq: seq, err: err}
}

// stageError is the default handler's error: the stage and sequence, then
// the handler's error (without a second "disruptor: " of its own).
type stageError struct {
	stage string
	seq   int64
	err   error
}

func (e *stageError) Error() string {
	return fmt.Sprintf("disruptor: stage %q at sequence %d: %s", e.stage, e.seq, strings.TrimPrefix(e.err.Error(), "disruptor: "))
}

func (e *stageError) Unwrap() error { return e.err }

// Handle adds a broadcast stage: h runs on one goroutine for every event, in
// sequence order, after every stage named in after has handled it. Names
// are resolved by Start, so stages may be declared in any order. A name
// already taken gives ErrDuplicateStage; a graph already started gives
// ErrStarted.
func (g *Graph[E]) Handle(name string, h Handler[E], after ...string) error {
	if h == nil {
		return fmt.Errorf("disruptor: stage %q: nil handler", name)
	}
	return g.add(&stage[E]{name: name, hs: []Handler[E]{h}, after: slices.Clone(after)})
}

// WorkGroup adds a work group stage: each event is handled by exactly one of
// hs, each handler running on its own goroutine, after every stage named in
// after has handled it. Events are shared out as members become free, so
// the group as a whole sees events out of order; each member sees its own in
// order, one at a time (endOfBatch is always true). A stage following the
// group sees an event only once the member that took it is done with it.
// Errors are those of Handle.
func (g *Graph[E]) WorkGroup(name string, hs []Handler[E], after ...string) error {
	if len(hs) == 0 {
		return fmt.Errorf("disruptor: work group stage %q: no handlers", name)
	}
	for i, h := range hs {
		if h == nil {
			return fmt.Errorf("disruptor: work group stage %q: handler %d is nil", name, i)
		}
	}
	return g.add(&stage[E]{name: name, hs: slices.Clone(hs), after: slices.Clone(after), group: true})
}

// External declares names of consumers outside the graph, which its stages
// may then name in after as they name stages: consumers made by name on the
// same ring, or on a shared ring, consumers in any process (a stage in
// another process's graph is a consumer of the stage's name; a work group
// "w" of n members is the consumers "w/0" ... "w/n-1"). Start makes the
// stages follow them by name (AfterName): a name no consumer of the ring
// holds by then gives ErrUnknownConsumer. The graph checks no cycle through
// them. A name taken by a stage gives ErrDuplicateStage; a graph already
// started gives ErrStarted.
//
// A consumer that others follow cannot leave the ring before them
// (ErrHasDependents). The graph closes its own stages followers first; but
// a stage that another process's consumer follows stays registered, its
// record gating producers, if this graph ends first, until Ring.Close
// detaches it (see Consumer.Detach). So end the followers' graph first.
func (g *Graph[E]) External(names ...string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range names {
		if err := g.checkNew("consumer", n); err != nil {
			return err
		}
	}
	for _, n := range names {
		g.extern[n] = true
	}
	return nil
}

// checkNew checks that name may be declared; g.mu is held.
func (g *Graph[E]) checkNew(kind, name string) error {
	switch {
	case g.started:
		return fmt.Errorf("%w: cannot add %s %q", ErrStarted, kind, name)
	case name == "":
		return fmt.Errorf("disruptor: a graph %s needs a name", kind)
	case g.byName[name] != nil:
		return fmt.Errorf("%w: %q is a stage", ErrDuplicateStage, name)
	case g.extern[name]:
		return fmt.Errorf("%w: %q is an external consumer", ErrDuplicateStage, name)
	}
	return nil
}

func (g *Graph[E]) add(s *stage[E]) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.checkNew("stage", s.name); err != nil {
		return err
	}
	g.byName[s.name] = s
	g.stages = append(g.stages, s)
	return nil
}

// Start resolves the stages' names, checks the graph (ErrUnknownStage for
// a name neither a stage nor declared External, ErrCycle naming the stages
// in the cycle), makes the consumers in
// topological order, each following its stage's dependencies, and starts one
// goroutine per broadcast stage and per work group handler. A graph starts
// once: a second Start gives ErrStarted. If Start fails, nothing was started
// and the graph may be corrected and started again.
//
// Call Start before producers publish: the consumers start at the oldest
// event the ring still retains, so events published earlier are seen only
// while no producer has overwritten them.
//
// Each stage goroutine runs with the pprof labels disruptor_ring (the
// ring's Path, or "inproc") and disruptor_stage (the stage's name), so CPU
// and goroutine profiles tell the stages apart; goroutines a handler starts
// inherit them.
func (g *Graph[E]) Start() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started {
		return ErrStarted
	}
	if len(g.stages) == 0 {
		return errors.New("disruptor: graph has no stages")
	}
	order, err := g.resolve()
	if err != nil {
		return err
	}
	var cursors []*atomic.Int64
	for i, s := range order {
		if err := g.join(s); err != nil {
			closeStages(order[:i])
			return fmt.Errorf("disruptor: graph stage %q: %w", s.name, err)
		}
		cursors = append(cursors, s.cursors()...)
	}
	g.order, g.cursors, g.started = order, cursors, true
	g.ctx, g.cancel = context.WithCancel(context.Background())
	g.done = make(chan struct{})
	for _, s := range order {
		if s.group {
			for i, h := range s.hs {
				g.wg.Add(1)
				go g.run(s, s.wgrp.Member(i), h)
			}
		} else {
			g.wg.Add(1)
			go g.run(s, s.cons, s.hs[0])
		}
	}
	go g.finish()
	return nil
}

// resolve maps names to stages and returns the stages in topological order,
// or the first unknown name or cycle found, in declaration order.
func (g *Graph[E]) resolve() ([]*stage[E], error) {
	for _, s := range g.stages {
		s.deps, s.ext = s.deps[:0], s.ext[:0]
		for _, n := range s.after {
			d := g.byName[n]
			if d == nil && g.extern[n] {
				if !slices.Contains(s.ext, n) {
					s.ext = append(s.ext, n)
				}
				continue
			}
			if d == nil {
				return nil, fmt.Errorf("%w: %q runs after %q, which was never added", ErrUnknownStage, s.name, n)
			}
			if !slices.Contains(s.deps, d) {
				s.deps = append(s.deps, d)
			}
		}
	}
	const (
		unseen = iota
		onPath
		placed
	)
	mark := make(map[*stage[E]]int, len(g.stages))
	var path, order []*stage[E]
	var visit func(s *stage[E]) error
	visit = func(s *stage[E]) error {
		switch mark[s] {
		case placed:
			return nil
		case onPath: // path holds s ... each a dependent of the next
			i := slices.Index(path, s)
			names := []string{s.name}
			for j := len(path) - 1; j >= i; j-- {
				names = append(names, path[j].name)
			}
			return fmt.Errorf("%w: %s (each stage runs after the one before it)", ErrCycle, strings.Join(names, " -> "))
		}
		mark[s] = onPath
		path = append(path, s)
		for _, d := range s.deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		mark[s] = placed
		order = append(order, s)
		return nil
	}
	for _, s := range g.stages {
		if err := visit(s); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// join makes the stage's consumers, following its dependencies' consumers
// (by name on a shared ring: see After) and the external consumers it names.
func (g *Graph[E]) join(s *stage[E]) error {
	var opts []ConsumerOption
	if len(s.deps) > 0 {
		deps := make([]Dependency, len(s.deps))
		for i, d := range s.deps {
			deps[i] = d.dependency()
		}
		opts = append(opts, After(deps...))
	}
	if len(s.ext) > 0 {
		opts = append(opts, AfterName(s.ext...))
	}
	var err error
	if s.group {
		s.wgrp, err = g.r.NewWorkGroup(s.name, len(s.hs), opts...)
	} else {
		s.cons, err = g.r.NewConsumer(s.name, opts...)
	}
	return err
}
