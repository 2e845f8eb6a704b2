package disruptor

// Test-only access to internals.

import (
	"fmt"
	"strings"
)

// WithFirstSequence starts the ring's sequences at s instead of 0, so tests
// can run sequences near 2^62 across many wraps.
func WithFirstSequence(s int64) Option { return func(c *config) { c.first = s } }

// parkedCounts reports how many waiters are parked (or about to park) at
// each of the ring's park sites.
func (r *Ring[E]) parkedCounts() (data, dep, space int32) {
	c := r.eng.Ctl
	return c.DataWait.Waiters.Load(), c.DepWait.Waiters.Load(), c.SpaceWait.Waiters.Load()
}

// releasedCursor is the consumer's released cursor, as producers see it.
func (c *Consumer[E]) releasedCursor() int64 { return c.rec.Cursor.Load() }

// dump describes everything the ring's shared words and counters hold, for
// failure messages.
func (r *Ring[E]) dump() string {
	var b strings.Builder
	e := &r.eng
	c := e.Ctl
	fmt.Fprintf(&b, "size=%d multi=%v wait=%v cursor=%d gateCache=%d epoch=%d state=%d producers=%d records=%d\n",
		e.Size, e.Multi, e.Wait, c.Cursor.Load(), c.GateCache.Load(), c.Epoch.Load(), c.State.Load(),
		c.Producers.Load(), c.Records.Load())
	fmt.Fprintf(&b, "parked: data=%d dep=%d space=%d\n",
		c.DataWait.Waiters.Load(), c.DepWait.Waiters.Load(), c.SpaceWait.Waiters.Load())
	for i := 0; i < int(c.Records.Load()) && i < len(e.Recs); i++ {
		fmt.Fprintf(&b, "record %d: state=%d cursor=%d\n", i, e.Recs[i].State.Load(), e.Recs[i].Cursor.Load())
	}
	if e.Multi {
		cur := c.Cursor.Load()
		fmt.Fprintf(&b, "avail:")
		for s := cur - e.Size + 1; s <= cur; s++ {
			fmt.Fprintf(&b, " %d:%v", s, e.Avail[s&e.Mask].Load() == s)
		}
		b.WriteString("\n")
	}
	if err := r.Report(&b); err != nil {
		fmt.Fprintf(&b, "report: %v\n", err)
	}
	return b.String()
}

// dump describes the group's bookkeeping, for failure messages.
func (g *WorkGroup[E]) dump() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "group %s: work=%d done=%v end=%d eofs=%d low=%d back=", g.name, g.work.Load(), g.done.Load(), g.end.Load(), g.eofs.Load(), g.low.Load())
	for _, x := range g.back {
		fmt.Fprintf(&b, " %d(by %s)", x.s, x.by.c.name)
	}
	b.WriteString("\n")
	for _, c := range g.members {
		m := c.wm
		from := "-"
		if m.from != nil {
			from = fmt.Sprintf("%s@%d", m.from.c.name, m.fromSeq)
		}
		fmt.Fprintf(&b, "  %s: closed=%v done=%v held=%v next=%d released=%d cursor=%d hold=%d from=%s lent=%v gone=%d kept=%v\n",
			c.name, c.closed, c.done, c.held, c.next, c.released, c.rec.Cursor.Load(), m.hold.Load(), from, m.lent, m.gone, m.kept.Load())
	}
	return b.String()
}
