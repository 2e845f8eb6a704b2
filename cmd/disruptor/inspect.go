package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	dr "github.com/disruptor-go/disruptor"
)

func inspectCommand() *command {
	return &command{
		name:  "inspect",
		args:  "[flags] NAME|PATH...",
		short: "show a shared ring's header, producers and consumers",
		long: `Inspect reads shared rings without joining them, while other processes run
them, and prints each one's header (geometry, event type, instance, creation
time and process, file size, cursor) and its producer and consumer tables:
name, table index, process, state, position, lag, last heartbeat and the
main counters, then the application counter sets (such as a bridge's:
role, name, record, process, state and every counter). The file is validated as attaching would, minus the event
type, so any ring can be inspected.

` + namingHelp + `

States: live (its process holds its entry and, for a consumer, beats its
heartbeat), stalled (a consumer whose process holds its entry but whose
heartbeat stopped for longer than disruptor.StallAfter: stopped, hung, or
very slow; it still gates producers), dead (its process died without
leaving), detached (a consumer that left to resume later: it still gates
producers), evicted (a consumer freed by 'disruptor rm -consumer' while its
process lived: it no longer gates; its process gets an error at its next
wait), closed (a producer that sent EOF). A consumer's position is the last
sequence it released; lag is the cursor minus that. A producer's position is
the ring's cursor, as 'disruptor stat' shows it.

With -json, inspect prints each ring as one indented JSON object (the
fields of disruptor.RingInfo: snake_case names, counters by counter type
name, 64-bit identifiers as strings; see docs/json.md).`,
		setup: inspectSetup,
	}
}

func inspectSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var dir string
	var asJSON bool
	dirFlag(fs, &dir)
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return func(ctx context.Context, std *stdio, args []string) error {
		if len(args) == 0 {
			return usagef("want a ring NAME or PATH")
		}
		var errs []error
		for i, name := range args {
			in, err := dr.Inspect(name, dr.WithDir(dir))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if asJSON {
				enc := json.NewEncoder(std.out)
				enc.SetIndent("", "\t")
				err = enc.Encode(in)
			} else {
				if i > 0 {
					fmt.Fprintln(std.out)
				}
				err = writeInspect(std.out, in, time.Now())
			}
			if err != nil {
				return err
			}
		}
		return errors.Join(errs...)
	}
}

// writeInspect prints one ring for people.
func writeInspect(w io.Writer, in *dr.RingInfo, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	state := "running"
	if in.Halted {
		state = "halted"
	}
	fmt.Fprintf(tw, "ring\t%s\n", in.Path)
	fmt.Fprintf(tw, "geometry\t%d slots of %d B, %s, at most %d consumers\n",
		in.Capacity, in.SlotSize, ringMode(in), in.MaxConsumers)
	fmt.Fprintf(tw, "type\t%s (%d B, layout hash %#016x)\n", in.Type, in.TypeSize, in.TypeHash)
	fmt.Fprintf(tw, "file\t%d B, instance %#016x\n", in.FileSize, in.Instance)
	fmt.Fprintf(tw, "created\t%s (%s ago) by pid %d\n", in.Created.Format(time.RFC3339), age(now, in.Created), in.CreatorPID)
	fmt.Fprintf(tw, "cursor\t%d, %s\n", in.Cursor, state)
	if err := tw.Flush(); err != nil {
		return err
	}

	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w)
	if len(in.Producers) == 0 {
		fmt.Fprintln(w, "no producers")
	} else {
		fmt.Fprint(tw, "producer\t#\tpid\tstate\tposition\tpublished\tclaims\tskips\tflushes\teofs\tfull waits\tparks\t\n")
		for _, p := range in.Producers {
			s := p.Producer
			if s == nil {
				s = &dr.ProducerStats{}
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", p.Name, p.Index, p.PID, p.State,
				p.Position, s.Published, s.Claims, s.Skips, s.Flushes, s.EOFs, s.FullWaits, s.Parks)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	if len(in.Consumers) == 0 {
		fmt.Fprintln(w, "no consumers")
		return writeApps(w, in.Apps)
	}
	fmt.Fprint(tw, "consumer\t#\tpid\tstate\tposition\tlag\tlast beat\tevents\tbatches\tempty polls\tparks\tlag max\tfollows\t\n")
	for _, c := range in.Consumers {
		s := c.Consumer
		if s == nil {
			s = &dr.ConsumerStats{}
		}
		follows := strings.Join(c.Follows, ",")
		if follows == "" {
			follows = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", c.Name, c.Index, c.PID, c.State,
			c.Position, c.Lag, age(now, c.Beat)+" ago", s.Events, s.Batches, s.EmptyPolls, s.Parks, s.LagMax, follows)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeApps(w, in.Apps)
}

// writeApps prints the application counter sets, one line each: role,
// name, record index, process and state, then the counters in order.
func writeApps(w io.Writer, apps []dr.Participant) error {
	if len(apps) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("\napplication counters\n")
	for _, a := range apps {
		fmt.Fprintf(&b, "%s %s #%d pid %d %s:", a.Role, a.Name, a.Index, a.PID, a.State)
		for _, c := range a.Counters {
			fmt.Fprintf(&b, " %s %d", c.Type.Name, c.Value)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ringMode(in *dr.RingInfo) string {
	mode := "single-producer"
	if in.MultiProducer {
		mode = "multi-producer"
	}
	if in.FullBarriers {
		mode += ", full barriers"
	}
	return mode
}

// age formats now-t for people: 3.2s, 5m10s, 2h3m.
func age(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero() || t.Unix() <= 0:
		return "never"
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}
