package disruptor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Backoff of AttachContext between attempts: it doubles from the first to
// the cap, so a ring that appears soon is found soon and a long wait costs
// little.
const (
	attachBackoffMin = time.Millisecond
	attachBackoffMax = 50 * time.Millisecond
)

// AttachContext is Attach that waits for the ring's creator: while the file
// does not exist yet (fs.ErrNotExist) or its creator has not finished
// (ErrNotInitialized), it retries with a short backoff, until it attaches
// or ctx ends. Any other error (ErrTypeMismatch, ErrNotRing, ErrBadMagic,
// ...) it returns at once. It tries at least once, even with ctx already
// done. When ctx ends first, the error wraps both ctx's error and the last
// attempt's, so errors.Is matches context.DeadlineExceeded (or
// context.Canceled) and, say, fs.ErrNotExist.
func AttachContext[E any](ctx context.Context, name string, opts ...Option) (*Ring[E], error) {
	wait := attachBackoffMin
	var timer *time.Timer
	for {
		r, err := Attach[E](name, opts...)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrNotInitialized) {
			return nil, err
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (the wait ended: %w)", err, ctx.Err())
		case <-timer.C:
		}
		wait = min(wait*2, attachBackoffMax)
	}
}
