// Command shm shows a disruptor ring shared by two processes. Run it in two
// terminals:
//
//	go run ./examples/shm produce    # creates /dev/shm/example-trades, publishes trades
//	go run ./examples/shm consume    # attaches, prints them
//
// Stop the consumer with Ctrl-C and start it again: it resumes with the
// first trade it has not seen (its position is kept in the ring, and the
// producer waits for it rather than overwrite what it has not read). Stop
// the producer with Ctrl-C: it closes the ring with EOF, and the consumer
// finishes what is left and exits. Start the producer again: the ring is
// still there, and the stream goes on. When done, remove the ring with
// `go run ./cmd/disruptor rm example-trades` (or rm /dev/shm/example-trades).
//
// While they run, `go run ./cmd/disruptor inspect example-trades` shows both.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/disruptor-go/disruptor"
)

// Trade is the event. Every process that uses the ring maps the same bytes,
// so an event type must be fixed-size and pointer-free: numbers, bools,
// arrays and structs of those. No strings, slices, maps or pointers: a
// pointer means nothing in another process. Create and Attach check this,
// and check that both processes use the same layout.
type Trade struct {
	ID     int64
	Price  float64
	Qty    int32
	Side   byte    // 'B'uy or 'S'ell
	Symbol [8]byte // a fixed-size array instead of a string
	Time   int64   // when it was published, in unix nanoseconds
}

func main() {
	ring := flag.String("ring", "example-trades", "ring name (in /dev/shm) or path")
	every := flag.Duration("every", 200*time.Millisecond, "produce: time between trades")
	flag.Parse()
	log.SetFlags(0)

	// Ctrl-C (or kill) cancels ctx: blocked calls return, loops end, and
	// each side leaves the ring in order.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch flag.Arg(0) {
	case "produce":
		err = produce(ctx, *ring, *every)
	case "consume":
		err = consume(ctx, *ring)
	default:
		fmt.Fprintln(os.Stderr, "usage: go run ./examples/shm [-ring name] produce|consume")
		os.Exit(2) // a usage error, as go tools exit
	}
	if err != nil {
		log.Fatal(err)
	}
}

func produce(ctx context.Context, name string, every time.Duration) error {
	// Create makes the ring, or opens it if it already exists (a restarted
	// producer goes on where the ring stands). 1024 slots, a power of two.
	r, err := disruptor.Create[Trade](name, 1024)
	if err != nil {
		return err
	}
	defer r.Close() // unmaps the ring; the file stays for the others
	p, err := r.NewProducer("example")
	if err != nil {
		return err
	}
	log.Printf("producing into %s; Ctrl-C to stop", r.Path())

	tick := time.NewTicker(every)
	defer tick.Stop()
	for id := int64(1); ; id++ {
		select {
		case <-ctx.Done():
			// Close publishes our EOF: consumers read what is left, then
			// get io.EOF. (Without it, they would report ErrProducerGone.)
			log.Printf("stopping after %d trades", id-1)
			return p.Close()
		case <-tick.C:
		}
		// Claim a slot, fill it in place, publish it. Claim waits while
		// the ring is full: while some consumer has not read what it would
		// overwrite.
		t, err := p.Claim(ctx)
		if err != nil {
			return p.Close()
		}
		*t = Trade{ID: id, Price: 100 + float64(id%50)/4, Qty: int32(id%9+1) * 100, Side: "BS"[id%2],
			Time: time.Now().UnixNano()}
		copy(t.Symbol[:], "ACME")
		p.Publish()
	}
}

func consume(ctx context.Context, name string) error {
	// The producer may not have created the ring yet: AttachContext waits
	// for it (until Ctrl-C); any other error it returns at once.
	r, err := disruptor.AttachContext[Trade](ctx, name)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer r.Close()

	// A consumer registers by name. If the ring already knows "printer",
	// this one resumes right after the last trade the previous one read.
	// A new consumer starts with the oldest trade the ring still holds
	// (disruptor.StartAtLatest() would start with the next one).
	c, err := r.NewConsumer("printer")
	if err != nil {
		return err
	}
	log.Printf("consuming %s after sequence %d; Ctrl-C to stop", r.Path(), c.Sequence())

	for {
		t, err := c.Next(ctx) // a pointer into the ring, valid until the next call
		switch {
		case err == nil:
			fmt.Printf("#%-5d seq %-5d %c %4d %s @ %6.2f  (%v after publication)\n", t.ID, c.Sequence(), t.Side,
				t.Qty, t.Symbol[:4], t.Price, time.Since(time.Unix(0, t.Time)).Round(time.Microsecond))
		case err == io.EOF:
			log.Print("EOF: the producer closed the ring")
			return c.Detach() // keep our place for the next stream
		case ctx.Err() != nil:
			// Detach keeps our record, and our place: the next run with
			// the same name resumes here, and producers wait for it.
			// c.Close() would unregister us instead.
			log.Printf("stopped after sequence %d; run again to resume", c.Sequence())
			return c.Detach()
		case errors.Is(err, disruptor.ErrProducerGone):
			c.Detach()
			return fmt.Errorf("the producer died without closing the ring: %w", err)
		default:
			return err
		}
	}
}
