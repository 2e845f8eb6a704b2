// Package futex blocks a thread on a 32-bit word until another thread or
// process wakes it: the blocking wait of a ring shared between processes.
//
// On Linux, Wait and Wake are futex(2) FUTEX_WAIT and FUTEX_WAKE without
// FUTEX_PRIVATE_FLAG. The private flag keys a wait by (process, address),
// so it only ever meets wakers in the same process; the shared form keys a
// wait in a MAP_SHARED mapping by (file, offset), so a waiter and a waker in
// different processes that map the same file meet on the same word. The
// word may as well live in ordinary process memory.
//
// Elsewhere, Wait polls the word with short sleeps and Wake does nothing, so
// a waiter there returns only once the word changes or its time is up. The
// protocol that makes both correct is the usual one: the waker changes the
// word (the ring bumps a sequence) before it calls Wake, and the waiter
// passes the value it last saw and re-checks its condition when Wait
// returns, since Wait may return spuriously.
package futex

import "errors"

// ErrTimeout is returned by Wait when the timeout elapsed while the word
// still held the value. A timeout is an error rather than a nil return so
// that a caller can tell "look again" from "give up or escalate".
var ErrTimeout = errors.New("futex: wait timed out")
