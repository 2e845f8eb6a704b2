package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

func statCommand() *command {
	return &command{
		name:  "stat",
		args:  "[flags] [NAME|PATH...]",
		short: "watch shared rings' counters live, or serve them to Prometheus",
		long: `Stat shows the shared rings NAME... (a NAME lives in -dir, default /dev/shm; a
PATH holds a slash), or every ring in -dir, live, in the manner of top: every
-interval, per ring and participant, the role, state, pid, events (published
or consumed), events/s since the previous refresh, position, lag, lag max,
batches, full claims, idle polls (while full or empty), parks and unparks;
then each application counter set (Ring.NewAppCounters, such as a bridge's):
its role, name, state, pid and every counter, with rates of the tallies.
It reads rings without joining them, while other processes run them. On a
terminal the screen is cleared between refreshes; otherwise snapshots are
printed one after another. -n stops after that many refreshes; otherwise
stat runs until interrupted.

States: live, stalled (a consumer whose process lives but whose heartbeat
stopped for longer than disruptor.StallAfter), detached, dead, evicted
(see 'disruptor help rm'), closed (a producer that sent EOF); see
'disruptor help inspect'.

A ring that cannot be read (corrupt, truncated, another layout version,
another user's...) is shown as UNREADABLE with the reason, beside the
others.

With -json, stat prints one snapshot as a JSON document and exits: {"time",
"rate_seconds", "rings": [{"path", "error", "instance", "capacity", "type",
"cursor", "halted", "participants": [{"role", "name", "index", "pid",
"state", "position", "lag", "beat_age_seconds", "counters": {NAME: value},
"rates": {NAME: per second}}]}], "errors"}. A ring that cannot be read has
only "path" and "error" set; "errors" lists those errors. Counters are
keyed by type name (see the metrics package). Rates are measured over a
short window: two readings 100ms apart, or -interval apart if -interval is
given; -interval 0 reads once and omits them. The names are those of
'disruptor inspect -json' (docs/json.md): counters by counter type name,
64-bit identifiers ("instance") as strings.

With -listen ADDR, stat serves the rings' counters to Prometheus at
http://ADDR/metrics (see metrics.FileCollector: every counter, lag,
disruptor_participant_up with the state, disruptor_ring_capacity and
disruptor_ring_info, and disruptor_ring_up and
disruptor_ring_scrape_errors_total for every ring, readable or not), in the
Prometheus text format or, to a scraper that asks for it, OpenMetrics, until
interrupted, as a sidecar for rings that any process runs. It prints the
address it listens on (with ":0", the port picked). Rings are listed again
on every scrape; a ring that cannot be read never fails a scrape.

A ring named that does not exist makes stat exit at once with status 1,
unless -wait-ring is given: then stat waits for it to be made. A ring named
that cannot be read, or a -dir that cannot be listed, makes stat exit with
status 1; rings found in -dir that cannot be read do not, and a -dir with
no rings is shown as such.`,
		setup: statSetup,
	}
}

type statFlags struct {
	dir      string
	json     bool
	interval time.Duration
	n        int
	listen   string
	window   bool // -interval was given
	waitRing bool // wait for rings named that do not exist yet
}

func statSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var f statFlags
	fs.StringVar(&f.dir, "dir", "/dev/shm", "`directory` of ring names without a slash, and of the rings to show if none is named")
	fs.BoolVar(&f.json, "json", false, "print one snapshot as JSON and exit")
	fs.DurationVar(&f.interval, "interval", time.Second, "refresh every `d`")
	fs.IntVar(&f.n, "n", 0, "stop after `count` refreshes (0: until interrupted)")
	fs.StringVar(&f.listen, "listen", "", "serve Prometheus metrics at http://`addr`/metrics instead")
	fs.BoolVar(&f.waitRing, "wait-ring", false, "wait for rings named that do not exist yet, instead of exiting")
	return func(ctx context.Context, std *stdio, args []string) error {
		fs.Visit(func(fl *flag.Flag) { f.window = f.window || fl.Name == "interval" })
		return runStat(ctx, std, &f, args)
	}
}

func runStat(ctx context.Context, std *stdio, f *statFlags, args []string) error {
	switch {
	case f.listen != "" && (f.json || f.n != 0 || f.waitRing):
		return usagef("-listen serves metrics: it takes neither -json, -n nor -wait-ring")
	case f.n < 0:
		return usagef("-n %d is negative", f.n)
	case f.interval < 0 || f.interval == 0 && !f.json:
		return usagef("-interval %v is not positive", f.interval)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.listen != "" {
		return serveStat(ctx, std, f, args)
	}
	if err := awaitRings(ctx, f, args); err != nil {
		return err
	}
	if f.json {
		return statJSON(ctx, std, f, args)
	}
	tty := false
	if out, ok := std.out.(*os.File); ok {
		if fi, err := out.Stat(); err == nil {
			tty = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	var prev *statDoc
	var last error // the last refresh's: it decides the exit status
	tick := time.NewTicker(f.interval)
	defer tick.Stop()
	for i := 0; f.n == 0 || i < f.n; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return last
			case <-tick.C:
			}
		}
		doc, err := statSnapshot(f.dir, args)
		if doc == nil {
			return err
		}
		last = err
		addRates(doc, prev)
		prev = doc
		if tty {
			io.WriteString(std.out, "\x1b[H\x1b[2J")
		} else if i > 0 {
			io.WriteString(std.out, "\n")
		}
		if err := writeStat(std.out, doc, f.dir); err != nil {
			return err
		}
	}
	return last
}

// awaitRings fails at once if a ring named does not exist, or with
// -wait-ring waits for every one to exist (checking every 100ms) until ctx
// ends. Rings found in -dir are never missing: an empty directory is no
// error.
func awaitRings(ctx context.Context, f *statFlags, names []string) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		missing := ""
		for _, n := range names {
			p := dr.RingPath(n, dr.WithDir(f.dir))
			if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
				missing = p
				break
			}
		}
		switch {
		case missing == "":
			return nil
		case !f.waitRing:
			return fmt.Errorf("no ring %s (stat -wait-ring waits for it)", missing)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no ring %s: %w", missing, ctx.Err())
		case <-tick.C:
		}
	}
}

// statJSON prints one snapshot, with rates over a short window.
func statJSON(ctx context.Context, std *stdio, f *statFlags, args []string) error {
	window := 100 * time.Millisecond
	if f.window {
		window = f.interval
	}
	var prev *statDoc
	if window > 0 {
		first, err := statSnapshot(f.dir, args)
		if first == nil {
			return err
		}
		prev = first
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(window):
		}
	}
	doc, err := statSnapshot(f.dir, args)
	if doc == nil {
		return err
	}
	addRates(doc, prev)
	enc := json.NewEncoder(std.out)
	enc.SetIndent("", "  ")
	if eerr := enc.Encode(doc); eerr != nil {
		return eerr
	}
	return err
}

// serveStat serves the file collector's metrics until ctx ends.
func serveStat(ctx context.Context, std *stdio, f *statFlags, args []string) error {
	sources := []string{f.dir}
	if len(args) > 0 {
		sources = sources[:0]
		for _, a := range args {
			sources = append(sources, dr.RingPath(a, dr.WithDir(f.dir)))
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewFileCollector(sources...))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(std.out, "stat: serving http://%s/metrics\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
