// Command disruptor measures and inspects disruptor rings.
//
// Usage:
//
//	disruptor <command> [flags] [arguments]
//
// Run `disruptor help` for the list of commands and `disruptor help
// <command>` (or `disruptor <command> -h`) for one command's flags.
//
// Flags may come before or after a command's arguments ("--" ends them).
//
// Each command lives in a file of its own that defines a *command; adding a
// command means adding that file and one line to commands below.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// command is one subcommand.
type command struct {
	name  string
	args  string // the synopsis after the name, e.g. "[flags]"
	short string // one line for the command list
	long  string // what `help <name>` prints before the flags

	// setup defines the command's flags on fs and returns the function that
	// runs it once they are parsed, with the arguments left over.
	setup func(fs *flag.FlagSet) func(ctx context.Context, std *stdio, args []string) error
}

// commands lists every command, in the order help shows them.
func commands() []*command {
	return []*command{
		benchCommand(),
		lsCommand(),
		inspectCommand(),
		rmCommand(),
		produceCommand(),
		consumeCommand(),
		statCommand(),
		bridgeCommand(),
	}
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// stdio is where a command writes.
type stdio struct {
	out, err io.Writer
	errTTY   bool // err is a terminal: progress lines are welcome there
}

// usageError is an error in how a command was called: it exits 2, like a
// flag the command does not know.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func main() {
	tty := false
	if fi, err := os.Stderr.Stat(); err == nil {
		tty = fi.Mode()&os.ModeCharDevice != 0
	}
	os.Exit(run(context.Background(), os.Args[1:], &stdio{out: os.Stdout, err: os.Stderr, errTTY: tty}))
}

// run runs the command line args (without the program name) and returns the
// exit status: 0 on success, 1 when the command failed, 2 when it was called
// wrongly.
func run(ctx context.Context, args []string, std *stdio) int {
	if len(args) == 0 {
		usage(std.err)
		return 2
	}
	switch name := args[0]; name {
	case "-h", "-help", "--help":
		usage(std.out)
		return 0
	case "help":
		return help(args[1:], std)
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(std.err, "disruptor: unknown command %q\nRun 'disruptor help' for usage.\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(std.err)
	fs.Usage = func() {} // printed below, to stdout when asked for
	runCmd := c.setup(fs)
	cmdArgs, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandHelp(std.out, c, fs)
			return 0
		}
		// The flag package printed the error.
		fmt.Fprintf(std.err, "usage: disruptor %s %s\nRun 'disruptor %s -h' for details.\n", c.name, c.args, c.name)
		return 2
	}
	err = runCmd(ctx, std, cmdArgs)
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(std.err, "disruptor %s: %v\nRun 'disruptor %s -h' for usage.\n", c.name, err, c.name)
		return 2
	default:
		fmt.Fprintf(std.err, "disruptor %s: %v\n", c.name, err)
		return 1
	}
}

// parseInterspersed parses flags that come before, between or after a
// command's arguments, as in "disruptor consume ring -id a": the flag
// package alone stops at the first argument. An argument "--" ends the
// flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var out []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(out, rest...), nil
		}
		if len(rest) == 0 {
			return out, nil
		}
		out, args = append(out, rest[0]), rest[1:]
	}
}

// usage prints the list of commands.
func usage(w io.Writer) {
	fmt.Fprint(w, "Disruptor measures and inspects disruptor rings.\n\n")
	fmt.Fprint(w, "Usage:\n\n\tdisruptor <command> [flags] [arguments]\n\nThe commands are:\n\n")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "\t%s\t%s\n", c.name, c.short)
	}
	tw.Flush()
	fmt.Fprint(w, "\nUse \"disruptor help <command>\" or \"disruptor <command> -h\" for more about a command.\n")
}

// help is the help command: the command list, or one command's help.
func help(args []string, std *stdio) int {
	switch len(args) {
	case 0:
		usage(std.out)
		return 0
	case 1:
		c := lookup(args[0])
		if c == nil {
			fmt.Fprintf(std.err, "disruptor help: unknown command %q\nRun 'disruptor help' for usage.\n", args[0])
			return 2
		}
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.setup(fs)
		commandHelp(std.out, c, fs)
		return 0
	}
	fmt.Fprint(std.err, "usage: disruptor help [command]\n")
	return 2
}

// commandHelp prints one command's synopsis, description and flags.
func commandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: disruptor %s %s\n\n%s\n", c.name, c.args, strings.TrimSpace(c.long))
	if hasFlags(fs) {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}
