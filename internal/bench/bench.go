// Package bench holds the workloads that `disruptor bench` and the root
// package's go test benchmarks measure. Every scenario has two
// implementations of the same workload: one over the disruptor and one over
// buffered Go channels of the same capacity, with the same checks, so the
// channel numbers are a baseline measured in the same run. The simplest
// scenarios have a third, the floor (floor.go): the same transfer over raw
// atomics and a plain slice, what the hardware allows.
//
// Every consumer checks every payload it is given; a run whose checks fail
// returns an error, never a number. The timed section of a run is marked by
// a Timer, so the same code serves testing.B and the command's own clock.
//
// The transport is a field of Config: "inproc" runs a scenario's producers
// and consumers as goroutines over rings on the Go heap, "shm" runs each of
// them in a process of its own over rings in shared memory. Both run the same
// parts (parts.go); the channel baseline is always in-process.
package bench

import (
	"context"
	"errors"
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

// The implementations: every scenario has the disruptor and the channel;
// unicast, unicast-batch and pingpong also have the floor.
const (
	Disruptor Impl = "disruptor"
	Channel   Impl = "channel"
	Floor     Impl = "floor" // raw atomics over a plain slice, no library; in-process only
)

// Impls lists the implementations every scenario has, in the order they run
// and are reported.
func Impls() []Impl { return []Impl{Disruptor, Channel} }

// Impls lists s's implementations in the order they run and are reported.
func (s *Scenario) Impls() []Impl {
	if s.floor != nil {
		return []Impl{Disruptor, Channel, Floor}
	}
	return Impls()
}

// The transports.
const (
	Inproc = "inproc" // rings and channels on the Go heap, one process
	Shm    = "shm"    // rings in shared memory, a process per producer and consumer
)

// Transports lists the valid values of Config.Transport.
func Transports() []string { return []string{Inproc, Shm} }

// Config says how to run a scenario. The zero value of every field means the
// default.
type Config struct {
	Transport string        // "" (inproc), "inproc" or "shm"
	Events    int64         // events per measurement; 0: the scenario's default for the transport
	Ring      int           // ring and channel capacity; 0: DefaultRing
	Wait      string        // wait strategy name (see ParseWait); "": per scenario
	Timeout   time.Duration // a measurement taking longer fails; 0: DefaultTimeout

	// Corrupt, if positive, makes each producer send a wrong payload as its
	// Corrupt-th event (counting from 1), to show that the checks fail.
	Corrupt int64

	// NoCounters runs the disruptor with its counters switched off
	// (disruptor.WithCounters(false)), to measure what they cost.
	NoCounters bool

	// Work, if positive, is how many dependent multiply-adds every
	// producer (of every implementation, the floor's too) does for each
	// event before it publishes it: a producer that does something
	// between events, rather than a tight loop.
	Work int

	// Child is the command line that makes this program a participant of
	// an shm run: the process finds its part in the environment variable
	// ChildEnv and must call RunChild. nil: this executable, no arguments.
	Child []string `json:"-"`
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
	Waiters       int   // goroutines (shm: processes) that may wait, busy or not
	DefaultEvents int64 // events per measurement by default
	ShmEvents     int64 // events per shm measurement by default
	Latency       bool  // the run records round-trip latencies

	// Waits are the wait strategies a run that names none measures the
	// disruptor under besides its own (see WaitFor), a row each.
	Waits []string

	disruptor implementation
	channel   func(*env) error
	floor     func(*env) error // nil: the scenario has no floor
}

// Scenarios returns every scenario, in the order the command runs them.
func Scenarios() []*Scenario {
	return []*Scenario{
		{Name: "unicast", Summary: "1 producer -> 1 consumer, int64 payload", Waiters: 2,
			DefaultEvents: 6_000_000, ShmEvents: 3_000_000, disruptor: unicastDisruptor, channel: unicastChannel, floor: unicastFloor},
		{Name: "unicast-batch", Summary: "1 producer claiming 16 at a time (ClaimN, Batch.Slices; channel: blocks of 16) -> 1 consumer reading leases (Lease.Slices)", Waiters: 2,
			DefaultEvents: 12_000_000, ShmEvents: 6_000_000, disruptor: unicastBatchDisruptor, channel: unicastBatchChannel, floor: unicastBatchFloor},
		{Name: "mpsc", Summary: "4 producers -> 1 consumer, per-producer FIFO checked", Waiters: 5,
			DefaultEvents: 3_000_000, ShmEvents: 1_000_000, disruptor: mpscDisruptor, channel: mpscChannel},
		{Name: "multicast", Summary: "1 producer -> 3 consumers, each sees every event", Waiters: 4,
			DefaultEvents: 3_000_000, ShmEvents: 1_000_000, disruptor: multicastDisruptor, channel: multicastChannel},
		{Name: "pipeline", Summary: "1 producer -> 3 stages in a chain, each stamps the event", Waiters: 4,
			DefaultEvents: 3_000_000, ShmEvents: 1_000_000, disruptor: pipelineDisruptor, channel: pipelineChannel},
		{Name: "diamond", Summary: "1 producer -> 2 parallel stages -> 1 join checking both stamps", Waiters: 4,
			DefaultEvents: 3_000_000, ShmEvents: 1_000_000, disruptor: diamondDisruptor, channel: diamondChannel},
		{Name: "pingpong", Summary: "round trips through two rings, one event in flight", Waiters: 2,
			DefaultEvents: 40_000, ShmEvents: 20_000, Latency: true, Waits: pingpongWaits,
			disruptor: pingpongDisruptor, channel: pingpongChannel, floor: pingpongFloor},
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

// implList is s's implementations, for messages.
func implList(s *Scenario) string {
	var names []string
	for _, impl := range s.Impls() {
		names = append(names, string(impl))
	}
	return strings.Join(names, ", ")
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
	if cfg.Work < 0 {
		return fmt.Errorf("work must be positive, not %d", cfg.Work)
	}
	if cfg.Timeout < 0 {
		return fmt.Errorf("timeout must be positive, not %v", cfg.Timeout)
	}
	return nil
}

// env is what one run of one implementation is given.
type env struct {
	ctx       context.Context // bounds every disruptor wait of the run
	scenario  *Scenario
	cfg       Config // as given; the fields below are its values for the run
	transport string
	events    int64
	ring      int
	wait      disruptor.WaitStrategy
	timeout   time.Duration
	timer     Timer
	hist      *hdrhistogram.Histogram // latency scenarios: round trips in ns
	bad       int64

	// Figures the participants of an shm run took of themselves.
	elapsed time.Duration
	mallocs uint64
}

// value is the payload of a producer's i-th event; a test may ask for one
// to be corrupted to prove the checks catch it.
func (e *env) value(i int64) int64 {
	if e.cfg.Work > 0 {
		work(i, e.cfg.Work)
	}
	if i == e.bad {
		return ^i
	}
	return i
}

// Sample is the outcome of one run.
type Sample struct {
	Events int64
	// Elapsed and Mallocs are the timed section's wall time and heap
	// allocations. RunOnce fills them in for shm runs only, from what the
	// participant processes measured (see Measure); otherwise timing is the
	// Timer's business.
	Elapsed time.Duration
	Mallocs uint64
	Latency *hdrhistogram.Histogram
}

// Latency histogram bounds: 1ns to 10s, 3 significant digits.
const (
	histMin    = 1
	histMax    = int64(10 * time.Second)
	histDigits = 3
)

// RunOnce runs one implementation of s once under cfg, with t marking the
// timed section. It returns an error if any check failed. The channel
// and floor implementations run in this process whatever the transport.
func RunOnce(s *Scenario, impl Impl, cfg Config, t Timer) (Sample, error) {
	return RunContext(context.Background(), s, impl, cfg, t)
}

// RunContext is RunOnce that gives up when ctx ends.
func RunContext(ctx context.Context, s *Scenario, impl Impl, cfg Config, t Timer) (Sample, error) {
	if err := cfg.Validate(); err != nil {
		return Sample{}, err
	}
	e := newEnv(s, impl, cfg, t)
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	e.ctx = ctx
	var run func(*env) error
	label := fmt.Sprintf("%s/%s", s.Name, impl)
	switch {
	case impl == Channel:
		run = s.channel
	case impl == Floor && s.floor != nil:
		run = s.floor
	case impl != Disruptor:
		return Sample{}, fmt.Errorf("scenario %s has no implementation %q (valid: %s)", s.Name, impl, implList(s))
	case e.transport == Shm:
		run, label = s.disruptor.shm, label+"/"+Shm
	default:
		run = s.disruptor.inproc
	}
	err := run(e)
	// Finished, but only after the deadline, and no wait noticed it: the
	// clock says so even when ctx's timer has not fired yet (busy
	// goroutines on every processor can keep it from running).
	dl, _ := ctx.Deadline()
	late := errors.Is(ctx.Err(), context.DeadlineExceeded) || !time.Now().Before(dl)
	if err == nil && late {
		err = context.DeadlineExceeded
	}
	if err != nil {
		if late {
			return Sample{}, fmt.Errorf("%s: the measurement took longer than the timeout of %v: %w", label, e.timeout, err)
		}
		return Sample{}, fmt.Errorf("%s: %w", label, err)
	}
	return Sample{Events: e.events, Elapsed: e.elapsed, Mallocs: e.mallocs, Latency: e.hist}, nil
}

// newEnv sets up a run of impl of s under a valid cfg.
func newEnv(s *Scenario, impl Impl, cfg Config, t Timer) *env {
	e := &env{scenario: s, cfg: cfg, transport: cfg.Transport, events: cfg.Events, ring: cfg.Ring, timer: t,
		timeout: cfg.Timeout, bad: max(cfg.Corrupt, 0) - 1}
	if e.transport == "" || impl != Disruptor {
		e.transport = Inproc
	}
	if e.events == 0 {
		e.events = s.DefaultEvents
		if e.transport == Shm {
			e.events = s.ShmEvents
		}
	}
	if e.ring == 0 {
		e.ring = DefaultRing
	}
	if e.timeout == 0 {
		e.timeout = DefaultTimeout
	}
	e.wait, _ = ParseWait(s.WaitFor(cfg)) // validated, or a name of ours
	if s.Latency {
		e.hist = hdrhistogram.New(histMin, histMax, histDigits)
	}
	return e
}

// work is a producer's work for an event of value v: n dependent
// multiply-adds, kept (runtime.KeepAlive) so that none is skipped.
//
//go:noinline
func work(v int64, n int) {
	for range n {
		v = v*31 + 7
	}
	runtime.KeepAlive(v)
}
