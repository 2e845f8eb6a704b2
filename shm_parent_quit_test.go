package disruptor

// Goroutine dumps of the children of a failed cross-process test.

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// xquitWait bounds how long a child may take to print its goroutines and
// exit after SIGQUIT.
const xquitWait = 5 * time.Second

// xstacksMax bounds the goroutine dump kept of one child.
const xstacksMax = 256 << 10

// quitChildren sends SIGQUIT to every child still running, so that the Go
// runtime in it prints every goroutine's stack and exits, and keeps that
// dump apart from the child's other output (transcript prints it in
// full). A hang then shows where each process waited: in a claim, a
// park, a heal, or the harness's own pipe.
func quitChildren(kids []*xchild) {
	var quit []*xchild
	marks := map[*xchild]int{}
	for _, c := range kids {
		if c.exited() {
			continue
		}
		c.mu.Lock()
		marks[c] = c.raw.Len()
		c.mu.Unlock()
		if c.cmd.Process.Signal(syscall.SIGQUIT) == nil {
			quit = append(quit, c)
		}
	}
	until := time.After(xquitWait)
	for _, c := range quit {
		select {
		case <-c.done:
		case <-until:
		}
		c.mu.Lock()
		raw := c.raw.Bytes()
		dump := string(raw[marks[c]:])
		if len(dump) > xstacksMax {
			dump = dump[:xstacksMax] + "\n... (cut)\n"
		}
		if dump == "" {
			dump = "(none printed)\n"
		}
		c.stacks = dump
		c.raw.Truncate(marks[c])
		c.mu.Unlock()
	}
}

// TestQuitChildrenDumpsStacks: a child waiting for a command, sent
// SIGQUIT by the failure path, leaves its goroutines in its transcript.
// (Where in its role it is may vary: it may still be returning from the
// write of its "ready" report, so only the role's frame is asked for.)
func TestQuitChildrenDumpsStacks(t *testing.T) {
	x := newXT(t, 30*time.Second)
	x.create(16)
	c := x.child("p", helperSpec{Role: "producer", N: 1, WaitGo: true})
	c.next("ready")
	quitChildren([]*xchild{c})
	if !c.exited() {
		t.Fatalf("child %s still runs %v after SIGQUIT", c.name, xquitWait)
	}
	tr := c.transcript()
	for _, want := range []string{"goroutines when the test failed:", "goroutine ", "TestHelperProcess", "(*xhelper).producer"} {
		if !strings.Contains(tr, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, tr)
		}
	}
}
