package disruptor

// Invariants of work groups.
//
// Members share one work sequence: a member takes a new sequence s by an
// atomic add, then stores s-1 into its own cursor: every sequence before s
// is either its own, already finished, or held by another member whose
// cursor is lower. So the minimum over member cursors is a correct gate for
// producers and dependents. Cursors only rise.
//
// A member that leaves holding s (its wait ended on its context or a halt,
// or it closed or detached) gives s back: the group keeps the sequences
// given back (back, under mu; low, the lowest, is one load for the common
// case of none), and members take the lowest of them before a new one.
// Whoever took s new lent it: its record stays at or below s-1 until the
// member that takes s back has read it (finish, at that member's next take
// or when it leaves). A lender's next new take stores at most one below its
// lowest lent sequence not read yet; while it waits for the sequence it
// holds, it raises its record towards where that take would have put it as
// its lent sequences are read (else it could wait for a sequence that the
// producers need the room it still gates to publish). A lender that closes
// keeps its record, still gating, and the member that reads its last lent
// sequence frees it; a lender that left takes nothing more, so each read of
// what it lent lifts its record to one below the lowest it lent that is
// still unread (lift): left below a sequence read since, it would gate the
// producers for good. A
// member that takes s back does not cover s (the lender's record does): it
// moves its cursor up to one below the last new sequence taken (whose taker
// covers that one; it covers those not taken yet). No cursor is ever
// lowered, and a producer's gate,
// computed from loads at different times, is never above what some record
// still protects. (A member cannot close while others follow the group, so
// dependents only ever follow open members' records.) A waiting member
// holding s gives it back and takes the lower one when one lower than s is
// given back: the lowest outstanding sequence always has a taker.
//
// The group counts EOF markers across members; the member that reads the
// last one records the end (the final EOF marker's sequence) and marks the
// group done. Members then take only what was given back (a sequence given
// back before the final EOF must still be read), drop sequences past the
// end, and return io.EOF (raising their cursors to the end) only once no
// other member holds a sequence before the end (the holder may yet leave
// and give it back) and what they lent has been read.

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// WorkGroup is a set of consumers sharing one stream: each event goes to
// exactly one member. Downstream consumers may follow the whole group.
type WorkGroup[E any] struct {
	r          *Ring[E]
	name       string
	work       engine.SeqWord // the last sequence taken by a member
	eofs       atomic.Int64
	done       atomic.Bool
	members    []*Consumer[E]
	dependents atomic.Int32

	mu   sync.Mutex   // guards back and the members' lent and gone
	back []given[E]   // sequences given back, lowest first
	low  atomic.Int64 // back[0].s, or noneBack
	end  atomic.Int64 // once done: the final EOF marker's sequence
}

// NewWorkGroup adds a group of n members, n at least 1. Options and errors
// are those of NewConsumer; each member takes an entry of the consumer
// table.
func (r *Ring[E]) NewWorkGroup(name string, n int, opts ...ConsumerOption) (*WorkGroup[E], error) {
	if n < 1 {
		return nil, fmt.Errorf("disruptor: work group %q needs at least one member, not %d", name, n)
	}
	var cfg consumerConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.manual {
		return nil, fmt.Errorf("%w: work group %q with ManualRelease (members release as they take)", ErrNotSupported, name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	g := &WorkGroup[E]{r: r, name: name}
	g.low.Store(noneBack)
	start, resumed := int64(0), false
	for i := range n {
		c, err := r.newConsumer(fmt.Sprintf("%s/%d", name, i), &cfg)
		if err != nil {
			for _, m := range g.members {
				m.abandon()
			}
			return nil, err
		}
		c.group, c.plain = g, false
		c.wm = &workMember[E]{c: c}
		c.wm.hold.Store(noneBack)
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

func (g *WorkGroup[E]) names() []string {
	names := make([]string, len(g.members))
	for i, m := range g.members {
		names[i] = m.name
	}
	return names
}

func (g *WorkGroup[E]) isClosed() bool {
	for _, m := range g.members {
		if m.closed {
			return true
		}
	}
	return false
}

// Close closes every member. A group that others follow cannot close:
// ErrHasDependents.
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

// pastEnd reports whether the group is done and s lies past the end of its
// stream. (end is stored before done.)
func (g *WorkGroup[E]) pastEnd(s int64) bool { return g.done.Load() && s > g.end.Load() }

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
		if !c.held && !g.take(c) { // the group is done, nothing is given back
			if g.pending(c) {
				if try {
					c.t.V[cPolls]++
					return nil, ErrEmpty
				}
				c.flushStats()
				err := e.Await(ctx, c.site, &c.w, &c.wc, func() bool { return g.low.Load() != noneBack || !g.pending(c) })
				c.t.AddWaits(&c.wc, cPolls, cYields, cParks)
				if err != nil {
					return nil, err
				}
				continue
			}
			c.release(g.bound(c.wm, g.end.Load()))
			c.done = true
			c.flushStats()
			return nil, io.EOF
		}
		s := c.next
		var end endWatch
		ready := func() bool {
			if c.released < c.wm.want { // what it lent may have been read meanwhile
				g.raise(c, c.wm.want)
			}
			switch {
			case e.Available(s, c.deps) >= s || g.low.Load() < s || g.pastEnd(s):
				return true
			case c.pastEnd(&end, s): // a group made, or resumed, after the final EOF
				g.end.Store(e.Claimed())
				g.done.Store(true)
				return true
			}
			return false
		}
		if buggify.Enabled && buggify.Fire(buggify.WorkGiveBack) {
			g.giveBack(c) // as a member whose wait ended does: another may take it
			continue
		}
		if !ready() {
			if try {
				c.t.V[cPolls]++
				return nil, ErrEmpty
			}
			c.flushStats()
			err := e.Await(ctx, c.site, &c.w, &c.wc, ready)
			c.t.AddWaits(&c.wc, cPolls, cYields, cParks)
			if err != nil {
				g.giveBack(c) // another member reads it
				return nil, err
			}
		}
		if e.Available(s, c.deps) < s {
			// Past the final EOF nobody reads s. Before it, s is read once
			// available (a group marked done before its upstream made s
			// available waits for it): ready returned early only because a
			// lower sequence came back, and that is taken first.
			if g.pastEnd(s) {
				g.unhold(c)
			} else if g.low.Load() < s {
				g.giveBack(c)
			}
			continue
		}
		g.unhold(c)
		c.hi, c.next = s, s+1
		c.t.V[cBatches]++
		switch k := e.KindAt(s); k {
		case engine.KindData:
			c.t.V[cEvents]++
			c.t.Pending++
			c.last = s
			c.observe(s)
			return &c.slots[s&c.mask], nil
		case engine.KindHole, engine.KindFlush: // as for any consumer
			if err := c.marker(k, s); err != nil {
				return nil, err
			}
		case engine.KindEOF: // the group's own count and end
			c.t.V[cEOFs]++
			if c.r.signal(k, s, g.eofs.Add(1)) == io.EOF {
				g.end.Store(max(s, e.Claimed()))
				if buggify.Enabled {
					buggify.Pause(buggify.WorkEnd)
				}
				g.done.Store(true)
				if buggify.Enabled {
					buggify.Pause(buggify.WorkEnd)
				}
				// Members read EOFs out of order: another EOF may lie past
				// s. Every producer has closed, so the highest claimed
				// sequence ends the stream; members still holding a
				// sequence before it gate with their own cursors, and
				// what this member lent stays covered by its own.
				c.release(g.bound(c.wm, max(s, e.Claimed())))
				c.flushStats()
				e.DataSite.Wake()
				e.DepSite.Wake()
			}
		}
	}
}
