package engine

import (
	"fmt"

	"github.com/disruptor-go/disruptor/internal/buggify"
)

// Join takes a free consumer record and makes it gate producers from a safe
// starting sequence: GateCache+1, or when latest is set the first sequence
// not yet published (on a multi-producer ring a claim in hand may lie below
// the cursor: a consumer that started past it would not gate its slot's
// next lap, see refreshGate).
//
// The record becomes active, then Epoch moves, then GateCache is read: a
// producer computing a gate without the record re-checks Epoch after raising
// GateCache, so either it sees the record or this load sees its gate.
func (e *Engine) Join(latest bool, init func(*ConsumerRecord)) (*ConsumerRecord, int64, error) {
	var rec *ConsumerRecord
	idx := -1
	for i := range e.Recs {
		if e.Recs[i].Followers.Load() != 0 {
			continue // freed, but followers still refer to it (see shm_follow.go)
		}
		if e.Recs[i].State.CompareAndSwap(RecFree, RecClosed) { // reserved, not yet gating
			rec, idx = &e.Recs[i], i
			break
		}
	}
	if rec == nil {
		return nil, 0, fmt.Errorf("%w (%d entries)", ErrTooManyConsumers, len(e.Recs))
	}
	for {
		n := e.Ctl.Records.Load()
		if int(n) > idx || e.Ctl.Records.CompareAndSwap(n, uint32(idx+1)) {
			break
		}
	}
	if init != nil {
		init(rec)
	}
	rec.Cursor.Store(e.Ctl.GateCache.Load())
	rec.State.Store(RecActive)
	if buggify.Enabled {
		buggify.Pause(buggify.Join)
	}
	e.Ctl.Epoch.Add(1)
	e.Members.Add(1)
	if buggify.Enabled {
		buggify.Pause(buggify.Join)
	}
	start := e.Ctl.GateCache.Load() + 1
	if latest { // the first sequence not yet published: in order, a consumer cannot pass it
		start = max(start, e.Frontier()+1)
	}
	rec.Cursor.Store(start - 1)
	return rec, start, nil
}

// Leave frees a consumer record: it stops gating producers.
func (e *Engine) Leave(rec *ConsumerRecord) {
	e.Members.Add(-1)
	rec.State.Store(RecFree)
	if buggify.Enabled {
		buggify.Pause(buggify.Leave)
	}
	e.Ctl.Epoch.Add(1)
	e.Released()
}
