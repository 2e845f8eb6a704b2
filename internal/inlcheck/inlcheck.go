// Package inlcheck instantiates the library's generic types with int64 and
// calls their hot methods, so that the compiler, building this package with
// -gcflags=-m=2, reports whether each method's int64 shape inlines and at
// what cost. Generic methods are judged where they are instantiated, as
// (*Producer[go.shape.int64]).Claim; the root package's own build says
// nothing about them. The test (inline_test.go) reads those reports.
package inlcheck

import (
	"context"

	"github.com/disruptor-go/disruptor"
)

// NewRing makes a ring of int64 events.
func NewRing(size int) (*disruptor.Ring[int64], error) { return disruptor.New[int64](size) }

// Produce publishes v with Claim, TryClaim and Put, and v+1 .. v+n
// through a batch claim.
func Produce(ctx context.Context, p *disruptor.Producer[int64], v int64, n int) error {
	ev, err := p.Claim(ctx)
	if err != nil {
		return err
	}
	*ev = v
	p.Publish()
	if ev, err = p.TryClaim(); err != nil {
		return err
	}
	*ev = v
	p.Publish()
	if err := p.Put(ctx, v); err != nil {
		return err
	}
	b, err := p.ClaimN(ctx, n)
	if err != nil {
		return err
	}
	for i := range b.Len() {
		*b.At(i) = v + int64(i) + 1
	}
	p.Publish()
	return nil
}

// Consume reads events with Next, TryNext and Batch, and returns their sum.
func Consume(ctx context.Context, c *disruptor.Consumer[int64]) (int64, error) {
	ev, err := c.Next(ctx)
	if err != nil {
		return 0, err
	}
	sum := *ev
	if ev, err = c.TryNext(); err != nil {
		return sum, err
	}
	sum += *ev
	_, err = c.Batch(ctx, func(ev *int64, _ int64, _ bool) error {
		sum += *ev
		return nil
	})
	return sum, err
}
