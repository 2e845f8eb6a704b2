package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// marked lists the processes whose environment holds env=value.
func marked(t *testing.T, env, value string) []int {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*/environ")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil || !slices.ContainsFunc(bytes.Split(b, []byte{0}), func(kv []byte) bool { return string(kv) == env+"="+value }) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		pids = append(pids, pid)
	}
	return pids
}

// TestBenchBusy: -busy 1 runs a spinning process beside a tiny measurement,
// says so in the rows and the header, and leaves no process behind.
func TestBenchBusy(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("finds the busy processes in /proc")
	}
	mark := fmt.Sprintf("%s-%d-%d", t.Name(), os.Getpid(), time.Now().UnixNano())
	const markEnv = "DISRUPTOR_TEST_BUSY_MARK" // inherited by the busy processes
	cmd := exec.Command(os.Args[0], "bench", "-busy", "1", "-json", "-scenario", "pingpong", "-wait", "block",
		"-events", "2000", "-runs", "2")
	cmd.Env = append(os.Environ(), mainEnv+"=1", markEnv+"="+mark)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()

	// Watch for the busy process while bench runs: its child, marked.
	var mu sync.Mutex
	seen := map[int]bool{}
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		for {
			for _, pid := range marked(t, markEnv, mark) {
				if pid != cmd.Process.Pid {
					mu.Lock()
					seen[pid] = true
					mu.Unlock()
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-watched
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	for _, r := range rows(t, stdout.String()) {
		if r.Busy == nil || *r.Busy != 1 {
			t.Errorf("row without busy 1: %+v", r)
		}
	}
	if len(seen) != 1 {
		t.Errorf("saw busy processes %v while bench ran, want 1", seen)
	}
	for pid := range seen {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil && slices.Contains(marked(t, markEnv, mark), pid) {
			t.Errorf("busy process %d outlived bench", pid)
		}
	}
	if left := marked(t, markEnv, mark); len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}

	o := disruptor(t, "bench", "-busy", "1", "-scenario", "unicast", "-events", "1000", "-runs", "1")
	o.expect(t, 0, "GOMAXPROCS "+strconv.Itoa(runtime.GOMAXPROCS(0))+", busy 1,", "")
	if !strings.Contains(o.stdout, "unicast") {
		t.Errorf("no unicast rows:\n%s", o.stdout)
	}
}
