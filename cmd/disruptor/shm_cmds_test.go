package main

import (
	"bufio"
	"bytes"
	"encoding/json"
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

// The shared-memory commands, run as processes on rings in t.TempDir().

// proc is a command running in the background; its stderr is read line by
// line as it comes.
type proc struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	mu     sync.Mutex
	lines  []string // stderr so far
	more   chan struct{}
	done   chan struct{} // closed when stderr is drained
}

// start runs the command with args in the background; the test's end kills
// it if it is still running.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(os.Args[0], args...), more: make(chan struct{}, 1), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), mainEnv+"=1")
	p.cmd.Stdout = &p.stdout
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
	}()
	return p
}

// waitFor waits until a stderr line satisfies ok.
func (p *proc) waitFor(t *testing.T, what string, ok func(line string) bool) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for seen := 0; ; {
		p.mu.Lock()
		lines := p.lines[seen:]
		seen = len(p.lines)
		p.mu.Unlock()
		for _, l := range lines {
			if ok(l) {
				return
			}
		}
		select {
		case <-p.more:
		case <-p.done:
			t.Fatalf("%v exited before %s; stderr:\n%s", p.cmd.Args[1:], what, p.stderr())
		case <-timeout:
			t.Fatalf("%v: no %s; stderr:\n%s", p.cmd.Args[1:], what, p.stderr())
		}
	}
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// wait waits for the command to exit with code and decodes its stdout, a
// JSON summary, into v.
func (p *proc) wait(t *testing.T, code int, v any) {
	t.Helper()
	timer := time.AfterFunc(20*time.Second, func() { p.cmd.Process.Kill() })
	defer timer.Stop()
	<-p.done
	p.cmd.Wait()
	if got := p.cmd.ProcessState.ExitCode(); got != code {
		t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", p.cmd.Args[1:], got, code, p.stdout.String(), p.stderr())
	}
	decodeStrict(t, p.stdout.String(), v)
}

func decodeStrict(t *testing.T, s string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}

// progressEvents parses the events count of a consume progress line.
func progressEvents(line string) int64 {
	_, rest, ok := strings.Cut(line, "events ")
	if !strings.HasPrefix(line, "consume: ") || !ok {
		return -1
	}
	n, _ := strconv.ParseInt(strings.TrimSuffix(strings.Fields(rest)[0], ","), 10, 64)
	return n
}

func TestProduceConsume(t *testing.T) {
	ring := filepath.Join(t.TempDir(), "ring")
	c := start(t, "consume", ring, "-json", "-every", "0") // waits for the ring
	p := start(t, "produce", ring, "-size", "256", "-count", "20000", "-consumers", "1", "-json", "-every", "0")
	var ps produceSummary
	p.wait(t, 0, &ps)
	var cs consumeSummary
	c.wait(t, 0, &cs)
	if !ps.Created || ps.Published != 20000 || ps.FirstSeq != 0 || ps.LastSeq != 19999 || !ps.EOF || ps.Interrupted {
		t.Errorf("produce: %+v", ps)
	}
	if cs.Resumed || cs.After != -1 || cs.Events != 20000 || cs.FirstSeq != 0 || cs.LastSeq != 19999 || !cs.EOF ||
		cs.Left != "detached" || len(cs.Runs) != 1 || cs.Runs[0].Run != ps.Run || cs.Runs[0].Last != 19999 {
		t.Errorf("consume: %+v", cs)
	}
}

// Two producers at once into a multi-producer ring: one consumer reads both
// runs whole, past the first producer's EOF, and ends at the second's.
func TestProduceMulti(t *testing.T) {
	ring := filepath.Join(t.TempDir(), "ring")
	var ps [2]produceSummary
	p1 := start(t, "produce", ring, "-multi", "-size", "16384", "-count", "5000", "-name", "p1", "-json", "-every", "0")
	p2 := start(t, "produce", ring, "-multi", "-size", "16384", "-count", "5000", "-name", "p2", "-json", "-every", "0")
	p1.wait(t, 0, &ps[0])
	p2.wait(t, 0, &ps[1])
	var cs consumeSummary
	decodeStrict(t, disruptor(t, "consume", ring, "-json", "-every", "0").stdout, &cs)
	if cs.Events != 10000 || !cs.EOF || len(cs.Runs) != 2 || cs.Runs[0].Events != 5000 || cs.Runs[1].Events != 5000 {
		t.Errorf("consume: %+v", cs)
	}
}

// ringInfo is the part of inspect's JSON the tests look at.
type ringInfo struct {
	Path      string `json:"path"`
	Capacity  int    `json:"capacity"`
	Type      string `json:"type"`
	Cursor    int64  `json:"cursor"`
	Producers []struct {
		Name     string `json:"name"`
		State    string `json:"state"`
		Producer struct {
			Published int64 `json:"events_published"`
		} `json:"producer"`
	} `json:"producers"`
	Consumers []struct {
		Name     string `json:"name"`
		State    string `json:"state"`
		Position int64  `json:"position"`
		Lag      int64  `json:"lag"`
	} `json:"consumers"`
}

func TestInspectLsRm(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "r1")
	disruptor(t, "produce", ring, "-size", "128", "-count", "100", "-every", "0").expect(t, 0, "published 100 events", "")
	disruptor(t, "consume", "-id", "c1", "-count", "10", ring).expect(t, 0, `consumer "c1" (new, after sequence -1) read 10 events`, "")
	junk := filepath.Join(dir, "junk")
	if err := os.WriteFile(junk, []byte("not a ring, not at all"), 0o600); err != nil {
		t.Fatal(err)
	}

	var in ringInfo
	json.Unmarshal([]byte(disruptor(t, "inspect", "-json", ring).stdout), &in)
	if in.Path != ring || in.Capacity != 128 || in.Type != "testevent.Event" || in.Cursor != 100 ||
		len(in.Producers) != 1 || in.Producers[0].Name != "produce" || in.Producers[0].State != "closed" ||
		in.Producers[0].Producer.Published != 100 || len(in.Consumers) != 1 || in.Consumers[0].Name != "c1" ||
		in.Consumers[0].State != "detached" || in.Consumers[0].Position != 9 || in.Consumers[0].Lag != 91 {
		t.Errorf("inspect -json: %+v", in)
	}
	disruptor(t, "inspect", "r1", "-dir", dir).expect(t, 0, "128 slots of 72 B, single-producer", "")
	disruptor(t, "inspect", junk).expect(t, 1, "", "not a ring file")

	o := disruptor(t, "ls", "-dir", dir, "-json")
	var ls ringInfo
	decodeStrict(t, o.stdout, &json.RawMessage{})
	json.Unmarshal([]byte(o.stdout), &ls)
	if strings.Count(o.stdout, "\n") != 1 || ls.Path != ring || len(ls.Consumers) != 1 {
		t.Errorf("ls -json:\n%s", o.stdout)
	}
	disruptor(t, "ls", "-dir", dir).expect(t, 0, "  consumer  c1 ", "")

	disruptor(t, "rm", junk, ring+"-nope").expect(t, 1, "", "junk: disruptor: path holds something that is not a ring: 22 bytes of something else")
	disruptor(t, "rm", "-dir", dir, "r1").expect(t, 0, "", "")
	disruptor(t, "rm", "-f", junk, ring+"-nope").expect(t, 0, "", "")
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left in the directory: %v", ents)
	}
}

// A consumer interrupted mid-stream detaches; the next one with its id
// resumes right after its last event. The producer, interrupted too, ends
// with EOF. Nothing is lost or repeated.
func TestConsumeResumes(t *testing.T) {
	ring := filepath.Join(t.TempDir(), "ring")
	c1 := start(t, "consume", ring, "-id", "r", "-json", "-every", "20ms")
	p := start(t, "produce", ring, "-size", "256", "-rate", "5000", "-consumers", "1", "-json", "-every", "0")
	c1.waitFor(t, "progress", func(l string) bool { return progressEvents(l) > 0 })
	c1.cmd.Process.Signal(syscall.SIGINT)
	var s1 consumeSummary
	c1.wait(t, 0, &s1)

	c2 := start(t, "consume", ring, "-id", "r", "-json", "-every", "20ms")
	c2.waitFor(t, "progress", func(l string) bool { return progressEvents(l) > 0 })
	p.cmd.Process.Signal(syscall.SIGINT)
	var ps produceSummary
	p.wait(t, 0, &ps)
	var s2 consumeSummary
	c2.wait(t, 0, &s2)

	if !s1.Interrupted || s1.EOF || s1.Events == 0 || s1.Left != "detached" || len(s1.Runs) != 1 {
		t.Fatalf("first consumer: %+v", s1)
	}
	if !ps.Interrupted || !ps.EOF {
		t.Errorf("produce: %+v", ps)
	}
	if !s2.Resumed || s2.After != s1.LastSeq || s2.FirstSeq != s1.LastSeq+1 || !s2.EOF || len(s2.Runs) != 1 ||
		s2.Runs[0].First != s1.Runs[0].Last+1 {
		t.Errorf("resumed consumer: %+v\nafter: %+v", s2, s1)
	}
	if s1.Events+s2.Events != ps.Published || s2.LastSeq != ps.LastSeq {
		t.Errorf("consumers read %d + %d events, up to %d; producer published %d, up to %d",
			s1.Events, s2.Events, s2.LastSeq, ps.Published, ps.LastSeq)
	}
}

// A producer that leaves without EOF: consumers read what it published,
// then report it gone.
func TestConsumeProducerGone(t *testing.T) {
	ring := filepath.Join(t.TempDir(), "ring")
	disruptor(t, "produce", ring, "-count", "100", "-eof=false").expect(t, 0, "left open (no EOF)", "")
	o := disruptor(t, "consume", ring)
	o.expect(t, 1, `read 100 events`, "producer process gone")
	if !strings.Contains(o.stderr, `consumer "console" detached after sequence 99`) {
		t.Errorf("stderr: %s", o.stderr)
	}
	// The producer comes back: the stream goes on where it was.
	disruptor(t, "produce", ring, "-count", "5").expect(t, 0, "sequences 100..104", "")
	disruptor(t, "consume", ring).expect(t, 0, `EOF: consumer "console" (resumed, after sequence 99) read 5 events`, "")
}

func TestShmUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"produce"}, "want one ring NAME or PATH, have 0 arguments"},
		{[]string{"produce", "r", "-size", "1000"}, "-size 1000 is not a power of two"},
		{[]string{"produce", "r", "-rate", "-1"}, "may not be negative"},
		{[]string{"consume", "a", "b"}, "want one ring NAME or PATH, have 2 arguments"},
		{[]string{"consume", "r", "-from", "middle"}, `-from "middle": want oldest or latest`},
		{[]string{"inspect"}, "want a ring NAME or PATH"},
		{[]string{"rm"}, "want ring NAMEs or PATHs"},
		{[]string{"ls", "x"}, "unexpected arguments"},
		{[]string{"ls", "-frob"}, "flag provided but not defined: -frob"},
	} {
		o := disruptor(t, c.args...)
		o.expect(t, 2, "", c.want)
		if o.stdout != "" {
			t.Errorf("%v: stdout: %s", c.args, o.stdout)
		}
	}
	for _, c := range []string{"ls", "inspect", "rm", "produce", "consume"} {
		disruptor(t, c, "-h").expect(t, 0, "usage: disruptor "+c, "")
	}
}
