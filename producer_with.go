package disruptor

import "context"

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
