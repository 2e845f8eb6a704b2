package bench

import (
	"errors"
	"io"
	"math"

	"github.com/disruptor-go/disruptor"
)

// unicast: one producer, one consumer, an int64 payload.

var unicastDisruptor = &topo[int64]{rings: 1, parts: func(e *env) []part[int64] {
	chk := &seqCheck{check{name: "consumer"}}
	return []part[int64]{
		consumer(e, 0, chk.name, chk.handler(), chk.verdict(e)),
		producer(e, 0, "producer", publishEach(e, e.events, plain)),
	}
}}

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

var unicastBatchDisruptor = &topo[int64]{rings: 1, parts: func(e *env) []part[int64] {
	chk := &seqCheck{check{name: "consumer"}}
	return []part[int64]{
		leaseConsumer(e, 0, chk),
		producer(e, 0, "producer", func(p *disruptor.Producer[int64]) error {
			per := int64(min(claimBatch, e.ring))
			for i := int64(0); i < e.events; {
				n := min(per, e.events-i)
				b, err := p.ClaimN(e.ctx, int(n))
				if err != nil {
					return err
				}
				a, w := b.Slices()
				for j := range a {
					a[j] = e.value(i + int64(j))
				}
				for j := range w {
					w[j] = e.value(i + int64(len(a)+j))
				}
				p.Publish()
				i += n
			}
			return nil
		}),
	}
}}

// leaseConsumer reads ring i as leases of what is available, a plain loop
// over each lease's slices checking every event with chk: the batch loop
// the channel side's range over a block is, with no call per event.
func leaseConsumer(e *env, i int, chk *seqCheck) part[int64] {
	return part[int64]{name: chk.name, reads: []int{i}, join: func(rs []*disruptor.Ring[int64]) (task, error) {
		c, err := rs[i].NewConsumer(chk.name)
		if err != nil {
			return task{}, err
		}
		run := func() error {
			for {
				l, err := c.Lease(e.ctx, math.MaxInt)
				switch {
				case err == io.EOF:
					return nil
				case errors.Is(err, disruptor.ErrFlush):
					continue
				case err != nil:
					return err
				}
				_, a, b := l.Slices()
				for _, v := range a {
					chk.see(v)
				}
				for _, v := range b {
					chk.see(v)
				}
				l.Release()
			}
		}
		return task{run: run, verdict: chk.verdict(e)}, nil
	}}
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

// plain is the int64 event of payload v.
func plain(v int64) int64 { return v }
