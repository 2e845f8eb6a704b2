package disruptor

// Exact delivery: every broadcast consumer sees every event once, in order,
// whatever the number of producers and consumers, the producer mode, the
// way of reading and the wait strategy.

import (
	"fmt"
	"regexp"
	"runtime"
	"testing"
	"time"
)

type deliveryCase struct {
	producers int
	multi     bool
	consumers int
	modes     []readMode // consumer i reads with modes[i%len(modes)]
	size      int
	n         int64 // events per producer
	wait      WaitStrategy
	first     int64
	stagger   bool // each producer closes when done, not after all are done
	maxBatch  int  // largest ClaimN
}

// runDelivery runs one case and checks the exact-delivery oracle. It
// returns the digest every consumer agreed on.
func runDelivery(t *testing.T, dc deliveryCase) uint64 {
	t.Helper()
	rng := testRand(t)
	opts := []Option{WithWaitStrategy(dc.wait), WithFirstSequence(dc.first)}
	if dc.multi {
		opts = append(opts, WithMultiProducer())
	}
	r, err := New[tev](dc.size, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := watch(t, testDeadline(), r)
	ps := make([]*Producer[tev], dc.producers)
	for i := range ps {
		if ps[i], err = r.NewProducer(fmt.Sprintf("p%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	cs := make([]*Consumer[tev], dc.consumers)
	ks := make([]*checker, dc.consumers)
	for i := range cs {
		if cs[i], err = r.NewConsumer(fmt.Sprintf("c%d", i)); err != nil {
			t.Fatal(err)
		}
		ks[i] = newChecker(cs[i].Name(), dc.first, dc.producers)
		ks[i].gaps = dc.stagger
	}
	g := newCrew(r)
	for i, c := range cs {
		m, k := dc.modes[i%len(dc.modes)], ks[i]
		crng := newRandFrom(rng)
		g.goDo(fmt.Sprintf("%s (%v)", c.Name(), m), func() error {
			return drain(ctx, c, m, crng, 2*dc.size, k.see)
		})
	}
	pg := newCrew(r)
	for i, p := range ps {
		prng := newRandFrom(rng)
		pg.goDo(p.Name(), func() error {
			if err := publishN(ctx, p, int64(i), dc.n, dc.maxBatch, prng, !dc.multi, dc.first); err != nil {
				return err
			}
			if dc.stagger {
				return p.CloseContext(ctx)
			}
			return nil
		})
	}
	pg.wait(t)
	if !dc.stagger {
		for _, p := range ps {
			if err := p.CloseContext(ctx); err != nil {
				t.Errorf("%s: Close: %v", p.Name(), err)
			}
		}
	}
	g.wait(t)
	if t.Failed() {
		return 0
	}
	total := int64(dc.producers) * dc.n
	for i, k := range ks {
		if err := k.complete(dc.n); err != nil {
			t.Error(err)
		}
		if k.digest != ks[0].digest {
			t.Errorf("%s's digest %#x differs from %s's %#x", k.name, k.digest, ks[0].name, ks[0].digest)
		}
		st := cs[i].Stats()
		if st.Events != total || st.EOFs != int64(dc.producers) || st.Holes != 0 || st.Flushes != 0 {
			t.Errorf("%s: stats %+v, want %d events and %d EOFs", k.name, st, total, dc.producers)
		}
		if st.Position != r.Cursor() {
			t.Errorf("%s: position %d after EOF, ring cursor %d", k.name, st.Position, r.Cursor())
		}
	}
	if want := dc.first + total + int64(dc.producers) - 1; r.Cursor() != want {
		t.Errorf("ring cursor %d after all claims, want %d", r.Cursor(), want)
	}
	for _, p := range ps {
		if st := p.Stats(); st.Published != dc.n || st.EOFs != 1 {
			t.Errorf("%s: stats %+v, want %d published and 1 EOF", p.Name(), st, dc.n)
		}
	}
	return ks[0].digest
}

func TestExactDelivery(t *testing.T) {
	n := scaled(6000, 1000000)
	sizes := []int{8, 64, 1024}
	i := 0
	for _, P := range []int{1, 2, 4} {
		for _, C := range []int{1, 2, 3} {
			for _, multi := range []bool{false, true} {
				if P > 1 && !multi {
					continue
				}
				dc := deliveryCase{producers: P, multi: multi, consumers: C, size: sizes[i%len(sizes)], n: n,
					wait: DefaultWait(), maxBatch: 8}
				for j := range C {
					dc.modes = append(dc.modes, readMode((i+j)%int(nReadModes)))
				}
				i++
				mode := "single"
				if multi {
					mode = "multi"
				}
				t.Run(fmt.Sprintf("P=%d/C=%d/%s/size=%d/%s", P, C, mode, dc.size, modeNames(dc.modes)), func(t *testing.T) {
					d := runDelivery(t, dc)
					if !multi && !t.Failed() && d != singleDigest(0, n) {
						t.Errorf("digest %#x, want %#x", d, singleDigest(0, n))
					}
				})
			}
		}
	}
}

// TestStaggeredClose: producers close as soon as they are done, so earlier
// EOFs fall between other producers' events and must be swallowed.
func TestStaggeredClose(t *testing.T) {
	for _, P := range []int{2, 3} {
		t.Run(fmt.Sprint("P=", P), func(t *testing.T) {
			runDelivery(t, deliveryCase{producers: P, multi: true, consumers: 4,
				modes: []readMode{byNext, byBatch, byEvents, byLease}, size: 16,
				n: scaled(5000, 200000), wait: Block(), stagger: true, maxBatch: 4})
		})
	}
}

// TestWaitStrategies runs every strategy in both producer modes. A single
// producer's digest is known in advance, so every strategy must produce it.
// Spinning strategies run one producer and one consumer: never more
// spinning goroutines than cores.
func TestWaitStrategies(t *testing.T) {
	type strat struct {
		name string
		w    WaitStrategy
		spin bool
	}
	strats := []strat{
		{"BusySpin", BusySpin(), true},
		{"SpinPause", SpinPause(), true},
		{"Hybrid", Hybrid(50 * time.Microsecond), false},
		{"Sleep", Sleep(20 * time.Microsecond), false},
		{"Block", Block(), false},
		{"Park", Park(), false},
		{"DefaultWait", DefaultWait(), false},
		{"zero", WaitStrategy{}, false},
	}
	for _, s := range strats {
		for _, multi := range []bool{false, true} {
			mode := "single"
			if multi {
				mode = "multi"
			}
			t.Run(s.name+"/"+mode, func(t *testing.T) {
				dc := deliveryCase{producers: 1, multi: multi, consumers: 2, modes: []readMode{byNext, byBatch},
					size: 64, n: scaled(5000, 500000), wait: s.w, maxBatch: 4}
				if s.spin {
					dc.consumers = 1
					if spinners() < 2 {
						// Two spinners share one processor: each hand-over
						// waits for preemption, so keep the run short.
						dc.size, dc.n = 256, 1024
					}
				} else if multi {
					dc.producers = 2
				}
				if runtime.GOMAXPROCS(0) > 2 && s.spin {
					t.Logf("GOMAXPROCS=%d on %d CPUs", runtime.GOMAXPROCS(0), runtime.NumCPU())
				}
				d := runDelivery(t, dc)
				if dc.producers == 1 && !t.Failed() && d != singleDigest(0, dc.n) {
					t.Errorf("digest %#x, want %#x", d, singleDigest(0, dc.n))
				}
			})
		}
	}
}

func TestWaitStrategyString(t *testing.T) {
	// The schedule's tuning (spin and yield counts) may change; the shape
	// of the description may not.
	for _, c := range []struct {
		w    WaitStrategy
		want string
	}{
		{BusySpin(), `^spin$`},
		{SpinPause(), `^spin-pause$`},
		{Block(), `^block\(spins=\d+,yields=\d+,timeout=250ms\)$`},
		{BlockTimeout(time.Hour), `^block\(spins=\d+,yields=\d+,timeout=1h0m0s\)$`},
		{BlockTimeout(-1), `^block\(spins=\d+,yields=\d+,timeout=250ms\)$`},
		{DefaultWait(), `^default\(spins=\d+,yields=\d+,timeout=250ms\)$`},
		{WaitStrategy{}, `^default\(spins=\d+,yields=\d+,timeout=250ms\)$`},
		{Sleep(time.Millisecond), `^sleep\(spins=0,yields=0,sleep=1ms\.\.1ms\)$`},
		{Sleep(0), `^sleep\(spins=0,yields=0,sleep=1µs\.\.1µs\)$`},
		{Hybrid(time.Millisecond), `^hybrid\(spins=\d+,yields=\d+,sleep=1µs\.\.1ms\)$`},
		{Hybrid(0), `^hybrid\(spins=\d+,yields=\d+,sleep=1µs\.\.1µs\)$`},
	} {
		if got := c.w.String(); !regexp.MustCompile(c.want).MatchString(got) {
			t.Errorf("String() = %q, want a match of %s", got, c.want)
		}
	}
	r, err := New[int](4)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultWait().forProcs(runtime.GOMAXPROCS(0)).String()
	if got := r.WaitStrategy().String(); got != want {
		t.Errorf("default ring strategy %q, want %q", got, want)
	}
}

func modeNames(ms []readMode) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += "-"
		}
		s += m.String()
	}
	return s
}
