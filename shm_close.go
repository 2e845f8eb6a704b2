package disruptor

// Closing a shared ring's handle: after Close, nothing of the handle points
// into the mapping, which is unmapped. Close is not concurrent with the
// handle's use (its contract), so the pointers are simply replaced by ones
// into process memory. Every method then meets a closed participant or
// the closed mapping on its slow path and returns ErrClosed; the inlined
// fast paths are shut by the fields they test (Producer.fast, and
// Consumer.plain and hi), which Close resets.

import "github.com/disruptor-go/disruptor/internal/engine"
import "math"

// letGo ends the handle's participants; r.mu is held. Consumers detach
// (their records keep gating, so they can resume); producers are left as if
// their process had ended: their outstanding claim is dropped and their
// entry stays open, for a producer of the same name to take over once the
// file's locks go with the handle.
func (r *Ring[E]) letGo() {
	for _, c := range r.consumers {
		if !c.closed {
			c.detachLocked()
			c.orphan, c.done = true, false // reads say ErrClosed, even after EOF
		}
	}
	for _, p := range r.producers {
		if !p.closed {
			p.flushStats()
			p.unhold()
			p.closed, p.orphan = true, true
			p.regate()
			p.eng.Members.Add(-1)
		}
	}
}

// unhook points the engine, the ring, its participants and the mapping's
// views at process memory: the last cursor and state, copies of the
// participants' records (so Stats keep the last values), no slots. r.mu is
// held.
func (r *Ring[E]) unhook() {
	e, sh := &r.eng, r.sh
	ctl := new(engine.Control)
	last := func() error { // the mapping is read for the last time
		ctl.Cursor.Store(e.Ctl.Cursor.Load())
		ctl.GateCache.Store(e.Ctl.GateCache.Load())
		ctl.State.Store(e.Ctl.State.Load())
		for _, p := range r.producers {
			p.t.Rec = copyRecord(p.t.Rec)
		}
		for _, c := range r.consumers {
			rec := new(engine.ConsumerRecord)
			rec.Cursor.Store(c.rec.Cursor.Load())
			rec.State.Store(engine.RecClosed)
			c.rec, c.t.Rec = rec, copyRecord(c.t.Rec)
		}
		r.unhookApps()
		return nil
	}
	if sh.guard(last) != nil { // faulted, and so replaced: read the replacement
		sh.guard(last)
	}
	ctl.LastMark.Store(math.MinInt64)
	e.Ctl, e.Recs, e.Avail, e.Marks, e.Watch = ctl, nil, nil, nil, nil
	e.DataSite = &engine.ChanSite{Word: &ctl.DataWait}
	e.DepSite = &engine.ChanSite{Word: &ctl.DepWait}
	e.SpaceSite = &engine.ChanSite{Word: &ctl.SpaceWait}
	r.slots, r.stamps = nil, nil
	for _, p := range r.producers {
		p.slots, p.stamps = nil, nil
	}
	for _, c := range r.consumers {
		c.slots, c.stamps, c.lat, c.deps = nil, nil, nil, nil
		c.site, c.w.Beat = e.DataSite, nil
	}
	sh.ctl, sh.counters, sh.apps, sh.stamps = new(engine.SharedControl), nil, nil, nil
	sh.ctl.Control.State.Store(ctl.State.Load())
}

// copyRecord copies a counter record into process memory.
func copyRecord(c *engine.CounterRecord) *engine.CounterRecord {
	n := new(engine.CounterRecord)
	n.State.Store(c.State.Load())
	n.Role.Store(c.Role.Load())
	n.Owner.Store(c.Owner.Load())
	n.LabelLen.Store(c.LabelLen.Load())
	n.Gen.Store(c.Gen.Load())
	for i := range c.Label {
		n.Label[i].Store(c.Label[i].Load())
	}
	for i := range c.V {
		n.V[i].Store(c.V[i].Load())
	}
	return n
}
