package disruptor

import (
	"bytes"
	"fmt"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// TestGraphStageLabels: each stage goroutine carries the pprof labels
// disruptor_ring (the ring's path, or "inproc") and disruptor_stage, seen
// in a goroutine profile while the stages wait for events.
func TestGraphStageLabels(t *testing.T) {
	inproc, err := New[int](16, WithWaitStrategy(Block()))
	if err != nil {
		t.Fatal(err)
	}
	shared, path := tempRing(t, WithWaitStrategy(Block()))
	for _, tc := range []struct {
		name, ring string
		r          *Ring[int]
	}{{"inproc", "inproc", inproc}, {"shared", path, shared}} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGraph(tc.r)
			nop := func(*int, int64, bool) error { return nil }
			if err := g.Handle("parse", nop); err != nil {
				t.Fatal(err)
			}
			if err := g.WorkGroup("store", []Handler[int]{nop, nop}, "parse"); err != nil {
				t.Fatal(err)
			}
			if err := g.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { g.Halt(); g.Wait() }()
			want := map[string]int{"parse": 1, "store": 2}
			deadline := time.Now().Add(10 * time.Second)
			for {
				got := stageLabels(t, tc.ring)
				if fmt.Sprint(got) == fmt.Sprint(want) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("goroutines labelled with ring %q by stage: %v, want %v", tc.ring, got, want)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

// stageLabels counts, by stage, the goroutines of a goroutine profile
// labelled with ring.
func stageLabels(t *testing.T, ring string) map[string]int {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	var n int
	for line := range strings.Lines(buf.String()) {
		if _, err := fmt.Sscanf(line, "%d @", &n); err == nil {
			continue // the count of the goroutines the next labels line is about
		}
		rest, ok := strings.CutPrefix(line, "# labels: ")
		if !ok || !strings.Contains(rest, fmt.Sprintf("%q:%q", "disruptor_ring", ring)) {
			continue
		}
		for _, st := range []string{"parse", "store"} {
			if strings.Contains(rest, fmt.Sprintf("%q:%q", "disruptor_stage", st)) {
				got[st] += n
			}
		}
	}
	return got
}
