package disruptor

// Producer marks: a number published together with a publication, so that
// a producer that comes back (a restarted process, on a shared ring) knows
// exactly what the ring already holds of its upstream, for example the last
// message of a stream it copies into the ring.
//
// Invariants. A mark is written only by its producer. In a shared ring it
// lives in the producer's table entry (the second line, see
// producerRecord), in three steps around the publication of [lo, hi]:
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

import (
	"fmt"
)

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
	if r.sh == nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		for i := len(r.producers) - 1; i >= 0; i-- {
			if p := r.producers[i]; p.name == name {
				m, ok := p.Mark()
				return m, ok, nil
			}
		}
		return 0, false, nil
	}
	if err := checkName("producer", name); err != nil {
		return 0, false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	err = r.sh.registry(func() error {
		r.heal(r.ownsEntry) // a dead producer's unpublished claim is not its publication
		for _, p := range r.producers {
			if p.name == name && !p.closed {
				m, ok = p.Mark()
				return nil
			}
		}
		tab := &r.sh.ctl.Table
		for j := range tab {
			if tab[j].State.Load() != prodFree && prodName(&tab[j]) == name {
				m, ok = r.eng.resolveMark(&tab[j])
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

// resolveMark reads an entry's mark by the rule of the invariants above.
func (e *engine) resolveMark(ent *producerRecord) (uint64, bool) {
	if end := ent.PendEnd.Load(); end > 0 && e.isPublished(end-1) {
		return ent.PendMark.Load(), true
	}
	return ent.Mark.Load(), ent.MarkSet.Load() != 0
}

// isPublished reports whether sequence s was published (as data or a
// marker) by the time of the call.
func (e *engine) isPublished(s int64) bool {
	if !e.multi {
		return e.ctl.Cursor.Load() >= s
	}
	return s <= e.ctl.Cursor.Load() && e.avail[s&e.mask].Load() >= s
}

// takeMark sets a shared producer's mark when it registers into entry ent
// (the registry lock is held, and dead producers' claims were healed):
// the entry's own if it is an earlier producer's of the same name, else
// none. The entry is left with no pending mark.
func (p *Producer[E]) takeMark(ent *producerRecord, name string) {
	p.mark, p.markOK = 0, false
	if ent.State.Load() != prodFree && prodName(ent) == name {
		p.mark, p.markOK = p.eng.resolveMark(ent)
	}
	ent.Mark.Store(p.mark)
	ent.MarkSet.Store(boolWord(p.markOK))
	ent.PendEnd.Store(0)
}

// stageMark is step 1, before the publication of [.., hi].
func (p *Producer[E]) stageMark(hi int64) {
	if p.r.sh == nil {
		return
	}
	ent := &p.r.sh.ctl.Table[p.entry]
	ent.PendEnd.Store(0)
	ent.PendMark.Store(p.markNext)
	ent.PendEnd.Store(hi + 1)
}

// commitMark is step 3, after the publication.
func (p *Producer[E]) commitMark() {
	if p.r.sh != nil {
		ent := &p.r.sh.ctl.Table[p.entry]
		ent.Mark.Store(p.markNext)
		ent.MarkSet.Store(1)
	}
	p.mark, p.markOK, p.markStaged = p.markNext, true, false
	p.setFast()
}

// dropPending forgets entry j's pending mark when heal turns its claim
// [lo, hi] into holes: the publication the mark was staged for is not
// going to happen.
func dropPending(ent *producerRecord, lo, hi int64) {
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
