package bridge

import "errors"

// Errors of the bridge, matched with errors.Is. Each is wrapped with what
// was found: the stream, its sequence, the headers that did not match.
var (
	// ErrForeignRing: a frame in the stream was written from another ring
	// (another ring identity) than the one the bridge carries.
	ErrForeignRing = errors.New("bridge: frame of another ring")
	// ErrLayout: a frame's event layout (type name, size, field layout
	// hash) is not that of the ring's events.
	ErrLayout = errors.New("bridge: frame of another event layout")
	// ErrCorrupt: a frame whose headers are missing or malformed, whose
	// body length does not match its event count, or whose checksum fails.
	ErrCorrupt = errors.New("bridge: corrupt frame")
	// ErrSecondWriter: a publication's precondition (the stream's expected
	// last sequence) failed and the stream's tail is not this bridge's:
	// another writer publishes to the stream.
	ErrSecondWriter = errors.New("bridge: another writer on the stream")
	// ErrGap: the stream and the ring do not join: the stream lacks ring
	// sequences the ring no longer holds, or a frame does not start right
	// after the one before it.
	ErrGap = errors.New("bridge: gap between the stream and the ring")
	// ErrFrameTooLarge: a frame holds more events than the ring has slots.
	ErrFrameTooLarge = errors.New("bridge: frame larger than the ring")
)
