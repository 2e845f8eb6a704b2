package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/internal/testevent"
)

func produceCommand() *command {
	return &command{
		name:  "produce",
		args:  "[flags] NAME|PATH",
		short: "publish test events into a shared ring",
		long: `Produce publishes test events into the shared ring NAME, creating it if
needed (an existing ring must have the same -size and -multi), until -count
events are published or it is interrupted (SIGINT, SIGTERM). Consume reads
and checks them. Each event carries its ring sequence, this run's random
identifier and its number within the run, a timestamp, a payload and a
checksum.

` + namingHelp + `

-rate paces publication: events are published in batches sized so that the
average rate is accurate at any rate (a ring that stays full slows it down;
a backlog of more than a second is forgiven, not caught up in a burst).
Progress (events/s, published, full waits) goes to stderr every -every; the
summary goes to stdout.

Stopping: when -count is reached or on the first interrupt, the batch in
hand is published, never left half-claimed. Then, with -eof (the default),
the producer closes: consumers finish what is left and exit at EOF. With
-eof=false the producer leaves without EOF, as if it had died: its entry
stays open, consumers report that the producer is gone, and the next
produce run with the same -name takes the entry over and goes on. Sending
EOF waits for room in the ring for at most 5s (the consumers may be stuck);
a second interrupt aborts at once.`,
		setup: produceSetup,
	}
}

type produceFlags struct {
	dir       string
	size      int
	multi     bool
	rate      float64
	count     int64
	eof       bool
	name      string
	consumers int
	every     time.Duration
	json      bool
}

func produceSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var f produceFlags
	dirFlag(fs, &f.dir)
	fs.IntVar(&f.size, "size", 1024, "ring `slots` when creating it, a power of two")
	fs.BoolVar(&f.multi, "multi", false, "create a multi-producer ring (several produce processes at once)")
	fs.Float64Var(&f.rate, "rate", 0, "publish `N` events per second (0: as fast as possible)")
	fs.Int64Var(&f.count, "count", 0, "stop after `N` events (0: until interrupted)")
	fs.BoolVar(&f.eof, "eof", true, "close with EOF when done or interrupted")
	fs.StringVar(&f.name, "name", "produce", "producer `name` in the ring's producer table")
	fs.IntVar(&f.consumers, "consumers", 0, "wait until `K` consumers are registered before publishing")
	everyFlag(fs, &f.every)
	fs.BoolVar(&f.json, "json", false, "print the summary as JSON")
	return func(ctx context.Context, std *stdio, args []string) error { return runProduce(ctx, std, &f, args) }
}

// produceSummary is what produce reports when it ends.
type produceSummary struct {
	Ring         string  `json:"ring"`
	Created      bool    `json:"created"` // this run created the ring
	Producer     string  `json:"producer"`
	Run          uint64  `json:"run,string"` // a JSON string: 64 bits
	Published    int64   `json:"published"`
	FirstSeq     int64   `json:"first_seq"` // -1 if none
	LastSeq      int64   `json:"last_seq"`  // -1 if none
	Seconds      float64 `json:"seconds"`
	EventsPerSec float64 `json:"events_per_sec"`
	Interrupted  bool    `json:"interrupted"`
	EOF          bool    `json:"eof"` // the producer closed
}

func runProduce(ctx context.Context, std *stdio, f *produceFlags, args []string) error {
	name, err := ringArg(args)
	if err != nil {
		return err
	}
	if err := checkProduceFlags(f); err != nil {
		return err
	}
	opts := []dr.Option{dr.WithDir(f.dir)}
	if f.multi {
		opts = append(opts, dr.WithMultiProducer())
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	r, err := createTest(ctx, name, f.size, opts...)
	if err != nil {
		return err
	}
	defer r.Close()
	sum := produceSummary{Ring: r.Path(), Producer: f.name, Run: testevent.NewRun(), FirstSeq: -1, LastSeq: -1}
	if in, err := dr.Inspect(r.Path()); err == nil {
		sum.Created = in.CreatorPID == os.Getpid()
		if f.consumers > in.MaxConsumers {
			return usagef("-consumers %d: the ring has room for %d consumers", f.consumers, in.MaxConsumers)
		}
	}
	p, err := r.NewProducer(f.name)
	if err != nil {
		return err
	}
	if f.consumers > 0 {
		fmt.Fprintf(std.err, "produce: waiting for %d consumers of %s\n", f.consumers, r.Path())
		if err := r.WaitForConsumers(ctx, f.consumers); err != nil && ctx.Err() == nil {
			return err
		}
	}
	var sent atomic.Int64
	var last int64 // the ticker's own
	stopTicker := ticker(f.every, guardTick(r, func(d time.Duration) {
		n, st := sent.Load(), p.Stats()
		fmt.Fprintf(std.err, "produce: %s events/s, published %d, cursor %d, full waits %d\n",
			si(float64(n-last)/d.Seconds()), n, r.Cursor(), st.FullWaits)
		last = n
	}))
	start := time.Now()
	err = r.Guard(func() error { return publishLoop(ctx, p, f, &sum, &sent) })
	stopTicker()
	sum.Published = sent.Load()
	sum.Seconds = time.Since(start).Seconds()
	sum.EventsPerSec = float64(sum.Published) / sum.Seconds
	sum.Interrupted = ctx.Err() != nil
	stop() // from here on, a second interrupt kills the process
	if err != nil {
		return err
	}
	if f.eof {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := p.CloseContext(cctx)
		cancel()
		if err != nil {
			return fmt.Errorf("sending EOF: %w (consumers will see the producer gone)", err)
		}
		sum.EOF = true
	}
	return printProduceSummary(std, f, &sum)
}

// Limits of -rate: below minRate the pacing's intervals would not fit in a
// time.Duration, above maxRate its event counts would not fit in an int64
// (and no ring moves that many events a second anyway).
const (
	minRate = 1e-6 // one event every 11.6 days
	maxRate = 1e12
)

// checkProduceFlags refuses flag values produce cannot work with.
func checkProduceFlags(f *produceFlags) error {
	switch {
	case f.size < 2 || f.size&(f.size-1) != 0:
		return usagef("-size %d is not a power of two of at least 2", f.size)
	case math.IsNaN(f.rate) || math.IsInf(f.rate, 0):
		return usagef("-rate %v is not a finite number of events per second", f.rate)
	case f.rate < 0:
		return usagef("-rate %v may not be negative (0: as fast as possible)", f.rate)
	case f.rate != 0 && (f.rate < minRate || f.rate > maxRate):
		return usagef("-rate %v: want %g to %g events per second, or 0 for as fast as possible", f.rate, minRate, maxRate)
	case f.count < 0:
		return usagef("-count %d may not be negative (0: until interrupted)", f.count)
	case f.consumers < 0:
		return usagef("-consumers %d may not be negative", f.consumers)
	case f.name == "":
		return usagef("-name may not be empty")
	}
	return checkEvery(f.every)
}

// createTest creates the test-event ring at name, or opens it, retrying
// for a while if another process is creating it at the same moment.
func createTest(ctx context.Context, name string, size int, opts ...dr.Option) (*dr.Ring[testevent.Event], error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := dr.Create[testevent.Event](name, size, opts...)
		if err == nil || !errors.Is(err, dr.ErrNotInitialized) || time.Now().After(deadline) || ctx.Err() != nil {
			if errors.Is(err, dr.ErrTypeMismatch) {
				err = fmt.Errorf("%w\n(produce and consume use %T; this ring holds another type)", err, testevent.Event{})
			}
			return r, err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// publishLoop publishes test events until f.count or ctx ends. It
// publishes whole batches: no claim is left outstanding when it returns.
func publishLoop(ctx context.Context, p *dr.Producer[testevent.Event], f *produceFlags,
	sum *produceSummary, sent *atomic.Int64) error {
	batch := int64(min(max(f.size/4, 1), 256))
	start := time.Now()
	var n int64 // events published
	for f.count == 0 || n < f.count {
		if ctx.Err() != nil {
			return nil
		}
		k := batch
		if f.count > 0 {
			k = min(k, f.count-n)
		}
		if f.rate > 0 {
			due := int64(f.rate*time.Since(start).Seconds()) + 1 // events that should be out by now
			if due-n > int64(f.rate)+batch {                     // more than a second behind: forgive it
				start = time.Now().Add(-time.Duration(float64(n) / f.rate * 1e9))
				due = n + 1
			}
			if due <= n {
				next := start.Add(time.Duration(float64(n) / f.rate * 1e9))
				t := time.NewTimer(time.Until(next))
				select {
				case <-ctx.Done():
				case <-t.C:
				}
				t.Stop()
				continue
			}
			k = min(k, due-n)
		}
		b, err := p.ClaimN(ctx, int(k))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		now := time.Now().UnixNano()
		for i := range b.Len() {
			testevent.Fill(b.At(i), sum.Run, n+int64(i), b.Seq(i), now)
		}
		p.Publish()
		if sum.FirstSeq < 0 {
			sum.FirstSeq = b.Seq(0)
		}
		sum.LastSeq = b.Seq(b.Len() - 1)
		n += k
		sent.Store(n)
	}
	return nil
}

func printProduceSummary(std *stdio, f *produceFlags, s *produceSummary) error {
	if f.json {
		return json.NewEncoder(std.out).Encode(s)
	}
	how := "done"
	if s.Interrupted {
		how = "interrupted"
	}
	end := "closed with EOF"
	if !s.EOF {
		end = "left open (no EOF)"
	}
	_, err := fmt.Fprintf(std.out, "produce %s: %s: published %d events (run %#x, sequences %d..%d) in %.2fs, %s events/s; %s\n",
		s.Ring, how, s.Published, s.Run, s.FirstSeq, s.LastSeq, s.Seconds, si(s.EventsPerSec), end)
	return err
}
