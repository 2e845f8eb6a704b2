package disruptor

// Sequences given back by work group members: see the invariants at the top
// of workgroup.go.

import (
	"cmp"
	"math"
	"slices"
	"sync/atomic"

	"github.com/disruptor-go/disruptor/internal/buggify"
)

// workMember is a member's share of its group's bookkeeping. Its member
// alone reads and writes from and fromSeq; the group's mu guards lent and
// gone.
type workMember[E any] struct {
	c       *Consumer[E]
	from    *workMember[E] // the sequence held or last read came back from from's lending; nil if taken new
	fromSeq int64
	want    int64        // where its last take would have raised its cursor, had it lent nothing unread
	lent    []int64      // sequences this member took new and gave back, not read yet: its record stays below each
	nlent   atomic.Int32 // len(lent), for its member to test without the lock
	gone    uint8        // how the member left (memberOpen while it has not)
	hold    atomic.Int64 // the sequence it holds, or noneBack; others read it once the group is done
	kept    atomic.Bool  // closed, its record kept for lent sequences; read under r.mu (shared rings)
}

// How a member left its group.
const (
	memberOpen uint8 = iota
	memberClosed
	memberDetached
)

// given is a sequence given back: the record of by (or, once by closed, the
// group on by's behalf) keeps gating below it until it is read again.
type given[E any] struct {
	s  int64
	by *workMember[E]
}

// noneBack is g.low while nothing is given back.
const noneBack = math.MaxInt64

// take gives c the next sequence to read: the lowest one given back, else a
// new one. It reports false once the group is done and nothing is given
// back. A new sequence s moves c's cursor up to s-1; one given back (which
// its lender's record covers) up to one below the last new sequence taken
// by any member, which that member's cursor covers. Neither goes above the
// lowest sequence c lent and nobody read yet.
func (g *WorkGroup[E]) take(c *Consumer[E]) bool {
	m := c.wm
	if m.from != nil {
		g.finish(m)
	}
	if g.low.Load() != noneBack {
		g.mu.Lock()
		if len(g.back) > 0 {
			b := g.back[0]
			g.back = slices.Delete(g.back, 0, 1)
			g.setLow()
			g.mu.Unlock()
			m.from, m.fromSeq = b.by, b.s
			c.next, c.held = b.s, true
			m.hold.Store(b.s)
			if buggify.Enabled {
				buggify.Pause(buggify.WorkTake)
			}
			m.want = g.work.Load() - 1
			g.raise(c, m.want)
			return true
		}
		g.mu.Unlock()
	}
	if g.done.Load() {
		return false
	}
	s := g.work.Add(1)
	c.next, c.held = s, true
	m.hold.Store(s)
	if buggify.Enabled {
		buggify.Pause(buggify.WorkTake)
	}
	m.want = s - 1
	g.raise(c, m.want)
	return true
}

// raise moves c's cursor up to v, but no higher than below what it lent.
func (g *WorkGroup[E]) raise(c *Consumer[E], v int64) {
	if c.raiseTo(g.bound(c.wm, v)) {
		c.r.eng.Released()
	}
}

// raiseTo stores a member's cursor at v if that is higher, and reports
// whether it did; the caller wakes whoever waits on it.
func (c *Consumer[E]) raiseTo(v int64) bool {
	if v <= c.released {
		return false
	}
	c.rec.Cursor.Store(v)
	c.released = v
	return true
}

// bound is v, or less: one below the lowest sequence m lent that nobody has
// read yet.
func (g *WorkGroup[E]) bound(m *workMember[E], v int64) int64 {
	if m.nlent.Load() == 0 {
		return v
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(m.lent) > 0 {
		v = min(v, slices.Min(m.lent)-1)
	}
	return v
}

// giveBack returns the sequence c holds to the group, for whichever member
// takes next, and wakes the members waiting (one may want it).
func (g *WorkGroup[E]) giveBack(c *Consumer[E]) {
	if !c.held {
		return
	}
	m, s := c.wm, c.next
	g.unhold(c)
	by := m.from
	m.from = nil
	g.mu.Lock()
	if by == nil { // taken new: c's own record stays below it
		by = m
		m.lent = append(m.lent, s)
		m.nlent.Store(int32(len(m.lent)))
	}
	i, _ := slices.BinarySearchFunc(g.back, s, func(b given[E], s int64) int { return cmp.Compare(b.s, s) })
	g.back = slices.Insert(g.back, i, given[E]{s: s, by: by})
	g.setLow()
	g.mu.Unlock()
	if buggify.Enabled {
		buggify.Pause(buggify.WorkFinish)
	}
	e := &c.r.eng
	e.DataSite.Wake()
	e.DepSite.Wake()
}

// finish records that m read the sequence it took back from another's
// lending: the lender's record need no longer stay below it, and a closed
// lender's record is freed with its last lent sequence.
func (g *WorkGroup[E]) finish(m *workMember[E]) {
	by, s := m.from, m.fromSeq
	m.from = nil
	if buggify.Enabled {
		buggify.Pause(buggify.WorkFinish)
	}
	g.mu.Lock()
	if i := slices.Index(by.lent, s); i >= 0 {
		by.lent = slices.Delete(by.lent, i, i+1)
		by.nlent.Store(int32(len(by.lent)))
	}
	if len(by.lent) == 0 && by.gone == memberClosed && by.kept.Load() {
		by.c.leaveRecord(false)
		by.kept.Store(false)
	}
	lifted := g.lift(by)
	g.mu.Unlock()
	if lifted {
		by.c.r.eng.Released()
	}
	if g.done.Load() { // the lender may be waiting to end (see pending)
		e := &m.c.r.eng
		e.DataSite.Wake()
		e.DepSite.Wake()
	}
}

// lift raises the record of a member that left (it takes nothing more, so
// its record covers only what it lent) to one below the lowest sequence it
// lent that nobody has read yet: a record left lower, below a lent
// sequence read since, would gate the producers for good. It reports
// whether the record moved; g.mu is held.
func (g *WorkGroup[E]) lift(m *workMember[E]) bool {
	if m.gone == memberOpen || len(m.lent) == 0 || (m.gone == memberClosed && !m.kept.Load()) {
		return false
	}
	return m.c.raiseTo(slices.Min(m.lent) - 1)
}

// unhold records that c no longer holds a sequence. Once the group is
// done, members that wait for the others to read or give back what they
// hold are woken.
func (g *WorkGroup[E]) unhold(c *Consumer[E]) {
	c.held = false
	c.wm.hold.Store(noneBack)
	if buggify.Enabled {
		buggify.Pause(buggify.WorkFinish)
	}
	if g.done.Load() {
		e := &c.r.eng
		e.DataSite.Wake()
		e.DepSite.Wake()
	}
}

// pending reports whether a member other than c holds a sequence before the
// end of the done group's stream (it may yet give it back), or c lent a
// sequence nobody has finished reading: c's record must stay below it
// until then, so c cannot end yet.
func (g *WorkGroup[E]) pending(c *Consumer[E]) bool {
	if c.wm.nlent.Load() != 0 {
		return true
	}
	end := g.end.Load()
	for _, o := range g.members {
		if o != c && o.wm.hold.Load() <= end {
			return true
		}
	}
	return false
}

// setLow publishes the lowest sequence given back; g.mu is held.
func (g *WorkGroup[E]) setLow() {
	if len(g.back) == 0 {
		g.low.Store(noneBack)
	} else {
		g.low.Store(g.back[0].s)
	}
}

// leave is a member's part of Close (detach false) or Detach; r.mu is held.
// The sequence it holds goes back to the group. It reports whether the
// member's record must stay: a closing member that lent sequences nobody
// has read yet keeps gating below them, and the member that reads the last
// of them frees it; when the last member leaves, nobody can, so the kept
// records are freed. A detached record stays anyway, gating below what it
// lent, for a later resume.
func (g *WorkGroup[E]) leave(c *Consumer[E], detach bool) (keep bool) {
	m := c.wm
	if c.held {
		g.giveBack(c)
	} else if m.from != nil {
		g.finish(m)
	}
	g.mu.Lock()
	lifted := false
	defer func() {
		g.mu.Unlock()
		if lifted {
			c.r.eng.Released()
		}
	}()
	if detach {
		m.gone = memberDetached
		lifted = g.lift(m)
		return true
	}
	m.gone = memberClosed
	for _, o := range g.members {
		if o.wm.gone == memberOpen {
			if len(m.lent) == 0 {
				return false
			}
			m.kept.Store(true)
			lifted = g.lift(m)
			return true
		}
	}
	// The last member left: nobody can read what was given back.
	for _, o := range g.members {
		if o.wm.kept.Load() {
			o.leaveRecord(false)
			o.wm.kept.Store(false)
		}
	}
	g.back = g.back[:0]
	g.setLow()
	return false
}

// keepsRecord reports whether c's record is still in use by this process:
// c is open, or it is a closed member's record kept for what it lent.
func (c *Consumer[E]) keepsRecord() bool {
	return !c.closed || (c.wm != nil && c.wm.kept.Load())
}

// leaveRecord ends a closed consumer's registration: its record is freed
// (it stops gating), or, with keep (Detach), kept gating for a later
// resume. An evicted record whose consumer was not told yet stays evicted,
// so that whoever resumes it learns it was left behind (see claimEvicted).
func (c *Consumer[E]) leaveRecord(keep bool) {
	c.r.host.leaveConsumer(c.rec, keep && !(c.evicted() && c.toldEvicted))
}

// abandon undoes the registration of a member whose group could not be
// made; r.mu is held. A record it resumed is put back as it found it, for
// a later resume; one it joined is freed.
func (c *Consumer[E]) abandon() {
	c.closed = true
	c.r.host.abandonConsumer(c.rec, &c.t, c.found)
}
