package disruptor

// Healing a multi-producer shared ring after a producer died between claim
// and publish.
//
// A producer announces each claim in its table entry (ClaimLo..ClaimHi,
// see engine.ProducerRecord) before the CAS that takes it. If its process dies
// before it publishes, the sequences it took are never published, and every
// consumer would wait at the first of them forever. Whoever meets the wedge
// first (a waiting consumer or producer on its watch, or a participant that
// registers) holds the registry lock and publishes those sequences as holes:
// consumers pass over them and producers go on.
//
// Death is proven, never guessed from a timeout: an entry is dead when it is
// in use and no process holds the lock on its byte (the kernel drops it when
// its owner dies). A slow live producer keeps its claim however long it
// takes. A sequence is healed only when
//   - a dead entry's announced range holds it,
//   - no live producer's announced range does (a dead entry's range may be a
//     claim whose CAS failed, which another producer then took: that one
//     is the owner, and if it lives it will publish),
//   - it is claimed (at most the cursor read first; a range that ends past
//     the cursor was never taken, since its CAS would have moved the cursor
//     to its end) and unpublished (its availability word holds an older
//     lap's sequence), and
//   - GateCache is below it: no producer can have claimed the slot's next
//     lap, so writing the slot races no live writer.
// The hole is written through mark, the one place that writes markers,
// then published with a CAS on the availability word, so that two healers
// agree.

import "github.com/disruptor-go/disruptor/internal/engine"
import "github.com/disruptor-go/disruptor/internal/buggify"

// heal publishes as holes what dead producers claimed and left unpublished,
// and reports how many sequences it healed. The registry lock is held;
// mine reports whether a table entry is one of this handle's producers.
func (sh *shared) heal(mine func(j int) bool) int64 {
	e := sh.eng
	if !e.Multi {
		return 0
	}
	tab := &sh.ctl.Table
	var dead [engine.MaxSharedProducers]bool
	anyDead := false
	for j := range tab {
		if tab[j].State.Load() == engine.ProdActive && !mine(j) && !lockedByOther(sh.f, sh.prodLock(j)) {
			dead[j], anyDead = true, true
		}
	}
	if !anyDead {
		return 0
	}
	top := e.Ctl.Cursor.Load()
	if buggify.Enabled {
		buggify.Pause(buggify.Heal)
	}
	type span struct{ lo, hi int64 }
	var live [engine.MaxSharedProducers]span
	nl := 0
	for j := range tab {
		if dead[j] || tab[j].State.Load() != engine.ProdActive {
			continue
		}
		if lo, hi, ok := tab[j].ClaimRange(); ok {
			live[nl] = span{lo, hi}
			nl++
		}
	}
	covered := func(s int64) bool {
		for _, l := range live[:nl] {
			if l.lo <= s && s <= l.hi {
				return true
			}
		}
		return false
	}
	var healed int64
	for j := range tab {
		if !dead[j] {
			continue
		}
		lo, hi, ok := tab[j].ClaimRange()
		if !ok {
			continue
		}
		if hi > top { // its CAS, which would have moved the cursor to hi, never happened
			tab[j].ClaimLo.Store(engine.ClaimNone)
			continue
		}
		pending := false
		for s := max(lo, top-e.Size+1); s <= hi; s++ {
			w := &e.Avail[s&e.Mask]
			a := w.Load()
			if a >= s { // published, or the slot moved on
				continue
			}
			if covered(s) || e.Ctl.GateCache.Load() >= s {
				pending = true
				continue
			}
			dropPending(&tab[j], s, s) // its marked publication did not happen (marks.go)
			if buggify.Enabled {
				buggify.Pause(buggify.Heal)
			}
			e.Mark(s, s, engine.KindHole)
			if w.CompareAndSwap(a, s) {
				healed++
			}
		}
		if !pending {
			tab[j].ClaimLo.Store(engine.ClaimNone) // nothing of it is left to heal
		}
	}
	if healed > 0 {
		e.WakeData()
		e.DepSite.Wake()
	}
	return healed
}
