// Package bench holds the workloads that `disruptor bench` and the root
// package's go test benchmarks measure. Every scenario has two
// implementations of the same workload: one over the disruptor and one over
// buffered Go channels of the same capacity, with the same checks, so the
// channel numbers are a baseline measured in the same run.
//
// Every consumer checks every payload it is given; a run whose checks fail
// returns an error, never a number. The timed section of a run is marked by
// a Timer, so the same code serves testing.B and the command's own clock.
//
// The transport is a field of Config: today only "inproc" (rings on the Go
// heap) exists; a shared-memory transport plugs in where rings are made
// (newRing) without touching the scenarios.
package bench

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/disruptor-go/disruptor"
)

// Impl names an implementation of a scenario's workload.
type Impl string

// The implementations every scenario has.
const (
	Disruptor Impl = "disruptor"
	Channel   Impl = "channel"
)

// Impls lists the implementations in the order they run and are reported.
func Impls() []Impl { return []Impl{Disruptor, Channel} }

// Inproc is the in-process transport: rings and channels on the Go heap.
const Inproc = "inproc"

// Transports lists the valid values of Config.Transport.
func Transports() []string { return []string{Inproc} }

// Config says how to run a scenario. The zero value of every field means the
// default.
type Config struct {
	Transport string        // "" or "inproc"
	Events    int64         // events per measurement; 0: the scenario's default
	Ring      int           // ring and channel capacity; 0: DefaultRing
	Wait      string        // wait strategy name (see ParseWait); "": per scenario
	Timeout   time.Duration // a measurement taking longer fails; 0: DefaultTimeout

	// Corrupt, if positive, makes each producer send a wrong payload as its
	// Corrupt-th event (counting from 1), to show that the checks fail.
	Corrupt int64
}

// Defaults for Config.
const (
	// DefaultRing measured best of 256 to 65536 slots on 2 cores: the
	// disruptor's cost is in handing off between goroutines, which a larger
	// ring amortizes, until the ring outgrows the L2 cache.
	DefaultRing    = 16384
	DefaultTimeout = time.Minute
)

// Timer marks the timed section of a run. Start is called once everything is
// set up and before the first event is produced; Stop once every consumer
// has finished, before the results are checked.
type Timer interface {
	Start()
	Stop()
}

// Scenario is one workload.
type Scenario struct {
	Name          string
	Summary       string
	Waiters       int   // goroutines that may wait, busy or not
	DefaultEvents int64 // events per measurement by default
	Latency       bool  // the run records round-trip latencies

	disruptor func(*env) error
	channel   func(*env) error
}

// Scenarios returns every scenario, in the order the command runs them.
func Scenarios() []*Scenario {
	return []*Scenario{
		{Name: "unicast", Summary: "1 producer -> 1 consumer, int64 payload", Waiters: 2,
			DefaultEvents: 6_000_000, disruptor: unicastDisruptor, channel: unicastChannel},
		{Name: "unicast-batch", Summary: "1 producer claiming 16 at a time (ClaimN; channel: blocks of 16) -> 1 consumer", Waiters: 2,
			DefaultEvents: 12_000_000, disruptor: unicastBatchDisruptor, channel: unicastBatchChannel},
		{Name: "mpsc", Summary: "4 producers -> 1 consumer, per-producer FIFO checked", Waiters: 5,
			DefaultEvents: 3_000_000, disruptor: mpscDisruptor, channel: mpscChannel},
		{Name: "multicast", Summary: "1 producer -> 3 consumers, each sees every event", Waiters: 4,
			DefaultEvents: 3_000_000, disruptor: multicastDisruptor, channel: multicastChannel},
		{Name: "pipeline", Summary: "1 producer -> 3 stages in a chain, each stamps the event", Waiters: 4,
			DefaultEvents: 3_000_000, disruptor: pipelineDisruptor, channel: pipelineChannel},
		{Name: "diamond", Summary: "1 producer -> 2 parallel stages -> 1 join checking both stamps", Waiters: 4,
			DefaultEvents: 3_000_000, disruptor: diamondDisruptor, channel: diamondChannel},
		{Name: "pingpong", Summary: "round trips through two rings, one event in flight", Waiters: 2,
			DefaultEvents: 40_000, Latency: true, disruptor: pingpongDisruptor, channel: pingpongChannel},
	}
}

// Names lists the scenarios' names.
func Names() []string {
	var names []string
	for _, s := range Scenarios() {
		names = append(names, s.Name)
	}
	return names
}

// Lookup returns the scenarios named in a comma-separated list, in the
// list's order; "" or "all" selects every scenario.
func Lookup(list string) ([]*Scenario, error) {
	all := Scenarios()
	if list == "" || list == "all" {
		return all, nil
	}
	var out []*Scenario
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(all, func(s *Scenario) bool { return s.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q (valid: %s, or all)", name, strings.Join(Names(), ", "))
		}
		if !slices.Contains(out, all[i]) {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// WaitFor returns the wait strategy name a scenario runs with under cfg: the
// configured one, or else busy waiting with the pause hint when the
// scenario's waiting goroutines leave at least one processor of GOMAXPROCS
// free, and the default strategy (spin briefly, yield, then park) otherwise.
//
// Busy waiting on every processor is not enough to avoid collapse: the Go
// runtime, the OS and anything else on the machine then preempt a spinner,
// and its peer spins through whole time slices. On a shared 2-core machine
// that made unicast 10 to 100 times slower than under the default strategy.
func (s *Scenario) WaitFor(cfg Config) string {
	if cfg.Wait != "" {
		return cfg.Wait
	}
	if s.Waiters < runtime.GOMAXPROCS(0) {
		return "spin-pause"
	}
	return "default"
}

// ParseWait turns a strategy name into a strategy: spin, spin-pause,
// hybrid[:max sleep], sleep[:interval], block, default.
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
	case base == "default" && !hasArg:
		return disruptor.DefaultWait(), nil
	}
	return disruptor.WaitStrategy{}, fmt.Errorf("unknown wait strategy %q (valid: spin, spin-pause, hybrid[:max], sleep[:d], block, default)", name)
}

// Validate checks cfg's fields.
func (cfg Config) Validate() error {
	if cfg.Transport != "" && !slices.Contains(Transports(), cfg.Transport) {
		return fmt.Errorf("unknown transport %q (valid: %s)", cfg.Transport, strings.Join(Transports(), ", "))
	}
	if cfg.Events < 0 {
		return fmt.Errorf("events must be positive, not %d", cfg.Events)
	}
	if r := cfg.Ring; r != 0 && (r < 2 || r&(r-1) != 0) {
		return fmt.Errorf("ring size %d is not a power of two of at least 2", r)
	}
	if cfg.Wait != "" {
		if _, err := ParseWait(cfg.Wait); err != nil {
			return err
		}
	}
	if cfg.Corrupt < 0 {
		return fmt.Errorf("corrupt must be positive, not %d", cfg.Corrupt)
	}
	if cfg.Timeout < 0 {
		return fmt.Errorf("timeout must be positive, not %v", cfg.Timeout)
	}
	return nil
}

// env is what one run of one implementation is given.
type env struct {
	ctx       context.Context // bounds every disruptor wait of the run
	transport string
	events    int64
	ring      int
	wait      disruptor.WaitStrategy
	timer     Timer
	hist      *hdrhistogram.Histogram // latency scenarios: round trips in ns
	bad       int64
}

// value is the payload of a producer's i-th event; a test may ask for one
// to be corrupted to prove the checks catch it.
func (e *env) value(i int64) int64 {
	if i == e.bad {
		return ^i
	}
	return i
}

// newRing makes a ring for a disruptor implementation on the run's transport.
func newRing[E any](e *env, opts ...disruptor.Option) (*disruptor.Ring[E], error) {
	switch e.transport {
	case Inproc:
		return disruptor.New[E](e.ring, append(opts, disruptor.WithWaitStrategy(e.wait))...)
	}
	return nil, fmt.Errorf("transport %q is not implemented", e.transport)
}

// Sample is the outcome of one run.
type Sample struct {
	Events  int64
	Elapsed time.Duration // the timed section, as seen by the Timer
	Latency *hdrhistogram.Histogram
}

// Latency histogram bounds: 1ns to 10s, 3 significant digits.
const (
	histMin    = 1
	histMax    = int64(10 * time.Second)
	histDigits = 3
)

// RunOnce runs one implementation of s once under cfg, with t marking the
// timed section. The Sample's Elapsed is zero: timing is t's business (see
// Measure). It returns an error if any check failed.
func RunOnce(s *Scenario, impl Impl, cfg Config, t Timer) (Sample, error) {
	if err := cfg.Validate(); err != nil {
		return Sample{}, err
	}
	e := &env{transport: cfg.Transport, events: cfg.Events, ring: cfg.Ring, timer: t, bad: max(cfg.Corrupt, 0) - 1}
	if e.transport == "" {
		e.transport = Inproc
	}
	if e.events == 0 {
		e.events = s.DefaultEvents
	}
	if e.ring == 0 {
		e.ring = DefaultRing
	}
	e.wait, _ = ParseWait(s.WaitFor(cfg)) // validated above, or a name of ours
	if s.Latency {
		e.hist = hdrhistogram.New(histMin, histMax, histDigits)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	e.ctx = ctx
	run := s.disruptor
	if impl == Channel {
		run = s.channel
	} else if impl != Disruptor {
		return Sample{}, fmt.Errorf("unknown implementation %q", impl)
	}
	if err := run(e); err != nil {
		if ctx.Err() != nil {
			return Sample{}, fmt.Errorf("%s/%s: the measurement took longer than the timeout of %v: %w", s.Name, impl, timeout, err)
		}
		return Sample{}, fmt.Errorf("%s/%s: %w", s.Name, impl, err)
	}
	return Sample{Events: e.events, Latency: e.hist}, nil
}
