package disruptor

// What a waiting participant of a shared ring watches for: dead producers
// (and what they left claimed), dead consumers, upstreams that left, and
// the end of the stream. See shm_participants.go for how liveness is
// proven (record locks), shm_heal.go for healing, shm_follow.go for
// dependencies.

import (
	"fmt"
	"sync/atomic"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// eofEnds reports whether the EOF marker at s ends a shared ring's stream:
// no producer is open, and every closed one sent its EOF at or before s.
// Producers of a shared ring come and go (a closed entry is reused by the
// next producer), so counting EOFs cannot tell: a consumer may start, or
// resume, past the EOFs of earlier producers. An entry reused after the
// marker at s is open or closed after s, so the stream goes on.
func (sh *shared) eofEnds(s int64) bool {
	for j := range sh.ctl.Table {
		ent := &sh.ctl.Table[j]
		switch ent.State.Load() {
		case engine.ProdActive:
			return false
		case engine.ProdClosed:
			if ent.EOF.Load() > s {
				return false
			}
		}
	}
	return true
}

// watch is the engine's liveness check for shared rings, run by a waiting
// participant every watchEvery. It heals what producers that died between
// claim and publish left behind (see heal), frees dead consumers' records
// (WithEvictDead), and tells a consumer that its stream can go no further:
// ErrProducerGone once every producer that had not closed has died and
// every upstream it follows has either released all that was published or
// is gone itself. (The caller returns the error only if, after it, nothing
// is readable: what was published before the deaths is read first.)
func (r *Ring[E]) watch(producer bool, me *engine.Waiter) error {
	sh, e := r.sh, &r.eng
	if err := sh.checkMapping(); err != nil {
		return err
	}
	open, live, err := r.watchLocked(producer)
	if err != nil {
		return err
	}
	if !producer && me.Rec != nil {
		if err := upstreamGone(e, me.Rec); err != nil {
			return err
		}
	}
	if producer || !open || live || r.upstreamBusy(me.Deps) {
		return nil
	}
	return fmt.Errorf("%w: no live producer on %s", ErrProducerGone, sh.path)
}

// watchLocked is the part of watch done holding r.mu, then the registry
// lock (the order registration and Close take them in): it reports whether
// any producer is open and whether one of those is live, heals what dead
// ones left, and frees dead consumers' records if asked to.
func (r *Ring[E]) watchLocked(producer bool) (open, live bool, err error) {
	sh, e := r.sh, &r.eng
	r.mu.Lock()
	defer r.mu.Unlock()
	dead := false
	for j := range sh.ctl.Table {
		if sh.ctl.Table[j].State.Load() == engine.ProdActive {
			open = true
			if lockedByOther(sh.f, sh.prodLock(j)) || r.ownsEntry(j) {
				live = true
			} else {
				dead = true
			}
		}
	}
	if dead && e.Multi {
		err = sh.registry(func() error { sh.heal(r.ownsEntry); return nil })
	}
	if err == nil && producer && e.EvictDead {
		err = sh.registry(func() error { r.evictDead(); return nil })
	}
	if err == nil && producer && e.Untether > 0 {
		err = sh.registry(func() error { r.untetherStale(); return nil })
	}
	return open, live, err
}

// upstreamBusy reports whether a consumer following deps may yet be given
// more: some upstream has not released all that was published and is live
// (its owner holds its lock, or is this handle, and it did not detach).
func (r *Ring[E]) upstreamBusy(deps []*atomic.Int64) bool {
	sh, e := r.sh, &r.eng
	for _, d := range deps {
		at := d.Load()
		if at >= e.Published(at+1) {
			continue // it has released everything there is
		}
		rec, i := cursorRecord(e.Recs, d)
		if rec == nil || rec.State.Load() != engine.RecActive || rec.Detached.Load() != 0 {
			continue
		}
		if lockedByOther(sh.f, sh.recLock(i)) || r.ownsRecord(rec) {
			return true
		}
	}
	return false
}

// ownsRecord reports whether an open consumer of this handle holds rec.
func (r *Ring[E]) ownsRecord(rec *engine.ConsumerRecord) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ownsOpen(rec)
}
