package disruptor_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/disruptor-go/disruptor"
)

// A consumer may start before the process that creates the ring:
// AttachContext waits for the ring to appear, up to ctx's deadline.
func ExampleAttachContext() {
	dir, err := os.MkdirTemp("", "attach-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// The creator: it starts later, and publishes three events.
	ready := make(chan struct{})
	go func() {
		time.Sleep(50 * time.Millisecond)
		r, err := disruptor.Create[int64]("prices", 8, disruptor.WithDir(dir))
		if err != nil {
			fmt.Println(err)
			close(ready)
			return
		}
		defer r.Close()
		close(ready)
		p, _ := r.NewProducer("feed")
		for i := int64(1); i <= 3; i++ {
			ev, _ := p.Claim(context.Background())
			*ev = i * 100
			p.Publish()
		}
		p.Close()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := disruptor.AttachContext[int64](ctx, "prices", disruptor.WithDir(dir))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	c, _ := r.NewConsumer("printer")
	for {
		ev, err := c.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(*ev)
	}
	<-ready
	// Output:
	// 100
	// 200
	// 300
}
