package disruptor

import (
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
	"github.com/disruptor-go/disruptor/internal/futex"
)

// futexSlice bounds one futex sleep, so that a parked waiter notices its
// context ending within this long (a futex cannot wait on a channel).
const futexSlice = 20 * time.Millisecond

// futexSite parks waiters of any process on the park word's Seq: a shared
// (never private) futex on a word inside the mapping. A waiter reads Seq
// when it announces itself; a waker bumps Seq before waking, so a wake that
// lands between the announcement and the sleep makes the sleep return at
// once.
type futexSite struct{ word *engine.ParkWord }

func (s *futexSite) prepare(me *waiter) {
	s.word.Waiters.Add(1)
	me.tok = s.word.Seq.Load()
}

func (s *futexSite) cancel(*waiter) { s.word.Waiters.Add(-1) }

func (s *futexSite) park(done <-chan struct{}, me *waiter, timeout time.Duration) {
	for left := timeout; left > 0; left -= futexSlice {
		if futex.Wait(&s.word.Seq, me.tok, min(left, futexSlice)) == nil {
			break // woken, or Seq moved
		}
		select {
		case <-done:
			left = 0
		default:
		}
	}
	s.word.Waiters.Add(-1)
}

func (s *futexSite) wake() {
	if buggify.Enabled {
		buggify.Pause(buggify.WakeDelay)
	}
	s.word.Seq.Add(1)
	futex.Wake(&s.word.Seq, -1)
}
