package disruptor

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
//   - A joining consumer starts at GateCache+1 or later (see join), so no
//     producer can overwrite what it is about to read.

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// engine holds the geometry and the views of the shared words.
type ringEngine struct {
	size    int64
	mask    int64
	multi   bool
	relaxed bool // publish with release stores; parking runs a barrier
	shared  bool // the words are in a mapping other processes share
	// fullBarriers: a shared ring every process publishes to with full
	// barriers (layout.Params.FullBarriers): parking needs no barrier
	fullBarriers bool

	// watch, for shared rings, checks on the other processes while a
	// participant waits: producers evict dead consumers (if evictDead),
	// consumers learn that the producers died (ErrProducerGone).
	watch     func(producer bool, me *engine.Waiter) error
	evictDead bool
	untether  time.Duration // shared rings: evict consumers silent this long (0: never)
	mapping   *shared       // shared rings: the handle's mapping and its error (shm_fault.go)

	members atomic.Int32 // this process's open producers and consumers
	closed  atomic.Int64 // in-process rings: producers closed (pastEnd)
	procs   int          // processors to run participants on, fixed when the ring is made
	ctl     *engine.Control
	avail   []engine.AvailWord      // multi-producer only
	marks   []markWord              // markers out of the slots (markers.go)
	recs    []engine.ConsumerRecord // the consumer table
	wait    engine.Schedule         // the strategy's phases, adapted to procs (forProcs)

	dataSite  engine.ParkSite // consumers waiting for producers
	depSite   engine.ParkSite // consumers waiting for upstream consumers
	spaceSite engine.ParkSite // producers waiting for room
}

// initWords sets the shared words of a new ring whose first sequence is
// first (0 except in tests).
func (e *ringEngine) initWords(first int64) {
	e.ctl.Cursor.Store(first - 1)
	e.ctl.GateCache.Store(first - 1)
	for i := range e.avail {
		e.avail[i].Store(math.MinInt64)
	}
	e.initMarks()
}

func (e *ringEngine) halted() bool { return e.ctl.State.Load() == engine.StateHalted }

// halt stops the ring: every waiter returns ErrHalted.
func (e *ringEngine) halt() {
	e.ctl.State.Store(engine.StateHalted)
	e.dataSite.Wake()
	e.depSite.Wake()
	e.spaceSite.Wake()
}

// claimed is the highest sequence claimed by any producer, for producers'
// default gate and for consumers starting at the latest event.
func (e *ringEngine) claimed() int64 { return e.ctl.Cursor.Load() }

// refreshGate computes the gating minimum over active consumer records and
// claimHigh, and raises GateCache to it before returning it. If a consumer
// joined meanwhile (Epoch moved), it computes again, so a joiner that read
// GateCache after joining is never overtaken by a gate computed without it.
//
// With no consumer at all, the gate runs half a ring behind the claims (or
// as far as want, the claim's wrap point, needs): a producer then refreshes
// every half ring, and observers of a shared ring keep half a ring of slack
// before they are told they were lapped.
func (e *ringEngine) refreshGate(claimHigh, want int64) int64 {
	for {
		epoch := e.ctl.Epoch.Load()
		g := max(want, claimHigh-e.size/2)
		n := min(int(e.ctl.Records.Load()), len(e.recs)) // a mapped word: bounded
		for i := 0; i < n; i++ {
			r := &e.recs[i]
			if r.State.Load() == engine.RecActive {
				g = min(g, r.Cursor.Load())
			}
			if buggify.Enabled {
				buggify.Pause(buggify.GateScan)
			}
		}
		for {
			cur := e.ctl.GateCache.Load()
			if g <= cur || e.ctl.GateCache.CompareAndSwap(cur, g) {
				break
			}
		}
		if buggify.Enabled {
			buggify.Pause(buggify.GateRaise)
		}
		if e.ctl.Epoch.Load() == epoch {
			return g
		}
	}
}

// producerState is what a producer keeps in its own memory.
type producerState struct {
	last   int64 // single-producer: the last claimed sequence
	gate   int64 // the gating minimum last computed
	w      engine.Waiter
	wc     engine.WaitCounts
	intent *engine.ProducerRecord // multi-producer shared rings: where claims are announced
}

// claim reserves n sequences. try makes it fail with ErrFull instead of
// waiting.
func (e *ringEngine) claim(ctx context.Context, p *producerState, n int64, try bool) (lo, hi int64, err error) {
	if buggify.Enabled && try && buggify.Fire(buggify.TryFull) {
		p.wc.Full++
		return 0, 0, ErrFull
	}
	if !e.multi {
		hi = p.last + n
		if hi-e.size > p.gate {
			if err = e.awaitSpace(ctx, p, hi-e.size, try); err != nil {
				return 0, 0, err
			}
		}
		lo, p.last = p.last+1, hi
		return lo, hi, nil
	}
	for {
		cur := e.ctl.Cursor.Load()
		hi = cur + n
		if hi-e.size > p.gate {
			if err = e.awaitSpace(ctx, p, hi-e.size, try); err != nil {
				return 0, 0, err
			}
			continue
		}
		if p.intent != nil { // announce the claim, so that it is known if this process dies
			p.intent.Announce(cur+1, hi)
		}
		if buggify.Enabled {
			buggify.Pause(buggify.ClaimCAS)
		}
		if e.ctl.Cursor.CompareAndSwap(cur, hi) {
			return cur + 1, hi, nil
		}
		if p.intent != nil {
			p.intent.ClaimLo.Store(engine.ClaimNone)
		}
	}
}

// awaitSpace waits until the gate reaches wrap (the sequence whose slot the
// claim overwrites).
func (e *ringEngine) awaitSpace(ctx context.Context, p *producerState, wrap int64, try bool) error {
	ready := func() bool {
		high := p.last
		if e.multi {
			high = e.ctl.Cursor.Load()
		}
		p.gate = e.refreshGate(high, wrap)
		return wrap <= p.gate
	}
	if ready() {
		return nil
	}
	p.wc.Full++
	if try {
		return ErrFull
	}
	return e.await(ctx, e.spaceSite, &p.w, &p.wc, ready)
}

// publish makes [lo, hi] visible to consumers; the slots' writes happen
// before it. It reports whether it woke parked consumers.
func (e *ringEngine) publish(lo, hi int64) bool {
	if !e.multi {
		return e.publishSingle(hi)
	}
	e.publishAvail(lo, hi)
	if buggify.Enabled {
		buggify.Pause(buggify.PublishWake)
	}
	return e.wakeIfParked()
}

// publishSingle is publish in single-producer mode: one store of the
// cursor. (Producer.Publish's fast path does the same store itself.)
func (e *ringEngine) publishSingle(hi int64) bool {
	e.store(&e.ctl.Cursor.Int64, hi)
	if buggify.Enabled {
		buggify.Pause(buggify.PublishWake)
	}
	return e.wakeIfParked()
}

// wakeIfParked wakes parked consumers, if there are any: one load when
// there are none.
func (e *ringEngine) wakeIfParked() bool {
	if e.ctl.DataWait.Waiters.Load() != 0 {
		e.wakeData()
		return true
	}
	return false
}

func (e *ringEngine) wakeData() { e.dataSite.Wake() }

// wakeEnded wakes the consumers parked for data or for their upstream
// after a producer closed: one past the end of the stream learns it from
// the count of closed producers (pastEnd), which its EOF's wake-up came
// too early to see.
func (e *ringEngine) wakeEnded() {
	e.wakeIfParked()
	if e.ctl.DepWait.Waiters.Load() != 0 {
		e.depSite.Wake()
	}
}

// fence is the waiter's half of the release-store protocol: a barrier on
// every thread that may publish to this ring.
func (e *ringEngine) fence() {
	switch {
	case e.fullBarriers: // every publisher's store was a barrier already
	case e.shared:
		engine.GlobalBarrier() // publishers in other processes may be relaxed
	case e.relaxed:
		engine.ProcessBarrier()
	}
}

// store publishes v in *w: a release store where the engine is relaxed,
// otherwise a sequentially consistent one.
func (e *ringEngine) store(w *atomic.Int64, v int64) {
	if e.relaxed {
		engine.StoreRelease(w, v)
	} else {
		w.Store(v)
	}
}

// publishAvail is kept out of line so that publish inlines.
//
//go:noinline
func (e *ringEngine) publishAvail(lo, hi int64) {
	avail, mask := e.avail, e.mask // locals, as in published
	for s := lo; s <= hi; s++ {
		if buggify.Enabled && s > lo {
			buggify.Pause(buggify.PublishRange)
		}
		e.store(&avail[s&mask], s)
	}
}

// published returns the highest sequence h >= next-1 such that every
// sequence in [next, h] is published.
func (e *ringEngine) published(next int64) int64 {
	hi := e.ctl.Cursor.Load()
	if !e.multi {
		return hi
	}
	// Locals: the loop does not reload them after each atomic load. A
	// mask of len(avail)-1, known not negative, lets the compiler drop the
	// bounds check (s&mask is within [0, mask]).
	avail := e.avail
	mask := int64(len(avail) - 1)
	if mask < 0 {
		return next - 1
	}
	for s := next; s <= hi; s++ {
		if avail[s&mask].Load() != s {
			return s - 1
		}
	}
	return hi
}

// available returns the highest sequence a consumer reading from next with
// the given upstream cursors may read.
func (e *ringEngine) available(next int64, deps []*atomic.Int64) int64 {
	if len(deps) == 0 {
		return e.published(next)
	}
	m := deps[0].Load()
	for _, d := range deps[1:] {
		m = min(m, d.Load())
	}
	return m
}

// released is called after a consumer stored its cursor: it wakes producers
// waiting for room and dependents waiting for it, if any are parked, and
// reports how many kinds of waiter it woke.
func (e *ringEngine) released() (woke int64) {
	if e.ctl.SpaceWait.Waiters.Load() != 0 {
		e.spaceSite.Wake()
		woke++
	}
	if e.ctl.DepWait.Waiters.Load() != 0 {
		e.depSite.Wake()
		woke++
	}
	return woke
}
