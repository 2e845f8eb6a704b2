package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/internal/layout"
)

func rmCommand() *command {
	return &command{
		name:  "rm",
		args:  "[flags] NAME|PATH...",
		short: "remove shared ring files",
		long: `Rm removes ring files. It refuses a file that does not begin with a ring
header (a ring whose creator died before writing it is such a file too);
-f removes whatever is there, and ignores names that do not exist.
Processes that have the ring mapped go on using it until they close it;
processes that attach afterwards find no ring (a producer creates a new one).

` + namingHelp,
		setup: rmSetup,
	}
}

func rmSetup(fs *flag.FlagSet) func(context.Context, *stdio, []string) error {
	var dir string
	var force bool
	dirFlag(fs, &dir)
	fs.BoolVar(&force, "f", false, "remove files that are not rings; ignore missing ones")
	return func(ctx context.Context, std *stdio, args []string) error {
		if len(args) == 0 {
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
// one.
func removeRing(path string, force bool) error {
	if force {
		err := os.Remove(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a ring file (a %v); use -f to remove it anyway", path, fi.Mode().Type())
	}
	if !isRing(path) {
		return fmt.Errorf("%s: not a ring file (no ring header); use -f to remove it anyway", path)
	}
	return os.Remove(path)
}

// isRing reports whether the file at path begins with a ring header's
// magic.
func isRing(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(layout.Magic))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == layout.Magic
}
