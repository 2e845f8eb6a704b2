package disruptor

import (
	"context"
	"fmt"
	"unsafe"
)

// Producer claims slots, fills them in place and publishes them. A producer
// is used by one goroutine at a time and holds at most one claim: Publish or
// Skip it before claiming again.
type Producer[E any] struct {
	_      [lineSize]byte // keep other heap objects off the hot fields' lines
	slots  []E            // the ring's, copied here to keep the hot path short
	stamps []int64        // the ring's publication times, if it keeps them
	mask   int64
	size   int64
	eng    *engine
	st     producerState
	lo, hi int64 // the outstanding claim; none when lo > hi
	seq    int64 // first sequence of the latest claim
	single bool  // single-producer mode
	fast   bool  // single mode, open, and no claim outstanding
	closed bool
	orphan bool // closed by the ring's Close: no EOF was sent
	evSize int64
	t      tally
	r      *Ring[E]
	name   string
	entry  int // shared rings: the producer table entry
	_      [lineSize]byte
}

// NewProducer adds a producer. In single-producer mode (the default) only one
// may be made; see WithMultiProducer. Make every producer before the first
// one closes: consumers see EOF after one Close from each producer made.
func (r *Ring[E]) NewProducer(name string) (*Producer[E], error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.eng.multi && len(r.producers) > 0 && r.sh == nil {
		return nil, ErrSingleProducer
	}
	p := &Producer[E]{r: r, name: name, lo: 1, hi: 0, slots: r.slots, stamps: r.stamps, mask: r.eng.mask, size: r.eng.size,
		eng: &r.eng, single: !r.eng.multi, fast: !r.eng.multi,
		evSize: int64(unsafe.Sizeof(*new(E))), t: tally{rec: new(counterRecord), off: !r.counters}}
	p.st.w.flush = p.showWaits
	if r.sh != nil {
		if err := r.newSharedProducer(p, name); err != nil {
			return nil, err
		}
		r.producers = append(r.producers, p)
		return p, nil
	}
	p.t.rec.open(roleProducer, len(r.producers), name)
	p.st.last = r.eng.ctl.Cursor.Load()
	p.st.gate = r.eng.ctl.GateCache.Load()
	r.eng.ctl.Producers.Add(1)
	r.eng.members.Add(1)
	r.producers = append(r.producers, p)
	return p, nil
}

// Name is the name given to NewProducer.
func (p *Producer[E]) Name() string { return p.name }

// Claim reserves the next slot and returns its event for the caller to fill
// before Publish. It waits while the ring is full, until ctx ends or the ring
// halts. The event holds whatever was last published there.
func (p *Producer[E]) Claim(ctx context.Context) (*E, error) {
	if next := p.st.last + 1; p.fast && next-p.size <= p.st.gate { // inlined fast path
		p.st.last, p.lo, p.hi, p.seq, p.fast = next, next, next, next, false
		p.t.v[pClaims]++
		return &p.slots[next&p.mask], nil
	}
	if err := p.claim(ctx, 1, false); err != nil {
		return nil, err
	}
	return &p.slots[p.lo&p.mask], nil
}

// TryClaim is Claim that returns ErrFull at once instead of waiting.
func (p *Producer[E]) TryClaim() (*E, error) {
	if err := p.claim(context.Background(), 1, true); err != nil {
		return nil, err
	}
	return &p.slots[p.lo&p.mask], nil
}

// ClaimN reserves n consecutive slots, published together by one Publish.
// n may not exceed the ring's size.
func (p *Producer[E]) ClaimN(ctx context.Context, n int) (Batch[E], error) {
	if err := p.claim(ctx, n, false); err != nil {
		return Batch[E]{}, err
	}
	return newBatch(p.slots, p.mask, p.lo, n), nil
}

// TryClaimN is ClaimN that returns ErrFull at once instead of waiting.
func (p *Producer[E]) TryClaimN(n int) (Batch[E], error) {
	if err := p.claim(context.Background(), n, true); err != nil {
		return Batch[E]{}, err
	}
	return newBatch(p.slots, p.mask, p.lo, n), nil
}

// Sequence is the first sequence of the latest claim.
func (p *Producer[E]) Sequence() int64 { return p.seq }

func (p *Producer[E]) claim(ctx context.Context, n int, try bool) error {
	if sh := p.r.sh; sh != nil {
		// Truncated: the slots are not the ring's any more (a fault may
		// have cut the last claim short: it is as good as skipped).
		if err := sh.usable(); err != nil && !p.closed {
			return err
		}
	}
	if p.lo <= p.hi {
		panic("disruptor: claim while an earlier claim is neither published nor skipped")
	}
	if p.closed {
		return ErrClosed
	}
	if n < 1 || int64(n) > p.r.eng.size {
		return fmt.Errorf("%w: claim of %d slots on a ring of %d", ErrTooLarge, n, p.r.eng.size)
	}
	lo, hi, err := p.eng.claim(ctx, &p.st, int64(n), try)
	if p.st.wc.full != 0 || p.st.wc.polls != 0 {
		p.showWaits()
	}
	if err != nil {
		return err
	}
	p.lo, p.hi, p.seq, p.fast = lo, hi, lo, false
	p.t.v[pClaims]++
	if n > 1 {
		p.t.v[pBatches]++
	}
	return nil
}

// Publish makes the outstanding claim visible to consumers.
func (p *Producer[E]) Publish() {
	if hi := p.hi; p.lo == hi && p.single { // inlined fast path
		if p.stamps != nil {
			stamp(p.stamps, p.mask, hi, hi)
		}
		p.lo, p.fast = hi+1, !p.closed
		if p.eng.publishSingle(hi) {
			p.t.v[pUnparks]++
		}
		p.t.v[pPublished]++
		if p.t.exact {
			p.storeExact()
		}
		if p.t.pending++; p.t.pending >= flushEvery {
			p.flushStats()
		}
		return
	}
	n := p.publishAs(kindData)
	p.t.v[pPublished] += n
	if p.t.exact {
		p.storeExact()
	}
	if p.t.pending += int(n); p.t.pending >= flushEvery {
		p.flushStats()
	}
}

// showWaits folds the producer's waits into its tallies and publishes them.
func (p *Producer[E]) showWaits() {
	p.t.v[pFull] += p.st.wc.full
	p.st.wc.full = 0
	p.t.addWaits(&p.st.wc, pPolls, pYields, pParks)
	p.flushStats()
}

// storeExact publishes the counts that follow from what was published.
func (p *Producer[E]) storeExact() {
	p.t.v[pBytes] = p.t.v[pPublished] * p.evSize
	p.t.store(pPublished)
	p.t.store(pBytes)
}

// flushStats publishes the producer's tallies.
func (p *Producer[E]) flushStats() {
	p.t.v[pBytes] = p.t.v[pPublished] * p.evSize
	p.t.flush()
}

// Skip publishes the outstanding claim as holes: consumers pass over its
// slots without seeing them.
func (p *Producer[E]) Skip() { p.t.note(pSkips, p.publishAs(kindHole)) }

func (p *Producer[E]) publishAs(kind uint32) int64 {
	lo, hi := p.lo, p.hi
	if lo > hi {
		panic("disruptor: Publish or Skip without a claim")
	}
	if kind != kindData {
		p.eng.mark(lo, hi, kind)
	}
	if p.stamps != nil {
		stamp(p.stamps, p.mask, lo, hi)
	}
	p.lo, p.fast = hi+1, p.single && !p.closed
	if p.eng.publish(lo, hi) {
		p.t.v[pUnparks]++
	}
	return hi - lo + 1
}

// marker claims one slot and publishes it as a flush or EOF marker.
func (p *Producer[E]) marker(ctx context.Context, kind uint32, counter int) error {
	if err := p.claim(ctx, 1, false); err != nil {
		return err
	}
	if kind == kindEOF && p.r.sh != nil {
		p.markClosed(p.lo) // before a consumer can read the marker
	}
	p.publishAs(kind)
	p.t.v[counter]++
	p.flushStats()
	return nil
}

// Flush publishes a flush marker: consumers' Next returns ErrFlush there,
// and batch handlers see the event before it as the end of a batch.
func (p *Producer[E]) Flush(ctx context.Context) error { return p.marker(ctx, kindFlush, pFlushes) }

// Close publishes this producer's EOF marker. Consumers return io.EOF once
// they have read an EOF from every producer and every event before. An
// outstanding claim is skipped first. Close waits for room like Claim and
// returns ErrHalted if the ring halts first; later calls return nil, except
// after the ring's own Close, which sent no EOF: ErrClosed.
func (p *Producer[E]) Close() error { return p.CloseContext(context.Background()) }

// CloseContext is Close with a context bounding the wait for room.
func (p *Producer[E]) CloseContext(ctx context.Context) error {
	if p.closed {
		if p.orphan {
			return ErrClosed
		}
		return nil
	}
	if p.lo <= p.hi {
		p.Skip()
	}
	if err := p.marker(ctx, kindEOF, pEOFs); err != nil {
		return err
	}
	p.r.mu.Lock() // other goroutines read closed under r.mu (ownsEntry)
	p.closed, p.fast = true, false
	p.r.mu.Unlock()
	p.eng.members.Add(-1)
	p.t.rec.close()
	if p.r.sh != nil {
		p.closeShared()
	}
	return nil
}

// Stats returns a snapshot of the producer's counters. It is safe to call
// from any goroutine; values may trail the producer by a few events.
func (p *Producer[E]) Stats() ProducerStats {
	s, _ := guarded(p.r.sh, func() ProducerStats { return producerStats(p.name, p.t.rec) })
	return s
}

// Batch is a run of claimed slots from ClaimN: at most two segments of the
// ring's slots, the second when the run wraps around the ring's end.
type Batch[E any] struct {
	a, b []E
	lo   int64
}

// newBatch is the batch of the n slots from sequence lo.
func newBatch[E any](slots []E, mask, lo int64, n int) Batch[E] {
	i := int(lo & mask)
	if end := i + n; end <= len(slots) {
		return Batch[E]{a: slots[i:end:end], lo: lo}
	}
	return Batch[E]{a: slots[i:], b: slots[: i+n-len(slots) : i+n-len(slots)], lo: lo}
}

// Len is the number of slots in the batch.
func (b Batch[E]) Len() int { return len(b.a) + len(b.b) }

// At returns the event of the batch's i-th slot, 0 <= i < Len().
func (b Batch[E]) At(i int) *E {
	if i < len(b.a) {
		return &b.a[i]
	}
	return &b.b[i-len(b.a)]
}

// Slices returns the batch's slots as at most two slices, in sequence
// order: the second is empty unless the run wraps around the ring's end.
// Fill them in place, then Publish.
func (b Batch[E]) Slices() (first, second []E) { return b.a, b.b }

// Seq returns the sequence of the batch's i-th slot.
func (b Batch[E]) Seq(i int) int64 { return b.lo + int64(i) }
