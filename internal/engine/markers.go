package engine

// Markers: holes, flushes and EOFs, kept out of the slots.
//
// The slots are a dense []E: publishing an event is one cursor store (or
// one availability word), and a reader does not look at a word per slot.
// A marker published at sequence s writes the marker word of s's slot
// (Kind, then Seq = s) and raises LastMark to at least s, all before s is
// published; data publications touch neither. So, once s is readable:
//   - if LastMark < s, no marker lies at s or after: a reader that acquired
//     [lo, hi] with LastMark < lo holds data only (one load per batch);
//   - otherwise slot s holds a marker exactly when its word's Seq equals s
//     (an older lap's marker has Seq s-k*size).
// Marker words are written by the producer that claimed s, or by a healer
// after that producer's death (shm_heal.go); LastMark by any of them, only
// ever raised.

import (
	"math"
	"sync/atomic"

	"github.com/disruptor-go/disruptor/internal/buggify"
)

// Kinds of what a producer published at a sequence.
const (
	KindData uint32 = iota
	KindHole
	KindFlush
	KindEOF
)

// MarkWord records the last marker published into a slot.
type MarkWord struct {
	Seq  atomic.Int64 // its sequence; math.MinInt64 before any
	Kind atomic.Int64 // its kind
}

// initMarks sets a new ring's marker words.
func (e *Engine) initMarks() {
	for i := range e.Marks {
		e.Marks[i].Seq.Store(math.MinInt64)
	}
	e.Ctl.LastMark.Store(math.MinInt64)
}

// Mark records markers of kind at [lo, hi], before they are published.
func (e *Engine) Mark(lo, hi int64, kind uint32) {
	for s := lo; s <= hi; s++ {
		m := &e.Marks[s&e.Mask]
		m.Kind.Store(int64(kind))
		m.Seq.Store(s)
	}
	if buggify.Enabled {
		buggify.Pause(buggify.MarkWrite)
	}
	for {
		cur := e.Ctl.LastMark.Load()
		if cur >= hi || e.Ctl.LastMark.CompareAndSwap(cur, hi) {
			return
		}
	}
}

// NextMark returns the first marker in [lo, hi] of readable sequences and
// its kind, or hi+1 and kindData if there is none.
func (e *Engine) NextMark(lo, hi int64) (int64, uint32) {
	if e.Ctl.LastMark.Load() < lo {
		return hi + 1, KindData
	}
	for s := lo; s <= hi; s++ {
		if m := &e.Marks[s&e.Mask]; m.Seq.Load() == s {
			return s, uint32(m.Kind.Load())
		}
	}
	return hi + 1, KindData
}

// KindAt is what readable sequence s holds.
func (e *Engine) KindAt(s int64) uint32 {
	_, k := e.NextMark(s, s)
	return k
}
