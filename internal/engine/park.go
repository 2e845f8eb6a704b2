package engine

// Invariants of parking.
//
// A waiter announces itself (Prepare: Waiters+1, then joins the wait list),
// re-checks its condition, and only then parks. A publisher first makes its
// change visible (an atomic store), then loads Waiters and wakes only when it
// is non-zero. Both sides use sequentially consistent atomics, so either the
// waiter's re-check sees the change or the publisher sees the waiter: a
// wake-up is never lost. Wakes are broadcast; a woken waiter re-checks its
// condition, so spurious wakes are harmless. A parked waiter also returns
// after the strategy's safety timeout, when its context ends, and on Halt.

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
)

// Waiter is one participant's parking state, made once and reused, so
// parking allocates nothing.
type Waiter struct {
	ch    chan struct{} // buffered(1): a Wake between Prepare and park is kept
	timer *time.Timer
	idx   int    // position in the site's list while announced
	tok   uint32 // futex sites: the word's value when announced

	spins   int             // adaptive spin phase (see adapt)
	Parks   int64           // times parked, ever (pastEnd)
	checked time.Time       // shared rings: the last watch
	Beat    *atomic.Int64   // shared consumers: their record's heartbeat
	Deps    []*atomic.Int64 // shared consumers: the upstream cursors they follow
	Rec     *ConsumerRecord // shared consumers: their record
	Flush   func()          // publishes the owner's counters, waits so far included
	// Producer: a producer's, which watches as one wherever it parks (it
	// may wait for a publication on DataSite, see awaitSpace)
	Producer bool
	shown    time.Time // when flush last ran
}

func (w *Waiter) init() {
	if w.ch == nil {
		w.ch = make(chan struct{}, 1)
		w.timer = time.NewTimer(time.Hour)
		w.timer.Stop()
	}
}

// ParkSite is where one kind of waiter parks: consumers waiting for the
// producers, dependents waiting for upstream consumers, or producers waiting
// for room. The in-process site parks goroutines on channels; the word's
// Waiters count is what publishers test, wherever the word lives.
type ParkSite interface {
	Prepare(me *Waiter)                                           // announce me, before the re-check
	Cancel(me *Waiter)                                            // withdraw the announcement: the re-check succeeded
	Park(done <-chan struct{}, me *Waiter, timeout time.Duration) // sleep until woken, done or timeout
	Wake()                                                        // wake every waiter parked here
}

// ChanSite parks goroutines of this process.
type ChanSite struct {
	Word *ParkWord
	mu   sync.Mutex
	list []*Waiter
}

// Prepare announces me: it joins the list and counts in Waiters.
func (s *ChanSite) Prepare(me *Waiter) {
	me.init()
	select { // drop a stale Wake left from an earlier round
	case <-me.ch:
	default:
	}
	s.mu.Lock()
	me.idx = len(s.list)
	s.list = append(s.list, me)
	s.mu.Unlock()
	s.Word.Waiters.Add(1)
}

// Cancel withdraws me's announcement.
func (s *ChanSite) Cancel(me *Waiter) {
	s.mu.Lock()
	last := len(s.list) - 1
	s.list[me.idx] = s.list[last]
	s.list[me.idx].idx = me.idx
	s.list[last] = nil
	s.list = s.list[:last]
	s.mu.Unlock()
	s.Word.Waiters.Add(-1)
}

// Park waits for a wake, done or timeout, then withdraws me.
func (s *ChanSite) Park(done <-chan struct{}, me *Waiter, timeout time.Duration) {
	me.timer.Reset(timeout)
	select {
	case <-me.ch:
	case <-done:
	case <-me.timer.C:
	}
	me.timer.Stop()
	s.Cancel(me)
}

// Wake readies every parked goroutine, then yields: the runtime puts a
// readied goroutine next in line on the waker's processor, where it would
// wait until the waker itself stops (which, spinning for its own next event,
// may take microseconds) while the other processor idles. Yielding hands
// the processor over at once and lets an idle one pick the waker up.
func (s *ChanSite) Wake() {
	if buggify.Enabled {
		buggify.Pause(buggify.WakeDelay)
	}
	s.Word.Seq.Add(1)
	woke := false
	s.mu.Lock()
	for _, w := range s.list {
		select {
		case w.ch <- struct{}{}:
			woke = true
		default:
		}
	}
	s.mu.Unlock()
	if woke {
		runtime.Gosched()
	}
}

// minPark is the shortest park parkFor asks for: a deadline that has just
// passed, before ctx's own timer reports it, costs a few such parks rather
// than a hot loop of zero-length ones.
const minPark = 50 * time.Microsecond

// parkFor bounds a park of at most timeout by ctx's deadline, so that a
// waiter parked on a futex (which cannot wait on ctx.Done) returns when the
// deadline passes, not at the end of its current slice. The in-process site
// waits on ctx.Done as well; the bound is harmless there.
func parkFor(ctx context.Context, timeout time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < timeout {
			return max(left, minPark)
		}
	}
	return timeout
}
