package bench

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/disruptor-go/disruptor"
)

// A check records the first failure a consumer sees and lets it go on
// draining, so that a failed check never leaves a producer blocked on a full
// ring or channel. Each check is padded to its own cache lines: consumers on
// different goroutines update theirs on every event, and must not slow one
// another through false sharing (of either implementation).
type check struct {
	name string
	n    int64 // events seen
	err  error
	_    [128]byte
}

func (c *check) failf(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%s: event %d: %s", c.name, c.n, fmt.Sprintf(format, args...))
	}
}

// result is the check's verdict once its consumer is done: its first
// failure, or a failure if it saw other than want events.
func (c *check) result(want int64) error {
	if c.err != nil {
		return c.err
	}
	if c.n != want {
		return fmt.Errorf("%s: saw %d events, want %d", c.name, c.n, want)
	}
	return nil
}

// verdict is the check's result once its consumer has seen the run's events.
func (c *check) verdict(e *env) func() error {
	return func() error { return c.result(e.events) }
}

// seqCheck is the check of an int64 stream: the i-th event is i.
type seqCheck struct{ check }

func (c *seqCheck) see(v int64) {
	if v != c.n {
		c.failf("payload %d", v)
	}
	c.n++
}

// handler is see as a disruptor batch handler.
func (c *seqCheck) handler() disruptor.Handler[int64] {
	return func(ev *int64, _ int64, _ bool) error {
		c.see(*ev)
		return nil
	}
}

// crew runs a run's goroutines and collects their errors.
type crew struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	errs []error
}

func (c *crew) start(f func() error) {
	c.wg.Go(func() {
		if err := f(); err != nil {
			c.mu.Lock()
			c.errs = append(c.errs, err)
			c.mu.Unlock()
		}
	})
}

// wait waits for every goroutine and returns their errors joined.
func (c *crew) wait() error {
	c.wg.Wait()
	return errors.Join(c.errs...)
}

// drain hands every event of c to fn, batch by batch, until EOF.
func drain[E any](e *env, c *disruptor.Consumer[E], fn disruptor.Handler[E]) error {
	for {
		if _, err := c.Batch(e.ctx, fn); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// allSaw is the first failure among checks each of which should have seen
// n events.
func allSaw[C interface{ result(int64) error }](n int64, chks ...C) error {
	for _, c := range chks {
		if err := c.result(n); err != nil {
			return err
		}
	}
	return nil
}

// gate holds goroutines until the timed section starts.
type gate chan struct{}

func (g gate) open() { close(g) }
func (g gate) wait() { <-g }
