package disruptor

import (
	"sync/atomic"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// The generic types' methods (Producer, Consumer, Observer, work groups)
// are compiled in the package that instantiates them, which can inline an
// engine function only if this package's export data carries the
// function's body. It carries the bodies of the imported functions that
// this package's own non-generic code inlined (see golang.org/issue/56280),
// and most engine calls are made from generic code only. engineBodies
// inlines each engine function the generic code calls, so that a
// Producer[E].Publish in the user's package inlines engine.StoreRelease
// as it would in this one. It is never called; scripts/pathlen and
// internal/inlcheck notice an engine call that stops inlining.
func engineBodies(e *engine.Engine, t *engine.Tally, wc *engine.WaitCounts, w *atomic.Int64) {
	engine.StoreRelease(w, 0)
	e.Store(w, 0)
	_ = e.Halted()
	_ = e.Claimed()
	_ = e.HaltErr()
	_ = e.Published(0)
	_ = e.IsPublished(0)
	_ = e.WakeIfParked()
	e.WakeData()
	e.Mark(0, 0, engine.KindData)
	_, _ = e.NextMark(0, 0)
	_ = e.KindAt(0)
	t.Store(0)
	t.Flush()
	t.AddWaits(wc, 0, 0, 0)
	t.Rec.Close()
}

var _ = engineBodies
