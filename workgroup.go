package disruptor

// Invariants of work groups.
//
// Members share one work sequence: a member takes sequence s by an atomic
// add, then stores s-1 into its own cursor: every sequence before s is either
// its own, already finished, or held by another member whose cursor is lower.
// So the minimum over member cursors is a correct gate for producers and
// dependents. The group counts EOF markers across members; the member that
// reads the last one marks the group done, and members waiting for sequences
// past it then return io.EOF.

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
)

// WorkGroup is a set of consumers sharing one stream: each event goes to
// exactly one member. Downstream consumers may follow the whole group.
type WorkGroup[E any] struct {
	r          *Ring[E]
	name       string
	work       seqWord // the last sequence taken by a member
	eofs       atomic.Int64
	done       atomic.Bool
	members    []*Consumer[E]
	dependents atomic.Int32
}

// NewWorkGroup adds a group of n members. Options are those of NewConsumer.
func (r *Ring[E]) NewWorkGroup(name string, n int, opts ...ConsumerOption) (*WorkGroup[E], error) {
	if n < 1 {
		return nil, fmt.Errorf("disruptor: work group %q needs at least one member, not %d", name, n)
	}
	var cfg consumerConfig
	for _, o := range opts {
		o(&cfg)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	g := &WorkGroup[E]{r: r, name: name}
	start, resumed := int64(0), false
	for i := range n {
		c, err := r.newConsumer(fmt.Sprintf("%s/%d", name, i), &cfg)
		if err != nil {
			for _, m := range g.members {
				r.eng.leave(m.rec)
			}
			return nil, err
		}
		c.group, c.plain = g, false
		g.members = append(g.members, c)
		switch {
		case c.resumed && (!resumed || c.next < start):
			// A shared ring's member that took over a record left by an
			// earlier process: members' cursors differ (each holds the
			// sequence it took), and the record with the lowest kept
			// gating, so the group goes on from there and loses nothing.
			start, resumed = c.next, true
		case !resumed && (i == 0 || c.next > start):
			start = c.next
		}
	}
	for _, m := range g.members {
		m.setStart(start)
	}
	g.work.Store(start - 1)
	for _, d := range cfg.after {
		d.addDependent(n) // each member's Close removes one
	}
	r.consumers = append(r.consumers, g.members...)
	return g, nil
}

// Name is the group's name; members are named name/0, name/1, ...
func (g *WorkGroup[E]) Name() string { return g.name }

// Len is the number of members.
func (g *WorkGroup[E]) Len() int { return len(g.members) }

// Member returns member i, a Consumer whose Next, TryNext, Batch and Events
// read the events the group hands it.
func (g *WorkGroup[E]) Member(i int) *Consumer[E] { return g.members[i] }

func (g *WorkGroup[E]) cursors() (any, []*atomic.Int64) {
	w := make([]*atomic.Int64, len(g.members))
	for i, m := range g.members {
		w[i] = &m.rec.Cursor
	}
	return g.r, w
}

func (g *WorkGroup[E]) addDependent(d int) { g.dependents.Add(int32(d)) }

func (g *WorkGroup[E]) isClosed() bool {
	for _, m := range g.members {
		if m.closed {
			return true
		}
	}
	return false
}

// Close closes every member. A group that others follow cannot close.
func (g *WorkGroup[E]) Close() error {
	if n := g.dependents.Load(); n > 0 {
		return fmt.Errorf("%w: group %q is followed by %d consumers", ErrHasDependents, g.name, n)
	}
	for _, m := range g.members {
		if err := m.Close(); err != nil {
			return err
		}
	}
	return nil
}

// readWork is Next for a member: take a sequence, wait for it, read it.
func (c *Consumer[E]) readWork(ctx context.Context, try bool) (*E, error) {
	g := c.group
	e := &c.r.eng
	for {
		switch {
		case c.done:
			return nil, io.EOF
		case c.closed:
			return nil, ErrClosed
		}
		if !c.held { // take the next sequence
			s := g.work.Add(1)
			c.next, c.held = s, true
			c.rec.Cursor.Store(s - 1)
			c.released = s - 1
			e.released()
		}
		s := c.next
		ready := func() bool { return e.available(s, c.deps) >= s || g.done.Load() }
		if !ready() {
			if try {
				c.t.v[cPolls]++
				return nil, ErrEmpty
			}
			c.flushStats()
			err := e.await(ctx, c.site, &c.w, &c.wc, ready)
			c.t.addWaits(&c.wc, cPolls, cYields, cParks)
			if err != nil {
				return nil, err
			}
		}
		if e.available(s, c.deps) < s { // the group is done
			c.done = true
			c.flushStats()
			return nil, io.EOF
		}
		c.held = false
		c.hi, c.next = s, s+1
		c.t.v[cBatches]++
		sl := c.r.at(s)
		switch sl.kind {
		case kindData:
			c.t.v[cEvents]++
			c.t.pending++
			c.last = s
			c.observe(s)
			return &sl.ev, nil
		case kindHole:
			c.t.v[cHoles]++
		case kindFlush:
			c.t.v[cFlushes]++
			return nil, ErrFlush
		case kindEOF:
			c.t.v[cEOFs]++
			if n := g.eofs.Add(1); (c.r.sh == nil && n >= int64(e.ctl.Producers.Load())) || (c.r.sh != nil && c.r.sh.eofEnds(s)) {
				g.done.Store(true)
				c.done = true
				// Members read EOFs out of order: another EOF may lie past
				// s. Every producer has closed, so the highest claimed
				// sequence ends the stream; members still holding a
				// sequence before it gate with their own cursors.
				c.release(max(s, e.claimed()))
				c.flushStats()
				e.dataSite.wake()
				e.depSite.wake()
				return nil, io.EOF
			}
		}
	}
}
