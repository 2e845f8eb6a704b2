package disruptor

import "github.com/disruptor-go/disruptor/internal/engine"

// Producer marks: a number published together with a publication, so that
// a producer that comes back (a restarted process, on a shared ring) knows
// exactly what the ring already holds of its upstream, for example the last
// message of a stream it copies into the ring.
//
// Invariants. A mark is written only by its producer. In a shared ring it
// lives in the producer's table entry (the second line, see
// engine.ProducerRecord), in three steps around the publication of [lo, hi]:
//
//  1. PendEnd = 0, PendMark = m, PendEnd = hi+1 (before the publication);
//  2. the publication (the cursor store, or the availability words);
//  3. Mark = m, MarkSet = 1 (after it).
//
// Every step is a store of one word, and every marked publication finishes
// step 3 before the producer's next one begins, so at any instant the entry
// holds the mark of the producer's latest marked publication as follows:
// PendMark if PendEnd is set and the sequence PendEnd-1 is published, else
// Mark (if MarkSet). resolveMark applies that rule. A process killed at any
// point leaves an entry that the rule reads exactly: before step 2 the
// publication did not happen and Mark is the previous one's; after it,
// PendEnd-1 is published and PendMark is the new mark.
//
// Whether PendEnd-1 is published: in single-producer mode the cursor is the
// highest published sequence; in multi-producer mode the sequence's
// availability word holds it (or a later lap's sequence). A multi-producer
// claim a dead producer left unpublished is healed into holes (shm_heal.go),
// which clears PendEnd first, so holes never count as its publication.

// SetMark stages m to be published with the producer's next publication:
// Publish, Skip, Flush or Close. Once that publication is visible to
// consumers, Mark returns m, and so does Ring.ProducerMark(name) for this
// producer's name, in this process or, on a shared ring, in a later one
// (after this one closed, or died at any point, even by SIGKILL).
//
// The guarantee is exact: the mark read back is the one staged for the
// latest publication that happened, never one whose publication did not
// happen. (A multi-producer ring's batch is published slot by slot: a
// process killed in the middle of publishing one leaves the first part of
// the batch published, the rest healed into holes, and the previous mark.)
//
// A later SetMark before that publication replaces m. Publications without
// a staged mark leave the mark as it was. SetMark costs nothing on the
// publications that carry no mark.
func (p *Producer[E]) SetMark(m uint64) {
	p.markNext, p.markStaged = m, true
	p.setFast() // the slow path of Publish stores the mark
}

// Mark returns the mark of the latest publication that carried one
// (SetMark), by this producer or, on a shared ring, by an earlier producer
// of the same name whose table entry this one took over; ok is false if
// there is none.
func (p *Producer[E]) Mark() (m uint64, ok bool) { return p.mark, p.markOK }

// ProducerMark returns the mark of the latest marked publication of the
// producer named name (see Producer.SetMark): on a shared ring, that of the
// producer table entry of that name, whatever became of its process; in
// process, that of the producer of that name made last. ok is false if no
// such producer published a mark. While that producer is live and
// publishing in another process, the answer is a snapshot that may trail it.
func (r *Ring[E]) ProducerMark(name string) (m uint64, ok bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.host.producerMark(name)
}

// producerMarkOf is the mark of this handle's producer named name: the one
// made last, or with open the first made that is still open; found is
// false if there is none. r.mu is held.
func (r *Ring[E]) producerMarkOf(name string, open bool) (m uint64, ok, found bool) {
	for i := range r.producers {
		if !open {
			i = len(r.producers) - 1 - i // the last made first
		}
		if p := r.producers[i]; p.name == name && !(open && p.closed) {
			m, ok = p.Mark()
			return m, ok, true
		}
	}
	return 0, false, false
}

// resolveMark reads an entry's mark by the rule of the invariants above.
func resolveMark(e *engine.Engine, ent *engine.ProducerRecord) (uint64, bool) {
	if end := ent.PendEnd.Load(); end > 0 && e.IsPublished(end-1) {
		return ent.PendMark.Load(), true
	}
	return ent.Mark.Load(), ent.MarkSet.Load() != 0
}

// takeMark is a shared producer's mark when it registers into entry ent
// (the registry lock is held, and dead producers' claims were healed):
// the entry's own if it is an earlier producer's of the same name, else
// none. The entry is left with no pending mark.
func takeMark(e *engine.Engine, ent *engine.ProducerRecord, name string) (m uint64, ok bool) {
	if ent.State.Load() != engine.ProdFree && prodName(ent) == name {
		m, ok = resolveMark(e, ent)
	}
	ent.Mark.Store(m)
	ent.MarkSet.Store(boolWord(ok))
	ent.PendEnd.Store(0)
	return m, ok
}

// stageMark is step 1, before the publication of [.., hi]: the host keeps
// the mark where a later process finds it (a file's producer table).
func (p *Producer[E]) stageMark(hi int64) { p.r.host.stageMark(p.entry, hi, p.markNext) }

// commitMark is step 3, after the publication.
func (p *Producer[E]) commitMark() {
	p.r.host.commitMark(p.entry, p.markNext)
	p.mark, p.markOK, p.markStaged = p.markNext, true, false
	p.setFast()
}

// dropPending forgets entry j's pending mark when heal turns its claim
// [lo, hi] into holes: the publication the mark was staged for is not
// going to happen.
func dropPending(ent *engine.ProducerRecord, lo, hi int64) {
	if end := ent.PendEnd.Load(); end > lo && end-1 <= hi {
		ent.PendEnd.Store(0)
	}
}

func boolWord(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
