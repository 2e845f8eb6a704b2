//go:build disruptor_buggify

package buggify

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// decisions runs n decisions of every point from seed s, k goroutines at
// a time, and returns each point's sequence of hashes (0: did not fire),
// in decision order.
func decisions(s uint64, n, k int) [NumPoints][]uint64 {
	configure(s)
	var out [NumPoints][]uint64
	for p := range NumPoints {
		out[p] = make([]uint64, n)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range k {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n / k {
					mu.Lock() // the decision's index and its outcome together
					f, h := roll(p)
					i := points[p].calls.Load() - 1
					if f {
						out[p][i] = h | 1<<40
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	return out
}

// TestReplay: a seed replays every point's decisions, however many
// goroutines take them; another seed decides otherwise.
func TestReplay(t *testing.T) {
	defer configure(seed)
	a := decisions(42, 4000, 1)
	b := decisions(42, 4000, 4)
	c := decisions(43, 4000, 1)
	differ := 0
	for p := range NumPoints {
		if !slices.Equal(a[p], b[p]) {
			t.Errorf("%v: seed 42 decided differently on a replay", p)
		}
		if !slices.Equal(a[p], c[p]) {
			differ++
		}
	}
	if differ == 0 {
		t.Error("seeds 42 and 43 made the same decisions at every point")
	}
}

// TestRates: each point fires near its rate, TryFull never unless named.
func TestRates(t *testing.T) {
	defer configure(seed)
	on := 0
	for s := range uint64(20) {
		configure(s)
		for p := range NumPoints {
			fired := 0
			for range 4096 {
				if Fire(p) {
					fired++
				}
			}
			rate := float64(points[p].rate) / (1 << 32)
			if p == TryFull && fired != 0 {
				t.Fatalf("seed %d: TryFull fired %d times without being named", s, fired)
			}
			if got := float64(fired) / 4096; got < rate/2-0.002 || got > rate*1.5+0.002 {
				t.Errorf("seed %d, %v: fired %.4f of the time, rate %.4f", s, p, got, rate)
			}
			if fired > 0 {
				on++
			}
		}
	}
	if on == 0 {
		t.Error("no point fired under 20 seeds")
	}
}

// TestOnly: PointsEnv keeps or turns off points by name, and names a
// wrong one.
func TestOnly(t *testing.T) {
	defer configure(seed)
	configure(7)
	if err := only("TryFull, acquireshort"); err != nil {
		t.Fatal(err)
	}
	for p := range NumPoints {
		if on := points[p].rate != 0; on != (p == TryFull || p == AcquireShort) {
			t.Errorf("%v: on=%v after keeping TryFull and AcquireShort", p, on)
		}
	}
	configure(7)
	if err := only("-Join"); err != nil {
		t.Fatal(err)
	}
	if points[Join].rate != 0 {
		t.Error("Join still on after -Join")
	}
	if err := only("NoSuchPoint"); err == nil || !strings.Contains(err.Error(), `"NoSuchPoint"`) {
		t.Errorf("a wrong name: %v", err)
	}
	if r := Report(); !strings.Contains(r, "buggify seed 7") || !strings.Contains(r, "WorkGiveBack") {
		t.Errorf("report:\n%s", r)
	}
}

// TestCut: a cut is in [1, n), or n.
func TestCut(t *testing.T) {
	defer configure(seed)
	configure(1)
	if err := only("AcquireShort"); err != nil {
		t.Fatal(err)
	}
	cut := 0
	for range 10000 {
		switch v := Cut(AcquireShort, 10); {
		case v == 10:
		case v >= 1 && v < 10:
			cut++
		default:
			t.Fatalf("Cut(10) = %d", v)
		}
	}
	if cut == 0 {
		t.Error("AcquireShort never cut")
	}
	if Cut(AcquireShort, 1) != 1 {
		t.Error("Cut(1) is not 1")
	}
}
