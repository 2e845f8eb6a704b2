package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/disruptor-go/disruptor/internal/bridgebench"
)

// bench -scenario bridge: a row for the bridge and one for the baseline,
// with the figures the issue asks for.
func TestBenchBridge(t *testing.T) {
	o := disruptor(t, "bench", "-scenario", "bridge", "-runs", "1", "-events", "8192", "-json")
	if o.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", o.code, o.stderr)
	}
	var rows []bridgebench.Row
	dec := json.NewDecoder(strings.NewReader(o.stdout))
	dec.DisallowUnknownFields()
	for dec.More() {
		var r bridgebench.Row
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v in %q", err, o.stdout)
		}
		rows = append(rows, r)
	}
	if len(rows) != 2 || rows[0].Impl != "disruptor" || rows[1].Impl != "jetstream" {
		t.Fatalf("rows: %+v", rows)
	}
	for _, r := range rows {
		if r.Scenario != "bridge" || r.Events != 8192 || r.Frames < 32 || r.EventsPerSec <= 0 || r.FramesPerSec <= 0 || r.P50 <= 0 || r.P99 < r.P50 {
			t.Errorf("row %+v", r)
		}
	}
	if rows[0].Ratio == nil {
		t.Errorf("the bridge's row has no ratio_to_jetstream")
	}
}

// The default run (every scenario) leaves the bridge out.
func TestBenchAllLeavesBridgeOut(t *testing.T) {
	if rest, br := splitBridge("all"); br || rest != "all" {
		t.Errorf("splitBridge(all) = %q, %v", rest, br)
	}
	if rest, br := splitBridge("unicast,bridge"); !br || rest != "unicast" {
		t.Errorf("splitBridge(unicast,bridge) = %q, %v", rest, br)
	}
}
