// Package testevent is the event that `disruptor produce` publishes and
// `disruptor consume` checks, shared by both commands and their tests so
// that every process agrees on one definition (a shared ring records its
// event type's layout and refuses a different one).
//
// Every event says where it belongs: the ring sequence it was claimed at,
// the producer run that made it and its number within that run. A checksum
// over all of it, and a payload derived from it, catch torn or stale slots.
// A Tracker checks that each run's events arrive in order with no gap and
// no duplicate.
package testevent

import (
	"fmt"
	"math/rand/v2"
)

// Event is the test event: fixed-size and pointer-free, 72 bytes.
type Event struct {
	Seq     int64     // the ring sequence the producer claimed for it
	Run     uint64    // identifies the producer run (random, never 0)
	N       int64     // the event's number within its run: 0, 1, 2, ...
	Time    int64     // when it was filled, in unix nanoseconds
	Payload [4]uint64 // derived from the fields above
	Sum     uint64    // checksum of every field above
}

// NewRun returns a fresh, non-zero run identifier.
func NewRun() uint64 {
	for {
		if r := rand.Uint64(); r != 0 {
			return r
		}
	}
}

// mix is the splitmix64 finaliser: a cheap, well-spread hash step.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Fill writes a complete, checksummed event.
func Fill(ev *Event, run uint64, n, seq, unixNano int64) {
	ev.Seq, ev.Run, ev.N, ev.Time = seq, run, n, unixNano
	h := mix(run ^ uint64(n))
	for i := range ev.Payload {
		h = mix(h + uint64(i))
		ev.Payload[i] = h
	}
	ev.Sum = ev.sum()
}

func (ev *Event) sum() uint64 {
	h := mix(uint64(ev.Seq) + 0x9e3779b97f4a7c15)
	h = mix(h ^ ev.Run)
	h = mix(h ^ uint64(ev.N))
	h = mix(h ^ uint64(ev.Time))
	for _, p := range ev.Payload {
		h = mix(h ^ p)
	}
	return h
}

// Check verifies an event read at ring sequence seq: its checksum, its
// payload, and that it is the event published at seq (not a stale one left
// from an earlier lap, nor one a producer overwrote while it was read).
func Check(ev *Event, seq int64) error {
	if ev.Sum != ev.sum() {
		return fmt.Errorf("sequence %d: bad checksum %#x (run %#x, event %d)", seq, ev.Sum, ev.Run, ev.N)
	}
	h := mix(ev.Run ^ uint64(ev.N))
	for i, p := range ev.Payload {
		if h = mix(h + uint64(i)); p != h {
			return fmt.Errorf("sequence %d: bad payload word %d (run %#x, event %d)", seq, i, ev.Run, ev.N)
		}
	}
	if ev.Seq != seq || ev.Run == 0 || ev.N < 0 {
		return fmt.Errorf("sequence %d: holds the event of sequence %d (run %#x, event %d)", seq, ev.Seq, ev.Run, ev.N)
	}
	return nil
}

// RunStats is what a Tracker saw of one producer run.
type RunStats struct {
	Run    uint64 `json:"run,string"` // a JSON string: 64 bits
	First  int64  `json:"first"`      // the run's first event seen (its N)
	Last   int64  `json:"last"`       // the run's last event seen
	Events int64  `json:"events"`     // events seen
}

// Tracker checks the order of the events of each producer run.
type Tracker struct {
	runs  map[uint64]*RunStats
	order []uint64 // runs in the order first seen
}

// Observe accounts for a checked event. The first event of a run can be any
// of its events (a consumer may start after the run did); after that, each
// event of the run must be the next one, with no gap and no duplicate.
func (t *Tracker) Observe(ev *Event) error {
	rs := t.runs[ev.Run]
	if rs == nil {
		if t.runs == nil {
			t.runs = make(map[uint64]*RunStats)
		}
		t.runs[ev.Run] = &RunStats{Run: ev.Run, First: ev.N, Last: ev.N, Events: 1}
		t.order = append(t.order, ev.Run)
		return nil
	}
	if want := rs.Last + 1; ev.N != want {
		what := "gap"
		if ev.N < want {
			what = "duplicate or reordered"
		}
		return fmt.Errorf("sequence %d: run %#x: %s: event %d after %d", ev.Seq, ev.Run, what, ev.N, rs.Last)
	}
	rs.Last = ev.N
	rs.Events++
	return nil
}

// Runs returns what was seen of each run, in the order runs were first seen.
func (t *Tracker) Runs() []RunStats {
	out := make([]RunStats, 0, len(t.order))
	for _, r := range t.order {
		out = append(out, *t.runs[r])
	}
	return out
}
