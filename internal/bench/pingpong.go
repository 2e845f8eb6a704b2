package bench

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/disruptor-go/disruptor"
)

// pingpong: one side (the ping part; over channels, the run's goroutine)
// sends an event over one ring (or channel) and waits for the other side to
// echo it back over another, one event in flight; each round trip's latency
// goes into the ping side's histogram. Both sides check every payload.

// record adds one round trip to the histogram, clamped to its range.
func (e *env) record(d time.Duration) {
	e.hist.RecordValue(min(max(int64(d), histMin), histMax))
}

// Ring 0 carries pings, ring 1 the echoes. The pong side joins first and
// only answers; the ping side leads.
var pingpongDisruptor = &topo[int64]{rings: 2, parts: func(e *env) []part[int64] {
	ping, pong := &seqCheck{check{name: "ping"}}, &seqCheck{check{name: "pong"}}
	return []part[int64]{
		{name: "pong", reads: []int{0}, join: func(rs []*disruptor.Ring[int64]) (task, error) {
			ca, pb, err := endpoints(rs[0], rs[1], "pong")
			if err != nil {
				return task{}, err
			}
			return task{run: func() error { return echo(e, ca, pb, pong) }, verdict: pong.verdict(e)}, nil
		}},
		{name: "ping", lead: true, reads: []int{1}, join: func(rs []*disruptor.Ring[int64]) (task, error) {
			cb, pa, err := endpoints(rs[1], rs[0], "ping")
			if err != nil {
				return task{}, err
			}
			return task{run: func() error { return serve(e, pa, cb, ping) }, verdict: ping.verdict(e)}, nil
		}},
	}
}}

// endpoints makes a side's consumer of in and producer of out, both named
// after the side.
func endpoints(in, out *disruptor.Ring[int64], side string) (*disruptor.Consumer[int64], *disruptor.Producer[int64], error) {
	c, err := in.NewConsumer(side)
	if err != nil {
		return nil, nil, err
	}
	p, err := out.NewProducer(side)
	return c, p, err
}

// serve sends the run's events one at a time and waits for each echo,
// recording the round trip.
func serve(e *env, p *disruptor.Producer[int64], c *disruptor.Consumer[int64], chk *seqCheck) error {
	for i := range e.events {
		t0 := time.Now()
		ev, err := p.Claim(e.ctx)
		if err != nil {
			return err
		}
		*ev = e.value(i)
		p.Publish()
		back, err := c.Next(e.ctx)
		if err != nil {
			return err
		}
		e.record(time.Since(t0))
		chk.see(*back)
	}
	if err := p.CloseContext(e.ctx); err != nil {
		return err
	}
	if _, err := c.Next(e.ctx); err != io.EOF {
		return fmt.Errorf("after the last echo: got %v, want EOF", err)
	}
	return nil
}

// echo sends back every event it gets until EOF, then closes.
func echo(e *env, c *disruptor.Consumer[int64], p *disruptor.Producer[int64], chk *seqCheck) error {
	for {
		ev, err := c.Next(e.ctx)
		if err == io.EOF {
			return p.CloseContext(e.ctx)
		}
		if err != nil {
			return err
		}
		chk.see(*ev)
		out, err := p.Claim(e.ctx)
		if err != nil {
			return err
		}
		*out = *ev
		p.Publish()
	}
}

func pingpongChannel(e *env) error {
	a, b := make(chan int64, e.ring), make(chan int64, e.ring)
	ping, pong := &seqCheck{check{name: "ping"}}, &seqCheck{check{name: "pong"}}
	var cr crew
	cr.start(func() error {
		for v := range a {
			pong.see(v)
			b <- v
		}
		close(b)
		return nil
	})
	e.timer.Start()
	for i := range e.events {
		t0 := time.Now()
		a <- e.value(i)
		v := <-b
		e.record(time.Since(t0))
		ping.see(v)
	}
	close(a)
	_, open := <-b
	cr.wait()
	e.timer.Stop()
	if open {
		return errors.New("ping: an echo after the last one")
	}
	return errors.Join(ping.result(e.events), pong.result(e.events))
}
