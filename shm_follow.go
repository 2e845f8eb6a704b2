package disruptor

// Dependencies between the consumers of a shared ring, across processes.
//
// A consumer that follows others by name (AfterName) records them in its
// own record (Ups: index and Gen of each) and adds one to each upstream's
// Followers, all under the registry lock. So every process can tell that a
// record is followed: Close of a followed consumer is refused
// (ErrHasDependents) wherever the follower lives, and a freed record is not
// taken by a new consumer while Followers is not zero (see join), so a
// follower never silently follows a stranger. Gen, bumped each time a record
// is taken afresh, lets a follower notice that its upstream's record was
// freed and taken again all the same (by an operator's eviction, say).

import (
	"errors"
	"fmt"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// ErrUpstreamGone is returned to a shared ring's consumer whose upstream
// (see AfterName) left the ring for good: its record was freed or given to
// another consumer, so the follower can be given nothing more.
var ErrUpstreamGone = errors.New("disruptor: followed consumer left the ring")

// follow records that rec follows the records ups (at most engine.MaxUps); the
// registry lock is held.
func follow(e *engine.Engine, rec *engine.ConsumerRecord, ups []int) {
	unfollow(e.Recs, rec) // a resumed record may have followed others before
	for k, i := range ups {
		up := &e.Recs[i]
		rec.Ups[k].Idx.Store(uint32(i))
		rec.Ups[k].Gen.Store(up.Gen.Load())
		up.Followers.Add(1)
	}
	rec.NUps.Store(uint32(len(ups)))
}

// unfollow undoes follow in the consumer table recs; the registry lock is
// held.
func unfollow(recs []engine.ConsumerRecord, rec *engine.ConsumerRecord) {
	for k := range min(uint(rec.NUps.Load()), engine.MaxUps) {
		i, gen := uint(rec.Ups[k].Idx.Load()), rec.Ups[k].Gen.Load()
		if i < uint(len(recs)) && recs[i].Gen.Load() == gen && recs[i].Followers.Load() > 0 {
			recs[i].Followers.Add(-1)
		}
	}
	rec.NUps.Store(0)
}

// upstreamGone reports, for a follower's record, an upstream that left the
// ring for good: freed, or taken by another consumer since.
func upstreamGone(e *engine.Engine, rec *engine.ConsumerRecord) error {
	for k := range min(uint(rec.NUps.Load()), engine.MaxUps) {
		i, gen := uint(rec.Ups[k].Idx.Load()), rec.Ups[k].Gen.Load()
		if i >= uint(len(e.Recs)) {
			return fmt.Errorf("%w: record %d is out of range", ErrCorrupt, i)
		}
		if up := &e.Recs[i]; up.Gen.Load() != gen || up.State.Load() != engine.RecActive {
			return fmt.Errorf("%w: %q (record %d)", ErrUpstreamGone, recName(up), i)
		}
	}
	return nil
}

// upstreamNames names the consumers rec follows, for Inspect ("?" for a
// record that changed hands since).
func upstreamNames(recs []engine.ConsumerRecord, rec *engine.ConsumerRecord) []string {
	var names []string
	for k := range min(uint(rec.NUps.Load()), engine.MaxUps) {
		i, gen := uint(rec.Ups[k].Idx.Load()), rec.Ups[k].Gen.Load()
		switch {
		case i >= uint(len(recs)):
			names = append(names, "?")
		case recs[i].Gen.Load() != gen || recs[i].State.Load() == engine.RecFree:
			names = append(names, "?"+recName(&recs[i]))
		default:
			names = append(names, recName(&recs[i]))
		}
	}
	return names
}

// depNames is every consumer the consumer of j follows, by name, as a
// shared ring's consumers follow others (AfterName): its After
// dependencies turned into names (a consumer's, a work group's members'),
// then its AfterName names. j itself is left alone. The ring's mu is held.
func depNames(j *consumerJoin) ([]string, error) {
	if len(j.after) == 0 {
		return j.afterNames, nil
	}
	var names []string
	for _, d := range j.after {
		if owner, _ := d.cursors(); owner != j.owner {
			return nil, fmt.Errorf("%w: consumer %q", ErrForeignDependency, j.name)
		}
		if d.isClosed() {
			return nil, fmt.Errorf("%w: consumer %q cannot follow a closed consumer", ErrClosed, j.name)
		}
		names = append(names, d.names()...)
	}
	return append(names, j.afterNames...), nil
}
