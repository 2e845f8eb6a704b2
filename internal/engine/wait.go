package engine

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
)

// Await is the one wait loop of the engine, for producers and consumers
// alike: it runs the strategy's idle steps until ready reports true, the ring
// is halted, or ctx ends. ready is called again after announcing a park, so a
// wake-up cannot be lost (see park.go). On a shared ring it runs guarded: a
// fault on the mapping (its file was truncated) returns ErrTruncated.
func (e *Engine) Await(ctx context.Context, site ParkSite, me *Waiter, wc *WaitCounts, ready func() bool) (err error) {
	if e.Mapping != nil {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if v := recover(); v != nil {
				err = e.Mapping.Recovered(v)
			}
		}()
	}
	done := ctx.Done()
	sched := e.Wait
	w := &sched
	adaptive := false
	if w.Park {
		if e.crowded() {
			// More participants than processors: the one a waiter waits for
			// may be waiting for its processor, so the waiter never spins.
			// It yields instead, about as long as it would have spun, and
			// then parks (Park's schedule still parks at once).
			if w.Spins > 0 || w.Yields > 0 {
				w.Spins, w.Yields = 0, crowdedYields
			}
		} else {
			w.Spins, adaptive = max(w.Spins, me.spins), true
		}
	}
	var parkedFor time.Duration
	defer func() {
		if adaptive {
			me.adapt(e.Wait.Spins, parkedFor)
		}
	}()
	for n := 0; ; n++ {
		if e.Halted() {
			return e.HaltErr()
		}
		if done != nil && (n&63 == 0 || w.yielded(n)) {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		wc.Polls++
		if n&1023 == 1023 && me.Flush != nil {
			me.showWaits(time.Now())
		}
		if w.yielded(n) {
			wc.Yields++
			if e.Watch != nil && (n&15 == 0 || w.Park) {
				if err := e.watchNow(me.Producer, me); err != nil {
					if ready() { // what the producers published before they died comes first
						return nil
					}
					return err
				}
			}
		}
		if w.idle(n, e.Shared) {
			if buggify.Enabled {
				buggify.Pause(buggify.ParkPrepare)
			}
			site.Prepare(me)
			e.fence()
			if buggify.Enabled {
				buggify.Pause(buggify.ParkRecheck)
			}
			if ready() || e.Halted() {
				site.Cancel(me)
			} else {
				wc.Parks++
				me.Parks++
				t0 := time.Now()
				me.showWaits(t0)
				timeout := parkFor(ctx, e.parkTimeout())
				if buggify.Enabled { // woken early, by nobody
					timeout = buggify.Shorter(buggify.ParkSpurious, timeout)
				}
				site.Park(done, me, timeout)
				parkedFor = time.Since(t0)
			}
		}
		if ready() {
			return nil
		}
	}
}

// crowdedYields is how many polls a waiter of a parking strategy yields
// before it parks on a crowded ring (see Await): a yield that finds nobody
// else to run costs about what a spin phase's pause does, one that does
// lets the producer or consumer waited for run. Measured with
// `disruptor bench -scenario mpsc,pipeline,diamond,multicast` on 2
// processors: spinning first, or 4 or 16 yields, were slower.
const crowdedYields = 64

// watchEvery is how often a waiter on a shared ring checks on the other
// processes (and beats its own heartbeat).
const watchEvery = 100 * time.Millisecond

// WatchPark bounds a park on a shared ring whatever the strategy's safety
// timeout: a process that died wakes nobody, so a parked waiter must wake
// up to watch for it (and to beat its heartbeat).
const WatchPark = time.Second

// parkTimeout is how long a waiter parks at most.
func (e *Engine) parkTimeout() time.Duration {
	if e.Watch != nil {
		return min(e.Wait.Timeout, WatchPark)
	}
	return e.Wait.Timeout
}

// watchNow runs the ring's watch at most every watchEvery per waiter.
func (e *Engine) watchNow(producer bool, me *Waiter) error {
	now := time.Now()
	if now.Sub(me.checked) < watchEvery {
		return nil
	}
	me.checked = now
	if buggify.Enabled {
		buggify.Pause(buggify.Watch)
	}
	if me.Beat != nil && !(buggify.Enabled && buggify.Fire(buggify.Heartbeat)) {
		me.Beat.Store(now.UnixNano())
	}
	return e.Watch(producer, me)
}

// crowded reports whether the ring has more participants than processors to
// run them: in-process, this process's producers and consumers against
// GOMAXPROCS; shared, every process's against the machine's CPUs (both
// read when the ring is made: runtime.GOMAXPROCS takes the scheduler's lock).
func (e *Engine) crowded() bool {
	if !e.Shared {
		return int(e.Members.Load()) > e.Procs
	}
	n := 0
	for i := range min(int(e.Ctl.Records.Load()), len(e.Recs)) {
		if e.Recs[i].State.Load() == RecActive {
			n++
		}
	}
	c := n+int(e.Ctl.Producers.Load()) > e.Procs
	if e.Crowd.Load() != c {
		e.Crowd.Store(c)
	}
	return c
}

// Crowded is crowded for callers outside a wait, cheaply: in-process it is
// exact; a shared ring answers what the last wait that began in this
// process found (the table is not scanned again).
func (e *Engine) Crowded() bool {
	if !e.Shared {
		return int(e.Members.Load()) > e.Procs
	}
	return e.Crowd.Load()
}

// HaltErr is what a waiter returns when the ring is halted: the handle's
// own error if it has one (a replaced mapping says halted), else ErrHalted.
func (e *Engine) HaltErr() error {
	if e.Mapping != nil {
		if err := e.Mapping.Usable(); err != nil {
			return err
		}
	}
	return ErrHalted
}
