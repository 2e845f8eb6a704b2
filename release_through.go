package disruptor

// Releasing through a sequence: a consumer that reads ahead of what it is
// done with (a bridge waiting for a remote acknowledgement, say) keeps the
// slots it read held, and retires them in order as they are done with,
// while later ones stay held.

import (
	"errors"
	"fmt"
)

// ErrNotRead is returned by ReleaseThrough for a sequence the consumer has
// not read yet.
var ErrNotRead = errors.New("disruptor: release of a sequence not read yet")

// ManualRelease makes a broadcast consumer's reads (Next, Batch, a Lease's
// Release) move only what it reads next, never its cursor: the slots it read
// stay held, gating producers (and dependents), until ReleaseThrough
// releases them. Close and Detach release nothing more: a consumer that
// resumes a detached record reads again what was not released. Work groups
// do not take it.
func ManualRelease() ConsumerOption { return func(c *consumerConfig) { c.manual = true } }

// Passed is the highest sequence the consumer has read or passed over:
// the last event Next or Batch returned, a flush or EOF marker Next
// reported, the holes before them, or the last event of a released Lease.
// Everything up to Passed may be released with ReleaseThrough.
func (c *Consumer[E]) Passed() int64 { return c.next - 1 }

// ReleaseThrough stores the consumer's cursor at seq: producers may
// overwrite, and dependents read, every sequence up to seq, while the
// sequences read after it stay held. A seq at or below what was released
// already is a no-op (the cursor never moves back); one past Passed gives
// ErrNotRead. It is meant for consumers made with ManualRelease, whose reads
// release nothing themselves; on another consumer it releases early what
// its next read would have. A work group member gives ErrNotSupported.
func (c *Consumer[E]) ReleaseThrough(seq int64) error {
	switch {
	case c.group != nil:
		return fmt.Errorf("%w: ReleaseThrough on work group member %q", ErrNotSupported, c.name)
	case c.closed:
		return ErrClosed
	case seq > c.next-1:
		return fmt.Errorf("%w: consumer %q: release through %d, but it has read through %d", ErrNotRead, c.name, seq, c.next-1)
	}
	if err := c.r.host.usable(); err != nil {
		return err
	}
	c.store(seq)
	c.flushStats() // its position counter shows the release at once
	return nil
}
