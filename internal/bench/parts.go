package bench

// The disruptor side of every scenario is a list of parts: the producers,
// consumers and stages of its workload, each with its own checks. The
// transport decides where the parts run: inproc runs each on a goroutine of
// this process over rings on the heap; shm runs each in a process of its
// own over rings in shared memory (shm.go, shm_child.go). Both run the same
// parts, so the workloads and their checks are the same code.

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/disruptor-go/disruptor"
)

// part is one participant of a disruptor run.
type part[E any] struct {
	name  string
	lead  bool  // it starts the run (it produces first): it waits for the start
	reads []int // the rings it consumes

	// join registers the part's producers and consumers on the run's rings.
	join func(rs []*disruptor.Ring[E]) (task, error)
}

// task is a joined part.
type task struct {
	run     func() error // the timed work: produce, or consume until EOF
	verdict func() error // its checks' verdict, once every part's run ended well
}

// topo is a scenario's disruptor implementation: how many rings it uses, how
// they are made, and its parts in the order they join (a consumer may follow
// by name the consumers of parts before it).
type topo[E any] struct {
	rings int
	opts  []disruptor.Option
	parts func(e *env) []part[E]
}

// options are the options of the run's rings.
func (t *topo[E]) options(e *env) []disruptor.Option {
	return append(slices.Clip(t.opts), disruptor.WithWaitStrategy(e.wait), disruptor.WithCounters(!e.cfg.NoCounters))
}

// implementation is a topo whatever its event type.
type implementation interface {
	inproc(e *env) error
	shm(e *env) error
	child(e *env, spec *childSpec, l *link) error
}

// consumer is a part that hands every event of ring i to fn until EOF, after
// the consumers named in after have.
func consumer[E any](e *env, i int, name string, fn disruptor.Handler[E], verdict func() error, after ...string) part[E] {
	return part[E]{name: name, reads: []int{i}, join: func(rs []*disruptor.Ring[E]) (task, error) {
		c, err := rs[i].NewConsumer(name, disruptor.AfterName(after...))
		if err != nil {
			return task{}, err
		}
		return task{run: func() error { return drain(e, c, fn) }, verdict: verdict}, nil
	}}
}

// producer is a part that publishes into ring i with fill, then closes.
func producer[E any](e *env, i int, name string, fill func(*disruptor.Producer[E]) error) part[E] {
	return part[E]{name: name, lead: true, join: func(rs []*disruptor.Ring[E]) (task, error) {
		p, err := rs[i].NewProducer(name)
		if err != nil {
			return task{}, err
		}
		run := func() error {
			if err := fill(p); err != nil {
				return err
			}
			return p.CloseContext(e.ctx)
		}
		return task{run: run, verdict: func() error { return nil }}, nil
	}}
}

// publishEach is a producer's fill: n events, the i-th made of e.value(i),
// each copied in and published by Put, as the channel baseline sends it.
func publishEach[E any](e *env, n int64, mk func(v int64) E) func(*disruptor.Producer[E]) error {
	return func(p *disruptor.Producer[E]) error {
		for i := range n {
			if err := p.Put(e.ctx, mk(e.value(i))); err != nil {
				return err
			}
		}
		return nil
	}
}

// inproc runs every part on a goroutine of this process, over heap rings.
func (t *topo[E]) inproc(e *env) error {
	rs := make([]*disruptor.Ring[E], t.rings)
	for i := range rs {
		r, err := disruptor.New[E](e.ring, t.options(e)...)
		if err != nil {
			return err
		}
		rs[i] = r
	}
	halt := func() { haltAll(rs) }
	ps := t.parts(e)
	tasks := make([]task, len(ps))
	for i, p := range ps {
		var err error
		if tasks[i], err = p.join(rs); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	start := make(gate)
	for i, p := range ps {
		wg.Go(func() {
			if p.lead {
				start.wait()
			}
			if errs[i] = tasks[i].run(); errs[i] != nil {
				halt()
			}
		})
	}
	e.timer.Start()
	start.open()
	wg.Wait()
	e.timer.Stop()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.name
	}
	return outcome(names, errs, func(i int) error { return tasks[i].verdict() })
}

func haltAll[E any](rs []*disruptor.Ring[E]) {
	for _, r := range rs {
		if r != nil {
			r.Halt()
		}
	}
}

// outcome is a run's verdict from its parts' errors: those errors, leaving
// out the parts that only saw the rings halted when another part failed (the
// halt is the consequence, the failure the cause), or else, every part's run
// having ended well, the first failed check in part order.
func outcome(names []string, errs []error, verdict func(i int) error) error {
	var failed, halted []error
	for i, err := range errs {
		if err == nil {
			continue
		}
		err = fmt.Errorf("%s: %w", names[i], err)
		if errors.Is(err, disruptor.ErrHalted) {
			halted = append(halted, err)
		} else {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return errors.Join(failed...)
	}
	if len(halted) > 0 {
		return errors.Join(halted...)
	}
	for i := range names {
		if err := verdict(i); err != nil {
			return err
		}
	}
	return nil
}
