package disruptor

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// WaitStrategy says what a producer or consumer does while it cannot proceed:
// the ring is full, or no event is available. Every strategy is one schedule
// of the same phases, in order: busy polls (optionally with the CPU's pause
// hint), polls that yield the processor, sleeps that double from a minimum to
// a cap, and parking until woken.
//
// Strategies are plain values; the zero value is DefaultWait.
type WaitStrategy struct {
	name     string
	spins    int           // busy polls before the next phase; <0 spins forever
	pause    bool          // issue the CPU pause hint on each busy poll
	yields   int           // polls that call runtime.Gosched
	sleepMin time.Duration // first sleep; 0 means no sleep phase
	sleepMax time.Duration // sleeps double up to this cap
	park     bool          // park after the phases above
	timeout  time.Duration // a parked waiter re-checks after this long at most
}

// Defaults for the parking strategies.
const (
	defaultSafetyTimeout = 250 * time.Millisecond
	defaultSpins         = 256 // busy polls, one pause each: about 6 µs on a pause of 25 ns
	defaultYields        = 4
)

// BusySpin polls without pause: the lowest latency, one core burned per
// waiter. Use it only with no more waiters than free cores.
func BusySpin() WaitStrategy { return WaitStrategy{name: "spin", spins: -1} }

// SpinPause polls with the CPU's pause hint between polls. Like BusySpin it
// never gives up its core.
func SpinPause() WaitStrategy { return WaitStrategy{name: "spin-pause", spins: -1, pause: true} }

// Hybrid spins, then yields, then sleeps with doubling durations from 1µs up
// to max: low latency while busy, little CPU when idle.
func Hybrid(max time.Duration) WaitStrategy {
	if max < time.Microsecond {
		max = time.Microsecond
	}
	return WaitStrategy{name: "hybrid", spins: defaultSpins, pause: true, yields: defaultYields,
		sleepMin: time.Microsecond, sleepMax: max}
}

// Sleep polls once every d.
func Sleep(d time.Duration) WaitStrategy {
	if d <= 0 {
		d = time.Microsecond
	}
	return WaitStrategy{name: "sleep", sleepMin: d, sleepMax: d}
}

// Block spins briefly, yields briefly, then parks until a publisher wakes it.
// Publishers make a wake-up call only when someone is parked, so an
// uncontended publish costs no call.
func Block() WaitStrategy { return BlockTimeout(defaultSafetyTimeout) }

// BlockTimeout is Block with a safety timeout: a parked waiter re-checks its
// condition at least this often even if no wake-up reaches it.
func BlockTimeout(safety time.Duration) WaitStrategy {
	if safety <= 0 {
		safety = defaultSafetyTimeout
	}
	return WaitStrategy{name: "block", spins: defaultSpins, pause: true, yields: 0,
		park: true, timeout: safety}
}

// DefaultWait is the strategy of the zero WaitStrategy: Block's schedule. It
// does not collapse when waiters outnumber cores, because a waiter that
// cannot proceed soon gives its core away.
func DefaultWait() WaitStrategy {
	w := Block()
	w.name = "default"
	return w
}

// String names the strategy and its schedule.
func (w WaitStrategy) String() string {
	w = w.orDefault()
	switch {
	case w.spins < 0:
		return w.name
	case w.park:
		return fmt.Sprintf("%s(spins=%d,yields=%d,timeout=%v)", w.name, w.spins, w.yields, w.timeout)
	default:
		return fmt.Sprintf("%s(spins=%d,yields=%d,sleep=%v..%v)", w.name, w.spins, w.yields, w.sleepMin, w.sleepMax)
	}
}

func (w WaitStrategy) orDefault() WaitStrategy {
	if w.name == "" {
		w = DefaultWait()
	}
	return w
}

// forProcs adapts a strategy that gives its core away to the processors Go
// runs on: with one, a waiter's spinning only delays whoever it waits for, so
// it yields at once.
func (w WaitStrategy) forProcs(procs int) WaitStrategy {
	w = w.orDefault()
	if procs == 1 && w.spins > 0 {
		w.yields += w.spins
		w.spins = 0
	}
	return w
}

// idle performs the idle step number n (counting from 0) of a wait and
// reports whether the caller should park now. It is the only place the
// phases are interpreted.
//
// osToo makes a yield also yield the OS thread: across processes the one
// waited for is another process, which runtime.Gosched does not serve.
func (w *WaitStrategy) idle(n int, osToo bool) (park bool) {
	if w.spins < 0 || n < w.spins {
		if w.pause { // one pause a poll: a waiter looks every pause or so
			engine.CPUPause()
		}
		return false
	}
	n -= w.spins
	if n < w.yields {
		runtime.Gosched()
		if osToo {
			engine.OSYield()
		}
		return false
	}
	if w.park {
		return true
	}
	if w.sleepMin == 0 {
		runtime.Gosched()
		return false
	}
	n -= w.yields
	d := w.sleepMin
	for ; n > 0 && d < w.sleepMax; n-- {
		d *= 2
	}
	time.Sleep(min(d, w.sleepMax))
	return false
}

// yields reports whether idle step n gave the processor away (for statistics).
func (w *WaitStrategy) yielded(n int) bool { return w.spins >= 0 && n >= w.spins }

// await is the one wait loop of the engine, for producers and consumers
// alike: it runs the strategy's idle steps until ready reports true, the ring
// is halted, or ctx ends. ready is called again after announcing a park, so a
// wake-up cannot be lost (see park.go). On a shared ring it runs guarded: a
// fault on the mapping (its file was truncated) returns ErrTruncated.
func (e *ringEngine) await(ctx context.Context, site parkSite, me *waiter, wc *engine.WaitCounts, ready func() bool) (err error) {
	if e.mapping != nil {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if v := recover(); v != nil {
				err = e.mapping.recovered(v)
			}
		}()
	}
	done := ctx.Done()
	sched := e.wait
	w := &sched
	adaptive := false
	if w.park {
		if e.crowded() {
			// More participants than processors: a waiter must let the one
			// it waits for run, so it yields a little before parking and
			// never spins longer than the strategy says.
			w.yields = defaultYields
		} else {
			w.spins, adaptive = max(w.spins, me.spins), true
		}
	}
	var parkedFor time.Duration
	defer func() {
		if adaptive {
			me.adapt(e.wait.spins, parkedFor)
		}
	}()
	for n := 0; ; n++ {
		if e.halted() {
			return e.haltErr()
		}
		if done != nil && (n&63 == 0 || w.yielded(n)) {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		wc.Polls++
		if n&1023 == 1023 && me.flush != nil {
			me.showWaits(time.Now())
		}
		if w.yielded(n) {
			wc.Yields++
			if e.watch != nil && (n&15 == 0 || w.park) {
				if err := e.watchNow(site == e.spaceSite, me); err != nil {
					if ready() { // what the producers published before they died comes first
						return nil
					}
					return err
				}
			}
		}
		if w.idle(n, e.shared) {
			if buggify.Enabled {
				buggify.Pause(buggify.ParkPrepare)
			}
			site.prepare(me)
			e.fence()
			if buggify.Enabled {
				buggify.Pause(buggify.ParkRecheck)
			}
			if ready() || e.halted() {
				site.cancel(me)
			} else {
				wc.Parks++
				me.parks++
				t0 := time.Now()
				me.showWaits(t0)
				timeout := parkFor(ctx, e.parkTimeout())
				if buggify.Enabled { // woken early, by nobody
					timeout = buggify.Shorter(buggify.ParkSpurious, timeout)
				}
				site.park(done, me, timeout)
				parkedFor = time.Since(t0)
			}
		}
		if ready() {
			return nil
		}
	}
}

// showEvery is how often a participant that keeps waiting publishes its
// counters, so that its waits and parks show while it is blocked.
const showEvery = 50 * time.Millisecond

// showWaits runs the waiter's flush hook if it has not for showEvery.
func (me *waiter) showWaits(now time.Time) {
	if me.flush != nil && now.Sub(me.shown) >= showEvery {
		me.shown = now
		me.flush()
	}
}

// watchEvery is how often a waiter on a shared ring checks on the other
// processes (and beats its own heartbeat).
const watchEvery = 100 * time.Millisecond

// watchPark bounds a park on a shared ring whatever the strategy's safety
// timeout: a process that died wakes nobody, so a parked waiter must wake
// up to watch for it (and to beat its heartbeat).
const watchPark = time.Second

// parkTimeout is how long a waiter parks at most.
func (e *ringEngine) parkTimeout() time.Duration {
	if e.watch != nil {
		return min(e.wait.timeout, watchPark)
	}
	return e.wait.timeout
}

// watchNow runs the ring's watch at most every watchEvery per waiter.
func (e *ringEngine) watchNow(producer bool, me *waiter) error {
	now := time.Now()
	if now.Sub(me.checked) < watchEvery {
		return nil
	}
	me.checked = now
	if buggify.Enabled {
		buggify.Pause(buggify.Watch)
	}
	if me.beat != nil && !(buggify.Enabled && buggify.Fire(buggify.Heartbeat)) {
		me.beat.Store(now.UnixNano())
	}
	return e.watch(producer, me)
}

// Adaptive spinning for the parking strategies. A wake-up costs
// microseconds (the runtime may have to wake a sleeping thread), so two
// goroutines handing events back and forth can settle into parking on every
// hand-off, each giving up just before the other answers. A waiter whose
// park ended soon after it began doubles its spin phase for the next wait,
// up to maxSpins; one that parked for long goes back to the strategy's own.
const (
	maxSpins  = 4096
	shortPark = 200 * time.Microsecond
)

func (me *waiter) adapt(base int, parkedFor time.Duration) {
	switch {
	case parkedFor == 0: // did not park
	case parkedFor < shortPark:
		me.spins = min(max(me.spins, base)*2, maxSpins)
	default:
		me.spins = base
	}
}

// crowded reports whether the ring has more participants than processors to
// run them: in-process, this process's producers and consumers against
// GOMAXPROCS; shared, every process's against the machine's CPUs (both
// read when the ring is made: runtime.GOMAXPROCS takes the scheduler's lock).
func (e *ringEngine) crowded() bool {
	if !e.shared {
		return int(e.members.Load()) > e.procs
	}
	n := 0
	for i := range min(int(e.ctl.Records.Load()), len(e.recs)) {
		if e.recs[i].State.Load() == engine.RecActive {
			n++
		}
	}
	return n+int(e.ctl.Producers.Load()) > e.procs
}
