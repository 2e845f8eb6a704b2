package bridgebench

import (
	"context"
	"testing"
	"time"
)

// A short run of both implementations: every event checked, the figures
// filled in.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := Run(ctx, int64(testEvents), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Events != int64(testEvents) || rows[0].Frames < int64(testEvents/FrameEvents) || rows[1].Frames != int64(testEvents/FrameEvents) || rows[0].Ratio == nil {
		t.Fatalf("rows: %+v", rows)
	}
}

var testEvents = 1 << 14 // a variable: a profiling run may raise it
