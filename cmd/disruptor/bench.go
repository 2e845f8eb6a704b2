package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/disruptor-go/disruptor/internal/bench"
)

func benchCommand() *command {
	return &command{
		name:  "bench",
		args:  "[flags]",
		short: "measure the disruptor against Go channels",
		long:  benchLong(),
		setup: benchSetup,
	}
}

func benchLong() string {
	var b strings.Builder
	b.WriteString(`Bench runs workloads over the disruptor and, as a baseline in the same run,
the same workloads over buffered Go channels of the same capacity, with the
same checks. Every consumer checks every payload; if any check fails, bench
reports it and exits with status 1. Each measurement is repeated -runs times
and the median is reported. Allocations are counted around the timed section.

With -transport shm, the disruptor runs each producer and each consumer (or
pipeline stage) in a process of its own: bench starts itself again once per
part, over rings in shared memory, in a fresh directory under /dev/shm (else
the temporary directory) that is removed afterwards. The timed section runs
from the start barrier, once every part has registered, to the last
consumer's EOF; allocs_per_event sums every part's allocations in its own
timed section (producers' and consumers' alike; the parent's orchestration
is not counted). The pingpong initiator's process records the latencies.
The channel baseline stays in-process, measured once per scenario whatever
the transports; -transport inproc,shm measures both, row by row.

Unless -wait is given, a scenario busy-waits (spin-pause) only if its waiting
goroutines (under shm, processes) leave at least one processor of GOMAXPROCS
free; otherwise it uses the default strategy (spin briefly, yield, then
park). Spinning on every processor collapses as soon as anything else wants
one: on 2 processors every scenario uses the default. Pingpong is measured,
besides, under each of spin, spin-pause, hybrid, block and default, a row
each. -wait takes a comma-separated list (or "all": every strategy): each
scenario is then measured under each strategy listed, and only those.

With -busy N, bench first starts N processes of its own that each keep a
processor busy (spinning) until bench ends, and then measures beside them:
how each strategy fares on a loaded machine. They are killed when bench
exits, however it exits (on Linux, also when bench is killed).

unicast, unicast-batch and pingpong also have a floor row (impl "floor"):
the same transfer of the same checked payloads with raw atomics and no
library, on two busy-polling goroutines: a cursor on its own cache line
over a plain []int64 of the ring's capacity, published every event
(unicast) or every 16 (unicast-batch), read once 64 are ready; for pingpong,
one line per direction. It shows what the hardware allows; like the channel
it runs in-process, once per scenario, whatever the transports.

Scenarios (default events per measurement in-process and under shm,
waiting goroutines or processes):
`)
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	for _, s := range bench.Scenarios() {
		fmt.Fprintf(tw, "\t%s\t%s\t(%d, %d, %d)\n", s.Name, s.Summary, s.DefaultEvents, s.ShmEvents, s.Waiters)
	}
	tw.Flush()
	b.WriteString(`
The bridge scenario runs only when -scenario names it: ring -> JetStream
stream -> ring through the bridge package (impl "disruptor"), beside the
same frames (256 events of 64 bytes, each publication expecting the
stream's last sequence, 64 in flight) published and read with nats.go alone
(impl "jetstream"), against a nats-server embedded in bench, its file store
in a temporary directory; -events, -runs and -json apply. Its rows have
scenario, transport, impl, events, frames, runs, ns_per_event,
events_per_sec, frames_per_sec, p50_ns and p99_ns (end to end, from the
producer to the reader) and, for the bridge, ratio_to_jetstream (events/s
over the baseline's).

With -svg FILE, bench also writes the results to FILE as an SVG bar chart:
ns/event, a bar per row, grouped by scenario and scaled to each scenario's
slowest row, the ratio to the channel written beside each disruptor bar;
then, for pingpong, a panel of round-trip p50s (and p99s in words).

With -json, bench prints one JSON object per measurement and line, with
fields scenario, transport ("inproc" or "shm"; channel and floor rows are
always "inproc"), impl ("disruptor", "channel" or "floor"), events, runs,
ns_per_event, events_per_sec, allocs_per_event, ring, busy (-busy's N),
wait and counters (disruptor rows), ratio_to_channel (disruptor rows),
ratio_to_floor (disruptor rows of scenarios with a floor: ns_per_event over
the floor's), and p50_ns, p99_ns, p999_ns (latency scenarios).`)
	return b.String()
}

type benchFlags struct {
	scenarios string
	events    int64
	runs      int
	ring      int
	wait      string
	transport string
	timeout   time.Duration
	json      bool
	corrupt   int64
	counters  bool
	busy      int
	work      int
	svg       string
}

func benchSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var f benchFlags
	fs.StringVar(&f.scenarios, "scenario", "all", "comma-separated `list` of scenarios to run: "+strings.Join(bench.Names(), ", ")+"\n(all: every one of those), and bridge (only when named)")
	fs.Int64Var(&f.events, "events", 0, "events per measurement, `N` (default: per scenario, see above)")
	fs.IntVar(&f.runs, "runs", 3, "repeat each measurement `K` times and report the median")
	fs.IntVar(&f.ring, "ring", bench.DefaultRing, "ring and channel capacity, a power of two")
	fs.StringVar(&f.wait, "wait", "", "comma-separated `list` of disruptor wait strategies, a row each: spin, spin-pause,\nhybrid[:max], sleep[:d], block, park, default, or all (default: per scenario, see above)")
	fs.StringVar(&f.transport, "transport", bench.Inproc, "comma-separated `list` of where the disruptor's rings live: "+strings.Join(bench.Transports(), ", "))
	fs.DurationVar(&f.timeout, "timeout", bench.DefaultTimeout, "fail a measurement that takes longer than `d`")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per line instead of a table")
	fs.BoolVar(&f.counters, "counters", true, "publish the disruptor's counters (-counters=false measures what they cost)")
	fs.IntVar(&f.busy, "busy", 0, "run `N` CPU-bound processes beside the measurements, to load the machine")
	fs.IntVar(&f.work, "work", 0, "have every producer do `N` multiply-adds for each event before publishing it")
	fs.StringVar(&f.svg, "svg", "", "also write the results as an SVG bar chart to `file`")
	fs.Int64Var(&f.corrupt, "corrupt", 0, "send a wrong payload as each producer's `N`-th event, to see the checks fail")
	return func(ctx context.Context, std *stdio, args []string) error { return runBench(ctx, std, &f, args) }
}

// waitList parses -wait: "" (per scenario), "all", or a comma-separated
// list of strategies, each valid, without repeats.
func waitList(list string) ([]string, error) {
	if list == "" {
		return nil, nil
	}
	if list == "all" {
		return bench.WaitNames(), nil
	}
	var waits []string
	for _, w := range strings.Split(list, ",") {
		w = strings.TrimSpace(w)
		if _, err := bench.ParseWait(w); err != nil {
			return nil, err
		}
		if !slices.Contains(waits, w) {
			waits = append(waits, w)
		}
	}
	return waits, nil
}

func runBench(ctx context.Context, std *stdio, f *benchFlags, args []string) error {
	if bench.IsChild() { // a part of an shm run, started by the bench below
		return bench.RunChild(os.Stdin, std.out)
	}
	if bench.IsBusy() { // a busy process, started by the bench below
		bench.Spin(os.Stdin, std.out)
	}
	if len(args) > 0 {
		return usagef("unexpected arguments: %s", strings.Join(args, " "))
	}
	list, withBridge := splitBridge(f.scenarios)
	var scenarios []*bench.Scenario
	if list != "" || !withBridge {
		var err error
		if scenarios, err = bench.Lookup(list); err != nil {
			return usagef("-scenario: %v", err)
		}
	}
	if f.events < 0 {
		return usagef("-events must be positive, not %d", f.events)
	}
	if f.runs < 1 {
		return usagef("-runs must be at least 1, not %d", f.runs)
	}
	if f.timeout <= 0 {
		return usagef("-timeout must be positive, not %v", f.timeout)
	}
	if f.corrupt < 0 {
		return usagef("-corrupt must be positive, not %d", f.corrupt)
	}
	if f.busy < 0 {
		return usagef("-busy must be 0 or more, not %d", f.busy)
	}
	if f.work < 0 {
		return usagef("-work must be 0 or more, not %d", f.work)
	}
	waits, err := waitList(f.wait)
	if err != nil {
		return usagef("-wait: %v", err)
	}
	cfg := bench.Config{Events: f.events, Ring: f.ring, Timeout: f.timeout, Corrupt: f.corrupt,
		NoCounters: !f.counters, Work: f.work}
	if len(waits) == 1 {
		cfg.Wait = waits[0]
	}
	var transports []string
	for _, t := range strings.Split(f.transport, ",") {
		cfg.Transport = strings.TrimSpace(t)
		if err := cfg.Validate(); err != nil {
			return usagef("%v", err)
		}
		if !slices.Contains(transports, cfg.Transport) {
			transports = append(transports, cfg.Transport)
		}
	}
	writeChart := func([]bench.Result) error { return nil }
	if slices.Contains(transports, bench.Shm) || f.busy > 0 {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		cfg.Child = []string{exe, "bench"}
		// Stop on a signal, so that the children, the busy processes and
		// the rings' directory go; a second signal kills as usual.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		context.AfterFunc(ctx, stop)
	}
	if f.svg != "" {
		// Made now, so that a bad path fails before the measurements; it
		// goes again unless the chart is written.
		svg, err := os.Create(f.svg)
		if err != nil {
			return err
		}
		defer func() {
			if svg != nil {
				svg.Close()
				os.Remove(f.svg)
			}
		}()
		writeChart = func(results []bench.Result) error {
			err := writeSVG(svg, f.runs, results)
			if cerr := svg.Close(); err == nil {
				err = cerr
			}
			svg = nil
			return err
		}
	}
	if f.busy > 0 {
		busy, err := bench.StartBusy(f.busy, cfg.Child)
		if err != nil {
			return err
		}
		defer func() {
			if err := busy.Stop(); err != nil {
				fmt.Fprintf(std.err, "disruptor bench: %v\n", err)
			}
		}()
	}

	r := bench.Runner{Config: cfg, Transports: transports, Waits: waits, Runs: f.runs, Busy: f.busy}
	// A progress line, rewritten in place, only where someone watches.
	clearProgress := func() {}
	if std.errTTY {
		total := 0
		for _, s := range scenarios {
			total += f.runs * r.Measurements(s)
		}
		done := 0
		r.Progress = func(s *bench.Scenario, impl bench.Impl, transport string, run, runs int) {
			done++
			fmt.Fprintf(std.err, "\r\033[Kbench [%d/%d] %s %s %s run %d/%d", done, total, s.Name, impl, transport, run, runs)
		}
		clearProgress = func() { fmt.Fprint(std.err, "\r\033[K") }
		defer clearProgress()
	}

	enc := json.NewEncoder(std.out)
	var results []bench.Result
	failed := 0
	for _, s := range scenarios {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := r.Run(ctx, s)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			clearProgress()
			fmt.Fprintf(std.err, "disruptor bench: FAIL %v\n", err)
			failed++
			continue
		}
		if f.json {
			for _, x := range res {
				if err := enc.Encode(x); err != nil {
					return err
				}
			}
		}
		results = append(results, res...)
	}
	clearProgress()
	if !f.json {
		if err := writeTable(std.out, cfg, f.runs, results); err != nil {
			return err
		}
	}
	if withBridge {
		if err := runBridgeBench(ctx, std, f); err != nil {
			if ctx.Err() != nil {
				return err
			}
			fmt.Fprintf(std.err, "disruptor bench: FAIL %v\n", err)
			failed++
		}
	}
	if len(results) > 0 {
		if err := writeChart(results); err != nil {
			return fmt.Errorf("-svg: %w", err)
		}
	}
	if failed > 0 {
		n := len(scenarios)
		if withBridge {
			n++
		}
		return fmt.Errorf("%d of %d scenarios failed their checks", failed, n)
	}
	return nil
}
