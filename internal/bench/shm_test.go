package bench

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the children of shm runs (they
// are this executable again, their part in ChildEnv) and as busy processes.
func TestMain(m *testing.M) {
	if IsBusy() {
		Spin(os.Stdin, os.Stdout)
	}
	if IsChild() {
		if err := RunChild(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// shmQuick is quick for shm runs, whose directories go under a test's own
// directory, so that the test can see they are removed.
func shmQuick(t *testing.T, events int64, ring int) Config {
	t.Helper()
	base := t.TempDir()
	old := shmBase
	shmBase = base
	t.Cleanup(func() {
		shmBase = old
		left, err := os.ReadDir(base)
		if err != nil || len(left) > 0 {
			t.Errorf("left behind in %s: %v %v", base, left, err)
		}
	})
	cfg := quick(events, ring)
	cfg.Transport = Shm
	return cfg
}

func TestShmScenariosCheckOut(t *testing.T) {
	for _, s := range Scenarios() {
		for _, c := range []struct {
			events int64
			ring   int
		}{{1, 2}, {17, 8}, {3000, 0}} {
			var tm nopTimer
			smp, err := RunOnce(s, Disruptor, shmQuick(t, c.events, c.ring), &tm)
			if err != nil {
				t.Fatalf("%s events=%d ring=%d: %v", s.Name, c.events, c.ring, err)
			}
			if tm.starts != 1 || tm.stops != 1 {
				t.Errorf("%s: timer started %d and stopped %d times, want 1 and 1", s.Name, tm.starts, tm.stops)
			}
			if smp.Events != c.events || smp.Elapsed <= 0 {
				t.Errorf("%s: sample of %d events in %v, want %d", s.Name, smp.Events, smp.Elapsed, c.events)
			}
			if s.Latency && (smp.Latency == nil || smp.Latency.TotalCount() != c.events) {
				t.Errorf("%s: latency histogram missing or short", s.Name)
			}
		}
	}
}

// TestShmChecksCatchCorruption: the checks of every consumer process fail
// a run whose producer corrupts a payload.
func TestShmChecksCatchCorruption(t *testing.T) {
	for _, s := range Scenarios() {
		for _, bad := range []int64{1, 500} {
			cfg := shmQuick(t, 500, 16)
			cfg.Corrupt = bad
			if s.Name == "mpsc" {
				cfg.Events = 500 * mpscProducers
			}
			_, err := RunOnce(s, Disruptor, cfg, &nopTimer{})
			want := fmt.Sprintf("%s/disruptor/shm: ", s.Name)
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprint(^(bad-1))) {
				t.Errorf("%s: payload %d corrupted: got %v", s.Name, bad-1, err)
			}
		}
	}
}

// TestShmFailures: a run whose children fail, or never answer, or outlast
// the timeout, fails without hanging and leaves nothing behind.
func TestShmFailures(t *testing.T) {
	defer func(d time.Duration) { reapGrace = d }(reapGrace)
	reapGrace = 200 * time.Millisecond
	s, _ := Lookup("pipeline")
	for _, c := range []struct {
		name  string
		child []string
		tmo   time.Duration
		want  string
	}{
		{"crash", []string{"/bin/sh", "-c", "echo boom >&2; exit 3"}, 10 * time.Second, "exit status 3; its stderr: boom"},
		{"garbage", []string{"/bin/sh", "-c", "echo '{not json'"}, 10 * time.Second, "invalid character"},
		{"mute", []string{"/bin/sh", "-c", "exec sleep 60"}, 300 * time.Millisecond, "took longer than the timeout"},
		{"missing", []string{"/nonexistent/disruptor"}, 10 * time.Second, "stage1: fork/exec /nonexistent"},
		{"slow", nil, 50 * time.Millisecond, "took longer than the timeout"},
	} {
		cfg := shmQuick(t, 10_000_000, 0)
		cfg.Child, cfg.Timeout = c.child, c.tmo
		t0 := time.Now()
		_, err := RunOnce(s[0], Disruptor, cfg, &nopTimer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
		t.Logf("%s: %v", c.name, err)
		if d := time.Since(t0); d > 5*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		}
	}
}
