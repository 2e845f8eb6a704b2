package bench

// The parent's side of an shm run: the children as it sees them.

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/disruptor-go/disruptor"
)

// proc is a child as the parent sees it.
type proc struct {
	name   string
	cmd    *exec.Cmd
	in     io.WriteCloser
	stderr firstBytes
	ready  bool
	done   *report // its done report
	exited bool
	err    error // how it exited, if it failed to
	killed bool  // it exited without a report after the parent gave up
}

// event is a report from child i, or (rep nil) the news of its exit.
type event struct {
	i   int
	rep *report
	err error
}

// shmRun is the parent's side of a run.
type shmRun struct {
	e       *env
	procs   []*proc
	events  chan event
	halt    func()
	aborted bool // the parent gave up on the run
}

// start starts child i.
func (r *shmRun) start(i int, name string, spec childSpec) error {
	spec.Config.Wait = r.e.scenario.WaitFor(spec.Config) // the parent's choice, whatever the child's processors
	js, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	argv := r.e.cfg.Child
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		argv = []string{exe}
	}
	p := &proc{name: name, cmd: exec.Command(argv[0], argv[1:]...)}
	p.cmd.Env = append(os.Environ(), ChildEnv+"="+string(js))
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = time.Second
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		return err
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := p.cmd.Start(); err != nil {
		return err
	}
	r.procs = append(r.procs, p)
	go func() {
		dec := json.NewDecoder(out)
		var err error
		for {
			rep := new(report)
			if err = dec.Decode(rep); err != nil {
				break
			}
			r.events <- event{i: i, rep: rep}
		}
		if err == io.EOF {
			err = nil
		}
		r.events <- event{i: i, err: cmp.Or(p.cmd.Wait(), err)}
	}()
	return nil
}

// order writes an order to a child. A child that cannot take it has
// exited, which its event will tell.
func (r *shmRun) order(p *proc, what string) { io.WriteString(p.in, what+"\n") }

// record takes in an event.
func (r *shmRun) record(ev event) {
	p := r.procs[ev.i]
	switch {
	case ev.rep == nil:
		p.exited, p.err, p.killed = true, ev.err, r.aborted && p.done == nil
		if p.done == nil || p.err != nil {
			r.halt() // a part ended without its report: the others would wait for it
		}
	case ev.rep.State == "ready":
		p.ready = true
	default:
		p.done = ev.rep
		if ev.rep.Err != "" && !ev.rep.Halted {
			r.halt()
		}
	}
}

// step waits for the next event, or for the run's context to end.
func (r *shmRun) step() error {
	select {
	case ev := <-r.events:
		r.record(ev)
		return nil
	case <-r.e.ctx.Done():
		return r.e.ctx.Err()
	}
}

func (r *shmRun) all(f func(*proc) bool) bool {
	for _, p := range r.procs {
		if !f(p) {
			return false
		}
	}
	return true
}

// abort gives up on the run: it halts the rings, ends the children and
// returns what went wrong with them, leaving out those only stopped by the
// halt (or by their end).
func (r *shmRun) abort() error {
	r.halt()
	r.aborted = true
	r.reap()
	var errs []error
	for _, p := range r.procs {
		if err := p.failure(); err != nil && !errors.Is(err, disruptor.ErrHalted) {
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
		}
	}
	return errors.Join(errs...)
}

// reap tells the children to end (closing their stdin) and waits until
// every one has exited, killing those that take longer than reapGrace.
func (r *shmRun) reap() {
	for _, p := range r.procs {
		p.in.Close()
	}
	grace := time.NewTimer(reapGrace)
	defer grace.Stop()
	for !r.all(func(p *proc) bool { return p.exited }) {
		select {
		case ev := <-r.events:
			r.record(ev)
		case <-grace.C:
			for _, p := range r.procs {
				if !p.exited {
					p.cmd.Process.Kill()
				}
			}
		}
	}
}

// outcome is the run's verdict from the children's reports and exits.
func (r *shmRun) outcome() error {
	names := make([]string, len(r.procs))
	errs := make([]error, len(r.procs))
	for i, p := range r.procs {
		names[i] = p.name
		errs[i] = p.failure()
	}
	return outcome(names, errs, func(i int) error {
		if v := r.procs[i].done.Verdict; v != "" {
			return errors.New(v)
		}
		return nil
	})
}

// failure is what went wrong with a child, if anything did.
func (p *proc) failure() error {
	switch {
	case p.done != nil && p.done.Err != "":
		return &remoteError{msg: p.done.Err, halted: p.done.Halted}
	case p.killed: // a consequence of the failure that made the parent give up
		return &remoteError{msg: "stopped when the run failed", halted: true}
	case p.exited && p.err != nil:
		return fmt.Errorf("process %d: %v%s", p.cmd.Process.Pid, p.err, p.stderr.quote())
	case p.done == nil && p.exited:
		return fmt.Errorf("process %d exited without reporting%s", p.cmd.Process.Pid, p.stderr.quote())
	case p.done == nil:
		return errors.New("no report")
	}
	return nil
}

// figures sets the run's figures from the children's reports: the timed
// section from the earliest start to the latest end, the sum of their
// allocations, and their latencies merged.
func (r *shmRun) figures() error {
	var start, end int64
	for _, p := range r.procs {
		d := p.done
		if start == 0 || d.Start < start {
			start = d.Start
		}
		end = max(end, d.End)
		r.e.mallocs += d.Mallocs
		if d.Hist != "" && r.e.hist != nil {
			h, err := hdrhistogram.Decode([]byte(d.Hist))
			if err != nil {
				return fmt.Errorf("%s: latencies: %w", p.name, err)
			}
			r.e.hist.Merge(h)
		}
	}
	r.e.elapsed = max(time.Duration(end-start), 1)
	return nil
}

// firstBytes keeps the first 2 KiB written to it.
type firstBytes struct{ b []byte }

func (f *firstBytes) Write(p []byte) (int, error) {
	f.b = append(f.b, p[:min(len(p), max(0, 2048-len(f.b)))]...)
	return len(p), nil
}

// quote is what was kept, for an error message.
func (f *firstBytes) quote() string {
	s := strings.TrimSpace(string(f.b))
	if s == "" {
		return ""
	}
	return "; its stderr: " + s
}
