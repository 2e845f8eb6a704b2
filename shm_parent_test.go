package disruptor

// The parent side of the cross-process tests: starting children, talking
// to them, and reporting what they saw (see shm_helper_test.go).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// xt is one cross-process test: its ring file, its children, a hard
// deadline, and what to print when it fails.
type xt struct {
	*testing.T
	path     string
	ctx      context.Context // ends at the deadline
	deadline time.Time
	rng      *rand.Rand
	seed     uint64

	mu       sync.Mutex
	children []*xchild
	rings    []*Ring[xev]
	wg       sync.WaitGroup
	errs     []error
}

// xsoak reports whether the soak tier (DISRUPTOR_SOAK=1) is asked for.
func xsoak() bool { return os.Getenv("DISRUPTOR_SOAK") == "1" }

// xscaled is n, or big in the soak tier.
func xscaled(n, big int64) int64 {
	if xsoak() {
		return big
	}
	return n
}

// newXT starts a cross-process test bounded by d (ten times longer in the
// soak tier). Its random seed comes from DISRUPTOR_SEED if set, mixed with
// the test's name, and is logged.
func newXT(t *testing.T, d time.Duration) *xt {
	t.Helper()
	if xsoak() {
		d *= 10
	}
	base := uint64(time.Now().UnixNano())
	if v := os.Getenv("DISRUPTOR_SEED"); v != "" {
		s, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			t.Fatalf("DISRUPTOR_SEED=%q: %v", v, err)
		}
		base = uint64(s)
	}
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	seed := base ^ h.Sum64()
	t.Logf("seed: repeat with DISRUPTOR_SEED=%d go test -run '^%s$'", int64(base), t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), d)
	x := &xt{T: t, path: filepath.Join(t.TempDir(), "ring"), ctx: ctx, rng: rand.New(rand.NewPCG(seed, 1)), seed: seed}
	x.deadline, _ = ctx.Deadline()
	t.Cleanup(func() {
		failed := t.Failed()
		x.mu.Lock()
		kids := x.children
		x.mu.Unlock()
		if failed {
			// While the children still run as the failure found them:
			// the ring, then each live child's goroutines.
			x.Logf("the ring as the failure left it:\n%s", x.describe())
			quitChildren(kids)
		}
		for _, c := range kids {
			c.kill()
		}
		if failed || ctx.Err() != nil {
			for _, r := range x.rings {
				r.Halt() // parent goroutines blocked on the ring return
			}
		}
		cancel()
		x.wg.Wait()
		for _, err := range x.errs {
			t.Error(err)
		}
		for _, c := range kids {
			select {
			case <-c.done:
			case <-time.After(10 * time.Second):
				t.Errorf("child %s: did not exit after SIGKILL", c.name)
			}
			if t.Failed() {
				x.Logf("child %s (pid %d) %s:\n%s", c.name, c.pid(), c.exitStatus(), c.transcript())
			}
		}
		for _, r := range x.rings {
			r.Close()
		}
	})
	return x
}

// describe is Inspect's view of the ring, for failure messages.
func (x *xt) describe() string {
	in, err := Inspect(x.path)
	if err != nil {
		return fmt.Sprintf("Inspect: %v", err)
	}
	b, _ := json.MarshalIndent(in, "", "  ")
	return string(b)
}

// failf fails the test now (the cleanup prints Inspect's view of the ring
// and what every child said).
func (x *xt) failf(format string, args ...any) {
	x.Helper()
	x.Fatalf(format, args...)
}

// create makes the test's ring in the parent.
func (x *xt) create(size int, opts ...Option) *Ring[xev] {
	x.Helper()
	return x.createAt(x.path, size, opts...)
}

// createAt makes another ring of the test, closed with it.
func (x *xt) createAt(path string, size int, opts ...Option) *Ring[xev] {
	x.Helper()
	r, err := Create[xev](path, size, opts...)
	if err != nil {
		x.Fatal(err)
	}
	x.mu.Lock()
	x.rings = append(x.rings, r)
	x.mu.Unlock()
	return r
}

// attach opens another handle on the test's ring in the parent.
func (x *xt) attach(opts ...Option) *Ring[xev] {
	x.Helper()
	r, err := Attach[xev](x.path, opts...)
	if err != nil {
		x.Fatal(err)
	}
	x.mu.Lock()
	x.rings = append(x.rings, r)
	x.mu.Unlock()
	return r
}

// goDo runs f in a goroutine of the parent; its failure fails the test and
// halts the test's rings. The result arrives on the returned channel.
func (x *xt) goDo(name string, f func() error) <-chan error {
	done := make(chan error, 1)
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		err := f()
		if err != nil {
			err = fmt.Errorf("%s: %w", name, err)
			x.mu.Lock()
			x.errs = append(x.errs, err)
			rings := x.rings
			x.mu.Unlock()
			for _, r := range rings {
				r.Halt() // the others, here and in children, return now
			}
		}
		done <- err
	}()
	return done
}

// recv waits for a result of goDo until the deadline.
func (x *xt) recv(what string, ch <-chan error) error {
	x.Helper()
	select {
	case err := <-ch:
		return err
	case <-x.ctx.Done():
		x.failf("deadline: %s still running", what)
	}
	return nil
}

// inspect returns Inspect's view of the ring.
func (x *xt) inspect() *RingInfo {
	x.Helper()
	in, err := Inspect(x.path)
	if err != nil {
		x.Fatalf("Inspect: %v", err)
	}
	return in
}

// consumerInfo finds a consumer in Inspect's view by name.
func consumerInfo(in *RingInfo, name string) (Participant, bool) {
	for _, c := range in.Consumers {
		if c.Name == name {
			return c, true
		}
	}
	return Participant{}, false
}

func producerInfo(in *RingInfo, name string) (Participant, bool) {
	for _, p := range in.Producers {
		if p.Name == name {
			return p, true
		}
	}
	return Participant{}, false
}

// xchild is a running child process.
type xchild struct {
	x    *xt
	name string
	spec helperSpec
	cmd  *exec.Cmd
	in   io.WriteCloser

	mu     sync.Mutex
	msgs   []xmsg
	pos    int // messages before pos were taken by next
	raw    bytes.Buffer
	note   chan struct{} // a message arrived or the child exited
	done   chan struct{} // the child exited and its output is read
	status string
	failed string // the first error it reported ("error" messages), kept as they arrive
	stacks string // its goroutines when the test failed (quitChildren)
}

// child starts a child with spec (its Path defaults to the test's ring).
func (x *xt) child(name string, spec helperSpec) *xchild {
	x.Helper()
	if spec.Path == "" {
		spec.Path = x.path
	}
	if spec.Name == "" {
		spec.Name = name
	}
	if spec.Seed == 0 {
		spec.Seed = x.rng.Uint64()
	}
	if spec.Deadline == 0 {
		spec.Deadline = time.Until(x.deadline) + 5*time.Second
	}
	js, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envShmHelper+"="+string(js))
	cmd.SysProcAttr = childAttr()
	c := &xchild{x: x, name: name, spec: spec, cmd: cmd, note: make(chan struct{}, 1), done: make(chan struct{})}
	var err error
	if c.in, err = cmd.StdinPipe(); err != nil {
		x.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		x.Fatal(err)
	}
	cmd.Stderr = &xlockedWriter{c: c}
	if err := cmd.Start(); err != nil {
		x.Fatal(err)
	}
	x.mu.Lock()
	x.children = append(x.children, c)
	x.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			c.mu.Lock()
			if js, ok := bytes.CutPrefix(line, []byte("SHM ")); ok {
				var m xmsg
				if err := json.Unmarshal(js, &m); err == nil {
					c.msgs = append(c.msgs, m)
					if m.Ev == "error" && c.failed == "" {
						c.failed = m.Err
					}
				} else {
					fmt.Fprintf(&c.raw, "unparsable: %s\n", line)
				}
			} else {
				fmt.Fprintf(&c.raw, "%s\n", line)
			}
			c.mu.Unlock()
			c.poke()
		}
		err := cmd.Wait()
		c.mu.Lock()
		if err != nil {
			c.status = err.Error()
		} else {
			c.status = "exited 0"
		}
		c.mu.Unlock()
		close(c.done)
		c.poke()
	}()
	return c
}

type xlockedWriter struct{ c *xchild }

func (w *xlockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.raw.Write(p)
}

func (c *xchild) poke() {
	select {
	case c.note <- struct{}{}:
	default:
	}
}

func (c *xchild) pid() int {
	if c.cmd.Process == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

func (c *xchild) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *xchild) exitStatus() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status == "" {
		return "running"
	}
	return c.status
}

// transcript is everything the child said, progress messages elided.
func (c *xchild) transcript() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	progress := 0
	for i, m := range c.msgs {
		if (m.Ev == "got" || m.Ev == "pub" || m.Ev == "seen") && i < len(c.msgs)-5 {
			progress++
			continue
		}
		if progress > 0 {
			fmt.Fprintf(&b, "  ... %d progress messages\n", progress)
			progress = 0
		}
		js, _ := json.Marshal(m)
		fmt.Fprintf(&b, "  %s\n", js)
	}
	if c.raw.Len() > 0 {
		raw := c.raw.String()
		if len(raw) > 4000 {
			raw = "..." + raw[len(raw)-4000:]
		}
		fmt.Fprintf(&b, "  output:\n%s", raw)
	}
	if c.stacks != "" {
		fmt.Fprintf(&b, "  goroutines when the test failed:\n%s", c.stacks)
	}
	return b.String()
}

// send writes a command to the child.
func (c *xchild) send(cmd string) {
	c.x.Helper()
	if _, err := io.WriteString(c.in, cmd+"\n"); err != nil {
		c.x.failf("child %s: command %q: %v", c.name, cmd, err)
	}
}

// kill sends SIGKILL (if the child still runs) and returns when it is
// gone; its output is all read.
func (c *xchild) kill() {
	if !c.exited() {
		c.cmd.Process.Signal(syscall.SIGKILL)
	}
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
	}
}

// next waits for the child's next message whose Ev is one of evs, passing
// over others; an "error" message, the child's exit or the deadline fails
// the test.
func (c *xchild) next(evs ...string) xmsg {
	c.x.Helper()
	m, ok := c.nextOrExit(evs...)
	if !ok {
		c.x.failf("child %s: exited (%s) before sending %v", c.name, c.exitStatus(), evs)
	}
	return m
}

// nextOrExit is next that reports the child's exit as false.
func (c *xchild) nextOrExit(evs ...string) (xmsg, bool) {
	c.x.Helper()
	return c.nextBefore(nil, evs...)
}

// nextBefore is nextOrExit that also gives up, reporting false, when stop
// fires (a nil stop never does); the child's exit tells the two apart.
func (c *xchild) nextBefore(stop <-chan time.Time, evs ...string) (xmsg, bool) {
	c.x.Helper()
	for {
		c.mu.Lock()
		for c.pos < len(c.msgs) {
			m := c.msgs[c.pos]
			c.pos++
			for _, e := range evs {
				if m.Ev == e {
					c.mu.Unlock()
					return m, true
				}
			}
			if m.Ev == "error" {
				c.mu.Unlock()
				c.x.failf("child %s: %s", c.name, m.Err)
			}
		}
		c.mu.Unlock()
		if c.exited() {
			c.mu.Lock()
			more := c.pos < len(c.msgs)
			c.mu.Unlock()
			if !more {
				return xmsg{}, false
			}
			continue
		}
		select {
		case <-c.note:
		case <-stop:
			return xmsg{}, false
		case <-c.x.ctx.Done():
			c.x.failf("deadline: child %s never sent %v", c.name, evs)
		}
	}
}

// reported returns the first error the child reported, if any, without
// going through its messages.
func (c *xchild) reported() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed, c.failed != ""
}

// all returns every message the child sent so far with the given Ev.
func (c *xchild) all(ev string) []xmsg {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []xmsg
	for _, m := range c.msgs {
		if m.Ev == ev {
			out = append(out, m)
		}
	}
	return out
}

// waitExit waits for the child to exit and returns its status.
func (c *xchild) waitExit() string {
	c.x.Helper()
	select {
	case <-c.done:
	case <-c.x.ctx.Done():
		c.x.failf("deadline: child %s still running", c.name)
	}
	return c.exitStatus()
}

// count waits until the child has sent at least n messages with Ev ev.
func (c *xchild) count(ev string, n int) {
	c.x.Helper()
	for {
		if len(c.all(ev)) >= n {
			return
		}
		if c.exited() {
			c.x.failf("child %s exited (%s) after %d of %d %q messages", c.name, c.exitStatus(), len(c.all(ev)), n, ev)
		}
		for _, m := range c.all("error") {
			c.x.failf("child %s: %s", c.name, m.Err)
		}
		select {
		case <-c.note:
		case <-c.x.ctx.Done():
			c.x.failf("deadline: child %s sent %d of %d %q messages", c.name, len(c.all(ev)), n, ev)
		}
	}
}
