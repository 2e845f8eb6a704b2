package main

import (
	"context"
	"fmt"

	"github.com/disruptor-go/disruptor"
)

// round is how many events a loop publishes and then reads back per round;
// the rings hold exactly one round, except that of a loop reading with Next:
// Next releases an event only at the consumer's next call, so the ring holds
// two rounds, else the last event of a round would leave no room for the next.
const round = 4096

// loop is one measured loop: after setting up, it moves rounds rounds of
// events from a producer to a consumer on the calling goroutine, and checks
// every value the consumer sees. Event i carries i, except event bad, which
// carries ^bad (bad < 0: none), so a test can prove the checks fail.
type loop struct {
	name, what string
	run        func(rounds int, bad int64) error
}

func loops() []loop {
	return []loop{
		{"array", "plain array write + read + check, no synchronisation", arrayLoop},
		{"unicast", "Claim/Publish + Consumer.Batch", func(n int, bad int64) error { return ringLoop(n, bad, round, false, claimOne, batchRead) }},
		{"put", "Put + Consumer.Batch", func(n int, bad int64) error { return ringLoop(n, bad, round, false, putOne, batchRead) }},
		{"unicast-next", "Claim/Publish + Consumer.Next", func(n int, bad int64) error { return ringLoop(n, bad, 2*round, false, claimOne, nextRead) }},
		{"claim16", "ClaimN(16) + Batch.At + Publish + Consumer.Batch", func(n int, bad int64) error { return ringLoop(n, bad, round, false, claim16, batchRead) }},
		{"slices16", "ClaimN(16) + Batch.Slices + Publish + Consumer.Lease + Lease.Slices", func(n int, bad int64) error {
			return ringLoop(n, bad, round, false, slices16, leaseRead)
		}},
		{"multi", "WithMultiProducer, one producer: Claim/Publish + Consumer.Batch", func(n int, bad int64) error { return ringLoop(n, bad, round, true, claimOne, batchRead) }},
		{"multi-put", "WithMultiProducer, one producer: Put + Consumer.Batch", func(n int, bad int64) error { return ringLoop(n, bad, round, true, putOne, batchRead) }},
		{"chan", "Go channel: int64 send + receive", chanLoop},
		{"chan16", "Go channel of [16]int64 blocks", chan16Loop},
	}
}

// value is the payload of event i.
func value(i, bad int64) int64 {
	if i == bad {
		return ^i
	}
	return i
}

// checker checks that the values it sees are 0, 1, 2, ...
type checker struct{ next int64 }

// see is small enough to inline; the failure's formatting is out of line.
func (c *checker) see(v int64) error {
	if v != c.next {
		return c.fail(v)
	}
	c.next++
	return nil
}

//go:noinline
func (c *checker) fail(v int64) error { return fmt.Errorf("event %d: payload %d", c.next, v) }

func (c *checker) done(rounds int) error {
	if want := int64(rounds) * round; c.next != want {
		return fmt.Errorf("saw %d events, want %d", c.next, want)
	}
	return nil
}

// ringLoop runs rounds over a ring of one round's size through the public
// API only: fill publishes events [base, base+round), read consumes them.
// The ring has size slots (see round).
func ringLoop(rounds int, bad int64, size int, multi bool,
	fill func(context.Context, *disruptor.Producer[int64], int64, int64) error,
	read func(context.Context, *disruptor.Consumer[int64], *checker) error) error {
	var opts []disruptor.Option
	if multi {
		opts = append(opts, disruptor.WithMultiProducer())
	}
	r, err := disruptor.New[int64](size, opts...)
	if err != nil {
		return err
	}
	c, err := r.NewConsumer("pathlen")
	if err != nil {
		return err
	}
	p, err := r.NewProducer("pathlen")
	if err != nil {
		return err
	}
	ctx := context.Background()
	var chk checker
	for k := range int64(rounds) {
		if err := fill(ctx, p, k*round, bad); err != nil {
			return err
		}
		if err := read(ctx, c, &chk); err != nil {
			return err
		}
	}
	return chk.done(rounds)
}

func claimOne(ctx context.Context, p *disruptor.Producer[int64], base, bad int64) error {
	for i := base; i < base+round; i++ {
		ev, err := p.Claim(ctx)
		if err != nil {
			return err
		}
		*ev = value(i, bad)
		p.Publish()
	}
	return nil
}

func putOne(ctx context.Context, p *disruptor.Producer[int64], base, bad int64) error {
	for i := base; i < base+round; i++ {
		if err := p.Put(ctx, value(i, bad)); err != nil {
			return err
		}
	}
	return nil
}

func claim16(ctx context.Context, p *disruptor.Producer[int64], base, bad int64) error {
	for i := base; i < base+round; i += 16 {
		b, err := p.ClaimN(ctx, 16)
		if err != nil {
			return err
		}
		for j := range b.Len() {
			*b.At(j) = value(i+int64(j), bad)
		}
		p.Publish()
	}
	return nil
}

// slices16 publishes one round in claims of 16 filled through Batch.Slices.
func slices16(ctx context.Context, p *disruptor.Producer[int64], base, bad int64) error {
	for i := base; i < base+round; i += 16 {
		b, err := p.ClaimN(ctx, 16)
		if err != nil {
			return err
		}
		a, w := b.Slices()
		for j := range a {
			a[j] = value(i+int64(j), bad)
		}
		for j := range w {
			w[j] = value(i+int64(len(a)+j), bad)
		}
		p.Publish()
	}
	return nil
}

// leaseRead reads one round with Consumer.Lease and Lease.Slices.
func leaseRead(ctx context.Context, c *disruptor.Consumer[int64], chk *checker) error {
	for got := 0; got < round; {
		l, err := c.Lease(ctx, round)
		if err != nil {
			return err
		}
		_, a, b := l.Slices()
		for _, v := range a {
			if err := chk.see(v); err != nil {
				return err
			}
		}
		for _, v := range b {
			if err := chk.see(v); err != nil {
				return err
			}
		}
		got += l.Len()
		l.Release()
	}
	return nil
}

// batchRead reads one round with Consumer.Batch.
func batchRead(ctx context.Context, c *disruptor.Consumer[int64], chk *checker) error {
	h := func(ev *int64, _ int64, _ bool) error { return chk.see(*ev) }
	for got := 0; got < round; {
		n, err := c.Batch(ctx, h)
		if err != nil {
			return err
		}
		got += n
	}
	return nil
}

// nextRead reads one round with Consumer.Next.
func nextRead(ctx context.Context, c *disruptor.Consumer[int64], chk *checker) error {
	for range round {
		ev, err := c.Next(ctx)
		if err != nil {
			return err
		}
		if err := chk.see(*ev); err != nil {
			return err
		}
	}
	return nil
}

func arrayLoop(rounds int, bad int64) error {
	a := make([]int64, round)
	var chk checker
	for k := range int64(rounds) {
		for i := range int64(round) {
			a[i] = value(k*round+i, bad)
		}
		for _, v := range a {
			if err := chk.see(v); err != nil {
				return err
			}
		}
	}
	return chk.done(rounds)
}

func chanLoop(rounds int, bad int64) error {
	ch := make(chan int64, round)
	var chk checker
	for k := range int64(rounds) {
		for i := range int64(round) {
			ch <- value(k*round+i, bad)
		}
		for range round {
			if err := chk.see(<-ch); err != nil {
				return err
			}
		}
	}
	return chk.done(rounds)
}

func chan16Loop(rounds int, bad int64) error {
	ch := make(chan [16]int64, round/16)
	var chk checker
	for k := range int64(rounds) {
		for i := int64(0); i < round; i += 16 {
			var b [16]int64
			for j := range int64(16) {
				b[j] = value(k*round+i+j, bad)
			}
			ch <- b
		}
		for range round / 16 {
			b := <-ch
			for _, v := range b {
				if err := chk.see(v); err != nil {
					return err
				}
			}
		}
	}
	return chk.done(rounds)
}
