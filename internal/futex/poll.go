package futex

import (
	"sync/atomic"
	"time"
)

// Bounds of pollWait's sleeps.
const (
	pollMin = 50 * time.Microsecond
	pollMax = time.Millisecond
)

// pollWait is Wait for platforms without futexes: it sleeps, from pollMin
// doubling up to pollMax, until *addr != val or timeout elapses. It has the
// same contract as Wait, except that only a change of the word ends it.
func pollWait(addr *atomic.Uint32, val uint32, timeout time.Duration) error {
	if addr.Load() != val {
		return nil
	}
	if timeout == 0 {
		return ErrTimeout
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for sleep := pollMin; ; sleep = min(2*sleep, pollMax) {
		d := sleep
		if timeout > 0 {
			rem := time.Until(deadline)
			if rem <= 0 {
				return ErrTimeout
			}
			d = min(d, rem)
		}
		time.Sleep(d)
		if addr.Load() != val {
			return nil
		}
	}
}
