package bench

// The child's side of an shm run (see shm.go).

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/disruptor-go/disruptor"
)

// IsChild reports whether this process was started as a participant of an
// shm run: then it must call RunChild instead of doing its usual work.
func IsChild() bool {
	_, ok := os.LookupEnv(ChildEnv)
	return ok
}

// RunChild runs this process's part of an shm run, as the environment
// variable ChildEnv describes it, taking the parent's orders from in and
// writing its reports to out. The part's own failures are reported to the
// parent; RunChild returns an error only when it could not do so.
func RunChild(in io.Reader, out io.Writer) error {
	var spec childSpec
	if err := json.Unmarshal([]byte(os.Getenv(ChildEnv)), &spec); err != nil {
		return fmt.Errorf("%s: %w", ChildEnv, err)
	}
	ss, err := Lookup(spec.Scenario)
	if err != nil || spec.Scenario == "" || spec.Scenario == "all" {
		return fmt.Errorf("%s: scenario %q: %v", ChildEnv, spec.Scenario, err)
	}
	if err := spec.Config.Validate(); err != nil {
		return fmt.Errorf("%s: %w", ChildEnv, err)
	}
	e := newEnv(ss[0], Disruptor, spec.Config, nil)
	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	defer cancel()
	e.ctx = ctx
	l := &link{in: bufio.NewReader(in), out: json.NewEncoder(out), dir: spec.Dir}
	return ss[0].disruptor.child(e, &spec, l)
}

// child attaches the rings and runs one part.
func (t *topo[E]) child(e *env, spec *childSpec, l *link) error {
	ps := t.parts(e)
	if spec.Part < 0 || spec.Part >= len(ps) {
		return fmt.Errorf("%s: part %d of %d", ChildEnv, spec.Part, len(ps))
	}
	// The rings stay mapped until the process exits: the watch on the
	// parent (serve) may halt them at any time.
	rs := make([]*disruptor.Ring[E], t.rings)
	join := func() (task, error) {
		for i := range rs {
			r, err := disruptor.Attach[E](ringPath(spec.Dir, i), disruptor.WithWaitStrategy(e.wait), disruptor.WithCounters(!spec.Config.NoCounters))
			if err != nil {
				return task{}, err
			}
			rs[i] = r
		}
		return ps[spec.Part].join(rs)
	}
	return l.serve(e, join, func() { haltAll(rs) })
}

// link is a child's end of its talk with the parent.
type link struct {
	in  *bufio.Reader
	out *json.Encoder
	dir string
}

// serve joins and runs a part as the parent orders, and reports.
func (l *link) serve(e *env, join func() (task, error), halt func()) error {
	if err := l.await("join"); err != nil {
		return err
	}
	tk, err := join()
	if err != nil {
		return l.out.Encode(report{State: "done", Err: err.Error()})
	}
	runtime.GC() // so that no collection of the setup's garbage falls in the timed section
	if err := l.out.Encode(report{State: "ready"}); err != nil {
		halt()
		return err
	}
	if err := l.await("go"); err != nil {
		halt()
		return err
	}
	buf := make([]byte, 64) // before the timed section: the watch allocates nothing in it
	go func() {
		for { // until the parent closes its end: it is done with us, gave up, or died
			if _, err := l.in.Read(buf); err != nil {
				break
			}
		}
		halt()
		l.removeDir()
	}()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m0, t0 := ms.Mallocs, time.Now()
	err = tk.run()
	t1 := time.Now()
	runtime.ReadMemStats(&ms)
	rep := report{State: "done", Start: t0.UnixNano(), End: t1.UnixNano(), Mallocs: ms.Mallocs - m0}
	if err != nil {
		halt()
		rep.Err, rep.Halted = err.Error(), errors.Is(err, disruptor.ErrHalted)
	} else if err := tk.verdict(); err != nil {
		rep.Verdict = err.Error()
	}
	if h := e.hist; h != nil && h.TotalCount() > 0 {
		b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			return err
		}
		rep.Hist = string(b)
	}
	return l.out.Encode(rep)
}

// await reads the parent's next order, which must be want. If the parent
// closed its end instead, the run's directory goes.
func (l *link) await(want string) error {
	line, err := l.in.ReadString('\n')
	if err != nil {
		l.removeDir()
		return fmt.Errorf("waiting for %q from the parent: %w", want, err)
	}
	if got := strings.TrimSpace(line); got != want {
		return fmt.Errorf("the parent said %q, want %q", got, want)
	}
	return nil
}

// removeDir removes the run's directory, if it is one: a parent that died
// cannot.
func (l *link) removeDir() {
	if strings.HasPrefix(filepath.Base(l.dir), dirPrefix) {
		os.RemoveAll(l.dir)
	}
}
