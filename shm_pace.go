package disruptor

import "time"

// Pacing a shared consumer's heartbeat.
//
// A shared consumer beats its heartbeat when it flushes its tallies: every
// flushEvery events, at each release, and while it waits. A consumer
// reading a backlog takes up to a quarter of the ring at a time and
// releases (so flushes) once it has handed all of it out: with a slow
// handler that can take longer than StallAfter, and a live, working
// consumer would look stalled, or be untethered. So a shared consumer paces
// itself: it takes at most runMax events at a time and flushes at least
// every runMax events, starting at paceStart and adjusting runMax at each
// flush to the time it took, so that it beats about every beatEvery at
// most. Only flushes read the clock, as they did already; the per-event
// paths are untouched. An interval that began before a wait is not judged:
// waiting is not handling (see acquire).
const (
	paceStart = 16
	beatEvery = StallAfter / 8
)

// pace adjusts runMax to the events handled since the last flush and the
// time that took; now is the flush's clock reading. It runs for shared
// consumers only (runMax > 0).
func (c *Consumer[E]) pace(now int64) {
	dt, k := now-c.paceAt, c.next-c.paceFrom
	judged := c.paceAt != 0 && k > 0
	c.paceAt, c.paceFrom = now, c.next
	if !judged {
		return
	}
	switch full := c.r.eng.Size / 4; {
	case dt > int64(beatEvery): // slow handling: aim at half of beatEvery
		c.runMax = max(1, k*int64(beatEvery)/dt/2)
	case dt < int64(beatEvery)/4 && c.runMax < full:
		c.runMax = min(full, c.runMax*2)
	}
}

// runLimit is the highest sequence acquire takes from c.next when hi is
// readable: a quarter of the ring at most, and runMax for a shared
// consumer.
func (c *Consumer[E]) runLimit(hi int64) int64 {
	to := min(hi, c.next+c.r.eng.Size/4)
	if c.runMax > 0 {
		to = min(to, c.next+c.runMax-1)
	}
	return to
}

// flushDue reports whether a release should flush the tallies: flushEvery
// events after the last flush, or runMax for a paced shared consumer.
func (c *Consumer[E]) flushDue() bool {
	gap := int64(flushEvery)
	if c.runMax > 0 {
		gap = min(gap, c.runMax)
	}
	return c.t.Pending >= flushEvery || c.next-c.flushedAt >= gap
}

// beat stores a shared consumer's heartbeat at a flush, pacing it.
func (c *Consumer[E]) beat() {
	now := time.Now().UnixNano()
	if c.runMax > 0 {
		c.pace(now)
	}
	c.w.Beat.Store(now)
}
