package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/disruptor-go/disruptor/internal/bench"
)

// writeTable prints results for people.
func writeTable(w io.Writer, cfg bench.Config, runs int, results []bench.Result) error {
	if len(results) == 0 {
		return nil
	}
	fmt.Fprintf(w, "%s\n\n", header(results, runs))
	latency, floor := false, false
	// left-aligned columns, padded by hand
	sw, iw, xw, ww := len("scenario"), len("impl"), len("transport"), len("wait")
	for _, x := range results {
		latency, floor = latency || x.P50 > 0, floor || x.RatioToFloor != nil
		sw, iw, xw, ww = max(sw, len(x.Scenario)), max(iw, len(x.Impl)), max(xw, len(x.Transport)), max(ww, len(x.Wait))
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	head := fmt.Sprintf("%-*s\t%-*s\t%-*s\tevents\tns/event\tevents/s\tallocs/event\tvs channel\t",
		sw, "scenario", iw, "impl", xw, "transport")
	if floor {
		head += "vs floor\t"
	}
	if latency {
		head += "p50\tp99\tp99.9\t"
	}
	fmt.Fprintf(tw, "%s%-*s\t\n", head, ww, "wait")
	for _, x := range results {
		fmt.Fprintf(tw, "%-*s\t%-*s\t%-*s\t%s\t%.1f\t%s\t%.3f\t%s\t", sw, x.Scenario, iw, x.Impl, xw, x.Transport,
			si(float64(x.Events)), x.NsPerEvent, si(x.EventsPerSec), x.AllocsPerEvent, times(x.RatioToChannel))
		if floor {
			fmt.Fprintf(tw, "%s\t", times(x.RatioToFloor))
		}
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
	if err == nil && floor {
		_, err = fmt.Fprint(w, "vs floor: disruptor ns/event over the floor's (the same transfer over raw atomics, no library, in the same run).\n")
	}
	return err
}

// header describes the conditions of a run's results, non-empty.
func header(results []bench.Result, runs int) string {
	median := "1 run"
	if runs > 1 {
		median = fmt.Sprintf("median of %d runs", runs)
	}
	var transports []string
	for _, x := range results {
		if x.Impl == bench.Disruptor && !slices.Contains(transports, x.Transport) {
			transports = append(transports, x.Transport)
		}
	}
	work := ""
	if results[0].Work > 0 {
		work = fmt.Sprintf(", work %d", results[0].Work)
	}
	return fmt.Sprintf("disruptor over %s (channels in-process), ring %d, %s, GOMAXPROCS %d, busy %d%s, %s %s/%s",
		strings.Join(transports, " and "), results[0].Ring, median, runtime.GOMAXPROCS(0), results[0].Busy, work,
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// times formats a ratio: 0.33x, or nothing for none.
func times(r *float64) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("%.2fx", *r)
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
