package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	dr "github.com/disruptor-go/disruptor"
)

func rmCommand() *command {
	return &command{
		name:  "rm",
		args:  "[flags] NAME|PATH...  |  rm -consumer NAME [-force] RING",
		short: "remove shared ring files, or a consumer from a ring",
		long: `Rm removes ring files. It refuses a file that does not begin with a ring
header (a ring whose creator died before writing it is such a file too);
-f removes whatever is there, and ignores names that do not exist.
Processes that have the ring mapped go on using it until they close it;
processes that attach afterwards find no ring (a producer creates a new one).

With -consumer NAME, rm removes the consumer NAME from the ring RING
instead, so that it stops holding the ring's producers back; the events it
had not read are lost to it. A dead or detached consumer is freed at once;
so is a stalled one (its process lives but its heartbeat stopped: see
'disruptor help inspect'), whose process then gets an error (the consumer
was left behind) at its next wait instead of reading overwritten events. A
live consumer is refused unless -force is given. Rm prints the state the
consumer was in.

Exit status: 0 when everything asked for was removed, 1 when something was
not, 2 for a usage error.

` + namingHelp,
		setup: rmSetup,
	}
}

func rmSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var dir, consumer string
	var force, forceConsumer bool
	dirFlag(fs, &dir)
	fs.BoolVar(&force, "f", false, "remove files that are not rings; ignore missing ones")
	fs.StringVar(&consumer, "consumer", "", "remove the consumer `name` from the ring instead of removing the ring")
	fs.BoolVar(&forceConsumer, "force", false, "with -consumer: remove it even if it is live")
	return func(ctx context.Context, std *stdio, args []string) error {
		switch {
		case consumer != "" && len(args) != 1:
			return usagef("-consumer: want one ring NAME or PATH, have %d arguments", len(args))
		case consumer != "" && force:
			return usagef("-f removes files; with -consumer use -force")
		case consumer == "" && forceConsumer:
			return usagef("-force goes with -consumer; -f removes files that are not rings")
		case consumer != "":
			st, err := dr.EvictConsumer(args[0], consumer, forceConsumer, dr.WithDir(dir))
			if errors.Is(err, dr.ErrConsumerLive) {
				return fmt.Errorf("%w (-force removes it)", err)
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(std.out, "removed consumer %q (%s) from %s\n", consumer, st, dr.RingPath(args[0], dr.WithDir(dir)))
			return err
		case len(args) == 0:
			return usagef("want ring NAMEs or PATHs")
		}
		var errs []error
		for _, name := range args {
			path := dr.RingPath(name, dr.WithDir(dir))
			if err := removeRing(path, force); err != nil {
				fmt.Fprintf(std.err, "disruptor rm: %v\n", err)
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("%d of %d not removed", len(errs), len(args))
		}
		return nil
	}
}

// removeRing removes the ring file at path; unless force, only if it is
// one (disruptor.Remove).
func removeRing(path string, force bool) error {
	if !force {
		err := dr.Remove(path)
		if errors.Is(err, dr.ErrNotRing) {
			return fmt.Errorf("%w; use -f to remove it anyway", err)
		}
		return err
	}
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
