package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	dr "github.com/disruptor-go/disruptor"
)

// An application counter set a process keeps in a ring (as a bridge does)
// is shown by stat (JSON and text) and inspect, by its names from the file.
func TestStatAppCounters(t *testing.T) {
	dir := t.TempDir()
	r, err := dr.Create[int64]("orders", 8, dr.WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a, err := r.NewAppCounters("bridge", "out-s", dr.CounterType{ID: 1001, Name: "frames"},
		dr.CounterType{ID: 1002, Name: "frames_in_flight", Gauge: true})
	if err != nil {
		t.Fatal(err)
	}
	a.At(0).Add(12)
	a.At(1).Store(3)

	doc := statJSONOf(t, "-dir", dir, "orders")
	p := doc.part(t, "bridge", "out-s")
	if p.State != "live" || p.PID != os.Getpid() || p.Counters["frames"] != 12 || p.Counters["frames_in_flight"] != 3 {
		t.Errorf("stat -json: %+v", p)
	}
	if _, ok := p.Rates["frames"]; !ok {
		t.Errorf("stat -json: no rate of the tally frames: %v", p.Rates)
	}
	if _, ok := p.Rates["frames_in_flight"]; ok {
		t.Errorf("stat -json: a rate of the gauge frames_in_flight: %v", p.Rates)
	}

	o := disruptor(t, "stat", "-n", "1", "-dir", dir, "orders")
	want := fmt.Sprintf("bridge out-s (live, pid %d): frames 12 frames_in_flight 3\n", os.Getpid())
	if o.code != 0 || !strings.Contains(o.stdout, want) {
		t.Errorf("stat: exit %d, want a line %q in:\n%s%s", o.code, want, o.stdout, o.stderr)
	}

	o = disruptor(t, "inspect", "-dir", dir, "orders")
	want = fmt.Sprintf("bridge out-s #0 pid %d live: frames 12 frames_in_flight 3\n", os.Getpid())
	if o.code != 0 || !strings.Contains(o.stdout, "application counters\n"+want) {
		t.Errorf("inspect: exit %d, want %q in:\n%s%s", o.code, want, o.stdout, o.stderr)
	}
	o = disruptor(t, "inspect", "-json", "-dir", dir, "orders")
	var in dr.RingInfo
	if err := json.Unmarshal([]byte(o.stdout), &in); err != nil {
		t.Fatalf("inspect -json: %v:\n%s", err, o.stdout)
	}
	if len(in.Apps) != 1 || in.Apps[0].Role != "bridge" || in.Apps[0].Values["frames"] != 12 {
		t.Errorf("inspect -json: apps %+v", in.Apps)
	}
}
