package disruptor

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// Ring is a pre-allocated ring buffer of events of type E, with the producers
// and consumers attached to it. Make one with New.
type Ring[E any] struct {
	_      [engine.LineSize]byte // the engine is read on every publish: no neighbour writes its line
	eng    engine.Engine
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
	r.eng = engine.Engine{
		Size: int64(size), Mask: int64(size - 1), Multi: cfg.multi, Relaxed: engine.RelaxedOK() && !cfg.wait.parksAtOnce(),
		Ctl: ctl, Recs: make([]engine.ConsumerRecord, cfg.maxConsumers), Marks: make([]engine.MarkWord, size),
		Wait:      cfg.wait.forProcs(runtime.GOMAXPROCS(0)).s,
		Procs:     runtime.GOMAXPROCS(0),
		DataSite:  h.site(&ctl.DataWait),
		DepSite:   h.site(&ctl.DepWait),
		SpaceSite: h.site(&ctl.SpaceWait),
	}
	if cfg.multi {
		r.eng.Avail = make([]engine.AvailWord, size)
	}
	r.eng.InitWords(cfg.first)
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
func (r *Ring[E]) Size() int { return int(r.eng.Size) }

// Cursor is the highest sequence claimed by producers (in single-producer
// mode, the highest published), or -1 before the first claim.
func (r *Ring[E]) Cursor() int64 { return r.eng.Claimed() }

// WaitStrategy is the strategy the ring's participants wait with.
func (r *Ring[E]) WaitStrategy() WaitStrategy { return WaitStrategy{s: r.eng.Wait} }

// Halt stops the ring now: every call that is waiting, or that would have
// to wait, returns ErrHalted. Calls that need not wait still succeed: events
// already available may still be read, and a claim may still take room
// that is free. Halt is idempotent.
func (r *Ring[E]) Halt() { r.eng.Halt() }

// Halted reports whether Halt was called.
func (r *Ring[E]) Halted() bool { return r.eng.Halted() }

// Dependency is something a consumer can be made to follow: a *Consumer or a
// *WorkGroup of the same ring.
type Dependency interface {
	cursors() (owner any, words []*atomic.Int64)
	addDependent(delta int)
	isClosed() bool  // closed: its cursors no longer move, and may be reused
	names() []string // its consumers' names: a shared ring's consumers follow by name
}
