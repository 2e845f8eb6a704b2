package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/disruptor-go/disruptor/internal/bridgebench"
)

// splitBridge takes the bridge scenario out of a -scenario list: it runs
// apart from the others (an embedded nats-server), and only when named.
func splitBridge(list string) (rest string, bridge bool) {
	var keep []string
	for _, name := range strings.Split(list, ",") {
		if strings.TrimSpace(name) == bridgebench.Name {
			bridge = true
			continue
		}
		keep = append(keep, name)
	}
	return strings.Join(keep, ","), bridge
}

// runBridgeBench measures the bridge scenario and prints its rows.
func runBridgeBench(ctx context.Context, std *stdio, f *benchFlags) error {
	events := f.events
	if events == 0 {
		events = bridgebench.DefaultEvents
	}
	rows, err := bridgebench.Run(ctx, events, f.runs)
	if err != nil {
		return err
	}
	if f.json {
		enc := json.NewEncoder(std.out)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(std.out, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\nscenario\timpl\tevents\tframes\tevents/s\tframes/s\tp50\tp99\tvs jetstream\t\n")
	for _, r := range rows {
		ratio := "-"
		if r.Ratio != nil {
			ratio = fmt.Sprintf("%.2fx", *r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r.Scenario, r.Impl, si(float64(r.Events)), r.Frames,
			si(r.EventsPerSec), si(r.FramesPerSec), ns(r.P50), ns(r.P99), ratio)
	}
	return tw.Flush()
}
