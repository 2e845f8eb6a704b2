package bench

import (
	"fmt"

	"github.com/disruptor-go/disruptor"
)

// mpsc: several producers, one consumer that checks each producer's events
// arrive in that producer's order, and all of them.

const mpscProducers = 4

// tagged is an mpsc event: producer P's N-th event.
type tagged struct{ P, N int64 }

// share is how many of the run's events producer p makes.
func share(e *env, p int) int64 {
	n := e.events / mpscProducers
	if int64(p) < e.events%mpscProducers {
		n++
	}
	return n
}

type mpscCheck struct {
	check
	next [mpscProducers]int64
}

func (c *mpscCheck) see(t tagged) {
	switch {
	case t.P < 0 || t.P >= mpscProducers:
		c.failf("from unknown producer %d", t.P)
	case t.N != c.next[t.P]:
		c.failf("producer %d: event %d, want %d", t.P, t.N, c.next[t.P])
		c.next[t.P] = t.N + 1
	default:
		c.next[t.P]++
	}
	c.n++
}

func (c *mpscCheck) result(e *env) error {
	if err := c.check.result(e.events); err != nil {
		return err
	}
	for p, n := range c.next {
		if want := share(e, p); n != want {
			return fmt.Errorf("%s: producer %d: saw up to event %d, want %d", c.name, p, n, want)
		}
	}
	return nil
}

var mpscDisruptor = &topo[tagged]{rings: 1, opts: []disruptor.Option{disruptor.WithMultiProducer()},
	parts: func(e *env) []part[tagged] {
		chk := &mpscCheck{check: check{name: "consumer"}}
		see := func(ev *tagged, _ int64, _ bool) error {
			chk.see(*ev)
			return nil
		}
		ps := []part[tagged]{consumer(e, 0, chk.name, see, func() error { return chk.result(e) })}
		for i := range mpscProducers {
			ps = append(ps, producer(e, 0, fmt.Sprintf("producer%d", i),
				publishEach(e, share(e, i), func(n int64) tagged { return tagged{P: int64(i), N: n} })))
		}
		return ps
	}}

func mpscChannel(e *env) error {
	ch := make(chan tagged, e.ring)
	chk := &mpscCheck{check: check{name: "consumer"}}
	var consumer, producers crew
	consumer.start(func() error {
		for t := range ch {
			chk.see(t)
		}
		return nil
	})
	start := make(gate)
	for i := range mpscProducers {
		producers.start(func() error {
			start.wait()
			for n := range share(e, i) {
				ch <- tagged{P: int64(i), N: e.value(n)}
			}
			return nil
		})
	}
	e.timer.Start()
	start.open()
	producers.wait()
	close(ch)
	consumer.wait()
	e.timer.Stop()
	return chk.result(e)
}
