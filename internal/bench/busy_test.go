//go:build unix

package bench

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// alive reports whether process pid exists (a zombie counts).
func alive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// TestBusyStop: Stop kills a spinning busy process and reaps it.
func TestBusyStop(t *testing.T) {
	b, err := StartBusy(1, []string{os.Args[0]})
	if err != nil {
		t.Fatal(err)
	}
	pids := b.PIDs()
	if len(pids) != 1 || !alive(pids[0]) {
		t.Fatalf("busy processes %v, want 1 alive", pids)
	}
	if err := b.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if alive(pids[0]) {
		t.Errorf("busy process %d outlived Stop", pids[0])
	}
	if err := b.Stop(); err != nil {
		t.Errorf("a second Stop: %v", err)
	}
}

// TestBusyStdinEnds: a busy process exits once its stdin ends (where
// Pdeathsig is missing, that is how it follows its parent), and Stop then
// says it had exited early.
func TestBusyStdinEnds(t *testing.T) {
	b, err := StartBusy(1, []string{os.Args[0]})
	if err != nil {
		t.Fatal(err)
	}
	p := b.procs[0]
	p.in.Close()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		b.Stop()
		t.Fatal("the busy process kept spinning after its stdin ended")
	}
	if err := b.Stop(); err == nil {
		t.Error("Stop did not report the busy process that had exited early")
	}
}
