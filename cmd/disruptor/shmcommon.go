package main

// Helpers shared by the commands that work on rings in shared memory
// (ls, inspect, rm, produce, consume).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"time"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/internal/testevent"
)

// namingHelp explains ring names, for the commands' long help.
const namingHelp = `A ring is named NAME, which lives in the -dir directory (default /dev/shm,
memory-backed), or by a PATH holding a slash, such as ./ring or /tmp/ring
(any file system; a file-backed mapping).`

// dirFlag defines -dir on fs.
func dirFlag(fs *flag.FlagSet, dir *string) {
	fs.StringVar(dir, "dir", "/dev/shm", "`directory` of ring names without a slash")
}

// everyFlag defines -every, the interval of progress lines, on fs.
func everyFlag(fs *flag.FlagSet, every *time.Duration) {
	fs.DurationVar(every, "every", time.Second, "print progress to stderr every `d` (0: never)")
}

// ringArg is the one ring NAME or PATH of a command's arguments.
func ringArg(args []string) (string, error) {
	switch {
	case len(args) != 1:
		return "", usagef("want one ring NAME or PATH, have %d arguments", len(args))
	case args[0] == "":
		return "", usagef("the ring NAME or PATH is empty")
	}
	return args[0], nil
}

// checkEvery refuses a negative -every.
func checkEvery(every time.Duration) error {
	if every < 0 {
		return usagef("-every %v may not be negative (0: no progress lines)", every)
	}
	return nil
}

// attachTest attaches the test-event ring at name, waiting for up to wait
// while the ring does not exist yet or its creator is still at work.
func attachTest(ctx context.Context, name string, wait time.Duration, opts ...dr.Option) (*dr.Ring[testevent.Event], error) {
	var r *dr.Ring[testevent.Event]
	var err error
	if wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		r, err = dr.AttachContext[testevent.Event](wctx, name, opts...)
	} else {
		r, err = dr.Attach[testevent.Event](name, opts...)
	}
	switch {
	case err == nil:
		return r, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, fs.ErrNotExist) && wait > 0:
		err = fmt.Errorf("%w (waited %v for a producer to create it)", err, wait)
	case errors.Is(err, dr.ErrTypeMismatch):
		err = fmt.Errorf("%w\n(produce and consume use %T; this ring holds another type)", err, testevent.Event{})
	}
	return nil, err
}

// ticker calls fn every d until stop is called; d <= 0 never calls it.
// stop waits for a call in progress to finish.
func ticker(d time.Duration, fn func(elapsed time.Duration)) (stop func()) {
	if d <= 0 {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(d)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				fn(now.Sub(last))
				last = now
			}
		}
	}()
	return func() { close(done); <-finished }
}

// guardTick makes a ticker's fn run under r.Guard: progress lines read the
// ring's mapping, which a file truncated under the command would fault on
// (the loops themselves run under Guard too: the command then fails with
// ErrTruncated, never dies of SIGBUS).
func guardTick(r *dr.Ring[testevent.Event], fn func(time.Duration)) func(time.Duration) {
	return func(d time.Duration) { r.Guard(func() error { fn(d); return nil }) }
}
