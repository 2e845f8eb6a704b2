package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
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

Unless -wait is given, a scenario busy-waits (spin-pause) only if its waiting
goroutines leave at least one processor of GOMAXPROCS free; otherwise it uses
the default strategy (spin briefly, yield, then park). Spinning on every
processor collapses as soon as anything else wants one: on 2 processors every
scenario uses the default.

Scenarios (default events per measurement, waiting goroutines):
`)
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	for _, s := range bench.Scenarios() {
		fmt.Fprintf(tw, "\t%s\t%s\t(%d, %d)\n", s.Name, s.Summary, s.DefaultEvents, s.Waiters)
	}
	tw.Flush()
	b.WriteString(`
With -json, bench prints one JSON object per measurement and line, with
fields scenario, transport, impl ("disruptor" or "channel"), events, runs,
ns_per_event, events_per_sec, allocs_per_event, ring, wait (disruptor rows),
ratio_to_channel (disruptor rows), and p50_ns, p99_ns, p999_ns (latency
scenarios).`)
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
}

func benchSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var f benchFlags
	fs.StringVar(&f.scenarios, "scenario", "all", "comma-separated `list` of scenarios to run: "+strings.Join(bench.Names(), ", "))
	fs.Int64Var(&f.events, "events", 0, "events per measurement, `N` (default: per scenario, see above)")
	fs.IntVar(&f.runs, "runs", 3, "repeat each measurement `K` times and report the median")
	fs.IntVar(&f.ring, "ring", bench.DefaultRing, "ring and channel capacity, a power of two")
	fs.StringVar(&f.wait, "wait", "", "disruptor wait strategy `name`: spin, spin-pause, hybrid[:max], sleep[:d], block, default\n(default: per scenario, see above)")
	fs.StringVar(&f.transport, "transport", bench.Inproc, "where rings live: "+strings.Join(bench.Transports(), ", "))
	fs.DurationVar(&f.timeout, "timeout", bench.DefaultTimeout, "fail a measurement that takes longer than `d`")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per line instead of a table")
	fs.Int64Var(&f.corrupt, "corrupt", 0, "send a wrong payload as each producer's `N`-th event, to see the checks fail")
	return func(ctx context.Context, std *stdio, args []string) error { return runBench(ctx, std, &f, args) }
}

func runBench(ctx context.Context, std *stdio, f *benchFlags, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected arguments: %s", strings.Join(args, " "))
	}
	scenarios, err := bench.Lookup(f.scenarios)
	if err != nil {
		return usagef("-scenario: %v", err)
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
	cfg := bench.Config{Transport: f.transport, Events: f.events, Ring: f.ring, Wait: f.wait, Timeout: f.timeout,
		Corrupt: f.corrupt}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}

	r := bench.Runner{Config: cfg, Runs: f.runs}
	// A progress line, rewritten in place, only where someone watches.
	clearProgress := func() {}
	if std.errTTY {
		total := len(scenarios) * f.runs * len(bench.Impls())
		done := 0
		r.Progress = func(s *bench.Scenario, impl bench.Impl, run, runs int) {
			done++
			fmt.Fprintf(std.err, "\r\033[Kbench [%d/%d] %s %s run %d/%d", done, total, s.Name, impl, run, runs)
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
		res, err := r.Run(s)
		if err != nil {
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
	if failed > 0 {
		return fmt.Errorf("%d of %d scenarios failed their checks", failed, len(scenarios))
	}
	return nil
}

// writeTable prints results for people.
func writeTable(w io.Writer, cfg bench.Config, runs int, results []bench.Result) error {
	if len(results) == 0 {
		return nil
	}
	median := "1 run"
	if runs > 1 {
		median = fmt.Sprintf("median of %d runs", runs)
	}
	fmt.Fprintf(w, "transport %s, ring %d, %s, GOMAXPROCS %d, %s %s/%s\n\n",
		results[0].Transport, results[0].Ring, median, runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	latency := false
	sw, iw, ww := len("scenario"), len("impl"), len("wait") // left-aligned columns, padded by hand
	for _, x := range results {
		latency = latency || x.P50 > 0
		sw, iw, ww = max(sw, len(x.Scenario)), max(iw, len(x.Impl)), max(ww, len(x.Wait))
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	head := fmt.Sprintf("%-*s\t%-*s\tevents\tns/event\tevents/s\tallocs/event\tvs channel\t", sw, "scenario", iw, "impl")
	if latency {
		head += "p50\tp99\tp99.9\t"
	}
	fmt.Fprintf(tw, "%s%-*s\t\n", head, ww, "wait")
	for _, x := range results {
		ratio := ""
		if x.RatioToChannel != nil {
			ratio = fmt.Sprintf("%.2fx", *x.RatioToChannel)
		}
		fmt.Fprintf(tw, "%-*s\t%-*s\t%s\t%.1f\t%s\t%.3f\t%s\t", sw, x.Scenario, iw, x.Impl, si(float64(x.Events)),
			x.NsPerEvent, si(x.EventsPerSec), x.AllocsPerEvent, ratio)
		if latency {
			if x.P50 > 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\t", ns(x.P50), ns(x.P99), ns(x.P999))
			} else {
				fmt.Fprint(tw, "\t\t\t")
			}
		}
		fmt.Fprintf(tw, "%-*s\t\n", ww, x.Wait)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, "\nvs channel: disruptor ns/event over channel ns/event; below 1 means the disruptor is faster.\n")
	return err
}

// si formats v with an SI suffix: 81.3M.
func si(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// ns formats a latency in nanoseconds.
func ns(v int64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fms", float64(v)/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fµs", float64(v)/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.2fµs", float64(v)/1e3)
	}
	return fmt.Sprintf("%dns", v)
}
