package bench

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// pingpong: the run's goroutine sends an event over one ring (or channel)
// and waits for a second goroutine to echo it back over another, one event
// in flight; each round trip's latency goes into the run's histogram. Both
// sides check every payload.

// record adds one round trip to the histogram, clamped to its range.
func (e *env) record(d time.Duration) {
	e.hist.RecordValue(min(max(int64(d), histMin), histMax))
}

func pingpongDisruptor(e *env) error {
	ra, err := newRing[int64](e)
	if err != nil {
		return err
	}
	rb, err := newRing[int64](e)
	if err != nil {
		return err
	}
	pa, err := ra.NewProducer("ping")
	if err != nil {
		return err
	}
	ca, err := ra.NewConsumer("pong")
	if err != nil {
		return err
	}
	pb, err := rb.NewProducer("pong")
	if err != nil {
		return err
	}
	cb, err := rb.NewConsumer("ping")
	if err != nil {
		return err
	}
	ping, pong := &seqCheck{check{name: "ping"}}, &seqCheck{check{name: "pong"}}
	var cr crew
	cr.start(func() error {
		for {
			ev, err := ca.Next(e.ctx)
			if err == io.EOF {
				return pb.Close()
			}
			if err != nil {
				rb.Halt()
				return fmt.Errorf("pong: %w", err)
			}
			pong.see(*ev)
			out, err := pb.Claim(e.ctx)
			if err != nil {
				rb.Halt()
				return fmt.Errorf("pong: %w", err)
			}
			*out = *ev
			pb.Publish()
		}
	})
	e.timer.Start()
	for i := range e.events {
		t0 := time.Now()
		ev, err := pa.Claim(e.ctx)
		if err != nil {
			return abort(&cr, err, ra, rb)
		}
		*ev = e.value(i)
		pa.Publish()
		back, err := cb.Next(e.ctx)
		if err != nil {
			return abort(&cr, fmt.Errorf("ping: %w", err), ra, rb)
		}
		e.record(time.Since(t0))
		ping.see(*back)
	}
	if err := pa.Close(); err != nil {
		return abort(&cr, err, ra, rb)
	}
	if _, err := cb.Next(e.ctx); err != io.EOF {
		return abort(&cr, fmt.Errorf("ping: after the last echo: got %v, want EOF", err), ra, rb)
	}
	err = cr.wait()
	e.timer.Stop()
	return errors.Join(err, ping.result(e.events), pong.result(e.events))
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
