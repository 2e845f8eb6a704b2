package engine

import (
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/futex"
)

// futexSlice bounds one futex sleep, so that a parked waiter notices its
// context ending within this long (a futex cannot wait on a channel).
const futexSlice = 20 * time.Millisecond

// FutexSite parks waiters of any process on the park word's Seq: a shared
// (never private) futex on a word inside the mapping. A waiter reads Seq
// when it announces itself; a waker bumps Seq before waking, so a wake that
// lands between the announcement and the sleep makes the sleep return at
// once.
type FutexSite struct{ Word *ParkWord }

// Prepare counts me in Waiters and notes the word's Seq.
func (s *FutexSite) Prepare(me *Waiter) {
	s.Word.Waiters.Add(1)
	me.tok = s.Word.Seq.Load()
}

// Cancel withdraws an announcement.
func (s *FutexSite) Cancel(*Waiter) { s.Word.Waiters.Add(-1) }

// Park sleeps on Seq in futexSlice slices until woken, done, or timeout.
func (s *FutexSite) Park(done <-chan struct{}, me *Waiter, timeout time.Duration) {
	for left := timeout; left > 0; left -= futexSlice {
		if futex.Wait(&s.Word.Seq, me.tok, min(left, futexSlice)) == nil {
			break // woken, or Seq moved
		}
		select {
		case <-done:
			left = 0
		default:
		}
	}
	s.Word.Waiters.Add(-1)
}

// Wake bumps Seq and wakes every sleeper on it, in any process.
func (s *FutexSite) Wake() {
	if buggify.Enabled {
		buggify.Pause(buggify.WakeDelay)
	}
	s.Word.Seq.Add(1)
	futex.Wake(&s.Word.Seq, -1)
}
