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

var multicastDisruptor = &topo[int64]{rings: 1, parts: func(e *env) []part[int64] {
	var ps []part[int64]
	for _, chk := range newFanout() {
		ps = append(ps, consumer(e, 0, chk.name, chk.handler(), chk.verdict(e)))
	}
	return append(ps, producer(e, 0, "producer", publishEach(e, e.events, plain)))
}}

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
