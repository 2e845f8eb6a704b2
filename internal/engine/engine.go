package engine

// Invariants of the engine.
//
// The engine is the sequencing code, written once, over the words of
// words.go wherever they live. Sequences are int64 and never wrap in
// practice. Slot s lives at index s&mask.
//
//   - A producer claims sequence s only when s-size <= gate, where gate is a
//     gating minimum it computed (refreshGate) and raised into GateCache
//     first. So a slot is overwritten only after every active consumer record
//     released the sequence it held.
//   - Single-producer: publishing s is one store of Cursor=s, after the
//     slot's writes: that store synchronizes before any consumer load that
//     observes it.
//   - Multi-producer: producers claim by CAS on Cursor, then publish each
//     sequence s by storing s into its availability word. A consumer sees s
//     published when that word equals s; a slow producer never delays a fast
//     one's publication, only the consumers' view past the hole.
//   - A consumer record's Cursor is stored after the consumer finished with
//     every sequence up to it; producers and dependents load it.
//   - A joining consumer starts at GateCache+1 or later (see Join), so no
//     producer can overwrite what it is about to read.
//   - Multi-producer: no gate passes a sequence not yet published, consumers
//     or none (refreshGate), so a claim is its producer's alone until it
//     publishes it: no other producer takes the slot's next lap before.

import (
	"context"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
)

// Engine holds the geometry and the views of the shared words.
type Engine struct {
	Size    int64
	Mask    int64
	Multi   bool
	Relaxed bool // publish with release stores; parking runs a barrier
	Shared  bool // the words are in a mapping other processes share
	// FullBarriers: a shared ring every process publishes to with full
	// barriers (layout.Params.FullBarriers): parking needs no barrier
	FullBarriers bool

	// Watch, for shared rings, checks on the other processes while a
	// participant waits: producers evict dead consumers (if EvictDead),
	// consumers learn that the producers died (ErrProducerGone).
	Watch     func(producer bool, me *Waiter) error
	EvictDead bool
	Untether  time.Duration // shared rings: evict consumers silent this long (0: never)
	Mapping   Mapping       // shared rings: the handle's mapping (nil in-process)

	Members atomic.Int32 // this process's open producers and consumers
	Closed  atomic.Int64 // in-process rings: producers closed (pastEnd)
	Procs   int          // processors to run participants on, fixed when the ring is made
	Crowd   atomic.Bool  // shared rings: crowded when a participant last began a wait (Crowded)
	Ctl     *Control
	Avail   []AvailWord      // multi-producer only
	Marks   []MarkWord       // markers out of the slots (markers.go)
	Recs    []ConsumerRecord // the consumer table
	Wait    Schedule         // the strategy's phases, adapted to procs (forProcs)

	DataSite  ParkSite // consumers waiting for producers
	DepSite   ParkSite // consumers waiting for upstream consumers
	SpaceSite ParkSite // producers waiting for room
}

// InitWords sets the shared words of a new ring whose first sequence is
// first (0 except in tests).
func (e *Engine) InitWords(first int64) {
	e.Ctl.Cursor.Store(first - 1)
	e.Ctl.GateCache.Store(first - 1)
	for i := range e.Avail {
		e.Avail[i].Store(math.MinInt64)
	}
	e.initMarks()
}

// Halted reports whether the ring was halted.
func (e *Engine) Halted() bool { return e.Ctl.State.Load() == StateHalted }

// Halt stops the ring: every waiter returns ErrHalted.
func (e *Engine) Halt() {
	e.Ctl.State.Store(StateHalted)
	e.DataSite.Wake()
	e.DepSite.Wake()
	e.SpaceSite.Wake()
}

// LiveProducers is how many of an in-process ring's producers are open.
func (e *Engine) LiveProducers() int64 {
	return int64(e.Ctl.Producers.Load()) - e.Closed.Load()
}

// Claimed is the highest sequence claimed by any producer, for producers'
// default gate and for consumers starting at the latest event.
func (e *Engine) Claimed() int64 { return e.Ctl.Cursor.Load() }

// refreshGate computes the gating minimum over active consumer records and
// claimHigh, and raises GateCache to it before returning it. If a consumer
// joined meanwhile (Epoch moved), it computes again, so a joiner that read
// GateCache after joining is never overtaken by a gate computed without it.
//
// With no consumer at all, the gate runs half a ring behind the claims (or
// as far as want, the claim's wrap point, needs): a producer then refreshes
// every half ring, and observers of a shared ring keep half a ring of slack
// before they are told they were lapped. On a multi-producer ring it stops,
// besides, before the first claim not yet published (see Frontier): a
// claim is its producer's until it publishes it, and no one else may take
// its slot's next lap. (With consumers the gate is already there: none reads
// past what is unpublished, and none joins past it, see Join.) held reports
// that the gate stopped there, short of want: the producer waits for a
// publication, not for a consumer.
func (e *Engine) refreshGate(claimHigh, want int64) (g int64, held bool) {
	for {
		epoch := e.Ctl.Epoch.Load()
		g = max(want, claimHigh-e.Size/2)
		gated := false
		n := min(int(e.Ctl.Records.Load()), len(e.Recs)) // a mapped word: bounded
		for i := 0; i < n; i++ {
			r := &e.Recs[i]
			if r.State.Load() == RecActive {
				g, gated = min(g, r.Cursor.Load()), true
			}
			if buggify.Enabled {
				buggify.Pause(buggify.GateScan)
			}
		}
		if e.Multi && !gated {
			g = min(g, e.Frontier())
			held = g < want
		}
		for {
			cur := e.Ctl.GateCache.Load()
			if g <= cur || e.Ctl.GateCache.CompareAndSwap(cur, g) {
				break
			}
		}
		if buggify.Enabled {
			buggify.Pause(buggify.GateRaise)
		}
		if e.Ctl.Epoch.Load() == epoch {
			return g, held
		}
	}
}

// ProducerState is what a producer keeps in its own memory.
type ProducerState struct {
	Last   int64 // single-producer: the last claimed sequence
	Gate   int64 // the gating minimum last computed
	W      Waiter
	WC     WaitCounts
	Intent *ProducerRecord // multi-producer shared rings: where claims are announced
}

// Claim reserves n sequences. try makes it fail with ErrFull instead of
// waiting.
func (e *Engine) Claim(ctx context.Context, p *ProducerState, n int64, try bool) (lo, hi int64, err error) {
	if buggify.Enabled && try && buggify.Fire(buggify.TryFull) {
		p.WC.Full++
		return 0, 0, ErrFull
	}
	if !e.Multi {
		hi = p.Last + n
		if hi-e.Size > p.Gate {
			if err = e.awaitSpace(ctx, p, hi-e.Size, try); err != nil {
				return 0, 0, err
			}
		}
		lo, p.Last = p.Last+1, hi
		return lo, hi, nil
	}
	// Producers contending for the cursor on a crowded ring (more
	// participants than processors) run on every processor at once, and
	// each claim moves the cursor's line between them. A claim that comes
	// here from a fast path that lost the race (or of several, which has
	// none), and one that loses a race here, first gives its processor to
	// whoever is waiting for it, often the consumer, so that producers
	// contend less and hand over on one processor. Across processes a
	// yield would be a system call, and a try does not wait: they do not.
	mayYield := !try && !e.Shared
	contended := mayYield && e.Crowded()
	for {
		if contended {
			p.WC.Yields++
			runtime.Gosched()
		}
		cur := e.Ctl.Cursor.Load()
		hi = cur + n
		if hi-e.Size > p.Gate {
			if err = e.awaitSpace(ctx, p, hi-e.Size, try); err != nil {
				return 0, 0, err
			}
			contended = false // it waited: the cursor moved on without it
			continue
		}
		if p.Intent != nil { // announce the claim, so that it is known if this process dies
			p.Intent.Announce(cur+1, hi)
		}
		if buggify.Enabled {
			buggify.Pause(buggify.ClaimCAS)
		}
		if e.Ctl.Cursor.CompareAndSwap(cur, hi) {
			return cur + 1, hi, nil
		}
		if p.Intent != nil {
			p.Intent.ClaimLo.Store(ClaimNone)
		}
		contended = mayYield && e.Crowded()
	}
}

// awaitSpace waits until the gate reaches wrap (the sequence whose slot the
// claim overwrites).
//
// Room comes from consumers releasing, which wakes SpaceSite, or, on a
// multi-producer ring whose gate stopped at a claim in hand (see
// refreshGate), from its publication, which wakes DataSite: the producer
// parks where what it waits for will wake it, and moves when that changes.
func (e *Engine) awaitSpace(ctx context.Context, p *ProducerState, wrap int64, try bool) error {
	held := false
	ready := func() bool {
		high := p.Last
		if e.Multi {
			high = e.Ctl.Cursor.Load()
		}
		p.Gate, held = e.refreshGate(high, wrap)
		return wrap <= p.Gate
	}
	if ready() {
		return nil
	}
	p.WC.Full++
	if try {
		return ErrFull
	}
	p.W.Producer = true
	for {
		was, site := held, e.SpaceSite
		if held {
			site = e.DataSite
		}
		err := e.Await(ctx, site, &p.W, &p.WC, func() bool { return ready() || held != was })
		if err != nil || wrap <= p.Gate {
			return err
		}
	}
}

// Publish makes [lo, hi] visible to consumers; the slots' writes happen
// before it. It reports whether it woke parked consumers.
func (e *Engine) Publish(lo, hi int64) bool {
	if !e.Multi {
		return e.publishSingle(hi)
	}
	e.publishAvail(lo, hi)
	if buggify.Enabled {
		buggify.Pause(buggify.PublishWake)
	}
	return e.WakeIfParked()
}

// publishSingle is Publish in single-producer mode: one store of the
// cursor. (Producer.Publish's fast path does the same store itself.)
func (e *Engine) publishSingle(hi int64) bool {
	e.Store(&e.Ctl.Cursor.Int64, hi)
	if buggify.Enabled {
		buggify.Pause(buggify.PublishWake)
	}
	return e.WakeIfParked()
}

// WakeIfParked wakes parked consumers, if there are any: one load when
// there are none.
func (e *Engine) WakeIfParked() bool {
	if e.Ctl.DataWait.Waiters.Load() != 0 {
		e.WakeData()
		return true
	}
	return false
}

// WakeData wakes the consumers parked for data.
func (e *Engine) WakeData() { e.DataSite.Wake() }

// WakeEnded wakes the consumers parked for data or for their upstream
// after a producer closed: one past the end of the stream learns it from
// the count of closed producers (pastEnd), which its EOF's wake-up came
// too early to see.
func (e *Engine) WakeEnded() {
	e.WakeIfParked()
	if e.Ctl.DepWait.Waiters.Load() != 0 {
		e.DepSite.Wake()
	}
}

// Fence is the waiter's half of the release-store protocol: a barrier on
// every thread that may publish to this ring.
func (e *Engine) fence() {
	switch {
	case e.FullBarriers: // every publisher's store was a barrier already
	case e.Shared:
		GlobalBarrier() // publishers in other processes may be relaxed
	case e.Relaxed:
		ProcessBarrier()
	}
}

// Store publishes v in *w: a release store where the engine is relaxed,
// otherwise a sequentially consistent one.
func (e *Engine) Store(w *atomic.Int64, v int64) {
	if e.Relaxed {
		StoreRelease(w, v)
	} else {
		w.Store(v)
	}
}

// publishAvail is kept out of line so that Publish inlines.
//
//go:noinline
func (e *Engine) publishAvail(lo, hi int64) {
	avail, mask := e.Avail, e.Mask // locals, as in published
	for s := lo; s <= hi; s++ {
		if buggify.Enabled && s > lo {
			buggify.Pause(buggify.PublishRange)
		}
		e.Store(&avail[s&mask], s)
	}
}

// Published returns the highest sequence h >= next-1 such that every
// sequence in [next, h] is published.
//
// On a multi-producer ring it scans the availability words alone, never the
// cursor: the producers' CAS wants the cursor's line owned, and a reader's
// load of it, every poll, made each CAS fetch the line back from the
// reader's core. The words need no bound: avail[s&mask] holds s only once s
// is published, and the scan stops at the first word that does not. With
// `disruptor bench -scenario mpsc -runs 5` (4 producers, 2 processors, 3
// runs): 47.5-50.8 -> 41.8-43.9 ns an event; a lone producer on a
// multi-producer ring went from 70-110 to 31-33.
func (e *Engine) Published(next int64) int64 {
	if !e.Multi {
		return e.Ctl.Cursor.Load()
	}
	// Locals: the loop does not reload them after each atomic load. A
	// mask of len(avail)-1, known not negative, lets the compiler drop the
	// bounds check (s&mask is within [0, mask]).
	avail := e.Avail
	mask := int64(len(avail) - 1)
	if mask < 0 {
		return next - 1
	}
	for s, end := next, next+mask; s <= end; s++ {
		if avail[s&mask].Load() != s {
			return s - 1
		}
	}
	return next + mask
}

// Frontier returns the highest h such that every sequence up to h is
// published: Published from GateCache+1. Those at or below GateCache are
// (no gate passes what is unpublished, see refreshGate), and none above it
// has had its slot taken for the next lap, so a word there holds its
// sequence or an older one. On a single-producer ring it is the cursor.
func (e *Engine) Frontier() int64 { return e.Published(e.Ctl.GateCache.Load() + 1) }

// IsPublished reports whether sequence s was published (as data or a
// marker) by the time of the call.
func (e *Engine) IsPublished(s int64) bool {
	if !e.Multi {
		return e.Ctl.Cursor.Load() >= s
	}
	return s <= e.Ctl.Cursor.Load() && e.Avail[s&e.Mask].Load() >= s
}

// Available returns the highest sequence a consumer reading from next with
// the given upstream cursors may read.
func (e *Engine) Available(next int64, deps []*atomic.Int64) int64 {
	if len(deps) == 0 {
		return e.Published(next)
	}
	m := deps[0].Load()
	for _, d := range deps[1:] {
		m = min(m, d.Load())
	}
	return m
}

// Released is called after a consumer stored its cursor: it wakes producers
// waiting for room and dependents waiting for it, if any are parked, and
// reports how many kinds of waiter it woke.
func (e *Engine) Released() (woke int64) {
	if e.Ctl.SpaceWait.Waiters.Load() != 0 {
		e.SpaceSite.Wake()
		woke++
	}
	if e.Ctl.DepWait.Waiters.Load() != 0 {
		e.DepSite.Wake()
		woke++
	}
	return woke
}
