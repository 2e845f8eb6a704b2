package bench

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/disruptor-go/disruptor"
)

// WaitFor returns the wait strategy name a scenario runs with under cfg: the
// configured one, or else busy waiting with the pause hint when the
// scenario's waiting goroutines leave at least one processor of GOMAXPROCS
// free, and the default strategy (spin briefly, yield, then park) otherwise.
//
// Busy waiting on every processor is not enough to avoid collapse: the Go
// runtime, the OS and anything else on the machine then preempt a spinner,
// and its peer spins through whole time slices. On a shared 2-core machine
// that made unicast 10 to 100 times slower than under the default strategy.
// Under shm the waiters are processes, one per part, and the same rule
// holds: a spinning process must not take a processor its peer needs.
func (s *Scenario) WaitFor(cfg Config) string {
	if cfg.Wait != "" {
		return cfg.Wait
	}
	if s.Waiters < runtime.GOMAXPROCS(0) {
		return "spin-pause"
	}
	return "default"
}

// WaitNames lists every wait strategy by the name ParseWait takes, with
// its default argument where it takes one.
func WaitNames() []string {
	return []string{"spin", "spin-pause", "hybrid", "sleep", "block", "park", "default"}
}

// pingpongWaits are the strategies the default run measures pingpong
// under, beside the one WaitFor gives: round-trip latency is where they
// differ most. Sleep is left out: its sleeps, 50 µs and more here, would
// make the run minutes long and say nothing new.
var pingpongWaits = []string{"spin", "spin-pause", "hybrid", "block", "default"}

// waitsFor returns the strategies a run measures s under, a disruptor row
// each: waits if given, else the configured one, else WaitFor's and then
// s.Waits, without repeats.
func (s *Scenario) waitsFor(cfg Config, waits []string) []string {
	if len(waits) > 0 {
		return waits
	}
	out := []string{s.WaitFor(cfg)}
	if cfg.Wait != "" {
		return out
	}
	for _, w := range s.Waits {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// validWaits are the forms ParseWait takes, for messages.
var validWaits = []string{"spin", "spin-pause", "hybrid[:max]", "sleep[:d]", "block", "park", "default"}

// ParseWait turns a strategy name into a strategy: spin, spin-pause,
// hybrid[:max sleep], sleep[:interval], block, park, default.
func ParseWait(name string) (disruptor.WaitStrategy, error) {
	base, arg, hasArg := strings.Cut(name, ":")
	d := time.Duration(0)
	if hasArg {
		var err error
		if d, err = time.ParseDuration(arg); err != nil || d <= 0 {
			return disruptor.WaitStrategy{}, fmt.Errorf("wait strategy %q: bad duration %q", name, arg)
		}
	}
	withDuration := func(def time.Duration) time.Duration {
		if d == 0 {
			return def
		}
		return d
	}
	switch {
	case base == "spin" && !hasArg:
		return disruptor.BusySpin(), nil
	case base == "spin-pause" && !hasArg:
		return disruptor.SpinPause(), nil
	case base == "hybrid":
		return disruptor.Hybrid(withDuration(100 * time.Microsecond)), nil
	case base == "sleep":
		return disruptor.Sleep(withDuration(10 * time.Microsecond)), nil
	case base == "block" && !hasArg:
		return disruptor.Block(), nil
	case base == "park" && !hasArg:
		return disruptor.Park(), nil
	case base == "default" && !hasArg:
		return disruptor.DefaultWait(), nil
	}
	return disruptor.WaitStrategy{}, fmt.Errorf("unknown wait strategy %q (valid: %s)", name, strings.Join(validWaits, ", "))
}
