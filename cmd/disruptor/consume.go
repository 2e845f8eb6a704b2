package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/internal/testevent"
)

func consumeCommand() *command {
	return &command{
		name:  "consume",
		args:  "[flags] NAME|PATH",
		short: "read and check the test events of a shared ring",
		long: `Consume attaches the shared ring NAME (waiting up to -wait for produce to
create it), registers as the consumer -id and reads events until EOF, -count
events or an interrupt (SIGINT, SIGTERM). It checks every event: checksum,
payload, that it is the event of the sequence it was read at, and that each
producer run's events come in order with no gap and no duplicate.

` + namingHelp + `

A consumer id that the ring already knows resumes right after the last
event it released: nothing lost, nothing repeated (a consumer that was
killed, rather than stopped, sees its last unreleased batch again). A new
id starts at the oldest event the ring retains, or with -from latest at the
next one published. With -follow it goes on past EOF, waiting for the next
producer run, until -count events or an interrupt.

When it stops (EOF, -count, interrupt or failure), the consumer detaches by
default: its record stays and keeps gating producers, so that the next
consume with the same -id resumes; -detach=false closes it instead,
unregistering it. Exit status 0 at EOF or after a clean stop, 1 if a check
failed or the producer died without closing (ErrProducerGone). Progress
(events/s, lag, sampled latency) goes to stderr every -every; the summary goes
to stdout.`,
		setup: consumeSetup,
	}
}

type consumeFlags struct {
	dir    string
	id     string
	from   string
	after  string
	detach bool
	follow bool
	wait   time.Duration
	count  int64
	every  time.Duration
	json   bool
}

func consumeSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var f consumeFlags
	dirFlag(fs, &f.dir)
	fs.StringVar(&f.id, "id", "console", "consumer `name`: the same name resumes where it stopped")
	fs.StringVar(&f.from, "from", "oldest", "where a new consumer starts: oldest (retained) or latest")
	fs.StringVar(&f.after, "after", "", "comma-separated consumer `names` to follow (read an event only after they did)")
	fs.BoolVar(&f.follow, "follow", false, "go on past EOF: wait for the next producer run")
	fs.BoolVar(&f.detach, "detach", true, "on exit, detach (keep the record, to resume) instead of closing")
	fs.DurationVar(&f.wait, "wait", 10*time.Second, "wait up to `d` for the ring to be created")
	fs.Int64Var(&f.count, "count", 0, "stop after `N` events (0: at EOF or when interrupted)")
	everyFlag(fs, &f.every)
	fs.BoolVar(&f.json, "json", false, "print the summary as JSON")
	return func(ctx context.Context, std *stdio, args []string) error { return runConsume(ctx, std, &f, args) }
}

// consumeSummary is what consume reports when it ends.
type consumeSummary struct {
	Ring        string               `json:"ring"`
	Consumer    string               `json:"consumer"`
	Resumed     bool                 `json:"resumed"` // the ring knew the consumer
	After       int64                `json:"after"`   // the sequence it started after
	Events      int64                `json:"events"`
	FirstSeq    int64                `json:"first_seq"` // -1 if none
	LastSeq     int64                `json:"last_seq"`  // -1 if none
	Runs        []testevent.RunStats `json:"runs"`
	EOF         bool                 `json:"eof"`
	Interrupted bool                 `json:"interrupted"`
	Left        string               `json:"left"` // "detached" or "closed"
	Error       string               `json:"error,omitempty"`
}

func runConsume(ctx context.Context, std *stdio, f *consumeFlags, args []string) error {
	name, err := ringArg(args)
	if err != nil {
		return err
	}
	switch {
	case f.id == "":
		return usagef("-id may not be empty")
	case f.count < 0:
		return usagef("-count %d may not be negative (0: until EOF)", f.count)
	case f.wait < 0:
		return usagef("-wait %v may not be negative (0: do not wait)", f.wait)
	}
	if err := checkEvery(f.every); err != nil {
		return err
	}
	var copts []dr.ConsumerOption
	switch f.from {
	case "oldest":
	case "latest":
		copts = append(copts, dr.StartAtLatest())
	default:
		return usagef("-from %q: want oldest or latest", f.from)
	}
	if f.after != "" {
		names := strings.Split(f.after, ",")
		if slices.Contains(names, "") {
			return usagef("-after %q names an empty consumer", f.after)
		}
		copts = append(copts, dr.AfterName(names...))
	}
	if f.follow {
		copts = append(copts, dr.FollowStreams())
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	r, err := attachTest(ctx, name, f.wait, dr.WithDir(f.dir))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted while waiting for %s", dr.RingPath(name, dr.WithDir(f.dir)))
		}
		return err
	}
	defer r.Close()
	sum := consumeSummary{Ring: r.Path(), Consumer: f.id, FirstSeq: -1, LastSeq: -1, Left: "closed"}
	if in, err := dr.Inspect(r.Path()); err == nil {
		for _, c := range in.Consumers {
			sum.Resumed = sum.Resumed || c.Name == f.id
		}
	}
	c, err := r.NewConsumer(f.id, copts...)
	if err != nil {
		return err
	}
	sum.After = c.Sequence()

	// Progress comes from the consumer's own counters, which it publishes
	// every few events and before it waits.
	base := c.Stats().Events
	var latency atomic.Int64 // a recent sample, in ns
	var prev int64           // the ticker's own
	stopTicker := ticker(f.every, guardTick(r, func(d time.Duration) {
		st := c.Stats()
		n := st.Events - base
		lat := "-"
		if l := latency.Load(); l > 0 {
			lat = ns(l)
		}
		fmt.Fprintf(std.err, "consume: %s events/s, events %d, position %d, lag %d, latency %s (sampled)\n",
			si(float64(n-prev)/d.Seconds()), n, st.Position, max(0, r.Cursor()-st.Position), lat)
		prev = n
	}))
	var tr testevent.Tracker
	err = r.Guard(func() error { return consumeLoop(ctx, c, f, &sum, &tr, &latency) })
	stopTicker()
	sum.Runs = tr.Runs()
	sum.Interrupted = ctx.Err() != nil
	if f.detach {
		c.Detach()
		sum.Left = "detached"
	} else if cerr := c.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		sum.Error = err.Error()
		if errors.Is(err, dr.ErrProducerGone) {
			err = fmt.Errorf("%w: it died or left without closing (EOF); consumer %q %s after sequence %d",
				err, f.id, sum.Left, max(sum.LastSeq, sum.After))
		}
	}
	if perr := printConsumeSummary(std, f, &sum); err == nil {
		err = perr
	}
	return err
}

// consumeLoop reads and checks events until EOF, f.count events, ctx ends
// (a clean stop: nil) or something fails. Every 1024th event's latency,
// from its timestamp, goes into latency.
func consumeLoop(ctx context.Context, c *dr.Consumer[testevent.Event], f *consumeFlags,
	sum *consumeSummary, tr *testevent.Tracker, latency *atomic.Int64) error {
	for f.count == 0 || sum.Events < f.count {
		ev, err := c.Next(ctx)
		switch {
		case err == nil:
		case errors.Is(err, dr.ErrFlush):
			continue
		case err == io.EOF:
			sum.EOF = true
			if f.follow {
				continue
			}
			return nil
		case ctx.Err() != nil:
			return nil
		default:
			return err
		}
		seq := c.Sequence()
		if err := testevent.Check(ev, seq); err != nil {
			return err
		}
		if err := tr.Observe(ev); err != nil {
			return err
		}
		if sum.FirstSeq < 0 {
			sum.FirstSeq = seq
		}
		sum.LastSeq = seq
		if sum.Events++; sum.Events&1023 == 0 {
			latency.Store(time.Now().UnixNano() - ev.Time)
			if ctx.Err() != nil { // Next checks only when it waits
				return nil
			}
		}
	}
	return nil
}

func printConsumeSummary(std *stdio, f *consumeFlags, s *consumeSummary) error {
	if f.json {
		return json.NewEncoder(std.out).Encode(s)
	}
	how := "stopped"
	switch {
	case s.Error != "":
		how = "failed"
	case s.EOF:
		how = "EOF"
	case s.Interrupted:
		how = "interrupted"
	}
	start := "new"
	if s.Resumed {
		start = "resumed"
	}
	var runs []string
	for _, r := range s.Runs {
		runs = append(runs, fmt.Sprintf("run %#x events %d..%d", r.Run, r.First, r.Last))
	}
	seqs := ""
	if s.Events > 0 {
		seqs = fmt.Sprintf(", sequences %d..%d", s.FirstSeq, s.LastSeq)
	}
	_, err := fmt.Fprintf(std.out, "consume %s: %s: consumer %q (%s, after sequence %d) read %d events%s; %s\n",
		s.Ring, how, s.Consumer, start, s.After, s.Events, seqs, s.Left)
	if err == nil && len(runs) > 0 {
		_, err = fmt.Fprintf(std.out, "\t%s\n", strings.Join(runs, "\n\t"))
	}
	return err
}
