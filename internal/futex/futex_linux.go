package futex

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// futex(2) operations. FUTEX_PRIVATE_FLAG (128) is deliberately absent: see
// the package documentation.
const (
	futexWait = 0 // FUTEX_WAIT
	futexWake = 1 // FUTEX_WAKE
)

// Wait blocks while *addr == val. It returns nil when woken by Wake, at once
// when *addr != val, and occasionally for no reason: callers re-check their
// condition. It returns ErrTimeout once timeout has elapsed; a negative
// timeout waits without limit, and a zero one only checks the value.
// Signals interrupting the wait (EINTR) are retried internally with the
// remaining time.
func Wait(addr *atomic.Uint32, val uint32, timeout time.Duration) error {
	_, err := wait(addr, val, timeout)
	return err
}

// wait is Wait, also reporting how many times a signal interrupted it.
func wait(addr *atomic.Uint32, val uint32, timeout time.Duration) (eintr int, err error) {
	if timeout == 0 {
		if addr.Load() != val {
			return 0, nil
		}
		return 0, ErrTimeout
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		var ts *unix.Timespec // nil: no limit
		if timeout > 0 {
			rem := time.Until(deadline)
			if rem <= 0 {
				return eintr, ErrTimeout
			}
			t := unix.NsecToTimespec(rem.Nanoseconds())
			ts = &t
		}
		// The kernel compares *addr with val and sleeps only if they are
		// equal, atomically with respect to Wake: no wake-up is lost
		// between the caller's check and the sleep.
		_, _, e := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWait,
			uintptr(val), uintptr(unsafe.Pointer(ts)), 0, 0)
		switch e {
		case 0, unix.EAGAIN: // woken, or *addr != val
			return eintr, nil
		case unix.ETIMEDOUT:
			return eintr, ErrTimeout
		case unix.EINTR:
			eintr++
		default:
			return eintr, fmt.Errorf("futex: wait on %p: %w", addr, e)
		}
	}
}

// Wake wakes up to n waiters blocked in Wait on addr, in this or any other
// process mapping the same memory, and returns how many it woke. A negative
// n wakes all of them; zero wakes none and makes no call.
func Wake(addr *atomic.Uint32, n int) (int, error) {
	if n == 0 {
		return 0, nil // FUTEX_WAKE of 0 would wake one
	}
	if n < 0 || n > math.MaxInt32 {
		n = math.MaxInt32
	}
	// FUTEX_WAKE never sleeps, so the raw call spares the scheduler hand-off.
	r, _, e := unix.RawSyscall(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWake, uintptr(n))
	if e != 0 {
		return 0, fmt.Errorf("futex: wake on %p: %w", addr, e)
	}
	return int(r), nil
}
