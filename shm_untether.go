package disruptor

// Untethering: producers that stop waiting for a consumer left behind.
//
// Aeron's untethered subscriptions, for shared rings: with
// WithUntetherAfter(d), a producer waiting for room evicts (see
// EvictConsumer) every consumer record that has shown no sign of life for
// longer than d: a stalled consumer (its process holds the record's lock
// but stopped beating its heartbeat), a detached one that did not come
// back, or one whose process died. The record stops gating at once and is
// kept, marked evicted, so that its consumer learns what happened: a live
// one gets ErrUntethered from its next wait, one that resumes under its
// name gets ErrUntethered from NewConsumer (which frees the record: a
// second NewConsumer starts afresh). It is a policy, off by default: the
// default never drops an event for a slow consumer.

import (
	"fmt"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// WithUntetherAfter lets producers of a shared ring stop waiting for a
// consumer stalled, detached or dead for longer than d (at least
// StallAfter, so that an idle live consumer is never taken for a stalled
// one); see shm_untether.go. In-process rings ignore it.
func WithUntetherAfter(d time.Duration) Option {
	return func(c *config) { c.untether = max(d, StallAfter) }
}

// untetherStale evicts the consumer records that showed no sign of life
// for longer than the ring's untether limit. r.mu and the registry lock
// are held.
func (r *Ring[E]) untetherStale() {
	sh, e := r.sh, &r.eng
	now := time.Now().UnixNano()
	n := min(int(e.Ctl.Records.Load()), len(e.Recs))
	for i := range n {
		rec := &e.Recs[i]
		if rec.State.Load() != engine.RecActive || r.ownsOpen(rec) || now-rec.Beat.Load() <= int64(e.Untether) {
			continue
		}
		if rec.State.CompareAndSwap(engine.RecActive, recEvicted) {
			sh.ungated()
		}
	}
}

// ownsOpen reports whether an open consumer of this handle holds rec;
// r.mu is held.
func (r *Ring[E]) ownsOpen(rec *engine.ConsumerRecord) bool {
	for _, c := range r.consumers {
		if c.rec == rec && c.keepsRecord() {
			return true
		}
	}
	return false
}

// claimEvicted deals with an evicted record named name when a consumer of
// that name registers: its owner is gone (the lock is free), so the record
// is freed and the newcomer told it was left behind. The registry lock is
// held.
func (sh *shared) claimEvicted(name string) error {
	recs := sh.recs()
	for i := range min(int(sh.ctl.Records.Load()), len(recs)) {
		rec := &recs[i]
		if rec.State.Load() != recEvicted || recName(rec) != name {
			continue
		}
		if !sh.freeRecord(i) {
			return fmt.Errorf("%w: %q (pid %d, evicted)", ErrConsumerExists, name, rec.PID.Load())
		}
		return fmt.Errorf("%w: consumer %q was evicted after sequence %d while it was away; register again to start afresh",
			ErrUntethered, name, rec.Cursor.Load())
	}
	return nil
}
