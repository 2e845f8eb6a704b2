package disruptor

import (
	"context"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// A producer's markers: holes (Skip), flushes and its EOF (Close), each
// published where a claim would be, and what its Close leaves behind.

// Skip publishes the outstanding claim as holes: consumers pass over its
// slots without seeing them.
func (p *Producer[E]) Skip() {
	if buggify.Enabled {
		buggify.Pause(buggify.ClaimPublish)
	}
	p.t.V[pSkips] += p.publishAs(engine.KindHole)
	p.flushStats() // holes are not publications: pMark must not count them
}

func (p *Producer[E]) publishAs(kind uint32) int64 {
	if !p.holding() {
		panic("disruptor: Publish or Skip without a claim")
	}
	if !p.single && p.next == multiHeld {
		p.slowHold()
	}
	lo, hi := p.lo, p.hi
	if p.single {
		hi = p.next - 1
	}
	if kind != engine.KindData {
		p.eng.Mark(lo, hi, kind)
	}
	if p.stamps != nil {
		stamp(p.stamps, p.mask, lo, hi)
	}
	p.unhold()
	staged := p.markStaged
	if staged {
		p.stageMark(hi)
	}
	if p.eng.Publish(lo, hi) {
		p.t.V[pUnparks]++
	}
	if staged {
		p.commitMark()
	}
	return hi - lo + 1
}

// marker claims one slot and publishes it as a flush or EOF marker.
func (p *Producer[E]) marker(ctx context.Context, kind uint32, counter int) error {
	if err := p.claim(ctx, 1, false); err != nil {
		return err
	}
	if kind == engine.KindEOF {
		p.r.host.markClosed(p.entry, p.lo) // before a consumer can read the marker
	}
	if buggify.Enabled && kind != engine.KindData {
		buggify.Pause(buggify.MarkEOF)
	}
	p.publishAs(kind)
	p.t.V[counter]++
	p.flushStats()
	return nil
}

// Flush publishes a flush marker: consumers' Next returns ErrFlush there,
// and batch handlers see the event before it as the end of a batch. It
// takes a slot, waiting for room as Claim does, with Claim's errors.
func (p *Producer[E]) Flush(ctx context.Context) error {
	return p.marker(ctx, engine.KindFlush, pFlushes)
}

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
	if p.holding() {
		p.Skip()
	}
	if err := p.marker(ctx, engine.KindEOF, pEOFs); err != nil {
		return err
	}
	if buggify.Enabled {
		buggify.Pause(buggify.MarkEOF)
	}
	p.r.mu.Lock() // other goroutines read closed under r.mu (ownsEntry)
	p.closed = true
	p.regate()
	p.r.mu.Unlock()
	p.eng.Closed.Add(1)
	p.eng.Members.Add(-1)
	p.eng.WakeEnded()
	p.t.Rec.Close()
	p.r.host.leaveProducer(p.entry)
	return nil
}
