package bench

// The shm transport: every part of a scenario's disruptor implementation
// runs in a process of its own, over rings in shared memory.
//
// The parent (the process that measures) creates the rings in a fresh
// directory (under /dev/shm, else the temporary directory; removed when the
// run ends, however it ends) and starts one child per part: this program
// again (Config.Child), its part described as JSON in the environment
// variable ChildEnv. The parent orders the children over their stdin and
// they report over their stdout, one JSON object per line:
//
//   - "join", to each child in part order, waiting for its "ready" report
//     before the next: the child attaches the rings and registers its
//     producers and consumers, so a consumer can follow by name (AfterName)
//     the consumers of earlier parts.
//   - The parent then checks that the rings show every consumer
//     (WaitForConsumers) and writes "go" to every child: the start barrier.
//   - Each child runs its part and reports "done": its error or its checks'
//     verdict, the wall-clock bounds of its timed section, the heap
//     allocations in it, and, for latency scenarios, its histogram.
//
// A child whose stdin ends before its part is done (the parent gave up or
// died) halts the rings and removes their directory. A child's stderr is
// kept for the error message, should it fail.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/disruptor-go/disruptor"
)

// ChildEnv is the environment variable that makes a process a participant
// of an shm run (see RunChild).
const ChildEnv = "DISRUPTOR_BENCH_CHILD"

// dirPrefix begins the name of a run's directory.
const dirPrefix = "disruptor-bench-"

// Variables for tests: how long children have to exit once told to, before
// they are killed, and where runs' directories go (the temporary directory
// if this one is missing or unusable).
var (
	reapGrace = 5 * time.Second
	shmBase   = "/dev/shm"
)

// childSpec is what a child is told in ChildEnv.
type childSpec struct {
	Scenario string
	Part     int
	Dir      string
	Config   Config
}

// report is a child's message to the parent.
type report struct {
	State   string `json:"state"`             // "ready" or "done"
	Err     string `json:"err,omitempty"`     // done: why the part failed
	Halted  bool   `json:"halted,omitempty"`  // done: Err is the rings' being halted
	Verdict string `json:"verdict,omitempty"` // done: the part's first failed check
	Start   int64  `json:"start,omitempty"`   // done: the timed section, Unix ns
	End     int64  `json:"end,omitempty"`
	Mallocs uint64 `json:"mallocs,omitempty"` // done: heap allocations in the timed section
	Hist    string `json:"hist,omitempty"`    // done: latencies recorded, encoded
}

// remoteError is an error a child reported.
type remoteError struct {
	msg    string
	halted bool
}

func (e *remoteError) Error() string { return e.msg }

// Is lets a child's report of a halted ring count as disruptor.ErrHalted.
func (e *remoteError) Is(target error) bool { return e.halted && target == disruptor.ErrHalted }

func ringPath(dir string, i int) string { return filepath.Join(dir, "ring"+strconv.Itoa(i)) }

// runDir makes a run's directory.
func runDir() (string, error) {
	if fi, err := os.Stat(shmBase); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp(shmBase, dirPrefix+"*"); err == nil {
			return dir, nil
		}
	}
	return os.MkdirTemp("", dirPrefix+"*")
}

// shm runs the parts in processes of their own.
func (t *topo[E]) shm(e *env) error {
	dir, err := runDir()
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rs := make([]*disruptor.Ring[E], t.rings)
	defer func() {
		for _, r := range rs {
			if r != nil {
				r.Close()
			}
		}
	}()
	for i := range rs {
		if rs[i], err = disruptor.Create[E](ringPath(dir, i), e.ring, t.options(e)...); err != nil {
			return err
		}
	}
	ps := t.parts(e)
	want := make([]int, len(rs)) // consumers per ring
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.name
		for _, k := range p.reads {
			want[k]++
		}
	}
	registered := func(ctx context.Context) error {
		for i, r := range rs {
			if err := r.WaitForConsumers(ctx, want[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return orchestrate(e, dir, names, func() { haltAll(rs) }, registered)
}

// orchestrate starts a child per part and runs them.
func orchestrate(e *env, dir string, names []string, halt func(), registered func(context.Context) error) error {
	r := &shmRun{e: e, events: make(chan event, 3*len(names)), halt: halt}
	for i, name := range names {
		if err := r.start(i, name, childSpec{Scenario: e.scenario.Name, Part: i, Dir: dir, Config: e.cfg}); err != nil {
			r.abort()
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	ended := func(p *proc) bool { return p.done != nil || p.exited }
	for _, p := range r.procs {
		r.order(p, "join")
		for !p.ready {
			if !r.all(func(p *proc) bool { return !ended(p) }) {
				return cmp.Or(r.abort(), errors.New("a part ended before the start"))
			}
			if err := r.step(); err != nil {
				return errors.Join(err, r.abort())
			}
		}
	}
	if err := registered(e.ctx); err != nil {
		return errors.Join(err, r.abort())
	}
	e.timer.Start()
	for _, p := range r.procs {
		r.order(p, "go")
	}
	for !r.all(ended) {
		if err := r.step(); err != nil {
			return errors.Join(err, r.abort())
		}
	}
	e.timer.Stop()
	r.reap()
	if err := r.outcome(); err != nil {
		return err
	}
	return r.figures()
}
