package disruptor

// The file host: a shared ring's *shared is its ring's host (host.go). Its
// registration, liveness and healing are in shm_participants.go,
// shm_watch.go and shm_heal.go; this file holds the methods that adapt the
// rest to the seam.

import (
	"fmt"
	"os"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// Usable and Recovered make the mapping the engine's Mapping: the waits
// ask it why the memory is gone (usable, shm_fault.go) and what a fault
// they recovered means (recovered).
func (sh *shared) Usable() error { return sh.usable() }

// Recovered is recovered, for the engine (see Usable).
func (sh *shared) Recovered(v any) error { return sh.recovered(v) }

func (sh *shared) observable() error                       { return sh.usable() }
func (sh *shared) ringPath() string                        { return sh.path }
func (sh *shared) site(w *engine.ParkWord) engine.ParkSite { return &engine.FutexSite{Word: w} }

// followers: those of every process, which the record counts.
func (sh *shared) followers(rec *engine.ConsumerRecord, here int32) int32 {
	return max(here, rec.Followers.Load())
}

// lastEOF: producers come and go, so EOFs are not counted (see eofEnds).
func (sh *shared) lastEOF(s, _ int64) bool { return sh.eofEnds(s) }

// pastEnd reads the producer table: it runs when the reader starts
// waiting, after each of its parks, and every endCheckPolls polls between
// (see follow.go).
func (sh *shared) pastEnd(w endWatch, next, parks int64) (bool, endWatch) {
	w.calls++
	if w.calls%endCheckPolls != 1 && parks == w.parks {
		return false, w
	}
	w.parks = parks
	// The claim cursor is read again after the producers: one that claimed
	// its EOF marker and closed after the first read must not be missed.
	return sh.anyClosed() && sh.eofEnds(next-1) && next > sh.eng.Claimed(), w
}

// anyClosed reports whether a producer of the shared ring has closed: a
// table with none (a producer may be registering: Producers counts it
// before its entry is active) has no stream that ended.
func (sh *shared) anyClosed() bool {
	for j := range sh.ctl.Table {
		if sh.ctl.Table[j].State.Load() == engine.ProdClosed {
			return true
		}
	}
	return false
}

// stageMark: the mark goes into the producer's table entry, where a later
// process finds it (marks.go).
func (sh *shared) stageMark(entry int, hi int64, m uint64) {
	ent := &sh.ctl.Table[entry]
	ent.PendEnd.Store(0)
	ent.PendMark.Store(m)
	ent.PendEnd.Store(hi + 1)
}

func (sh *shared) commitMark(entry int, m uint64) {
	ent := &sh.ctl.Table[entry]
	ent.Mark.Store(m)
	ent.MarkSet.Store(1)
}

// producerMark: an open producer of this handle's, else the table entry
// of the name, whatever became of its process.
func (sh *shared) producerMark(name string) (m uint64, ok bool, err error) {
	if err := checkName("producer", name); err != nil {
		return 0, false, err
	}
	err = sh.registry(func() error {
		sh.heal(sh.ring.ownsEntry) // a dead producer's unpublished claim is not its publication
		var found bool
		if m, ok, found = sh.ring.producerMarkOf(name, true); found {
			return nil
		}
		tab := &sh.ctl.Table
		for j := range tab {
			if tab[j].State.Load() != engine.ProdFree && prodName(&tab[j]) == name {
				m, ok = resolveMark(sh.eng, &tab[j])
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("disruptor: producer mark of %q: %w", name, err)
	}
	return m, ok, nil
}

func (sh *shared) statsOf(rec *engine.CounterRecord) *engine.CounterRecord {
	var cp *engine.CounterRecord
	sh.guard(func() error { cp = copyRecord(rec); return nil })
	return cp
}

// abandonConsumer undoes a registration that never served: a record joined
// is freed with its counters; a resumed one gets back what resuming
// changed (owner, heartbeat, detached flag, the upstreams it follows), so
// that it is found as it was, then its lock goes.
func (sh *shared) abandonConsumer(rec *engine.ConsumerRecord, t *engine.Tally, found *foundRecord) {
	if found == nil {
		t.Rec.Close()
		sh.leaveConsumer(rec, false)
		return
	}
	e := sh.eng
	sh.registry(func() error {
		unfollow(e.Recs, rec)
		for k := range found.nups {
			i, gen := found.ups[k][0], found.ups[k][1]
			rec.Ups[k].Idx.Store(i)
			rec.Ups[k].Gen.Store(gen)
			if up := int(i); up < len(e.Recs) && e.Recs[up].Gen.Load() == gen {
				e.Recs[up].Followers.Add(1)
			}
		}
		rec.NUps.Store(found.nups)
		rec.PID.Store(found.pid)
		rec.Beat.Store(found.beat)
		rec.Detached.Store(found.detached)
		return nil
	})
	unlock(sh.f, sh.recLock(recIndex(e, rec)))
}

// foundOf is what resuming changes in rec (see abandonConsumer).
func foundOf(rec *engine.ConsumerRecord) foundRecord {
	f := foundRecord{pid: rec.PID.Load(), beat: rec.Beat.Load(), detached: rec.Detached.Load(), nups: min(rec.NUps.Load(), engine.MaxUps)}
	for k := range f.nups {
		f.ups[k] = [2]uint32{rec.Ups[k].Idx.Load(), rec.Ups[k].Gen.Load()}
	}
	return f
}

// readCounters: every active record of the counters area, every process's.
func (sh *shared) readCounters() []Counter {
	if sh.usable() != nil {
		return nil
	}
	var out []Counter
	sh.guard(func() error { out = sh.appValues(sh.counterValues(), nil); return nil })
	return out
}

// appValues: every set of the area, whichever process opened it.
func (sh *shared) appValues(out []Counter, _ []*AppCounters) []Counter {
	for i := range sh.apps {
		out = readApp(out, &sh.apps[i])
	}
	return out
}

// openApps takes a free record of the area (or this name's, left by a
// process that died), locked while the set is open.
func (sh *shared) openApps(a *AppCounters, role, owner string) (func(), error) {
	err := sh.registry(func() error {
		for _, i := range sh.appCandidates(role, owner, sh.ring.ownApp) {
			ok, err := tryLock(sh.f, sh.appLock(i))
			if err != nil {
				return fmt.Errorf("disruptor: application counters %q: lock: %w", owner, err)
			}
			if ok {
				a.index = i
				sh.apps[i].fill(role, owner, a.types, os.Getpid())
				a.rec.Store(&sh.apps[i])
				return nil
			}
		}
		return fmt.Errorf("%w: %d sets open in %s, by live processes (wanted for %s %q)", ErrNoCounterRoom, len(sh.apps), sh.path, role, owner)
	})
	if err != nil {
		return nil, err
	}
	free := func() {
		if sh.usable() == nil {
			sh.registry(func() error {
				a.rec.Load().Close()
				return unlock(sh.f, sh.appLock(a.index))
			})
		}
	}
	return free, nil
}

// reportStats: every process's participants, as the tables record them.
func (sh *shared) reportStats() ([]ProducerStats, []ConsumerStats, error) {
	if err := sh.usable(); err != nil {
		return nil, nil, err
	}
	in, err := guarded(sh, sh.info)
	if err != nil {
		return nil, nil, err
	}
	var ps []ProducerStats
	var cs []ConsumerStats
	for _, p := range in.Producers {
		ps = append(ps, *p.Producer)
	}
	for _, c := range in.Consumers {
		cs = append(cs, *c.Consumer)
	}
	return ps, cs, nil
}

var _ host = (*shared)(nil)
var _ host = (*heapHost)(nil)
