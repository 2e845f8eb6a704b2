package disruptor

import (
	"fmt"
	"time"

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
// cannot proceed soon gives its core away. On a ring with more producers
// and consumers than processors, Block's and DefaultWait's waiters do not
// spin at all: they yield for about as long, then park.
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
