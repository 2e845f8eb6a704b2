// Command inproc shows the disruptor inside one process: a producer
// goroutine publishes orders, a journal consumer sees each first, and a
// matcher consumer follows the journal. Run it with
//
//	go run ./examples/inproc
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync"

	"github.com/disruptor-go/disruptor"
)

// Order is the event. In-process, any type works; rings are allocated
// once and events are filled in place, so moving them allocates nothing.
type Order struct {
	ID    int64
	Price int64
	Qty   int64
}

func main() {
	ctx := context.Background()
	r, err := disruptor.New[Order](1024) // size: a power of two
	if err != nil {
		log.Fatal(err)
	}
	p, err := r.NewProducer("gateway")
	if err != nil {
		log.Fatal(err)
	}
	// Every consumer sees every event (broadcast). The matcher reads an
	// order only after the journal has released it.
	journal, err := r.NewConsumer("journal")
	if err != nil {
		log.Fatal(err)
	}
	matcher, err := r.NewConsumer("matcher", disruptor.After(journal))
	if err != nil {
		log.Fatal(err)
	}

	const n = 1_000_000
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range int64(n) {
			o, err := p.Claim(ctx) // waits while the ring is full
			if err != nil {
				log.Fatal(err)
			}
			*o = Order{ID: i, Price: 100 + i%7, Qty: 1 + i%10}
			p.Publish()
		}
		p.Close() // EOF: consumers' loops end after the last order
	})
	var journaled int64
	wg.Go(func() {
		// Batch hands over every available event at once; endOfBatch
		// marks the last, where a real journal would flush to disk.
		for {
			_, err := journal.Batch(ctx, func(o *Order, seq int64, endOfBatch bool) error {
				journaled++
				return nil
			})
			if err != nil { // io.EOF after the producer's Close
				return
			}
		}
	})
	var volume int64
	for _, o := range matcher.Events(ctx) { // ends at EOF
		volume += o.Price * o.Qty
	}
	if err := matcher.Err(); err != nil {
		log.Fatal(err)
	}
	wg.Wait()
	fmt.Printf("journaled %d orders, matched volume %d\n\n", journaled, volume)
	r.Report(os.Stdout) // per producer and consumer counters
}
