package bench

import (
	"cmp"
	"context"
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
	Busy           int      `json:"busy"`               // busy processes beside the measurement (see StartBusy)
	Work           int      `json:"work,omitempty"`     // multiply-adds each producer does an event (Config.Work)
	Wait           string   `json:"wait,omitempty"`     // disruptor rows only
	Counters       *bool    `json:"counters,omitempty"` // disruptor rows: counters published
	P50            int64    `json:"p50_ns,omitempty"`
	P99            int64    `json:"p99_ns,omitempty"`
	P999           int64    `json:"p999_ns,omitempty"`
	RatioToChannel *float64 `json:"ratio_to_channel,omitempty"` // disruptor rows: ns/event over the channel's
	RatioToFloor   *float64 `json:"ratio_to_floor,omitempty"`   // disruptor rows of scenarios with a floor: ns/event over the floor's
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

// Measure runs one implementation of s once and returns its Sample with
// Elapsed and Mallocs filled in: by its own clock around the timed section,
// or, for shm runs, as the participant processes measured themselves (the
// section from the first one's start to the last consumer's EOF, and the sum
// of every participant's allocations in its own timed section).
func Measure(ctx context.Context, s *Scenario, impl Impl, cfg Config) (Sample, error) {
	var c clock
	smp, err := RunContext(ctx, s, impl, cfg, &c)
	if err != nil {
		return Sample{}, err
	}
	if smp.Elapsed == 0 {
		smp.Elapsed, smp.Mallocs = c.t1.Sub(c.t0), c.m1-c.m0
	}
	return smp, nil
}

// Runner measures scenarios: the disruptor on each transport under each
// wait strategy, the channel baseline (in-process) and, where the scenario
// has one, the floor (in-process), each Runs times, alternating between them
// so that a change in the machine's load falls on all.
type Runner struct {
	Config     Config   // Config.Transport and Config.Wait are set per row
	Transports []string // the disruptor's transports; nil: Config.Transport
	// Waits are the disruptor's wait strategies, a row each; nil:
	// Config.Wait, or if that is empty the scenario's (see Scenario.Waits).
	Waits []string
	Runs  int // 0 means 1
	// Busy is how many busy processes the caller runs beside the
	// measurements (see StartBusy), for the results to say.
	Busy int

	// Progress, if set, is called before each run.
	Progress func(s *Scenario, impl Impl, transport string, run, runs int)
}

// row is one implementation on one transport (and, for the disruptor,
// under one wait strategy).
type row struct {
	impl      Impl
	transport string
	wait      string
}

func (r *Runner) rows(s *Scenario) []row {
	ts := r.Transports
	if len(ts) == 0 {
		ts = []string{cmp.Or(r.Config.Transport, Inproc)}
	}
	var rows []row
	for _, t := range ts {
		for _, w := range s.waitsFor(r.Config, r.Waits) {
			rows = append(rows, row{Disruptor, t, w})
		}
	}
	for _, impl := range s.Impls()[1:] {
		rows = append(rows, row{impl: impl, transport: Inproc})
	}
	return rows
}

// Measurements is how many measurements one run of s makes: Run makes Runs
// times as many.
func (r *Runner) Measurements(s *Scenario) int { return len(r.rows(s)) }

// Run measures s and returns its results: a disruptor row per transport and
// wait strategy, with its ratios to the channel and the floor filled in,
// then the channel row and, if s has a floor, the floor row.
func (r *Runner) Run(ctx context.Context, s *Scenario) ([]Result, error) {
	runs := max(r.Runs, 1)
	rows := r.rows(s)
	samples := make([][]Sample, len(rows))
	for k := range runs {
		for i, w := range rows {
			if r.Progress != nil {
				r.Progress(s, w.impl, w.transport, k+1, runs)
			}
			cfg := r.Config
			cfg.Transport = w.transport
			if w.impl == Disruptor {
				cfg.Wait = w.wait
			}
			m, err := Measure(ctx, s, w.impl, cfg)
			if err != nil {
				return nil, err
			}
			samples[i] = append(samples[i], m)
		}
	}
	out := make([]Result, len(rows))
	base := map[Impl]float64{}
	for i, w := range rows {
		out[i] = r.summarize(s, w, samples[i])
		if w.impl != Disruptor {
			base[w.impl] = out[i].NsPerEvent
		}
	}
	ratio := func(x Result, impl Impl) *float64 {
		if b := base[impl]; b > 0 {
			v := x.NsPerEvent / b
			return &v
		}
		return nil
	}
	for i, w := range rows {
		if w.impl == Disruptor {
			out[i].RatioToChannel, out[i].RatioToFloor = ratio(out[i], Channel), ratio(out[i], Floor)
		}
	}
	return out, nil
}

func (r *Runner) summarize(s *Scenario, w row, ms []Sample) Result {
	ev := ms[0].Events
	res := Result{Scenario: s.Name, Transport: w.transport, Impl: w.impl, Events: ev, Runs: len(ms),
		Ring: cmp.Or(r.Config.Ring, DefaultRing), Busy: r.Busy, Work: r.Config.Work}
	if w.impl == Disruptor {
		res.Wait = w.wait
		on := !r.Config.NoCounters
		res.Counters = &on
	}
	res.NsPerEvent = median(ms, func(m Sample) float64 { return float64(m.Elapsed.Nanoseconds()) / float64(ev) })
	if res.NsPerEvent > 0 {
		res.EventsPerSec = 1e9 / res.NsPerEvent
	}
	res.AllocsPerEvent = median(ms, func(m Sample) float64 { return float64(m.Mallocs) / float64(ev) })
	if s.Latency {
		q := func(p float64) int64 {
			return int64(median(ms, func(m Sample) float64 { return float64(m.Latency.ValueAtQuantile(p)) }))
		}
		res.P50, res.P99, res.P999 = q(50), q(99), q(99.9)
	}
	return res
}

// median is the median of f over ms (the mean of the middle two for an
// even count).
func median(ms []Sample, f func(Sample) float64) float64 {
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
