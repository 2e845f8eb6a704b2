// Command bridge carries a ring's events through a NATS JetStream stream
// into another ring, exactly once. Start a local server with JetStream,
// then run it:
//
//	nats-server -js                  # listens on nats://127.0.0.1:4222
//	go run ./examples/bridge         # ring A -> stream EXAMPLE -> ring B
//
// The two rings would normally live on two machines, each with its half of
// the bridge (bridge.Out beside ring A, bridge.In beside ring B, or the
// `disruptor bridge out` and `disruptor bridge in` commands); here both
// halves run in one process, over in-process rings, to show the whole
// path. The example deletes and recreates its stream on each run.
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
	"github.com/disruptor-go/disruptor/bridge"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Trade is a fixed-size, pointer-free event, as a bridge requires.
type Trade struct {
	ID    int64
	Price int64 // in cents
	Qty   int64
	At    int64 // unix nanoseconds
}

func main() {
	url := flag.String("nats", nats.DefaultURL, "NATS server URL")
	stream := flag.String("stream", "EXAMPLE", "JetStream stream name (deleted and recreated)")
	n := flag.Int("n", 10000, "trades to carry")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *url, *stream, *n); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, url, stream string, n int) error {
	nc, err := nats.Connect(url)
	if err != nil {
		return fmt.Errorf("%w (is `nats-server -js` running?)", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if err := js.DeleteStream(ctx, stream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return err
	}
	if _, err := bridge.EnsureStream(ctx, js, bridge.StreamConfig(stream, 0, 1), true); err != nil {
		return err
	}

	a, _ := disruptor.New[Trade](1024) // the source ring
	b, _ := disruptor.New[Trade](1024) // the destination ring
	cfg := bridge.Config{JS: js, Stream: stream, RingID: "example-trades"}
	out, err := bridge.NewOut(ctx, a, cfg) // registers its consumer on a first
	if err != nil {
		return err
	}
	in, err := bridge.NewIn(ctx, b, cfg)
	if err != nil {
		return err
	}
	reader, _ := b.NewConsumer("reader")
	errs := make(chan error, 3)
	go func() { errs <- out.Run(ctx) }()
	go func() { errs <- in.Run(ctx) }()
	go func() { // the source: n trades, then EOF
		p, _ := a.NewProducer("trades")
		for i := range n {
			t, err := p.Claim(ctx)
			if err != nil {
				errs <- err
				return
			}
			*t = Trade{ID: int64(i), Price: 10000 + int64(i%100), Qty: 1 + int64(i%7), At: time.Now().UnixNano()}
			p.Publish()
		}
		errs <- p.Close()
	}()

	var count, worst int64
	for {
		t, err := reader.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if t.ID != count {
			return fmt.Errorf("trade %d arrived where %d was due", t.ID, count)
		}
		worst = max(worst, time.Now().UnixNano()-t.At)
		count++
	}
	for range 3 {
		if err := <-errs; err != nil {
			return err
		}
	}
	s := out.Stats()
	fmt.Printf("%d trades in order through stream %s: %d frames, slowest %v end to end\n",
		count, stream, s.Frames, time.Duration(worst).Round(time.Microsecond))
	return nil
}
