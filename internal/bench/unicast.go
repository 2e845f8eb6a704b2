package bench

// unicast: one producer, one consumer, an int64 payload.

func unicastDisruptor(e *env) error {
	r, p, err := singleProducer[int64](e)
	if err != nil {
		return err
	}
	c, err := r.NewConsumer("consumer")
	if err != nil {
		return err
	}
	chk := &seqCheck{check{name: "consumer"}}
	var cr crew
	cr.start(func() error { return drain(e, r, c, chk.handler()) })
	e.timer.Start()
	for i := range e.events {
		ev, err := p.Claim(e.ctx)
		if err != nil {
			return abort(&cr, err, r)
		}
		*ev = e.value(i)
		p.Publish()
	}
	if err := finish(e, &cr, r, p); err != nil {
		return err
	}
	return chk.result(e.events)
}

func unicastChannel(e *env) error {
	ch := make(chan int64, e.ring)
	chk := &seqCheck{check{name: "consumer"}}
	var cr crew
	cr.start(func() error {
		for v := range ch {
			chk.see(v)
		}
		return nil
	})
	e.timer.Start()
	for i := range e.events {
		ch <- e.value(i)
	}
	close(ch)
	cr.wait()
	e.timer.Stop()
	return chk.result(e.events)
}

// unicast-batch: the producer claims (or sends) up to 16 events at a time.

const claimBatch = 16

func unicastBatchDisruptor(e *env) error {
	r, p, err := singleProducer[int64](e)
	if err != nil {
		return err
	}
	c, err := r.NewConsumer("consumer")
	if err != nil {
		return err
	}
	chk := &seqCheck{check{name: "consumer"}}
	var cr crew
	cr.start(func() error { return drain(e, r, c, chk.handler()) })
	per := int64(min(claimBatch, e.ring))
	e.timer.Start()
	for i := int64(0); i < e.events; {
		n := min(per, e.events-i)
		b, err := p.ClaimN(e.ctx, int(n))
		if err != nil {
			return abort(&cr, err, r)
		}
		for j := range b.Len() {
			*b.At(j) = e.value(i + int64(j))
		}
		p.Publish()
		i += n
	}
	if err := finish(e, &cr, r, p); err != nil {
		return err
	}
	return chk.result(e.events)
}

// block is the channel side's batch: up to claimBatch events by value, so
// a channel of ring/claimBatch blocks holds as many events as the ring.
type block struct {
	n int
	v [claimBatch]int64
}

func unicastBatchChannel(e *env) error {
	ch := make(chan block, max(1, e.ring/claimBatch))
	chk := &seqCheck{check{name: "consumer"}}
	var cr crew
	cr.start(func() error {
		for b := range ch {
			for _, v := range b.v[:b.n] {
				chk.see(v)
			}
		}
		return nil
	})
	e.timer.Start()
	for i := int64(0); i < e.events; {
		var b block
		b.n = int(min(claimBatch, e.events-i))
		for j := range b.n {
			b.v[j] = e.value(i + int64(j))
		}
		ch <- b
		i += int64(b.n)
	}
	close(ch)
	cr.wait()
	e.timer.Stop()
	return chk.result(e.events)
}
