package disruptor

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// Consumer reads every event of a ring in sequence order (broadcast), or, as
// a member of a WorkGroup, the events its group hands it. A consumer is used
// by one goroutine at a time.
type Consumer[E any] struct {
	_     [engine.LineSize]byte // keep other heap objects off the hot fields' lines
	slots []E                   // the ring's, copied here to keep the hot path short
	mask  int64
	plain bool // a broadcast consumer holding no lease: Next's fast path applies

	lat    LatencyRecorder // RecordLatency
	stamps []int64
	r      *Ring[E]
	name   string
	rec    *engine.ConsumerRecord
	deps   []*atomic.Int64
	ups    []Dependency
	site   engine.ParkSite
	group  *WorkGroup[E]  // nil for a broadcast consumer
	wm     *workMember[E] // a member's share of its group's bookkeeping

	next     int64 // the next sequence to read
	hi       int64 // the highest sequence known readable, all data from next
	markAt   int64 // with markKind not kindData: the marker right after hi
	markKind uint32
	lingers  int // the linger budget, in pauses (linger.go)
	// A broadcast consumer's event count follows from its sequences (fold):
	// from evStart, where the counters held evBase events and mkBase markers.
	evStart, evBase, mkBase int64
	flushedAt               int64 // next when the tallies were last published
	// A shared consumer's pace (shm_pace.go): the most events it takes at a
	// time (0: not paced), and the clock and next at the last flush
	runMax, paceAt, paceFrom int64
	avail                    int64 // the highest sequence acquired (beyond the marker too)
	// readable's last answer: every sequence in [seenFrom, seen] was readable
	seenFrom, seen int64
	released       int64 // the last sequence stored into rec.Cursor
	last           int64 // the sequence of the last event returned
	eofs           int64
	done           bool // read the final EOF
	closed         bool
	leased         bool
	manual         bool  // ManualRelease: only ReleaseThrough moves the cursor
	held           bool  // work group member: next was taken and not yet read
	resumed        bool  // shared ring: took over a record an earlier owner left
	toldEvicted    bool  // shared ring: was given ErrUntethered
	orphan         bool  // closed by the ring's Close (detached), not by its own
	follow         bool  // FollowStreams: wait for the next stream past the final EOF
	err            error // what ended the last Events loop

	found *foundRecord // resumed: what the record held before (abandon)

	w          engine.Waiter
	wc         engine.WaitCounts
	t          engine.Tally
	dependents atomic.Int32
	_          [engine.LineSize]byte
}

// ConsumerOption configures NewConsumer and NewWorkGroup.
type ConsumerOption func(*consumerConfig)

type consumerConfig struct {
	after      []Dependency
	afterNames []string
	latest     bool
	linger     time.Duration
	lingerSet  bool
	follow     bool
	manual     bool
	lat        LatencyRecorder
}

// After makes the consumer follow deps: it never reads a sequence before
// all of them have released it. Any DAG can be built this way; cycles cannot,
// since a dependency must exist first. On a shared ring the consumer follows
// deps by name, as with AfterName (a work group by its members' names), so
// followers in any process keep them from closing first.
func After(deps ...Dependency) ConsumerOption {
	return func(c *consumerConfig) { c.after = append(c.after, deps...) }
}

// StartAtLatest starts the consumer at the next event to be published
// instead of the oldest event the ring still retains for its consumers. On
// a multi-producer ring that is the first sequence not yet published: an
// event claimed before the consumer joined and published after it is read
// too, since a consumer reads in order and never passes a claim in hand.
func StartAtLatest() ConsumerOption { return func(c *consumerConfig) { c.latest = true } }

// NewConsumer adds a broadcast consumer. It starts with the oldest event the
// ring still retains for its consumers (the first event, on a ring no
// producer has wrapped yet), unless StartAtLatest is given. On a shared
// ring, a name the ring already holds resumes that consumer's record.
//
// Errors: ErrTooManyConsumers when the consumer table is full,
// ErrUnknownConsumer for an AfterName no consumer has,
// ErrForeignDependency for an After of another ring, ErrClosed for an After
// of a closed consumer (or after the ring's Close); on a shared ring,
// ErrConsumerExists when a live consumer holds the name, ErrUntethered when
// the record of that name was evicted, and ErrTruncated.
func (r *Ring[E]) NewConsumer(name string, opts ...ConsumerOption) (*Consumer[E], error) {
	var cfg consumerConfig
	for _, o := range opts {
		o(&cfg)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.newConsumer(name, &cfg)
	if err != nil {
		return nil, err
	}
	for _, d := range cfg.after {
		d.addDependent(1)
	}
	r.consumers = append(r.consumers, c)
	return c, nil
}

// newConsumer joins a consumer record; r.mu is held.
func (r *Ring[E]) newConsumer(name string, cfg *consumerConfig) (*Consumer[E], error) {
	c := &Consumer[E]{r: r, name: name, site: r.eng.DataSite, ups: cfg.after, t: engine.Tally{Rec: new(engine.CounterRecord), Off: !r.counters},
		slots: r.slots, mask: r.eng.Mask, plain: true, follow: cfg.follow, manual: cfg.manual, lingers: lingerPauses(DefaultLinger)}
	if cfg.lingerSet {
		c.lingers = lingerPauses(cfg.linger)
	}
	c.w.Flush = c.showWaits
	if cfg.lat != nil && r.stamps != nil {
		c.lat, c.stamps, c.plain = cfg.lat, r.stamps, false
	}
	j := consumerJoin{name: name, owner: r, after: cfg.after, afterNames: cfg.afterNames, latest: cfg.latest, t: &c.t, w: &c.w}
	if err := r.host.joinConsumer(&j); err != nil {
		return nil, err
	}
	cfg.after = j.after // with what the heap host resolved of AfterName: NewConsumer counts them all
	c.ups, c.rec, c.deps, c.resumed = j.after, j.rec, j.deps, j.resumed
	if len(c.deps) > 0 {
		c.site = r.eng.DepSite
	}
	if j.resumed {
		c.found = &j.found
	}
	c.setStart(j.start)
	if c.w.Beat != nil { // a consumer with a heartbeat paces it (shm_pace.go)
		c.runMax = paceStart
	}
	return c, nil
}

func (c *Consumer[E]) setStart(start int64) {
	c.rec.Cursor.Store(start - 1)
	c.next, c.hi, c.released, c.last = start, start-1, start-1, start-1
	c.markKind, c.avail = engine.KindData, start-1
	c.seenFrom, c.seen = math.MaxInt64, start-1
	c.evStart, c.evBase, c.mkBase, c.flushedAt = start, c.t.V[cEvents], c.markers(), start
}

// namedConsumer finds an open consumer of this ring by name, or nil; r.mu
// is held.
func (r *Ring[E]) namedConsumer(name string) Dependency {
	for _, c := range r.consumers {
		if c.name == name && !c.closed {
			return c
		}
	}
	return nil
}

// keepsConsumer reports whether a consumer of this handle named name keeps
// its record (see keepsRecord); r.mu is held.
func (r *Ring[E]) keepsConsumer(name string) bool {
	for _, c := range r.consumers {
		if c.name == name && c.keepsRecord() {
			return true
		}
	}
	return false
}

func (c *Consumer[E]) cursors() (any, []*atomic.Int64) {
	return c.r, []*atomic.Int64{&c.rec.Cursor}
}

func (c *Consumer[E]) addDependent(d int) { c.dependents.Add(int32(d)) }

func (c *Consumer[E]) names() []string { return []string{c.name} }

// isClosed is read under r.mu, like every change to closed.
func (c *Consumer[E]) isClosed() bool { return c.closed }

// Name is the name given when the consumer was made.
func (c *Consumer[E]) Name() string { return c.name }

// Next returns the next event. The pointer stays valid until the consumer's
// next call. Next returns ErrFlush where a producer flushed, and io.EOF after
// every producer has closed and every event before was read; io.EOF repeats
// on later calls. It waits for events until ctx ends or the ring halts.
// Next while a lease is held panics: Release the lease first.
//
// Errors, besides ErrFlush and io.EOF: ctx's error, ErrHalted, ErrClosed
// after the consumer's or the ring's Close; on a shared ring,
// ErrProducerGone when every producer still open died, ErrUntethered when
// the producers stopped waiting for this consumer, ErrUpstreamGone when a
// consumer it follows left the ring for good, and ErrTruncated.
func (c *Consumer[E]) Next(ctx context.Context) (*E, error) {
	if buggify.Enabled && buggify.Fire(buggify.NextSlow) {
		return c.read(ctx, false)
	}
	if s := c.next; s <= c.hi && c.plain { // fast path: acquired, and data up to c.hi
		c.next, c.last = s+1, s
		return slot(c.slots, c.mask, s), nil
	}
	return c.read(ctx, false)
}

// TryNext is Next that returns ErrEmpty at once instead of waiting. Like a
// Next that waits, a TryNext that finds nothing releases what was read.
func (c *Consumer[E]) TryNext() (*E, error) { return c.read(context.Background(), true) }

// Sequence is the sequence of the event Next last returned.
func (c *Consumer[E]) Sequence() int64 { return c.last }

func (c *Consumer[E]) read(ctx context.Context, try bool) (*E, error) {
	if c.leased {
		panic("disruptor: Next while a lease is held")
	}
	if c.group != nil {
		return c.readWork(ctx, try)
	}
	for {
		if c.next > c.hi {
			if k, s, ok := c.takeMarker(); ok {
				if err := c.marker(k, s); err != nil {
					return nil, err
				}
				continue
			}
			if err := c.acquire(ctx, try); err != nil {
				return nil, err
			}
			continue
		}
		s := c.next
		c.next++
		c.last = s
		c.observe(s)
		return slot(c.slots, c.mask, s), nil
	}
}

// Close releases everything read and removes the consumer from the ring:
// it no longer gates producers. A consumer that others follow cannot close
// (ErrHasDependents). Close is idempotent, except after the ring's own
// Close, which detached the consumer instead: ErrClosed.
func (c *Consumer[E]) Close() error {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	if c.closed {
		if c.orphan {
			return ErrClosed
		}
		return nil
	}
	n := c.dependents.Load()
	if c.group != nil { // followers of a group follow each member's cursor
		n += c.group.dependents.Load()
	}
	n = c.r.host.followers(c.rec, n) // a shared ring's, in any process (see shm_follow.go)
	if n > 0 {
		return fmt.Errorf("%w: %q is followed by %d consumers", ErrHasDependents, c.name, n)
	}
	if c.group == nil && !c.leased {
		c.release(c.next - 1)
	}
	c.flushStats()
	c.t.Rec.Close()
	c.closed, c.plain = true, false
	c.drop() // what was acquired is no longer held: reads go to acquire, which says ErrClosed
	switch {
	case c.group != nil && c.group.leave(c, false): // kept for what it lent (see workgroup.go)
	default:
		c.leaveRecord(false)
	}
	for _, d := range c.ups {
		d.addDependent(-1)
	}
	return nil
}
