//go:build !linux

package futex

import (
	"sync/atomic"
	"time"
)

// Wait blocks while *addr == val, polling with short sleeps. It returns nil
// once *addr != val and ErrTimeout once timeout has elapsed; a negative
// timeout waits without limit, and a zero one only checks the value.
func Wait(addr *atomic.Uint32, val uint32, timeout time.Duration) error {
	return pollWait(addr, val, timeout)
}

// Wake does nothing and returns 0: waiters here notice the word change by
// polling. It exists so that callers need no build tags.
func Wake(addr *atomic.Uint32, n int) (int, error) {
	return 0, nil
}
