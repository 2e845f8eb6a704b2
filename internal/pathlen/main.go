// Command pathlen runs one single-goroutine loop of publishing and reading
// back events, for scripts/pathlen to count its instructions under
// valgrind's callgrind: each round publishes 4096 events through the
// library's public API (or a Go channel, or a plain array) and reads them
// back, checking every value. Nothing ever waits, so the instruction count
// is the path length of the calls alone.
//
//	go run ./internal/pathlen -list
//	go run ./internal/pathlen -loop unicast -rounds 50
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr)) }

// cli runs the command with args and returns its exit status.
func cli(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pathlen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("loop", "", "the `loop` to run (see -list)")
	rounds := fs.Int("rounds", 50, "rounds of 4096 events, `N`")
	list := fs.Bool("list", false, "list the loops, a name and a description a line, and exit")
	corrupt := fs.Int64("corrupt", 0, "make the `N`-th event (counting from 1) carry a wrong value, to see the checks fail")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *list {
		for _, l := range loops() {
			fmt.Fprintf(stdout, "%s\t%s\n", l.name, l.what)
		}
		return 0
	}
	if fs.NArg() > 0 || *rounds < 1 || *corrupt < 0 {
		fmt.Fprintln(stderr, "usage: pathlen -loop name [-rounds N] [-corrupt N] | -list")
		return 2
	}
	for _, l := range loops() {
		if l.name == *name {
			if err := l.run(*rounds, *corrupt-1); err != nil {
				fmt.Fprintf(stderr, "pathlen: %s: %v\n", l.name, err)
				return 1
			}
			fmt.Fprintf(stdout, "%s: %d events checked\n", l.name, int64(*rounds)*round)
			return 0
		}
	}
	fmt.Fprintf(stderr, "pathlen: unknown loop %q (see -list)\n", *name)
	return 2
}
