package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tests run the command as a process: the test binary re-executed with
// this variable set runs main instead of the tests, so exit statuses and
// the split between stdout and stderr are the real ones.
const mainEnv = "DISRUPTOR_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

type outcome struct {
	stdout, stderr string
	code           int
}

// disruptor runs the command with args and a deadline.
func disruptor(t *testing.T, args ...string) outcome {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		o.code = ee.ExitCode()
	default:
		t.Fatalf("disruptor %s: %v", strings.Join(args, " "), err)
	}
	return o
}

func (o outcome) expect(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if o.code != code || !strings.Contains(o.stdout, stdout) || !strings.Contains(o.stderr, stderr) {
		t.Errorf("exit %d, want %d; stdout should contain %q, stderr %q\nstdout:\n%s\nstderr:\n%s",
			o.code, code, stdout, stderr, o.stdout, o.stderr)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		o := disruptor(t, args...)
		o.expect(t, 0, "bench", "")
		if o.stderr != "" {
			t.Errorf("%v: help went to stderr: %s", args, o.stderr)
		}
	}
	for _, args := range [][]string{{"bench", "-h"}, {"help", "bench"}} {
		disruptor(t, args...).expect(t, 0, "-scenario list", "")
	}
	disruptor(t).expect(t, 2, "", "The commands are")
	disruptor(t, "help", "frobnicate").expect(t, 2, "", `unknown command "frobnicate"`)
}

func TestUnknownCommand(t *testing.T) {
	o := disruptor(t, "frobnicate", "-x")
	o.expect(t, 2, "", `disruptor: unknown command "frobnicate"`)
	if o.stdout != "" {
		t.Errorf("stdout: %s", o.stdout)
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-scenario", "unicast,nope"}, `unknown scenario "nope" (valid: unicast, unicast-batch, mpsc,`},
		{[]string{"-transport", "tcp"}, `unknown transport "tcp" (valid: inproc, shm)`},
		{[]string{"-ring", "1000"}, "ring size 1000 is not a power of two"},
		{[]string{"-wait", "nap"}, `unknown wait strategy "nap"`},
		{[]string{"-wait", "spin,nap"}, `-wait: unknown wait strategy "nap"`},
		{[]string{"-events", "-5"}, "-events must be positive"},
		{[]string{"-runs", "0"}, "-runs must be at least 1"},
		{[]string{"-busy", "-1"}, "-busy must be 0 or more, not -1"},
		{[]string{"-work", "-3"}, "-work must be 0 or more, not -3"},
		{[]string{"-frob"}, "flag provided but not defined: -frob"},
		{[]string{"extra"}, "unexpected arguments: extra"},
	} {
		o := disruptor(t, append([]string{"bench"}, c.args...)...)
		o.expect(t, 2, "", c.want)
		if o.stdout != "" {
			t.Errorf("%v: stdout: %s", c.args, o.stdout)
		}
	}
}

// row is the JSON of one measurement, with every field decoded strictly.
type row struct {
	Scenario       string   `json:"scenario"`
	Transport      string   `json:"transport"`
	Impl           string   `json:"impl"`
	Events         int64    `json:"events"`
	Runs           int      `json:"runs"`
	NsPerEvent     float64  `json:"ns_per_event"`
	EventsPerSec   float64  `json:"events_per_sec"`
	AllocsPerEvent *float64 `json:"allocs_per_event"`
	Ring           int      `json:"ring"`
	Busy           *int     `json:"busy"`
	Wait           string   `json:"wait"`
	Counters       *bool    `json:"counters"`
	P50            int64    `json:"p50_ns"`
	P99            int64    `json:"p99_ns"`
	P999           int64    `json:"p999_ns"`
	RatioToChannel *float64 `json:"ratio_to_channel"`
	RatioToFloor   *float64 `json:"ratio_to_floor"`
}

// floors are the scenarios with a floor row.
var floors = []string{"unicast", "unicast-batch", "pingpong"}

// pingpongWaits are the strategies of pingpong's disruptor rows by default
// on this machine: WaitFor's first (default on 2 processors, spin-pause on
// more), then the others.
func pingpongWaits() []string {
	if runtime.GOMAXPROCS(0) > 2 {
		return []string{"spin-pause", "spin", "hybrid", "block", "default"}
	}
	return []string{"default", "spin", "spin-pause", "hybrid", "block"}
}

// wantRows are the rows (scenario/impl/transport/wait) a default bench run
// of scenarios gives with the disruptor over transport.
func wantRows(transport string, scenarios ...string) []string {
	var out []string
	for _, s := range scenarios {
		waits := []string{"*"}
		if s == "pingpong" {
			waits = pingpongWaits()
		}
		for _, w := range waits {
			out = append(out, s+"/disruptor/"+transport+"/"+w)
		}
		out = append(out, s+"/channel/inproc/")
		if slices.Contains(floors, s) {
			out = append(out, s+"/floor/inproc/")
		}
	}
	return out
}

// check asserts what every row of a run of events events, runs runs and
// ring slots must satisfy, and returns the row as wantRows spells it.
func (r row) check(t *testing.T, events int64, runs, ring int) string {
	t.Helper()
	if r.Events != events || r.Runs != runs || r.Ring != ring || r.NsPerEvent <= 0 || r.EventsPerSec <= 0 ||
		r.AllocsPerEvent == nil || *r.AllocsPerEvent < 0 || r.Busy == nil || *r.Busy != 0 {
		t.Errorf("implausible row %+v", r)
	}
	d := r.Impl == "disruptor"
	if d != (r.RatioToChannel != nil && *r.RatioToChannel > 0) || d != (r.Wait != "") || d != (r.Counters != nil && *r.Counters) {
		t.Errorf("ratio_to_channel, wait and counters (on by default) belong on disruptor rows only: %+v", r)
	}
	if (d && slices.Contains(floors, r.Scenario)) != (r.RatioToFloor != nil && *r.RatioToFloor > 0) {
		t.Errorf("ratio_to_floor belongs on disruptor rows of scenarios with a floor only: %+v", r)
	}
	if latency := r.Scenario == "pingpong"; latency != (r.P50 > 0) || r.P50 > r.P99 || r.P99 > r.P999 {
		t.Errorf("latency percentiles: %+v", r)
	}
	w := r.Wait
	if d && r.Scenario != "pingpong" {
		w = "*"
	}
	return r.Scenario + "/" + r.Impl + "/" + r.Transport + "/" + w
}

func TestBenchJSON(t *testing.T) {
	o := disruptor(t, "bench", "-json", "-events", "3000", "-runs", "2", "-ring", "64")
	o.expect(t, 0, "", "")
	if o.stderr != "" {
		t.Errorf("stderr is not a terminal, yet: %s", o.stderr)
	}
	var got []string
	for _, r := range rows(t, o.stdout) {
		got = append(got, r.check(t, 3000, 2, 64))
	}
	want := wantRows("inproc", "unicast", "unicast-batch", "mpsc", "multicast", "pipeline", "diamond", "pingpong")
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBenchWaitList: -wait takes a list, a disruptor row per strategy in
// every scenario asked for; all is every strategy.
func TestBenchWaitList(t *testing.T) {
	o := disruptor(t, "bench", "-json", "-events", "200", "-runs", "1", "-scenario", "mpsc,pingpong", "-wait", "block, hybrid:20us,block")
	o.expect(t, 0, "", "")
	var got []string
	for _, r := range rows(t, o.stdout) {
		r.check(t, 200, 1, 16384)
		got = append(got, r.Scenario+"/"+r.Impl+"/"+r.Wait)
	}
	want := "mpsc/disruptor/block mpsc/disruptor/hybrid:20us mpsc/channel/ " +
		"pingpong/disruptor/block pingpong/disruptor/hybrid:20us pingpong/channel/ pingpong/floor/"
	if strings.Join(got, " ") != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	o = disruptor(t, "bench", "-json", "-events", "100", "-runs", "1", "-scenario", "pingpong", "-wait", "all")
	o.expect(t, 0, "", "")
	got = nil
	for _, r := range rows(t, o.stdout) {
		if r.Impl == "disruptor" {
			got = append(got, r.Wait)
		}
	}
	if want := "spin spin-pause hybrid sleep block park default"; strings.Join(got, " ") != want {
		t.Errorf("-wait all: rows under %v, want %s", got, want)
	}
}

func TestBenchTable(t *testing.T) {
	o := disruptor(t, "bench", "-events", "2000", "-runs", "1", "-scenario", "pingpong,unicast", "-wait", "block")
	o.expect(t, 0, "ns/event", "")
	for _, s := range []string{"allocs/event", "vs channel", "vs floor", "p99.9", "pingpong", "unicast", "disruptor", "channel", "floor", "block"} {
		if !strings.Contains(o.stdout, s) {
			t.Errorf("table lacks %q:\n%s", s, o.stdout)
		}
	}
	if strings.Index(o.stdout, "pingpong") > strings.Index(o.stdout, "unicast") {
		t.Errorf("scenarios out of the order asked for:\n%s", o.stdout)
	}
}

func TestBenchFailsItsChecks(t *testing.T) {
	o := disruptor(t, "bench", "-json", "-events", "1000", "-runs", "1", "-scenario", "unicast,diamond", "-corrupt", "10")
	o.expect(t, 1, "", "2 of 2 scenarios failed their checks")
	for _, s := range []string{"FAIL unicast/disruptor: consumer: event 9: payload -10", "FAIL diamond/disruptor: a: event 9"} {
		if !strings.Contains(o.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, o.stderr)
		}
	}
	if o.stdout != "" {
		t.Errorf("failed measurements reported: %s", o.stdout)
	}
}
