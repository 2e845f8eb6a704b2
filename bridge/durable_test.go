package bridge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats.go/jetstream"
)

// publishN publishes events from..to-1 into p, a flush after every
// flushEvery-th, with no EOF.
func publishN(ctx context.Context, t *testing.T, p *disruptor.Producer[tev], from, to, flushEvery int64) {
	t.Helper()
	for i := from; i < to; i++ {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = tev{N: i, Sum: tsum(i)}
		p.Publish()
		if i%flushEvery == flushEvery-1 {
			if err := p.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// An In that died with frames delivered and unacknowledged leaves them to
// the durable's redelivery, after its AckWait: the next In reads them from
// the stream at its start instead, then acknowledges and passes over the
// redeliveries when they come. Ring B sees every event once, in order, and
// the durable acknowledges every frame.
func TestBridgeDurableRedelivery(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 256, 256)
	const n, flushEvery = 600, 100
	p, err := pl.a.NewProducer("src")
	if err != nil {
		t.Fatal(err)
	}
	out, err := NewOut(ctx, pl.a, pl.cfg())
	if err != nil {
		t.Fatal(err)
	}
	outErr, readErr := make(chan error, 1), make(chan error, 1)
	go func() { outErr <- out.Run(ctx) }()
	go func() { readErr <- checkRing(ctx, pl.b, pl.reader, n, flushEvery) }()
	publishN(ctx, t, p, 0, n/2, flushEvery)
	for out.Stats().Events < n/2 {
		if ctx.Err() != nil {
			t.Fatalf("out: %+v", out.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}

	// An In that took every frame so far and died before acknowledging any.
	cons, err := pl.st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "copy",
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	held := int(out.Stats().AckedSeq)
	batch, err := cons.Fetch(held)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for range batch.Messages() {
		got++
	}
	if got != held {
		t.Fatalf("fetched %d messages, want %d (%v)", got, held, batch.Error())
	}

	cfg := pl.cfg()
	cfg.Durable = "copy"
	in, err := NewIn(ctx, pl.b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	inErr := make(chan error, 1)
	go func() { inErr <- in.Run(ctx) }()
	for in.Stats().Events < n/2 {
		if ctx.Err() != nil {
			t.Fatalf("in: %+v", in.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	// Written before their redelivery, they are passed over when it comes
	// (had In waited for it, it would have written them then).
	redelivered := time.After(20 * time.Second) // AckWait, and time to spare
	for in.Stats().Redeliveries < int64(held) {
		select {
		case err := <-inErr:
			t.Fatalf("in ended: %v (%+v)", err, in.Stats())
		case <-redelivered:
			t.Fatalf("the %d held frames were never redelivered: %+v", held, in.Stats())
		case <-time.After(10 * time.Millisecond):
		}
	}
	publishN(ctx, t, p, n/2, n, flushEvery)
	if err := p.CloseContext(ctx); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []chan error{readErr, outErr, inErr} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	info, err := pl.st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := in.Stats(); s.Redeliveries != int64(held) || s.AckedSeq != info.State.LastSeq || s.Events != n {
		t.Errorf("in: %+v, want %d redeliveries, %d events, up to stream sequence %d", s, held, n, info.State.LastSeq)
	}
	for {
		ci, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ci.AckFloor.Stream == info.State.LastSeq && ci.NumAckPending == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the durable's ack floor is %d with %d pending, want %d and none", ci.AckFloor.Stream, ci.NumAckPending, info.State.LastSeq)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two Ins, each with its own durable, read one stream into two rings while
// they are stopped and started again mid-stream: each ring sees every event
// once, in order.
func TestBridgeDurableRestart(t *testing.T) {
	const durableB, durableC = "copy-b", "copy-c"
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 64, 64)
	c, err := disruptor.Create[tev](ringPath(t, "c"), 64)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	readerC, err := c.NewConsumer("reader")
	if err != nil {
		t.Fatal(err)
	}
	const n, flushEvery = 3000, 100
	errs := make(chan error, 5)
	// About 0.5 s of production (10 ms every 64 events), against rounds of
	// 30 to 110 ms: each In is stopped several times mid-stream however
	// fast the machine (at 2 ms, a quiet one finished in two rounds).
	go func() { errs <- produce(ctx, pl.a, 0, n, flushEvery, 10*time.Millisecond) }()
	out, err := NewOut(ctx, pl.a, pl.cfg())
	if err != nil {
		t.Fatal(err)
	}
	go func() { errs <- out.Run(ctx) }()
	go func() { errs <- checkRing(ctx, pl.b, pl.reader, n, flushEvery) }()
	go func() { errs <- checkRing(ctx, c, readerC, n, flushEvery) }()
	restarts := func(path, durable string) error {
		cfg := pl.cfg()
		cfg.Durable = durable
		for round := 0; ; round++ {
			r, err := disruptor.Attach[tev](path) // a handle of its own, as a process would have
			if err != nil {
				return err
			}
			rctx, stop := context.WithTimeout(ctx, time.Duration(30+round%5*20)*time.Millisecond)
			in, err := NewIn(rctx, r, cfg)
			if err == nil {
				err = in.Run(rctx)
			}
			stop()
			r.Close()
			switch {
			case err == nil:
				if round < 3 {
					return errors.New(durable + ": done before the third restart: the test restarted too little")
				}
				return nil
			case !errors.Is(err, context.DeadlineExceeded):
				return err
			case round > 500:
				return errors.New(durable + ": no end after 500 restarts")
			}
		}
	}
	go func() { errs <- restarts(pl.b.Path(), durableB) }()
	if err := restarts(c.Path(), durableC); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{durableB, durableC} {
		if _, err := pl.st.Consumer(ctx, d); err != nil {
			t.Errorf("durable %s: %v", d, err)
		}
	}
}
