package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// rows decodes bench -json output strictly.
func rows(t *testing.T, out string) []row {
	t.Helper()
	var rs []row
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var r row
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		rs = append(rs, r)
	}
	return rs
}

// TestBenchShmJSON runs every scenario with its parts in processes of their
// own: a disruptor row over shm, then the channel row, in-process.
func TestBenchShmJSON(t *testing.T) {
	o := disruptor(t, "bench", "-transport", "shm", "-json", "-events", "2000", "-runs", "1", "-ring", "64")
	o.expect(t, 0, "", "")
	if o.stderr != "" {
		t.Errorf("stderr: %s", o.stderr)
	}
	var got []string
	for _, r := range rows(t, o.stdout) {
		got = append(got, r.check(t, 2000, 1, 64))
	}
	want := wantRows("shm", "unicast", "unicast-batch", "mpsc", "multicast", "pipeline", "diamond", "pingpong")
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBenchBothTransports: one invocation measures the disruptor in-process
// and across processes, with one channel baseline per scenario.
func TestBenchBothTransports(t *testing.T) {
	o := disruptor(t, "bench", "-transport", "inproc,shm", "-json", "-events", "1000", "-runs", "2", "-scenario", "pipeline")
	o.expect(t, 0, "", "")
	var got []string
	for _, r := range rows(t, o.stdout) {
		got = append(got, fmt.Sprintf("%s/%s/%s", r.Scenario, r.Impl, r.Transport))
		if r.Runs != 2 || r.Events != 1000 {
			t.Errorf("%+v", r)
		}
	}
	if want := "pipeline/disruptor/inproc pipeline/disruptor/shm pipeline/channel/inproc"; strings.Join(got, " ") != want {
		t.Errorf("rows %v, want %s", got, want)
	}

	o = disruptor(t, "bench", "-transport", "shm, inproc", "-events", "1000", "-runs", "1", "-scenario", "unicast,pingpong", "-wait", "block")
	o.expect(t, 0, "disruptor over shm and inproc", "")
	var table []string
	for _, line := range strings.Split(o.stdout, "\n") {
		if f := strings.Fields(line); len(f) > 3 && slices.Contains([]string{"disruptor", "channel", "floor"}, f[1]) {
			table = append(table, strings.Join(f[:3], "/"))
		}
	}
	want := "unicast/disruptor/shm unicast/disruptor/inproc unicast/channel/inproc unicast/floor/inproc " +
		"pingpong/disruptor/shm pingpong/disruptor/inproc pingpong/channel/inproc pingpong/floor/inproc"
	if strings.Join(table, " ") != want || !strings.Contains(o.stdout, "transport") {
		t.Errorf("table rows %v, want %s:\n%s", table, want, o.stdout)
	}
}

// TestBenchShmFailsItsChecks: a consumer process that sees a corrupted
// payload fails the run, and bench exits 1.
func TestBenchShmFailsItsChecks(t *testing.T) {
	o := disruptor(t, "bench", "-transport", "shm", "-json", "-events", "1000", "-runs", "1",
		"-scenario", "unicast,diamond,pingpong", "-corrupt", "10")
	o.expect(t, 1, "", "3 of 3 scenarios failed their checks")
	for _, s := range []string{
		"FAIL unicast/disruptor/shm: consumer: event 9: payload -10",
		"FAIL diamond/disruptor/shm: a: event 9",
		"FAIL pingpong/disruptor/shm: pong: event 9: payload -10",
	} {
		if !strings.Contains(o.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, o.stderr)
		}
	}
	if o.stdout != "" {
		t.Errorf("failed measurements reported: %s", o.stdout)
	}
}

func TestBenchTransportUsage(t *testing.T) {
	o := disruptor(t, "bench", "-transport", "shm,tcp")
	o.expect(t, 2, "", `unknown transport "tcp" (valid: inproc, shm)`)
	if o.stdout != "" {
		t.Errorf("stdout: %s", o.stdout)
	}
}
