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
