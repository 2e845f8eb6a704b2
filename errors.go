package disruptor

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/disruptor-go/disruptor/internal/engine"
	"github.com/disruptor-go/disruptor/internal/layout"
	"github.com/disruptor-go/disruptor/internal/typecheck"
)

// Sentinel errors. Match them with errors.Is: returned errors may wrap them
// with detail.
var (
	// ErrFull is returned by TryClaim and TryClaimN when the ring has no room
	// for the claim without overwriting an event a consumer still needs.
	ErrFull = engine.ErrFull // "disruptor: ring full"

	// ErrEmpty is returned by TryNext when no event is available yet.
	ErrEmpty = errors.New("disruptor: no event available")

	// ErrFlush is not a failure: Next returns it when a producer called
	// Flush, telling the consumer to finish any partial work now.
	ErrFlush = errors.New("disruptor: flush")

	// ErrClosed is returned by a producer's claims after its Close, and by a
	// consumer's reads after its Close.
	ErrClosed = errors.New("disruptor: closed")

	// ErrHalted is returned by blocking calls when the ring was halted.
	ErrHalted = engine.ErrHalted // "disruptor: ring halted"

	// ErrTooLarge is returned for a claim of more slots than the ring has.
	ErrTooLarge = errors.New("disruptor: claim larger than the ring")

	// ErrInvalidSize is returned for a ring size that is not a power of two
	// of at least 2.
	ErrInvalidSize = errors.New("disruptor: invalid ring size")

	// ErrSingleProducer is returned when a second producer is created on a
	// ring in single-producer mode.
	ErrSingleProducer = errors.New("disruptor: ring is in single-producer mode and already has its producer")

	// ErrTooManyConsumers is returned when the consumer table is full.
	ErrTooManyConsumers = engine.ErrTooManyConsumers // "disruptor: consumer table full"

	// ErrForeignDependency is returned when a consumer is made to depend on a
	// consumer of another ring.
	ErrForeignDependency = errors.New("disruptor: dependency belongs to another ring")

	// ErrHasDependents is returned when closing a consumer that other open
	// consumers still depend on: it would stall them.
	ErrHasDependents = errors.New("disruptor: consumer has open dependents")

	// ErrCycle is returned when a graph's dependencies form a cycle.
	ErrCycle = errors.New("disruptor: dependency cycle")

	// ErrUnknownStage is returned when a graph stage names a dependency that
	// was never added.
	ErrUnknownStage = errors.New("disruptor: unknown stage")

	// ErrDuplicateStage is returned when two graph stages share a name.
	ErrDuplicateStage = errors.New("disruptor: duplicate stage name")

	// ErrStarted is returned when a graph is changed or started after Start.
	ErrStarted = errors.New("disruptor: graph already started")

	// ErrProducerGone is returned to consumers of a shared ring waiting for
	// events when every producer that had not closed has died.
	ErrProducerGone = errors.New("disruptor: producer process gone")

	// ErrConsumerExists is returned when a consumer name is in use by a
	// live consumer of a shared ring.
	ErrConsumerExists = errors.New("disruptor: consumer name in use")

	// ErrUnknownConsumer is returned when AfterName names no consumer.
	ErrUnknownConsumer = errors.New("disruptor: no such consumer")

	// ErrTooManyProducers is returned when a shared ring's producer table
	// is full.
	ErrTooManyProducers = errors.New("disruptor: producer table full")

	// ErrForeignOwner is returned when attaching a ring file another user
	// owns.
	ErrForeignOwner = errors.New("disruptor: ring file owned by another user")

	// ErrNotRing is returned by Create when the path holds something that
	// is not a ring file (a FIFO, a device, a socket, a directory, a
	// symbolic link, or a regular file with other contents). Create leaves
	// it untouched.
	ErrNotRing = errors.New("disruptor: path holds something that is not a ring")

	// ErrTruncated is returned by the participants of a shared ring whose
	// file was shortened, removed and replaced, or otherwise faulted under
	// the mapping: the ring can no longer be used through this handle.
	ErrTruncated = errors.New("disruptor: ring file truncated or replaced")

	// ErrUntethered is returned to a consumer of a shared ring that the
	// producers stopped waiting for (see WithUntetherAfter or EvictConsumer):
	// the events it had not released may have been overwritten.
	ErrUntethered = errors.New("disruptor: consumer was left behind")
)

// Errors of attaching a shared ring: each names one way a file can fail
// validation.
var (
	ErrNotInitialized      = layout.ErrNotInitialized      // blank, or its creator has not finished (retry)
	ErrBadMagic            = layout.ErrBadMagic            // not a ring file
	ErrIncompatibleVersion = layout.ErrIncompatibleVersion // another layout version
	ErrForeignEndian       = layout.ErrForeignEndian       // written on a machine of the other byte order
	ErrCorrupt             = layout.ErrCorrupt             // checksum, geometry or size inconsistent
	ErrGeometryMismatch    = layout.ErrGeometryMismatch    // not the size or mode asked for
	ErrTypeMismatch        = layout.ErrTypeMismatch        // made for another event type
	ErrNotShareable        = typecheck.ErrNotShareable     // the event type holds pointers or is not fixed-size
)

// sizeError explains an invalid ring size and names the nearest valid ones.
func sizeError(size int) error {
	if size < 2 {
		return fmt.Errorf("%w: %d; the smallest ring has 2 slots", ErrInvalidSize, size)
	}
	lo := 1
	for lo <= size/2 {
		lo *= 2
	}
	if lo > math.MaxInt/2 {
		return fmt.Errorf("%w: %d is not a power of two; use %d", ErrInvalidSize, size, lo)
	}
	return fmt.Errorf("%w: %d is not a power of two; use %d or %d", ErrInvalidSize, size, lo, lo*2)
}

// PanicError is the error a graph reports when a handler panics. Its Error
// is one line, naming the stage and the panic's value; the stack is in
// Stack, and formatting with %+v prints the line followed by the stack.
type PanicError struct {
	Stage string // the stage whose handler panicked
	Value any    // the value passed to panic
	Stack []byte // the goroutine's stack at the panic
}

// Error returns the one-line message: the stage and the panic's value.
func (e *PanicError) Error() string {
	return fmt.Sprintf("disruptor: handler %q panicked: %v", e.Stage, e.Value)
}

// Format implements fmt.Formatter: %v and %s give Error's line, %+v adds a
// newline and the stack, and %q quotes the line.
func (e *PanicError) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "%s\n%s", e.Error(), e.Stack)
	case verb == 'q':
		fmt.Fprintf(f, "%q", e.Error())
	default:
		io.WriteString(f, e.Error())
	}
}
