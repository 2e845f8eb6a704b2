package disruptor

// Faults under a shared ring's mapping.
//
// A ring file that another process shortens (truncate) leaves the pages
// past its new end mapped but without backing: touching them raises
// SIGBUS, which kills a Go process. A file removed and replaced by another
// leaves this handle on a ring nobody else will join. Both end the ring for
// this handle, and are reported as ErrTruncated:
//
//   - checkMapping compares the file's size (fstat) with the mapping and the
//     file's identity with the path's. The engine's watch runs it while a
//     participant waits (about every watchEvery), and so do Close and
//     WaitForConsumers.
//   - guard runs a function with panic-on-fault set on its goroutine: a
//     fault inside the mapping becomes ErrTruncated instead of a crash. The
//     engine's await loop, registration, Inspect and the counter readers run
//     under it; Ring.Guard offers it to user code's loops.
//
// Either way, markBroken then replaces the mapping in place, in one mremap,
// with anonymous memory whose control block says halted and whose cursors
// are far in the past, so that nothing ready()s, and keeps the error: every
// later call of the handle returns it, and no access through a pointer
// still held into the mapping can fault. Close unmaps that memory like the
// file's.
//
// Invariants: fault is stored once, under mu, after the mapping was
// replaced; closed is stored under mu before the mapping is unmapped, so a
// mapping is never replaced after it was unmapped.

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// poisonSeq is the cursor value of a replaced mapping: far below any
// sequence, and far enough from math.MinInt64 that the engine's arithmetic
// on it cannot overflow.
const poisonSeq = -1 << 62

// usable reports why the handle can no longer be used: ErrClosed after
// Close, the ErrTruncated error once a fault was detected, nil otherwise.
func (sh *shared) usable() error {
	if sh.closed.Load() {
		return ErrClosed
	}
	if p := sh.fault.Load(); p != nil {
		return *p
	}
	return nil
}

// checkMapping detects a ring file that is now shorter than the mapping,
// or that the path no longer names (removed and replaced by another file:
// a file only removed still serves those who have it mapped). Either
// breaks the handle. sh may be nil (an in-process ring).
func (sh *shared) checkMapping() error {
	if sh == nil {
		return nil
	}
	if err := sh.usable(); err != nil {
		return err
	}
	fi, err := sh.f.Stat()
	if err != nil {
		return nil // cannot tell; the next check may
	}
	if fi.Size() < int64(sh.size) {
		return sh.markBroken(fmt.Errorf("%w: %s is now %d bytes, the ring maps %d", ErrTruncated, sh.path, fi.Size(), sh.size))
	}
	if pi, err := os.Lstat(sh.path); err == nil && !os.SameFile(fi, pi) {
		return sh.markBroken(fmt.Errorf("%w: %s was removed and replaced by another file", ErrTruncated, sh.path))
	}
	return nil
}

// markBroken replaces the mapping with anonymous memory that says halted
// and keeps err as the handle's error, which it returns (or the error kept
// before, or ErrClosed if the handle was closed meanwhile).
func (sh *shared) markBroken(err error) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed.Load() {
		return ErrClosed
	}
	if p := sh.fault.Load(); p != nil {
		return *p
	}
	if rerr := replaceMapping(sh.mem, sh.poison); rerr != nil {
		err = fmt.Errorf("%w (the mapping could not be replaced: %v)", err, rerr)
	}
	sh.fault.Store(&err)
	return err
}

// poison lays a halted ring over mem, the replacement of the mapping:
// every cursor far in the past and every consumer record active, so that
// no consumer sees an event, no producer sees room, no observer is lapped,
// and a waiter that looks again returns the handle's error (engine.Engine.HaltErr).
func (sh *shared) poison(mem []byte) {
	g := &sh.geo
	ctl := controlView(mem, g)
	ctl.Cursor.Store(poisonSeq)
	ctl.GateCache.Store(poisonSeq)
	ctl.State.Store(engine.StateHalted)
	recs := consumerTable(mem, g)
	for i := range recs {
		recs[i].Cursor.Store(poisonSeq)
		recs[i].State.Store(engine.RecActive)
	}
	ctl.Records.Store(uint32(len(recs)))
}

// guard runs fn with panic-on-fault set on this goroutine. A fault inside
// the mapping breaks the handle and returns ErrTruncated (ErrClosed if the
// handle was closed); any other panic goes on.
func (sh *shared) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			err = sh.recovered(v)
		}
	}()
	return fn()
}

// guarded is fn's result, run guarded on a shared ring (sh not nil).
func guarded[T any](sh *shared, fn func() T) (T, error) {
	var v T
	if sh == nil {
		return fn(), nil
	}
	err := sh.guard(func() error { v = fn(); return nil })
	return v, err
}

// recovered turns a recovered fault inside the mapping into the handle's
// error, and panics again with anything else.
func (sh *shared) recovered(v any) error {
	f, ok := v.(interface{ Addr() uintptr })
	if !ok {
		panic(v)
	}
	a := f.Addr()
	if a < sh.base || a-sh.base >= sh.size {
		panic(v)
	}
	if sh.closed.Load() {
		return fmt.Errorf("%w: %s: access to the ring after Close", ErrClosed, sh.path)
	}
	size := "unknown"
	if fi, err := sh.f.Stat(); err == nil {
		size = fmt.Sprint(fi.Size())
	}
	return sh.markBroken(fmt.Errorf("%w: %s: fault at offset %d of the mapping (%d bytes; the file now has %s)",
		ErrTruncated, sh.path, a-sh.base, sh.size, size))
}

// Guard runs fn, typically a loop of Claim and Publish or of Next, so that
// a shared ring whose file another process truncates gives an error instead
// of killing the process with SIGBUS: a fault on this ring's mapping while
// fn runs (on its own goroutine) ends fn and Guard returns an error
// matching ErrTruncated, and every later call of the ring's handle returns
// that error too. Any other panic in fn goes on. Otherwise Guard returns
// what fn returns.
//
// The ring's own waits, registration and readers guard themselves; what
// fn guards is the code between them that reads and writes slots and
// counters in place. fn must not hand a slot's pointer to other goroutines:
// a fault there is not this goroutine's (see the package documentation).
// For an in-process ring Guard just calls fn.
func (r *Ring[E]) Guard(fn func() error) error {
	if r.sh == nil {
		return fn()
	}
	return r.sh.guard(fn)
}
