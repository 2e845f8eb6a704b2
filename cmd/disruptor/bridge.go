package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/bridge"
	"github.com/disruptor-go/disruptor/internal/testevent"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func bridgeCommand() *command {
	return &command{
		name:  "bridge",
		args:  "[flags] out|in NAME|PATH -nats URL -stream NAME",
		short: "carry a shared ring's events to or from a NATS JetStream stream",
		long: `Bridge out attaches the shared ring NAME (waiting up to -wait for it) as the
consumer -name and publishes its events to the JetStream stream -stream, in
frames of up to -frame events, at most -window frames awaiting the server's
acknowledgement; a frame's slots are released only once it is acknowledged.
It runs until the ring's EOF is in the stream, or an interrupt.

Bridge in creates the shared ring NAME if needed (-size slots) and writes the
stream's frames into it as the producer -name, until the stream's EOF, or
an interrupt. It reads with an ordered consumer, or with -durable NAME
through the durable pull consumer NAME (made if the stream has none),
acknowledging each frame once it is in the ring: the server keeps its
progress, and several bridges can read one stream, each with its own.

` + namingHelp + `

Both resume where they stopped, whether interrupted or killed: out from
the stream's tail, in from the mark its producer left in the ring, so that
every event reaches the ring exactly once. Each frame is published only
right after the stream's last one (an expected-last-sequence
precondition): another writer on the stream stops the bridge with an error.

The stream is created if it does not exist (file storage, limits retention
that refuses new frames when -max-bytes is reached rather than dropping old
ones, -replicas), unless -create=false, which makes a missing stream an
error. The rings hold the events produce and consume use; programs bridge
rings of their own event types with the bridge package.

The bridge's counters (frames, events, in flight, the acked sequence,
resyncs, precondition failures, redeliveries) live in the ring: 'disruptor
stat RING' and 'disruptor inspect RING' show them from any process. With
-listen ADDR, the bridge also serves them (bridge.Collector) to Prometheus
at http://ADDR/metrics while it runs, and prints the address to stderr
(with ":0", the port picked).

Exit status 0 at the EOF or after an interrupt, 1 on failure. The summary
(the bridge's counters) goes to stdout.`,
		setup: bridgeSetup,
	}
}

type bridgeFlags struct {
	dir      string
	url      string
	stream   string
	name     string
	create   bool
	maxBytes int64
	replicas int
	frame    int
	window   int
	size     int
	wait     time.Duration
	listen   string
	durable  string
	json     bool
}

func bridgeSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var f bridgeFlags
	dirFlag(fs, &f.dir)
	fs.StringVar(&f.url, "nats", nats.DefaultURL, "NATS server `URL`")
	fs.StringVar(&f.stream, "stream", "", "JetStream stream `name` (required)")
	fs.StringVar(&f.name, "name", "", "ring consumer (out) or producer (in) `name` (default bridge-out, bridge-in)")
	fs.BoolVar(&f.create, "create", true, "create the stream if it does not exist")
	fs.Int64Var(&f.maxBytes, "max-bytes", 1<<30, "a created stream's size limit in `bytes` (0: none)")
	fs.IntVar(&f.replicas, "replicas", 1, "a created stream's replicas (a JetStream cluster)")
	fs.IntVar(&f.frame, "frame", 256, "out: most `events` per frame")
	fs.IntVar(&f.window, "window", 64, "out: most `frames` awaiting acknowledgement")
	fs.IntVar(&f.size, "size", 1024, "in: ring `slots` when creating it, a power of two")
	fs.DurationVar(&f.wait, "wait", 10*time.Second, "out: wait up to `d` for the ring to be created")
	fs.StringVar(&f.durable, "durable", "", "in: read through the durable consumer `name` (default: an ordered consumer)")
	fs.StringVar(&f.listen, "listen", "", "serve the bridge's counters to Prometheus at http://`ADDR`/metrics")
	fs.BoolVar(&f.json, "json", false, "print the summary as JSON")
	return func(ctx context.Context, std *stdio, args []string) error { return runBridge(ctx, std, &f, args) }
}

// bridgeSummary is what bridge reports when it ends.
type bridgeSummary struct {
	Direction   string       `json:"direction"`
	Ring        string       `json:"ring"`
	Stream      string       `json:"stream"`
	Stats       bridge.Stats `json:"stats"`
	EOF         bool         `json:"eof"`
	Interrupted bool         `json:"interrupted"`
}

func runBridge(ctx context.Context, std *stdio, f *bridgeFlags, args []string) error {
	if len(args) != 2 || (args[0] != "out" && args[0] != "in") {
		return usagef("want out or in, then one ring NAME or PATH")
	}
	dir, name := args[0], args[1]
	switch {
	case f.stream == "":
		return usagef("-stream is required")
	case f.frame < 1 || f.window < 1:
		return usagef("-frame %d and -window %d must be at least 1", f.frame, f.window)
	case f.size < 2 || f.size&(f.size-1) != 0:
		return usagef("-size %d is not a power of two of at least 2", f.size)
	case f.replicas < 1:
		return usagef("-replicas %d must be at least 1", f.replicas)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	nc, err := nats.Connect(f.url, nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", f.url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if _, err := bridge.EnsureStream(ctx, js, bridge.StreamConfig(f.stream, f.maxBytes, f.replicas), f.create); err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("%w (and -create=false)", err)
		}
		return err
	}
	if f.durable != "" && dir == "out" {
		return usagef("-durable is for bridge in")
	}
	cfg := bridge.Config{JS: js, Stream: f.stream, Name: f.name, FrameEvents: f.frame, Window: f.window, Durable: f.durable}
	var r *dr.Ring[testevent.Event]
	// The bridge's waits on the ring park at once: the NATS client (and
	// often the server) needs the processors more than a spinning waiter.
	opts := []dr.Option{dr.WithDir(f.dir), dr.WithWaitStrategy(dr.Park())}
	if dir == "out" {
		r, err = attachTest(ctx, name, f.wait, opts...)
	} else {
		r, err = createTest(ctx, name, f.size, opts...)
	}
	if err != nil {
		return err
	}
	defer r.Close()
	sum := bridgeSummary{Direction: dir, Ring: r.Path(), Stream: f.stream}
	var stats func() bridge.Stats
	var runIt func(context.Context) error
	if dir == "out" {
		o, err := bridge.NewOut(ctx, r, cfg)
		if err != nil {
			return err
		}
		defer o.Close()
		stats, runIt = o.Stats, o.Run
	} else {
		in, err := bridge.NewIn(ctx, r, cfg)
		if err != nil {
			return err
		}
		defer in.Close()
		stats, runIt = in.Stats, in.Run
	}
	if f.listen != "" {
		stopServing, err := serveBridgeMetrics(std, f.listen, bridge.NewCollector(dir, f.stream, stats))
		if err != nil {
			return err
		}
		defer stopServing()
	}
	err = runIt(ctx)
	sum.Stats, sum.EOF = stats(), err == nil
	sum.Interrupted = err != nil && ctx.Err() != nil
	printBridge(std, f.json, &sum)
	if sum.Interrupted {
		return nil
	}
	return err
}

func printBridge(std *stdio, asJSON bool, s *bridgeSummary) {
	if asJSON {
		b, _ := json.Marshal(s)
		fmt.Fprintf(std.out, "%s\n", b)
		return
	}
	st := s.Stats
	fmt.Fprintf(std.out, "bridge %s %s <-> stream %s: %d frames, %d events, acked stream sequence %d (ring sequence %d), %d resyncs, %d precondition failures, %d redeliveries, eof %v\n",
		s.Direction, s.Ring, s.Stream, st.Frames, st.Events, st.AckedSeq, st.RingSeq, st.Resyncs, st.PreconditionFailures, st.Redeliveries, s.EOF)
}

// serveBridgeMetrics serves c at http://addr/metrics until stop.
func serveBridgeMetrics(std *stdio, addr string, c prometheus.Collector) (stop func(), err error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(std.err, "bridge: serving http://%s/metrics\n", ln.Addr())
	go srv.Serve(ln)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
