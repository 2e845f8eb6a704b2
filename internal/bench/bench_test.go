package bench

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
)

type nopTimer struct{ starts, stops int }

func (t *nopTimer) Start() { t.starts++ }
func (t *nopTimer) Stop()  { t.stops++ }

// quick is a configuration that runs every scenario in milliseconds, and
// fails rather than hangs.
// quick is a small run's config. Its deadline is generous: busy-polling
// pairs (the floor) on a 2-core machine shared with other tests, under the
// race detector, can take seconds for a few thousand hand-offs.
func quick(events int64, ring int) Config {
	return Config{Events: events, Ring: ring, Timeout: 2 * time.Minute}
}

func TestScenariosCheckOut(t *testing.T) {
	for _, s := range Scenarios() {
		for _, impl := range s.Impls() {
			for _, c := range []struct {
				events int64
				ring   int
			}{{1, 2}, {3, 2}, {17, 8}, {5000, 8}, {5000, 0}} {
				var tm nopTimer
				smp, err := RunOnce(s, impl, quick(c.events, c.ring), &tm)
				if err != nil {
					t.Fatalf("%s/%s events=%d ring=%d: %v", s.Name, impl, c.events, c.ring, err)
				}
				if tm.starts != 1 || tm.stops != 1 {
					t.Errorf("%s/%s: timer started %d and stopped %d times, want 1 and 1", s.Name, impl, tm.starts, tm.stops)
				}
				if smp.Events != c.events {
					t.Errorf("%s/%s: sample of %d events, want %d", s.Name, impl, smp.Events, c.events)
				}
				if s.Latency && (smp.Latency == nil || smp.Latency.TotalCount() != c.events) {
					t.Errorf("%s/%s: latency histogram missing or short", s.Name, impl)
				}
			}
		}
	}
}

// TestChecksCatchCorruption proves every consumer's checks can fail: a
// corrupted payload must fail the run, in every scenario and implementation.
func TestChecksCatchCorruption(t *testing.T) {
	for _, s := range Scenarios() {
		for _, impl := range s.Impls() {
			for _, bad := range []int64{1, 100, 1000} { // the first, a middle, the last event
				cfg := quick(1000, 16)
				cfg.Corrupt = bad
				if s.Name == "mpsc" {
					cfg.Events = 1000 * mpscProducers
				}
				_, err := RunOnce(s, impl, cfg, &nopTimer{})
				if err == nil {
					t.Errorf("%s/%s: payload %d corrupted, and the run passed", s.Name, impl, bad-1)
				} else if !strings.Contains(err.Error(), "event") {
					t.Errorf("%s/%s: unhelpful error: %v", s.Name, impl, err)
				}
			}
		}
	}
}

// TestWorkKeepsChecks: producers that work between events (Config.Work)
// still deliver every payload, and a corrupted one still fails the run, in
// every scenario and implementation; the work is reported in the result.
func TestWorkKeepsChecks(t *testing.T) {
	for _, s := range Scenarios() {
		for _, impl := range s.Impls() {
			cfg := quick(400, 16)
			cfg.Work = 50
			if s.Name == "mpsc" {
				cfg.Events = 400 * mpscProducers
			}
			if _, err := RunOnce(s, impl, cfg, &nopTimer{}); err != nil {
				t.Errorf("%s/%s with work: %v", s.Name, impl, err)
			}
			cfg.Corrupt = 7
			if _, err := RunOnce(s, impl, cfg, &nopTimer{}); err == nil {
				t.Errorf("%s/%s with work: payload 6 corrupted, and the run passed", s.Name, impl)
			}
		}
	}
	r := Runner{Config: Config{Events: 64, Work: 5}, Runs: 1}
	res, err := r.Run(context.Background(), Scenarios()[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range res {
		if x.Work != 5 {
			t.Errorf("%s/%s: result's work %d, want 5", x.Scenario, x.Impl, x.Work)
		}
	}
}

// TestEveryWaitStrategy runs scenarios under every strategy, except that
// busy spinning is kept to scenarios whose waiters fit in GOMAXPROCS, and
// to few events when they fill it: spinners on every processor of a busy
// machine collapse (see WaitFor), at milliseconds per event.
func TestEveryWaitStrategy(t *testing.T) {
	for _, w := range []string{"spin", "spin-pause", "hybrid", "hybrid:10us", "sleep:1us", "block", "default"} {
		for _, name := range []string{"unicast", "mpsc", "diamond", "pingpong"} {
			s, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			cfg := quick(2000, 16)
			if spin := strings.HasPrefix(w, "spin"); spin && s[0].Waiters > runtime.GOMAXPROCS(0) {
				continue
			} else if spin && s[0].Waiters == runtime.GOMAXPROCS(0) {
				cfg.Events = 200
			}
			cfg.Wait = w
			if _, err := RunOnce(s[0], Disruptor, cfg, &nopTimer{}); err != nil {
				t.Errorf("wait %s: %v", w, err)
			}
		}
	}
}

// TestTimeout: a run that outlasts its timeout fails, and says so, in every
// disruptor implementation (every goroutine of the run returns).
func TestTimeout(t *testing.T) {
	for _, s := range Scenarios() {
		cfg := quick(1_000_000, 0)
		cfg.Timeout = time.Millisecond
		t0 := time.Now()
		_, err := RunOnce(s, Disruptor, cfg, &nopTimer{})
		if err == nil || !strings.Contains(err.Error(), "took longer than the timeout of 1ms") {
			t.Errorf("%s: %v", s.Name, err)
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Errorf("%s: a run with a 1ms timeout took %v", s.Name, d)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	s := Scenarios()[0]
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Transport: "tcp"}, `unknown transport "tcp" (valid: inproc, shm)`},
		{Config{Ring: 1000}, "not a power of two"},
		{Config{Events: -1}, "events must be positive"},
		{Config{Wait: "nap"}, `unknown wait strategy "nap"`},
		{Config{Wait: "sleep:soon"}, "bad duration"},
		{Config{Wait: "spin:1ms"}, `unknown wait strategy "spin:1ms"`},
		{Config{Work: -1}, "work must be positive"},
	} {
		_, err := RunOnce(s, Disruptor, c.cfg, &nopTimer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error containing %q", c.cfg, err, c.want)
		}
	}
}

func TestLookup(t *testing.T) {
	all, err := Lookup("")
	if err != nil || len(all) != len(Scenarios()) {
		t.Fatalf("Lookup(\"\") = %d scenarios, %v", len(all), err)
	}
	got, err := Lookup("pingpong, unicast,pingpong")
	if err != nil || len(got) != 2 || got[0].Name != "pingpong" || got[1].Name != "unicast" {
		t.Fatalf("Lookup: %v %v", got, err)
	}
	if _, err := Lookup("unicast,bogus"); err == nil || !strings.Contains(err.Error(), `unknown scenario "bogus"`) ||
		!strings.Contains(err.Error(), "mpsc") {
		t.Fatalf("Lookup(bogus) = %v, want an error naming it and listing the valid ones", err)
	}
}

func TestRunnerMedians(t *testing.T) {
	s, _ := Lookup("pingpong")
	r := Runner{Config: quick(500, 0), Runs: 3, Waits: []string{"block"}}
	var calls int
	r.Progress = func(*Scenario, Impl, string, int, int) { calls++ }
	res, err := r.Run(context.Background(), s[0])
	if err != nil {
		t.Fatal(err)
	}
	if calls != 9 || len(res) != 3 || r.Measurements(s[0]) != 3 {
		t.Fatalf("%d progress calls and %d results, want 9 and 3", calls, len(res))
	}
	for i, x := range res {
		if x.Runs != 3 || x.Events != 500 || x.NsPerEvent <= 0 || x.Transport != Inproc || x.P50 <= 0 ||
			x.P50 > x.P99 || x.P99 > x.P999 || x.Impl != []Impl{Disruptor, Channel, Floor}[i] {
			t.Errorf("implausible result %+v", x)
		}
	}
	d := res[0]
	if d.RatioToChannel == nil || d.RatioToFloor == nil || d.Wait != "block" {
		t.Fatalf("the disruptor row lacks its ratios or wait: %+v", d)
	}
	if *d.RatioToChannel != d.NsPerEvent/res[1].NsPerEvent || *d.RatioToFloor != d.NsPerEvent/res[2].NsPerEvent {
		t.Errorf("ratios %v and %v of %v ns over %v and %v", *d.RatioToChannel, *d.RatioToFloor,
			d.NsPerEvent, res[1].NsPerEvent, res[2].NsPerEvent)
	}
	for _, x := range res[1:] {
		b, _ := json.Marshal(x)
		if strings.Contains(string(b), "ratio") || strings.Contains(string(b), "wait") {
			t.Errorf("%s row %s", x.Impl, b)
		}
	}
	if m := median([]Sample{{Mallocs: 4}, {Mallocs: 1}}, func(m Sample) float64 { return float64(m.Mallocs) }); m != 2.5 {
		t.Errorf("median of 4 and 1 = %v", m)
	}
}
