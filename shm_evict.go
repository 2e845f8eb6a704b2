package disruptor

// Evicting a consumer of a shared ring, from any process (see
// `disruptor rm -consumer`).
//
// Invariants. Eviction runs under the registry lock, so no consumer
// registers, resumes or is evicted meanwhile. A record whose lock the
// evicting handle can take has no owner: its process died, or it detached
// and cannot resume while the registry lock is held. Such a record is freed
// (freeRecord), the step WithEvictDead's producers take too. A record whose
// lock another handle holds has a live owner, perhaps a stopped one: its
// State moves from engine.RecActive to recEvicted by a CAS (a record its owner
// freed meanwhile stays free). An evicted record gates no producer and no
// joiner takes it, since only free records are joined; its owner learns at
// its next acquire that it was left behind (ErrUntethered) and frees the
// record when it closes or detaches. An evicted record whose owner died
// first is freed like a dead one.

import (
	"errors"
	"fmt"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// recEvicted is the state of a consumer record whose live owner was
// evicted: it gates nobody, and its owner gets ErrUntethered. It follows
// the states of words.go.
const recEvicted = engine.RecClosed + 1

// ErrConsumerLive is returned by EvictConsumer for a consumer whose process
// is alive and beating its heartbeat, unless forced.
var ErrConsumerLive = errors.New("disruptor: consumer is live")

// EvictConsumer frees the record of the consumer named consumer of the
// shared ring under ring (see RingPath), so that it stops gating the ring's
// producers: they go on, and the events that consumer had not released are
// lost to it. It returns the state the consumer was in (see Participant).
//
// A dead or detached consumer's record is freed at once. A consumer whose
// process is alive is evicted only if it is stalled (see StallAfter) or
// force is set, otherwise EvictConsumer returns ErrConsumerLive. Its
// record then stops gating at once, and the consumer gets ErrUntethered
// from its next wait instead of reading slots the producers may have
// overwritten. Events it acquired before it stopped may still be read
// until that wait: at most a quarter of the ring.
//
// A name no consumer of the ring has gives ErrUnknownConsumer. The file is
// opened and validated as Inspect does, with its errors.
func EvictConsumer(ring, consumer string, force bool, opts ...Option) (string, error) {
	path := RingPath(ring, opts...)
	sh, err := openFile(path)
	if err != nil {
		return "", err
	}
	defer sh.close()
	state := ""
	err = sh.registry(func() error {
		recs, now := sh.recs(), time.Now()
		for i := range min(int(sh.ctl.Records.Load()), len(recs)) {
			rec := &recs[i]
			if st := rec.State.Load(); st != engine.RecActive && st != recEvicted || recName(rec) != consumer {
				continue
			}
			st := sh.consumerState(i, now)
			if st == StateLive && !force {
				return fmt.Errorf("%w: %q (pid %d) beat %v ago; forcing evicts it anyway",
					ErrConsumerLive, consumer, rec.PID.Load(), now.Sub(time.Unix(0, rec.Beat.Load())).Round(time.Millisecond))
			}
			if state == "" || st != StateEvicted {
				state = st
			}
			if buggify.Enabled {
				buggify.Pause(buggify.Evict)
			}
			if !sh.freeRecord(i) && rec.State.CompareAndSwap(engine.RecActive, recEvicted) {
				sh.ungated()
			}
		}
		if state == "" {
			return fmt.Errorf("%w: %q", ErrUnknownConsumer, consumer)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("disruptor: evict consumer of %s: %w", path, err)
	}
	return state, nil
}

// freeRecord frees consumer record i if no handle but this one holds its
// lock: its owner died, or detached and cannot resume while the caller
// holds the registry lock. It reports whether it freed the record. The
// caller must not own, through this handle, a consumer on record i: this
// handle's own lock would not stop it.
func (sh *shared) freeRecord(i int) bool {
	if ok, _ := tryLock(sh.f, sh.recLock(i)); !ok {
		return false
	}
	rec := &sh.recs()[i]
	unfollow(sh.recs(), rec)
	rec.NameLen.Store(0)
	if buggify.Enabled {
		buggify.Pause(buggify.Evict)
	}
	rec.State.Store(engine.RecFree)
	sh.ungated()
	unlock(sh.f, sh.recLock(i))
	return true
}

// ungated tells producers computing a gate, and waiters parked for room or
// for upstream consumers, that a record stopped gating.
func (sh *shared) ungated() {
	sh.ctl.Epoch.Add(1)
	for _, w := range []*engine.ParkWord{&sh.ctl.SpaceWait, &sh.ctl.DepWait} {
		if w.Waiters.Load() != 0 {
			(&engine.FutexSite{Word: w}).Wake()
		}
	}
}

// evicted reports whether the consumer's record was evicted (see
// EvictConsumer). Only acquire, the slow path, asks.
func (c *Consumer[E]) evicted() bool { return c.rec.State.Load() == recEvicted }

// untethered is the error of a consumer whose record was evicted.
func (c *Consumer[E]) untethered() error {
	c.toldEvicted = true
	return fmt.Errorf("%w: consumer %q was evicted from %s; events after sequence %d may have been overwritten",
		ErrUntethered, c.name, c.r.Path(), c.released)
}
