package engine

import (
	"runtime"
	"time"
)

// Schedule is a wait strategy's phases, in order: busy polls (optionally
// with the CPU's pause hint), polls that yield the processor, sleeps that
// double from a minimum to a cap, and parking until woken. The root
// package's WaitStrategy holds one; its constructors fill it in.
type Schedule struct {
	Name     string
	Spins    int           // busy polls before the next phase; <0 spins forever
	Pause    bool          // issue the CPU pause hint on each busy poll
	Yields   int           // polls that call runtime.Gosched
	SleepMin time.Duration // first sleep; 0 means no sleep phase
	SleepMax time.Duration // sleeps double up to this cap
	Park     bool          // park after the phases above
	Timeout  time.Duration // a parked Waiter re-checks after this long at most
}

// Idle performs the Idle step number n (counting from 0) of a wait and
// reports whether the caller should park now. It is the only place the
// phases are interpreted.
//
// osToo makes a yield also yield the OS thread: across processes the one
// waited for is another process, which runtime.Gosched does not serve.
func (w *Schedule) idle(n int, osToo bool) (park bool) {
	if w.Spins < 0 || n < w.Spins {
		if w.Pause { // one pause a poll: a Waiter looks every pause or so
			CPUPause()
		}
		return false
	}
	n -= w.Spins
	if n < w.Yields {
		runtime.Gosched()
		if osToo {
			OSYield()
		}
		return false
	}
	if w.Park {
		return true
	}
	if w.SleepMin == 0 {
		runtime.Gosched()
		return false
	}
	n -= w.Yields
	d := w.SleepMin
	for ; n > 0 && d < w.SleepMax; n-- {
		d *= 2
	}
	time.Sleep(min(d, w.SleepMax))
	return false
}

// Yielded reports whether Idle step n gave the processor away (for statistics).
func (w *Schedule) yielded(n int) bool { return w.Spins >= 0 && n >= w.Spins }

// showEvery is how often a participant that keeps waiting publishes its
// counters, so that its waits and parks show while it is blocked.
const showEvery = 50 * time.Millisecond

// showWaits runs the Waiter's flush hook if it has not for showEvery.
func (me *Waiter) showWaits(now time.Time) {
	if me.Flush != nil && now.Sub(me.shown) >= showEvery {
		me.shown = now
		me.Flush()
	}
}

// Adaptive spinning for the parking strategies. A Wake-up costs
// microseconds (the runtime may have to wake a sleeping thread), so two
// goroutines handing events back and forth can settle into parking on every
// hand-off, each giving up just before the other answers. A waiter whose
// park ended soon after it began doubles its spin phase for the next wait,
// up to maxSpins; one that parked for long goes back to the strategy's own.
const (
	maxSpins  = 4096
	shortPark = 200 * time.Microsecond
)

// Adapt sets the waiter's spin phase after a wait that parked for
// parkedFor (0: it did not park), from base, the strategy's own.
func (me *Waiter) adapt(base int, parkedFor time.Duration) {
	switch {
	case parkedFor == 0: // did not park
	case parkedFor < shortPark:
		me.spins = min(max(me.spins, base)*2, maxSpins)
	default:
		me.spins = base
	}
}
