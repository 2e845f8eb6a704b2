package engine

import "errors"

// The engine's sentinel errors. The root package re-exports each under the
// same name (its errors.go documents them), so that errors.Is matches
// whichever package a caller names.
var (
	// ErrFull is a try-claim's answer when the ring has no room.
	ErrFull = errors.New("disruptor: ring full")
	// ErrHalted is a waiter's answer once the ring was halted.
	ErrHalted = errors.New("disruptor: ring halted")
	// ErrTooManyConsumers is Join's answer when the consumer table is full.
	ErrTooManyConsumers = errors.New("disruptor: consumer table full")
)

// Mapping is what the engine asks of the mapped memory a shared ring's
// words live in (the root package's file host).
type Mapping interface {
	// Usable reports why the memory can no longer be used, or nil.
	Usable() error
	// Recovered is the error a fault recovered in the wait loop stands for
	// (it panics again for a fault outside the mapping).
	Recovered(v any) error
}
