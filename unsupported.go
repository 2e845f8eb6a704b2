package disruptor

import (
	"errors"
	"fmt"
)

// Errors of methods asked to do what their receiver cannot.
//
// Misuse that only the caller's own sequencing can cause still panics, as
// a programmer error rather than a condition to handle: Next, Batch or
// Lease while a lease is held, Release of a lease that is not held, a
// claim while an earlier claim is neither published nor skipped, and
// Publish or Skip without a claim.
var (
	// ErrNotSupported is returned when a participant cannot do what was
	// asked of it, such as Lease on a work group member. It wraps
	// errors.ErrUnsupported.
	ErrNotSupported = fmt.Errorf("disruptor: %w", errors.ErrUnsupported)

	// ErrInvalidLease is returned by Lease for a maximum below one event.
	ErrInvalidLease = errors.New("disruptor: invalid lease size")
)
