package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	dr "github.com/disruptor-go/disruptor"
)

func lsCommand() *command {
	return &command{
		name:  "ls",
		args:  "[flags]",
		short: "list the shared rings in a directory",
		long: `Ls lists the shared rings in -dir (default /dev/shm): the files that begin
with a ring header. For each it prints the path, capacity, event type, mode
and cursor, then one line per producer (state, events published) and per
consumer (state, position, lag). See 'disruptor help inspect' for the states
and for the full picture of one ring.

With -json, ls prints one JSON object per ring and line (the fields of
disruptor.RingInfo, as 'disruptor inspect -json' prints them; see
docs/json.md); a ring that cannot be read is printed as {"path": ...,
"error": ...}.`,
		setup: lsSetup,
	}
}

func lsSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var dir string
	var asJSON bool
	dirFlag(fs, &dir)
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per ring")
	return func(ctx context.Context, std *stdio, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected arguments: use -dir to list another directory")
		}
		paths, err := dr.ListRings(dir)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(std.out)
		tw := tabwriter.NewWriter(std.out, 0, 8, 2, ' ', 0)
		for _, p := range paths {
			in, err := dr.Inspect(p)
			switch {
			case asJSON && err != nil:
				err = enc.Encode(struct {
					Path  string `json:"path"`
					Error string `json:"error"`
				}{p, err.Error()})
			case asJSON:
				err = enc.Encode(in)
			case err != nil:
				_, err = fmt.Fprintf(tw, "%s\t(%v)\n", p, err)
			default:
				err = writeLsEntry(tw, in)
			}
			if err != nil {
				return err
			}
		}
		return tw.Flush()
	}
}

// writeLsEntry prints a ring's line and its participants' lines.
func writeLsEntry(w io.Writer, in *dr.RingInfo) error {
	fmt.Fprintf(w, "%s: %d x %s, %s, cursor %d\n", in.Path, in.Capacity, in.Type, ringMode(in), in.Cursor)
	for _, p := range in.Producers {
		published := int64(0)
		if p.Producer != nil {
			published = p.Producer.Published
		}
		fmt.Fprintf(w, "  producer\t%s\t#%d\tpid %d\t%s\tpublished %d\n", p.Name, p.Index, p.PID, p.State, published)
	}
	for _, c := range in.Consumers {
		fmt.Fprintf(w, "  consumer\t%s\t#%d\tpid %d\t%s\tposition %d, lag %d\n", c.Name, c.Index, c.PID, c.State, c.Position, c.Lag)
	}
	return nil
}
