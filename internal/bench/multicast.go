package bench

import "fmt"

// multicast: one producer, three consumers, each sees and checks every event.
// Over channels, the producer sends each event to three channels.

const fanout = 3

func newFanout() (chks [fanout]*seqCheck) {
	for i := range chks {
		chks[i] = &seqCheck{check{name: fmt.Sprintf("consumer%d", i)}}
	}
	return chks
}

func multicastDisruptor(e *env) error {
	r, p, err := singleProducer[int64](e)
	if err != nil {
		return err
	}
	var cr crew
	chks := newFanout()
	for _, chk := range chks {
		c, err := r.NewConsumer(chk.name)
		if err != nil {
			return abort(&cr, err, r)
		}
		cr.start(func() error { return drain(e, r, c, chk.handler()) })
	}
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
	return allSaw(e.events, chks[:]...)
}

func multicastChannel(e *env) error {
	var cr crew
	var chs [fanout]chan int64
	chks := newFanout()
	for i, chk := range chks {
		ch := make(chan int64, e.ring)
		chs[i] = ch
		cr.start(func() error {
			for v := range ch {
				chk.see(v)
			}
			return nil
		})
	}
	e.timer.Start()
	for i := range e.events {
		v := e.value(i)
		for _, ch := range chs {
			ch <- v
		}
	}
	for _, ch := range chs {
		close(ch)
	}
	cr.wait()
	e.timer.Stop()
	return allSaw(e.events, chks[:]...)
}
