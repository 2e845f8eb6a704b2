package disruptor

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// Ring is a pre-allocated ring buffer of events of type E, with the producers
// and consumers attached to it. Make one with New.
type Ring[E any] struct {
	_      [engine.LineSize]byte // the engine is read on every publish: no neighbour writes its line
	eng    ringEngine
	slots  []E     // dense: markers live apart (markers.go)
	stamps []int64 // publication times, with WithPublishTimes
	sh     *shared // the mapping, for a ring in shared memory; nil in-process (the file host's own)
	host   host    // what differs between the memories: the heap, or sh (host.go)

	counters  bool       // participants publish their counters
	mu        sync.Mutex // guards the registration lists below
	producers []*Producer[E]
	consumers []*Consumer[E]
	apps      []*AppCounters // application counter sets open (appcounters.go)
}

// Option configures New.
type Option func(*config)

type config struct {
	multi        bool
	wait         WaitStrategy
	maxConsumers int
	first        int64 // the first sequence; tests start near 2^62

	// shared rings only
	dir       string        // where names without a slash live
	mode      os.FileMode   // permissions of a created file
	evictDead bool          // free the records of consumers whose process died
	untether  time.Duration // WithUntetherAfter
	noCounts  bool          // WithCounters(false)
	stamps    bool          // WithPublishTimes
}

// WithMultiProducer lets any number of producers publish concurrently. The
// default, single-producer mode, allows one producer and claims without any
// atomic read-modify-write.
func WithMultiProducer() Option { return func(c *config) { c.multi = true } }

// WithWaitStrategy sets how the ring's producers and consumers wait. The
// default is DefaultWait.
func WithWaitStrategy(w WaitStrategy) Option { return func(c *config) { c.wait = w } }

// WithMaxConsumers sizes the consumer table (default 64): consumers and work
// group members each take one entry while open.
func WithMaxConsumers(n int) Option { return func(c *config) { c.maxConsumers = n } }

// WithCounters switches the participants' counters on (the default) or
// off. Off, nothing is published to counter records; tallies cost a few
// plain additions either way.
func WithCounters(on bool) Option { return func(c *config) { c.noCounts = !on } }

// New makes a ring of size slots, size a power of two of at least 2. All
// memory is allocated here; moving events allocates nothing. Another size,
// or a size whose memory the machine does not have, is refused with
// ErrInvalidSize; WithMaxConsumers below 1 is refused too.
func New[E any](size int, opts ...Option) (*Ring[E], error) {
	cfg := newConfig(opts)
	if err := checkSize(size); err != nil {
		return nil, err
	}
	if cfg.maxConsumers < 1 {
		return nil, fmt.Errorf("disruptor: WithMaxConsumers(%d): need at least 1", cfg.maxConsumers)
	}
	if err := checkMemory[E](size, &cfg); err != nil {
		return nil, err
	}
	ctl := new(engine.Control)
	r := &Ring[E]{slots: make([]E, size), counters: !cfg.noCounts}
	if cfg.stamps {
		r.stamps = make([]int64, size)
	}
	h := &heapHost{eng: &r.eng, ring: r}
	r.host = h
	r.eng = ringEngine{
		size: int64(size), mask: int64(size - 1), multi: cfg.multi, relaxed: engine.RelaxedOK() && !cfg.wait.parksAtOnce(),
		ctl: ctl, recs: make([]engine.ConsumerRecord, cfg.maxConsumers), marks: make([]markWord, size),
		wait:      cfg.wait.forProcs(runtime.GOMAXPROCS(0)).s,
		procs:     runtime.GOMAXPROCS(0),
		dataSite:  h.site(&ctl.DataWait),
		depSite:   h.site(&ctl.DepWait),
		spaceSite: h.site(&ctl.SpaceWait),
	}
	if cfg.multi {
		r.eng.avail = make([]engine.AvailWord, size)
	}
	r.eng.initWords(cfg.first)
	return r, nil
}

// newConfig applies opts over the defaults.
func newConfig(opts []Option) config {
	cfg := config{maxConsumers: 64, mode: 0o600, dir: defaultDir}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// Size is the number of slots.
func (r *Ring[E]) Size() int { return int(r.eng.size) }

// Cursor is the highest sequence claimed by producers (in single-producer
// mode, the highest published), or -1 before the first claim.
func (r *Ring[E]) Cursor() int64 { return r.eng.claimed() }

// WaitStrategy is the strategy the ring's participants wait with.
func (r *Ring[E]) WaitStrategy() WaitStrategy { return WaitStrategy{s: r.eng.wait} }

// Halt stops the ring now: every call that is waiting, or that would have
// to wait, returns ErrHalted. Calls that need not wait still succeed: events
// already available may still be read, and a claim may still take room
// that is free. Halt is idempotent.
func (r *Ring[E]) Halt() { r.eng.halt() }

// Halted reports whether Halt was called.
func (r *Ring[E]) Halted() bool { return r.eng.halted() }

// join takes a free consumer record and makes it gate producers from a safe
// starting sequence: GateCache+1, or the next claim when latest is set.
//
// The record becomes active, then Epoch moves, then GateCache is read: a
// producer computing a gate without the record re-checks Epoch after raising
// GateCache, so either it sees the record or this load sees its gate.
func (e *ringEngine) join(latest bool, init func(*engine.ConsumerRecord)) (*engine.ConsumerRecord, int64, error) {
	var rec *engine.ConsumerRecord
	idx := -1
	for i := range e.recs {
		if e.recs[i].Followers.Load() != 0 {
			continue // freed, but followers still refer to it (see shm_follow.go)
		}
		if e.recs[i].State.CompareAndSwap(engine.RecFree, engine.RecClosed) { // reserved, not yet gating
			rec, idx = &e.recs[i], i
			break
		}
	}
	if rec == nil {
		return nil, 0, fmt.Errorf("%w (%d entries)", ErrTooManyConsumers, len(e.recs))
	}
	for {
		n := e.ctl.Records.Load()
		if int(n) > idx || e.ctl.Records.CompareAndSwap(n, uint32(idx+1)) {
			break
		}
	}
	if init != nil {
		init(rec)
	}
	rec.Cursor.Store(e.ctl.GateCache.Load())
	rec.State.Store(engine.RecActive)
	if buggify.Enabled {
		buggify.Pause(buggify.Join)
	}
	e.ctl.Epoch.Add(1)
	e.members.Add(1)
	if buggify.Enabled {
		buggify.Pause(buggify.Join)
	}
	start := e.ctl.GateCache.Load() + 1
	if latest {
		start = max(start, e.claimed()+1)
	}
	rec.Cursor.Store(start - 1)
	return rec, start, nil
}

// leave frees a consumer record: it stops gating producers.
func (e *ringEngine) leave(rec *engine.ConsumerRecord) {
	e.members.Add(-1)
	rec.State.Store(engine.RecFree)
	if buggify.Enabled {
		buggify.Pause(buggify.Leave)
	}
	e.ctl.Epoch.Add(1)
	e.released()
}

// Dependency is something a consumer can be made to follow: a *Consumer or a
// *WorkGroup of the same ring.
type Dependency interface {
	cursors() (owner any, words []*atomic.Int64)
	addDependent(delta int)
	isClosed() bool  // closed: its cursors no longer move, and may be reused
	names() []string // its consumers' names: a shared ring's consumers follow by name
}
