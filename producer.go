package disruptor

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// Producer claims slots, fills them in place and publishes them. A producer
// is used by one goroutine at a time and holds at most one claim: Publish or
// Skip it before claiming again.
type Producer[E any] struct {
	_     [engine.LineSize]byte // keep other heap objects off the hot fields' lines
	slots []E                   // the ring's, copied here to keep the hot path short
	mask  int64
	// next: single mode, the next sequence to claim; multi mode, the multi
	// fast path's state, multiOpen, multiHeld or multiShut (never a
	// sequence: those are not negative)
	next int64
	// limit: Claim's fast path takes next while next <= limit; claimShut
	// shuts it, and claimHeld says a claim is held that Publish's fast path
	// publishes (see holding)
	limit  int64
	glimit int64 // what limit returns to after a Publish: the gate plus the size, or claimShut
	gnext  int64 // multi mode: what next returns to after a Publish, multiOpen or multiShut
	mlimit int64 // multi mode: the highest sequence the gate lets a claim take (the gate plus the size)
	// flushAt: the tallies are published once next (multi mode: ones)
	// passes it
	flushAt int64
	// quietTo: Publish's fast path returns at once while it publishes below
	// it (multi mode: while ones is below it) and no consumer is parked:
	// flushAt, or claimShut where the store it makes is not a barrier (see
	// published)
	quietTo int64
	// multi mode: what Publish's fast path published, and how much of it
	// fold has counted
	ones, onesFolded int64
	fence            atomic.Int64 // a word of its own for published's barrier
	pubFast          bool         // Publish's fast path applies: single mode, no stamps, no exact counts
	// multiFast: the multi-producer fast paths apply (no stamps, no exact
	// counts, no claim announcements: in-process)
	multiFast bool
	avail     []engine.AvailWord // multi mode: the ring's availability words
	held      bool               // a claim is outstanding, other than one limit marks (see holding)
	relaxed   bool               // the engine's: publish with a release store
	cursor    *atomic.Int64      // the ring's cursor
	waiters   *atomic.Int32      // consumers parked waiting for data
	eng       *engine.Engine
	lo, hi    int64 // the latest claim (single mode: hi is next-1)
	stamps    []int64
	size      int64
	st        engine.ProducerState
	single    bool // single-producer mode
	closed    bool
	orphan    bool // closed by the ring's Close: no EOF was sent
	evSize    int64
	pf        engine.Prefetch // prefetch.go
	pfOn      bool            // the fast paths' publications prefetch (regate)
	pfAt      int64           // single mode: the publication, multi mode: the count in ones, due to prefetch
	t         engine.Tally
	// Single mode tallies claims and publications from sequences (see
	// fold): from start, with base what the counters held then, and the
	// claims counted one by one (the slow path's and ClaimN's: see
	// countClaim) with the sequences they took.
	start         int64
	base          [16]int64
	countedClaims int64
	countedSeqs   int64
	r             *Ring[E]
	name          string
	entry         int // shared rings: the producer table entry
	// marks.go: the mark staged for the next publication, and the latest
	// published one
	markNext   uint64
	markStaged bool
	markOK     bool
	mark       uint64
	_          [engine.LineSize]byte
}

// claimShut in limit shuts Claim's fast path; claimHeld shuts it too, and
// says that a claim is held that Publish's fast path may publish.
const (
	claimShut = math.MinInt64
	claimHeld = math.MinInt64 + 1
)

// In multi mode next, which no claim moves, holds the multi fast path's
// state: multiOpen opens it, multiHeld says it holds a claim of one (lo),
// multiShut shuts it. They are small negative numbers: next <= limit never
// holds in multi mode (limit is claimShut there), and Claim compares next,
// already in a register, with a one-byte constant.
const (
	multiShut = -1
	multiOpen = -2
	multiHeld = -3
)

// holding reports whether a claim is outstanding. A claim is held in one of
// three ways: limit is claimHeld (single mode with pubFast: a claim of
// [lo, next-1]), next is multiHeld (multi mode with multiFast: a claim of
// lo), or held is set (every other claim).
func (p *Producer[E]) holding() bool {
	return p.held || p.limit == claimHeld || (!p.single && p.next == multiHeld)
}

// hold records a claim of [lo, hi] taken by a slow path.
func (p *Producer[E]) hold(lo, hi int64) {
	p.lo, p.hi = lo, hi
	if p.single {
		p.next = hi + 1
	} else {
		p.next = multiShut
	}
	if p.pubFast { // single mode
		p.limit = claimHeld
	} else {
		p.held, p.limit = true, claimShut
	}
}

// unhold ends the outstanding claim's hold.
func (p *Producer[E]) unhold() {
	p.held, p.limit = false, p.glimit
	if !p.single {
		p.next = p.gnext
	}
}

// NewProducer adds a producer. In single-producer mode (the default) only one
// may be made; see WithMultiProducer. Make every producer before the first
// one closes: consumers see EOF after one Close from each producer made.
//
// Errors: ErrSingleProducer for a second producer in single-producer mode
// (on a shared ring: while the first one's process lives), ErrClosed after
// the ring's Close; on a shared ring, ErrTooManyProducers when the producer
// table is full, and ErrTruncated. A shared ring's producer takes over the
// entry of a dead producer, preferably one of the same name.
func (r *Ring[E]) NewProducer(name string) (*Producer[E], error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &Producer[E]{r: r, name: name, slots: r.slots, stamps: r.stamps, mask: r.eng.Mask, size: r.eng.Size,
		eng: &r.eng, single: !r.eng.Multi, relaxed: r.eng.Relaxed, cursor: &r.eng.Ctl.Cursor.Int64, waiters: &r.eng.Ctl.DataWait.Waiters,
		evSize: int64(unsafe.Sizeof(*new(E))), t: engine.Tally{Rec: new(engine.CounterRecord), Off: !r.counters}}
	p.st.W.Flush = p.showWaits
	j := producerJoin{name: name, made: len(r.producers), t: &p.t, st: &p.st}
	if err := r.host.joinProducer(&j); err != nil {
		return nil, err
	}
	p.entry, p.mark, p.markOK = j.entry, j.mark, j.markOK
	p.next, p.start, p.base = p.st.Last+1, p.st.Last+1, p.t.V
	p.lo, p.hi, p.flushAt = p.next, p.next-1, p.next+publishFlushEvery
	p.setFast()
	p.avail = r.eng.Avail
	p.pf = p.planPrefetch() // its first fast publication asks (pfAt is 0)
	p.regate()
	p.flushStats() // its mark: what it publishes from here on counts
	r.producers = append(r.producers, p)
	return p, nil
}

// setFast sets which of the fast paths apply. A claim Publish's fast path
// would publish, held when they stop applying (a mark was staged), moves
// to the slow path.
func (p *Producer[E]) setFast() {
	p.pubFast = p.single && p.stamps == nil && !p.markStaged && !p.closed
	p.multiFast = !p.single && p.stamps == nil && !p.t.Exact && p.st.Intent == nil && !p.markStaged && !p.closed
	if p.limit == claimHeld && !p.pubFast {
		p.held, p.limit = true, claimShut
	}
	if !p.single && p.next == multiHeld && !p.multiFast {
		p.slowHold()
	}
	p.regate()
}

// regate sets the fast path's limits from the gate. Claim's fast path
// holds its claims for Publish's (claimHeld), so it is open only where
// that one applies.
func (p *Producer[E]) regate() {
	if p.closed {
		p.pubFast, p.multiFast = false, false
	}
	p.mlimit = p.st.Gate + p.size
	p.glimit, p.gnext = claimShut, multiShut
	if p.pubFast {
		p.glimit = p.mlimit
	}
	if p.multiFast {
		p.gnext = multiOpen
	}
	p.pfOn = engine.HavePrefetch && (p.single || p.multiFast && p.eng.LiveProducers() <= 1) // see prefetch.go
	p.quiet()
	if !p.holding() {
		p.limit = p.glimit
		if !p.single {
			p.next = p.gnext
		}
	}
}

// Name is the name given to NewProducer.
func (p *Producer[E]) Name() string { return p.name }

// Claim reserves the next slot and returns its event for the caller to fill
// before Publish. It waits while the ring is full, until ctx ends or the ring
// halts. The event holds whatever was last published there. A claim while
// the previous one is neither published nor skipped panics, as do Publish
// and Skip without a claim: they are errors in the caller's sequencing.
//
// Errors: ctx's error when it ends first, ErrHalted once the ring halted,
// ErrClosed after the producer's or the ring's Close, and, on a shared
// ring, ErrTruncated once its file was truncated.
func (p *Producer[E]) Claim(ctx context.Context) (*E, error) {
	if buggify.Enabled { // a constant: the block vanishes from ordinary builds
		if buggify.Fire(buggify.ClaimSlow) { // the slow path, room or not
			return p.claimSlow(ctx)
		}
	}
	if s := p.next; s <= p.limit { // fast path: single mode, room known
		p.next, p.lo, p.limit = s+1, s, claimHeld
		return slot(p.slots, p.mask, s), nil
	}
	if p.next == multiOpen { // fast path: multi mode, room known, the CAS won
		if s := p.casClaim(); s >= 0 {
			p.next = multiHeld
			return slot(p.slots, p.mask, s), nil
		}
	}
	return p.claimSlow(ctx)
}

// casClaim is the multi-producer fast path's claim of one slot: its
// sequence if the room was known and the CAS won, or -1 (no sequence is
// negative; one result, not two, keeps the inlined callers' tests short).
// It inlines.
//
// It sets lo alone: hi and the claim's count follow when the claim leaves
// the fast path (see slowHold), or from ones, when Publish's fast path
// publishes it.
func (p *Producer[E]) casClaim() (s int64) {
	c := p.cursor // a local: the CAS does not reload it after the atomic load
	cur := c.Load()
	if s = cur + 1; s <= p.mlimit && c.CompareAndSwap(cur, s) {
		p.lo = s
		return s
	}
	return -1
}

// slowHold moves a claim the multi fast path holds (next is multiHeld) to
// the slow path's hold, counting it: Publish's fast path, which counts its
// claims in ones, will not publish it.
func (p *Producer[E]) slowHold() {
	p.hi, p.held, p.next = p.lo, true, multiShut
	p.t.V[pClaims]++
}

// claimSlow is Claim's slow path.
func (p *Producer[E]) claimSlow(ctx context.Context) (*E, error) {
	if err := p.claim(ctx, 1, false); err != nil {
		return nil, err
	}
	return &p.slots[p.lo&p.mask], nil
}

// TryClaim is Claim that returns ErrFull at once instead of waiting.
func (p *Producer[E]) TryClaim() (*E, error) {
	if err := p.claim(context.Background(), 1, true); err != nil {
		return nil, err
	}
	return &p.slots[p.lo&p.mask], nil
}

// ClaimN reserves n consecutive slots, published together by one Publish.
// An n below 1 or above the ring's size gives ErrTooLarge; otherwise its
// errors are Claim's.
func (p *Producer[E]) ClaimN(ctx context.Context, n int) (Batch[E], error) {
	if s, k := p.next, int64(n); k >= 1 && k <= p.size && s+k-1 <= p.limit { // fast path: single mode, room known
		p.next, p.lo, p.hi, p.limit = s+k, s, s+k-1, claimHeld
		p.countClaim(k)
		return Batch[E]{p: p, lo: s, n: n}, nil
	}
	if err := p.claim(ctx, n, false); err != nil {
		return Batch[E]{}, err
	}
	return Batch[E]{p: p, lo: p.lo, n: n}, nil
}

// TryClaimN is ClaimN that returns ErrFull at once instead of waiting.
func (p *Producer[E]) TryClaimN(n int) (Batch[E], error) {
	if err := p.claim(context.Background(), n, true); err != nil {
		return Batch[E]{}, err
	}
	return Batch[E]{p: p, lo: p.lo, n: n}, nil
}

// Sequence is the first sequence of the latest claim.
func (p *Producer[E]) Sequence() int64 { return p.lo }

func (p *Producer[E]) claim(ctx context.Context, n int, try bool) error {
	// Truncated: the slots are not the ring's any more (a fault may have
	// cut the last claim short: it is as good as skipped).
	if err := p.r.host.usable(); err != nil && !p.closed {
		return err
	}
	if p.holding() {
		panic("disruptor: claim while an earlier claim is neither published nor skipped")
	}
	if p.closed {
		return ErrClosed
	}
	if n < 1 || int64(n) > p.r.eng.Size {
		return fmt.Errorf("%w: claim of %d slots on a ring of %d", ErrTooLarge, n, p.r.eng.Size)
	}
	if p.single {
		p.st.Last = p.next - 1
	}
	lo, hi, err := p.eng.Claim(ctx, &p.st, int64(n), try)
	if p.st.WC.Full != 0 || p.st.WC.Polls != 0 {
		p.showWaits()
	} else if p.st.WC.Yields != 0 { // it gave way on a crowded ring (Engine.Claim): counted, shown with the rest
		p.t.V[pYields] += p.st.WC.Yields
		p.st.WC.Yields = 0
	}
	p.regate()
	if err != nil {
		return err
	}
	p.hold(lo, hi)
	p.countClaim(int64(n))
	return nil
}

// Publish makes the outstanding claim visible to consumers.
func (p *Producer[E]) Publish() {
	if buggify.Enabled {
		buggify.Pause(buggify.ClaimPublish)
	}
	if p.limit == claimHeld { // fast path: single mode, one store of the cursor
		hi := p.next - 1
		p.limit = p.glimit
		if p.storeCursor(hi) {
			p.published(hi)
		}
		return
	}
	if p.next == multiHeld { // fast path: multi mode, one availability word
		s := p.lo
		p.next = p.gnext
		if p.storeAvail(s) {
			p.published(s)
		}
		return
	}
	n := p.publishAs(engine.KindData)
	if !p.single {
		p.t.V[pPublished] += n
	}
	if p.t.Exact && !p.single { // single mode: readers add what the cursor moved (pMark)
		p.storeExact()
	}
	if p.t.Pending += int(n); p.t.Pending >= publishFlushEvery {
		p.flushStats()
	}
}

// storeCursor is the single mode's fast publication of hi: the cursor's
// release store. It reports whether published must follow: a consumer may
// be parked, the tallies are due, or the store was no barrier. It inlines.
func (p *Producer[E]) storeCursor(hi int64) (more bool) {
	engine.StoreRelease(p.cursor, hi)
	return p.waiters.Load() != 0 || hi >= p.quietTo || buggify.Enabled
}

// storeAvail is the multi mode's fast publication of s, a claim of one:
// its availability word's release store, counted in ones. It reports
// whether published must follow, as storeCursor does. It inlines.
func (p *Producer[E]) storeAvail(s int64) (more bool) {
	engine.StoreRelease(slot(p.avail, p.mask, s), s)
	p.ones++
	return p.waiters.Load() != 0 || p.ones >= p.quietTo || buggify.Enabled
}

// published is the rest of a fast Publish of hi, when consumers may be
// parked or the tallies are due. Where the fast path's release store is no
// barrier (quietTo is claimShut), one comes first: the waiters' load must
// not pass the store (see engine.Engine.Publish).
func (p *Producer[E]) published(hi int64) {
	if engine.HaveReleaseStore && !p.relaxed {
		p.fence.Add(1)
	}
	if p.pfOn {
		p.prefetch(hi)
	}
	if buggify.Enabled {
		buggify.Pause(buggify.PublishWake)
	}
	if p.eng.WakeIfParked() {
		p.t.V[pUnparks]++
	}
	if (p.single && hi >= p.flushAt) || p.t.Pending >= publishFlushEvery || (!p.single && p.ones >= p.flushAt) {
		p.flushStats()
	}
}
