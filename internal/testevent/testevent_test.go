package testevent

import (
	"strings"
	"testing"
	"unsafe"
)

func TestCheck(t *testing.T) {
	if s := unsafe.Sizeof(Event{}); s != 72 {
		t.Errorf("Event is %d bytes, want 72", s)
	}
	var ev Event
	Fill(&ev, 7, 3, 42, 1e18)
	if err := Check(&ev, 42); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		mut  func(*Event)
		seq  int64
		want string
	}{
		{"stale", func(*Event) {}, 43, "holds the event of sequence 42"},
		{"torn", func(e *Event) { e.Payload[2]++ }, 42, "bad checksum"},
		{"time", func(e *Event) { e.Time++ }, 42, "bad checksum"},
		{"zero", func(e *Event) { *e = Event{} }, 0, "bad checksum"},
	} {
		e := ev
		c.mut(&e)
		if err := Check(&e, c.seq); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestTracker(t *testing.T) {
	var tr Tracker
	ev := func(run uint64, n int64) *Event { return &Event{Run: run, N: n} }
	for _, e := range []*Event{ev(1, 5), ev(2, 0), ev(1, 6), ev(2, 1), ev(1, 7)} {
		if err := tr.Observe(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Observe(ev(1, 9)); err == nil || !strings.Contains(err.Error(), "gap: event 9 after 7") {
		t.Errorf("gap: %v", err)
	}
	if err := tr.Observe(ev(2, 1)); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("duplicate: %v", err)
	}
	runs := tr.Runs()
	if len(runs) != 2 || runs[0] != (RunStats{Run: 1, First: 5, Last: 7, Events: 3}) ||
		runs[1] != (RunStats{Run: 2, First: 0, Last: 1, Events: 2}) {
		t.Errorf("runs: %+v", runs)
	}
}
