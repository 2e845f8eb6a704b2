package disruptor_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/disruptor-go/disruptor"
)

// PublishWith fills and publishes a slot in one call; a fill that fails
// leaves a hole consumers pass over, never an outstanding claim.
func ExampleProducer_PublishWith() {
	ctx := context.Background()
	r, _ := disruptor.New[string](8)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")

	for _, word := range []string{"one", "", "three"} {
		err := p.PublishWith(ctx, func(ev *string, seq int64) error {
			if word == "" {
				return errors.New("empty word")
			}
			*ev = fmt.Sprintf("%d:%s", seq, word)
			return nil
		})
		if err != nil {
			fmt.Println("skipped:", err)
		}
	}
	p.Close()

	for {
		ev, err := c.Next(ctx)
		if err == io.EOF {
			break
		}
		fmt.Println(*ev)
	}
	// Output:
	// skipped: empty word
	// 0:one
	// 2:three
}

// Put copies a value into the ring and publishes it in one call, as a
// channel send does; TryPut says ErrFull instead of waiting for room.
func ExampleProducer_Put() {
	ctx := context.Background()
	r, _ := disruptor.New[int64](4)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")

	for v := int64(10); v <= 50; v += 10 {
		if err := p.TryPut(v); err != nil {
			fmt.Println("put", v, "-", err)
		}
	}
	for range 4 {
		ev, _ := c.Next(ctx) // each Next releases the event before
		fmt.Println("read", *ev)
	}
	if err := p.Put(ctx, 50); err == nil {
		fmt.Println("put 50")
	}
	p.Close()
	for {
		ev, err := c.Next(ctx)
		if err == io.EOF {
			break
		}
		fmt.Println("read", *ev)
	}
	// Output:
	// put 50 - disruptor: ring full
	// read 10
	// read 20
	// read 30
	// read 40
	// put 50
	// read 50
}
