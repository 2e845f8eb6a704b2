package bench

import (
	"runtime"
	"slices"
	"time"
)

// Result is the summary of a scenario's implementation over several runs:
// each figure is the median of the runs'. Its JSON form is one line of
// `disruptor bench -json`.
type Result struct {
	Scenario       string   `json:"scenario"`
	Transport      string   `json:"transport"`
	Impl           Impl     `json:"impl"`
	Events         int64    `json:"events"`
	Runs           int      `json:"runs"`
	NsPerEvent     float64  `json:"ns_per_event"`
	EventsPerSec   float64  `json:"events_per_sec"`
	AllocsPerEvent float64  `json:"allocs_per_event"`
	Ring           int      `json:"ring"`
	Wait           string   `json:"wait,omitempty"` // disruptor rows only
	P50            int64    `json:"p50_ns,omitempty"`
	P99            int64    `json:"p99_ns,omitempty"`
	P999           int64    `json:"p999_ns,omitempty"`
	RatioToChannel *float64 `json:"ratio_to_channel,omitempty"` // disruptor rows: ns/event over the channel's
}

// Measured is a Sample with the figures the command's Timer takes.
type Measured struct {
	Sample
	Mallocs uint64 // heap allocations during the timed section
}

// clock is the command's Timer: wall time and allocation count around the
// timed section. Start collects garbage first, so one run's garbage does not
// cost the next.
type clock struct {
	t0, t1 time.Time
	m0, m1 uint64
}

func (c *clock) Start() {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	c.m0 = ms.Mallocs
	c.t0 = time.Now()
}

func (c *clock) Stop() {
	c.t1 = time.Now()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	c.m1 = ms.Mallocs
}

// Measure runs one implementation of s once, timing it with its own clock.
func Measure(s *Scenario, impl Impl, cfg Config) (Measured, error) {
	var c clock
	smp, err := RunOnce(s, impl, cfg, &c)
	if err != nil {
		return Measured{}, err
	}
	smp.Elapsed = c.t1.Sub(c.t0)
	return Measured{Sample: smp, Mallocs: c.m1 - c.m0}, nil
}

// Runner measures scenarios, each implementation Runs times, alternating
// implementations so that a change in the machine's load falls on both.
type Runner struct {
	Config   Config
	Runs     int                                         // 0 means 1
	Progress func(s *Scenario, impl Impl, run, runs int) // called before each run, if set
}

// Run measures both implementations of s and returns their results,
// disruptor first, with the disruptor's ratio to the channel filled in.
func (r *Runner) Run(s *Scenario) ([]Result, error) {
	runs := max(r.Runs, 1)
	impls := Impls()
	samples := make([][]Measured, len(impls))
	for k := range runs {
		for i, impl := range impls {
			if r.Progress != nil {
				r.Progress(s, impl, k+1, runs)
			}
			m, err := Measure(s, impl, r.Config)
			if err != nil {
				return nil, err
			}
			samples[i] = append(samples[i], m)
		}
	}
	out := make([]Result, len(impls))
	for i, impl := range impls {
		out[i] = r.summarize(s, impl, samples[i])
	}
	if ch := out[1].NsPerEvent; ch > 0 {
		ratio := out[0].NsPerEvent / ch
		out[0].RatioToChannel = &ratio
	}
	return out, nil
}

func (r *Runner) summarize(s *Scenario, impl Impl, ms []Measured) Result {
	ev := ms[0].Events
	res := Result{Scenario: s.Name, Transport: r.Config.Transport, Impl: impl, Events: ev, Runs: len(ms),
		Ring: r.Config.Ring}
	if res.Transport == "" {
		res.Transport = Inproc
	}
	if res.Ring == 0 {
		res.Ring = DefaultRing
	}
	if impl == Disruptor {
		res.Wait = s.WaitFor(r.Config)
	}
	res.NsPerEvent = median(ms, func(m Measured) float64 { return float64(m.Elapsed.Nanoseconds()) / float64(ev) })
	if res.NsPerEvent > 0 {
		res.EventsPerSec = 1e9 / res.NsPerEvent
	}
	res.AllocsPerEvent = median(ms, func(m Measured) float64 { return float64(m.Mallocs) / float64(ev) })
	if s.Latency {
		q := func(p float64) int64 {
			return int64(median(ms, func(m Measured) float64 { return float64(m.Latency.ValueAtQuantile(p)) }))
		}
		res.P50, res.P99, res.P999 = q(50), q(99), q(99.9)
	}
	return res
}

// median is the median of f over ms (the mean of the middle two for an
// even count).
func median(ms []Measured, f func(Measured) float64) float64 {
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = f(m)
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
