package disruptor

import (
	"context"

	"github.com/disruptor-go/disruptor/internal/buggify"
)

// Put publishes a copy of v in the next slot: Claim, an assignment and
// Publish in one call, as a channel send copies its value. It waits for
// room as Claim does, with Claim's errors; on an error nothing is
// published. Put while a claim is held panics, as Claim does.
//
// With room known, Put is one short call that holds no claim in between;
// otherwise it is Claim, the copy and Publish.
func (p *Producer[E]) Put(ctx context.Context, v E) error {
	if buggify.Enabled { // a constant: the block vanishes from ordinary builds
		if buggify.Fire(buggify.ClaimSlow) {
			return p.putSlow(ctx, v)
		}
	}
	if s := p.next; s <= p.limit { // fast path: single mode, room known (see Publish's)
		*slot(p.slots, p.mask, s) = v
		p.next, p.lo = s+1, s
		if p.storeCursor(s) {
			p.published(s)
		}
		return nil
	}
	if p.next == multiOpen { // fast path: multi mode, room known, the CAS won
		if s := p.casClaim(); s >= 0 {
			*slot(p.slots, p.mask, s) = v
			if p.storeAvail(s) {
				p.published(s)
			}
			return nil
		}
	}
	return p.putSlow(ctx, v)
}

// putSlow is Put by Claim and Publish.
func (p *Producer[E]) putSlow(ctx context.Context, v E) error {
	ev, err := p.Claim(ctx)
	if err != nil {
		return err
	}
	*ev = v
	p.Publish()
	return nil
}

// TryPut is Put that returns ErrFull at once instead of waiting for room.
func (p *Producer[E]) TryPut(v E) error {
	ev, err := p.TryClaim()
	if err != nil {
		return err
	}
	*ev = v
	p.Publish()
	return nil
}

// PublishWith claims the next slot, calls fill with its event and sequence,
// and publishes the slot if fill returns nil. It waits for room as Claim
// does and returns Claim's error without calling fill.
//
// A fill that fails cannot leave the claim behind: if fill returns an
// error, the slot is skipped (consumers pass over it as a hole) and the
// error is returned; if fill panics, the slot is skipped and the panic
// carries on unchanged, so the caller still sees it and the producer can
// claim again once it is recovered. The event holds whatever was last
// published in the slot, so fill should set every field it means to send.
// fill must not claim, publish or skip on p itself.
//
// PublishWith allocates nothing: fill is the caller's func value.
func (p *Producer[E]) PublishWith(ctx context.Context, fill func(ev *E, seq int64) error) error {
	ev, err := p.Claim(ctx)
	if err != nil {
		return err
	}
	return p.fillOne(ev, fill)
}

// TryPublishWith is PublishWith that returns ErrFull at once, without
// calling fill, instead of waiting for room.
func (p *Producer[E]) TryPublishWith(fill func(ev *E, seq int64) error) error {
	ev, err := p.TryClaim()
	if err != nil {
		return err
	}
	return p.fillOne(ev, fill)
}

// PublishBatchWith claims n consecutive slots as ClaimN does, calls fill
// with the batch, and publishes the whole batch if fill returns nil. On an
// error from fill the whole batch is skipped and the error returned; on a
// panic the batch is skipped and the panic carries on, as for PublishWith.
func (p *Producer[E]) PublishBatchWith(ctx context.Context, n int, fill func(b Batch[E]) error) error {
	b, err := p.ClaimN(ctx, n)
	if err != nil {
		return err
	}
	return p.fillBatch(b, fill)
}

// TryPublishBatchWith is PublishBatchWith that returns ErrFull at once,
// without calling fill, instead of waiting for room.
func (p *Producer[E]) TryPublishBatchWith(n int, fill func(b Batch[E]) error) error {
	b, err := p.TryClaimN(n)
	if err != nil {
		return err
	}
	return p.fillBatch(b, fill)
}

func (p *Producer[E]) fillOne(ev *E, fill func(*E, int64) error) error {
	settled := false
	defer p.abandon(&settled)
	err := fill(ev, p.lo)
	settled = true
	return p.settle(err)
}

func (p *Producer[E]) fillBatch(b Batch[E], fill func(Batch[E]) error) error {
	settled := false
	defer p.abandon(&settled)
	err := fill(b)
	settled = true
	return p.settle(err)
}

// settle publishes the outstanding claim after a fill that returned err, or
// skips it and returns err.
func (p *Producer[E]) settle(err error) error {
	if err != nil {
		p.Skip()
		return err
	}
	p.Publish()
	return nil
}

// abandon skips the claim of a fill that did not return (it panicked or
// called runtime.Goexit). The panic is not recovered: it goes on to the
// caller. The claim is checked first so that a fill that settled the claim
// itself does not turn the caller's panic into Skip's.
func (p *Producer[E]) abandon(settled *bool) {
	if !*settled && p.holding() {
		p.Skip()
	}
}
