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
	c := r.eng.ctl
	return c.DataWait.Waiters.Load(), c.DepWait.Waiters.Load(), c.SpaceWait.Waiters.Load()
}

// releasedCursor is the consumer's released cursor, as producers see it.
func (c *Consumer[E]) releasedCursor() int64 { return c.rec.Cursor.Load() }

// dump describes everything the ring's shared words and counters hold, for
// failure messages.
func (r *Ring[E]) dump() string {
	var b strings.Builder
	e := &r.eng
	c := e.ctl
	fmt.Fprintf(&b, "size=%d multi=%v wait=%v cursor=%d gateCache=%d epoch=%d state=%d producers=%d records=%d\n",
		e.size, e.multi, e.wait, c.Cursor.Load(), c.GateCache.Load(), c.Epoch.Load(), c.State.Load(),
		c.Producers.Load(), c.Records.Load())
	fmt.Fprintf(&b, "parked: data=%d dep=%d space=%d\n",
		c.DataWait.Waiters.Load(), c.DepWait.Waiters.Load(), c.SpaceWait.Waiters.Load())
	for i := 0; i < int(c.Records.Load()) && i < len(e.recs); i++ {
		fmt.Fprintf(&b, "record %d: state=%d cursor=%d\n", i, e.recs[i].State.Load(), e.recs[i].Cursor.Load())
	}
	if e.multi {
		cur := c.Cursor.Load()
		fmt.Fprintf(&b, "avail:")
		for s := cur - e.size + 1; s <= cur; s++ {
			fmt.Fprintf(&b, " %d:%v", s, e.avail[s&e.mask].Load() == s)
		}
		b.WriteString("\n")
	}
	if err := r.Report(&b); err != nil {
		fmt.Fprintf(&b, "report: %v\n", err)
	}
	return b.String()
}
