package disruptor

import (
	"context"
	"fmt"
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
	s engine.Schedule // the phases, which the engine's wait loop runs
}

// Defaults for the parking strategies.
const (
	defaultSafetyTimeout = 250 * time.Millisecond
	defaultSpins         = 256 // busy polls, one pause each: about 6 µs on a pause of 25 ns
	defaultYields        = 4
)

// BusySpin polls without pause: the lowest latency, one core burned per
// waiter. Use it only with no more waiters than free cores.
func BusySpin() WaitStrategy { return WaitStrategy{s: engine.Schedule{Name: "spin", Spins: -1}} }

// SpinPause polls with the CPU's pause hint between polls. Like BusySpin it
// never gives up its core.
func SpinPause() WaitStrategy {
	return WaitStrategy{s: engine.Schedule{Name: "spin-pause", Spins: -1, Pause: true}}
}

// Hybrid spins, then yields, then sleeps with doubling durations from 1µs up
// to max: low latency while busy, little CPU when idle.
func Hybrid(max time.Duration) WaitStrategy {
	if max < time.Microsecond {
		max = time.Microsecond
	}
	return WaitStrategy{s: engine.Schedule{Name: "hybrid", Spins: defaultSpins, Pause: true, Yields: defaultYields,
		SleepMin: time.Microsecond, SleepMax: max}}
}

// Sleep polls once every d.
func Sleep(d time.Duration) WaitStrategy {
	if d <= 0 {
		d = time.Microsecond
	}
	return WaitStrategy{s: engine.Schedule{Name: "sleep", SleepMin: d, SleepMax: d}}
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
	return WaitStrategy{s: engine.Schedule{Name: "block", Spins: defaultSpins, Pause: true, Yields: 0,
		Park: true, Timeout: safety}}
}

// DefaultWait is the strategy of the zero WaitStrategy: Block's schedule. It
// does not collapse when waiters outnumber cores, because a waiter that
// cannot proceed soon gives its core away.
func DefaultWait() WaitStrategy {
	w := Block()
	w.s.Name = "default"
	return w
}

// String names the strategy and its schedule.
func (w WaitStrategy) String() string {
	w = w.orDefault()
	switch {
	case w.s.Spins < 0:
		return w.s.Name
	case w.s.Park:
		return fmt.Sprintf("%s(spins=%d,yields=%d,timeout=%v)", w.s.Name, w.s.Spins, w.s.Yields, w.s.Timeout)
	default:
		return fmt.Sprintf("%s(spins=%d,yields=%d,sleep=%v..%v)", w.s.Name, w.s.Spins, w.s.Yields, w.s.SleepMin, w.s.SleepMax)
	}
}

func (w WaitStrategy) orDefault() WaitStrategy {
	if w.s.Name == "" {
		w = DefaultWait()
	}
	return w
}

// forProcs adapts a strategy that gives its core away to the processors Go
// runs on: with one, a waiter's spinning only delays whoever it waits for, so
// it yields at once.
func (w WaitStrategy) forProcs(procs int) WaitStrategy {
	w = w.orDefault()
	if procs == 1 && w.s.Spins > 0 {
		w.s.Yields += w.s.Spins
		w.s.Spins = 0
	}
	return w
}

// await is the one wait loop of the engine, for producers and consumers
// alike: it runs the strategy's idle steps until ready reports true, the ring
// is halted, or ctx ends. ready is called again after announcing a park, so a
// wake-up cannot be lost (see park.go). On a shared ring it runs guarded: a
// fault on the mapping (its file was truncated) returns ErrTruncated.
func (e *ringEngine) await(ctx context.Context, site engine.ParkSite, me *engine.Waiter, wc *engine.WaitCounts, ready func() bool) (err error) {
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
	if w.Park {
		if e.crowded() {
			// More participants than processors: a waiter must let the one
			// it waits for run, so it yields a little before parking and
			// never spins longer than the strategy says.
			w.Yields = defaultYields
		} else {
			w.Spins, adaptive = max(w.Spins, me.Spins), true
		}
	}
	var parkedFor time.Duration
	defer func() {
		if adaptive {
			me.Adapt(e.wait.Spins, parkedFor)
		}
	}()
	for n := 0; ; n++ {
		if e.halted() {
			return e.haltErr()
		}
		if done != nil && (n&63 == 0 || w.Yielded(n)) {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		wc.Polls++
		if n&1023 == 1023 && me.Flush != nil {
			me.ShowWaits(time.Now())
		}
		if w.Yielded(n) {
			wc.Yields++
			if e.watch != nil && (n&15 == 0 || w.Park) {
				if err := e.watchNow(site == e.spaceSite, me); err != nil {
					if ready() { // what the producers published before they died comes first
						return nil
					}
					return err
				}
			}
		}
		if w.Idle(n, e.shared) {
			if buggify.Enabled {
				buggify.Pause(buggify.ParkPrepare)
			}
			site.Prepare(me)
			e.fence()
			if buggify.Enabled {
				buggify.Pause(buggify.ParkRecheck)
			}
			if ready() || e.halted() {
				site.Cancel(me)
			} else {
				wc.Parks++
				me.Parks++
				t0 := time.Now()
				me.ShowWaits(t0)
				timeout := engine.ParkFor(ctx, e.parkTimeout())
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
		return min(e.wait.Timeout, watchPark)
	}
	return e.wait.Timeout
}

// watchNow runs the ring's watch at most every watchEvery per waiter.
func (e *ringEngine) watchNow(producer bool, me *engine.Waiter) error {
	now := time.Now()
	if now.Sub(me.Checked) < watchEvery {
		return nil
	}
	me.Checked = now
	if buggify.Enabled {
		buggify.Pause(buggify.Watch)
	}
	if me.Beat != nil && !(buggify.Enabled && buggify.Fire(buggify.Heartbeat)) {
		me.Beat.Store(now.UnixNano())
	}
	return e.watch(producer, me)
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
