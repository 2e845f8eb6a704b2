package bench

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFloorScenarios: the floor exists for unicast, unicast-batch and
// pingpong only, and asking another scenario for it is an error naming what
// it has.
func TestFloorScenarios(t *testing.T) {
	var with []string
	for _, s := range Scenarios() {
		if slices.Contains(s.Impls(), Floor) {
			with = append(with, s.Name)
			continue
		}
		_, err := RunOnce(s, Floor, quick(10, 0), &nopTimer{})
		if err == nil || !strings.Contains(err.Error(), `has no implementation "floor" (valid: disruptor, channel)`) {
			t.Errorf("%s/floor: %v", s.Name, err)
		}
	}
	if got := strings.Join(with, ","); got != "unicast,unicast-batch,pingpong" {
		t.Errorf("scenarios with a floor: %s", got)
	}
}

// TestFloorCatchesCorruption: a wrong payload at any place of the stream,
// including inside a consumer's batch and at the very end, fails the floor
// run with the consumer's account of it. Rings from 2 slots (smaller than
// the consumer's batch and the producer's block) up.
func TestFloorCatchesCorruption(t *testing.T) {
	for _, name := range []string{"unicast", "unicast-batch", "pingpong"} {
		ss, _ := Lookup(name)
		who := "consumer"
		if name == "pingpong" {
			who = "pong"
		}
		for _, ring := range []int{2, 64, 0} {
			for _, bad := range []int64{1, 65, 777, 3000} {
				cfg := quick(3000, ring)
				cfg.Corrupt = bad
				_, err := RunOnce(ss[0], Floor, cfg, &nopTimer{})
				want := who + ": event " + strconv.FormatInt(bad-1, 10) + ": payload " + strconv.FormatInt(^(bad-1), 10)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s ring %d, event %d corrupted: got %v, want an error containing %q", name, ring, bad-1, err, want)
				}
			}
		}
	}
}

// TestRunnerWaits: pingpong is measured under every strategy of its Waits
// besides its default one when no strategy is named, under the named one
// otherwise; other scenarios under their default alone.
func TestRunnerWaits(t *testing.T) {
	pp, _ := Lookup("pingpong")
	uc, _ := Lookup("unicast")
	def := pp[0].WaitFor(Config{})
	cases := []struct {
		s     *Scenario
		cfg   Config
		waits []string
		want  []string
	}{
		{pp[0], Config{}, nil, append([]string{def}, slices.DeleteFunc(slices.Clone(pingpongWaits), func(w string) bool { return w == def })...)},
		{pp[0], Config{Wait: "block"}, nil, []string{"block"}},
		{pp[0], Config{}, []string{"hybrid:5us", "spin"}, []string{"hybrid:5us", "spin"}},
		{uc[0], Config{}, nil, []string{uc[0].WaitFor(Config{})}},
	}
	for _, c := range cases {
		r := Runner{Config: c.cfg, Waits: c.waits}
		var got []string
		for _, w := range r.rows(c.s) {
			if w.impl == Disruptor {
				got = append(got, w.wait)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s %+v %v: disruptor rows under %v, want %v", c.s.Name, c.cfg, c.waits, got, c.want)
		}
	}
	// Few round trips: busy waits on every processor (see WaitFor).
	r := Runner{Config: quick(200, 0)}
	res, err := r.Run(context.Background(), pp[0])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range res {
		got = append(got, string(x.Impl)+"/"+x.Wait)
		if x.P50 <= 0 || x.Events != 200 {
			t.Errorf("%+v", x)
		}
	}
	if want := len(cases[0].want) + 2; len(res) != want {
		t.Errorf("rows %v, want %d", got, want)
	}
}

// TestFloorTimeout: a floor run that outlasts its timeout fails and says so,
// promptly.
func TestFloorTimeout(t *testing.T) {
	for _, name := range []string{"unicast", "unicast-batch", "pingpong"} {
		ss, _ := Lookup(name)
		cfg := quick(50_000_000, 0)
		cfg.Timeout = time.Millisecond
		t0 := time.Now()
		_, err := RunOnce(ss[0], Floor, cfg, &nopTimer{})
		if err == nil || !strings.Contains(err.Error(), "took longer than the timeout of 1ms") {
			t.Errorf("%s: %v", name, err)
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Errorf("%s: a floor run with a 1ms timeout took %v", name, d)
		}
	}
}
