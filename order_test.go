package disruptor

// Dependency order and work groups. Stages write a stamp into each event in
// place; a stage downstream asserts that the stamps of all its upstream
// stages (transitively) are on the event before it reads it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
)

// topology is a DAG of up to 4 broadcast stages: after[i] lists the stages
// stage i follows (all of them earlier in the list).
type topology struct {
	name  string
	after [][]int
}

var topologies = []topology{
	{"pipeline", [][]int{{}, {0}, {1}, {2}}},
	{"diamond", [][]int{{}, {0}, {0}, {1, 2}}},
	{"fan-out-join", [][]int{{}, {}, {}, {0, 1, 2}}},
	{"fan-out", [][]int{{}, {0}, {0}, {0}}},
}

// ancestors is the transitive closure of after.
func (tp topology) ancestors(i int) []int {
	seen := map[int]bool{}
	var walk func(int)
	walk = func(j int) {
		for _, u := range tp.after[j] {
			if !seen[u] {
				seen[u] = true
				walk(u)
			}
		}
	}
	walk(i)
	var out []int
	for u := range len(tp.after) {
		if seen[u] {
			out = append(out, u)
		}
	}
	return out
}

func TestDependencyOrder(t *testing.T) {
	n := scaled(5000, 300000)
	for ti, tp := range topologies {
		for _, multi := range []bool{false, true} {
			P := 1
			name := tp.name + "/single"
			if multi {
				P, name = 2, tp.name+"/multi"
			}
			t.Run(name, func(t *testing.T) {
				opts := []Option{WithWaitStrategy(Block())}
				if multi {
					opts = append(opts, WithMultiProducer())
				}
				r, err := New[tev](8, opts...)
				if err != nil {
					t.Fatal(err)
				}
				ctx := watch(t, testDeadline(), r)
				rng := testRand(t)
				ps := make([]*Producer[tev], P)
				for i := range ps {
					if ps[i], err = r.NewProducer(fmt.Sprint("p", i)); err != nil {
						t.Fatal(err)
					}
				}
				cs := make([]*Consumer[tev], len(tp.after))
				ks := make([]*checker, len(cs))
				for i := range cs {
					var deps []Dependency
					for _, u := range tp.after[i] {
						deps = append(deps, cs[u])
					}
					if cs[i], err = r.NewConsumer(fmt.Sprint("stage", i), After(deps...)); err != nil {
						t.Fatal(err)
					}
					ks[i] = newChecker(cs[i].Name(), 0, P)
				}
				g := newCrew(r)
				for i, c := range cs {
					anc, k := tp.ancestors(i), ks[i]
					m := readMode((i + ti + P) % int(nReadModes))
					crng := newRandFrom(rng)
					g.goDo(fmt.Sprintf("%s (%v)", c.Name(), m), func() error {
						return drain(ctx, c, m, crng, 8, func(seq int64, ev *tev) error {
							for _, u := range anc {
								if ev.Stamp[u] != stampOf(u, ev.P, ev.N) {
									return fmt.Errorf("sequence %d: stage%d's stamp missing (%#x)", seq, u, ev.Stamp[u])
								}
							}
							if err := k.see(seq, ev); err != nil {
								return err
							}
							ev.Stamp[i] = stampOf(i, ev.P, ev.N)
							return nil
						})
					})
				}
				pg := newCrew(r)
				for i, p := range ps {
					prng := newRandFrom(rng)
					pg.goDo(p.Name(), func() error {
						return publishN(ctx, p, int64(i), n, 4, prng, !multi, 0)
					})
				}
				pg.wait(t)
				for _, p := range ps {
					if err := p.CloseContext(ctx); err != nil {
						t.Error(err)
					}
				}
				g.wait(t)
				for _, k := range ks {
					if err := k.complete(n); err != nil {
						t.Error(err)
					}
					if k.digest != ks[0].digest {
						t.Errorf("%s's digest differs from %s's", k.name, ks[0].name)
					}
				}
			})
		}
	}
}

// TestWorkGroup: every event is handled by exactly one member, every member
// sees EOF, and a consumer after the group sees every event after the group
// handled it (the member's stamp is on it).
func TestWorkGroup(t *testing.T) {
	n := scaled(5000, 300000)
	for _, P := range []int{1, 2} {
		for _, members := range []int{1, 3} {
			multi := P > 1
			t.Run(fmt.Sprintf("P=%d/members=%d", P, members), func(t *testing.T) {
				opts := []Option{WithWaitStrategy(Block())}
				if multi {
					opts = append(opts, WithMultiProducer())
				}
				r, err := New[tev](16, opts...)
				if err != nil {
					t.Fatal(err)
				}
				ctx := watch(t, testDeadline(), r)
				rng := testRand(t)
				ps := make([]*Producer[tev], P)
				for i := range ps {
					if ps[i], err = r.NewProducer(fmt.Sprint("p", i)); err != nil {
						t.Fatal(err)
					}
				}
				wg, err := r.NewWorkGroup("wg", members)
				if err != nil {
					t.Fatal(err)
				}
				if wg.Len() != members || wg.Name() != "wg" {
					t.Fatalf("group %q of %d members", wg.Name(), wg.Len())
				}
				down, err := r.NewConsumer("down", After(wg))
				if err != nil {
					t.Fatal(err)
				}
				side, err := r.NewConsumer("side") // independent of the group
				if err != nil {
					t.Fatal(err)
				}
				got := make([][]tev, members)
				g := newCrew(r)
				for i := range members {
					m := wg.Member(i)
					mode := readMode(i % 3) // members cannot lease
					g.goDo(fmt.Sprintf("%s (%v)", m.Name(), mode), func() error {
						return drain(ctx, m, mode, nil, 1, func(seq int64, ev *tev) error {
							if ev.Sum != sumOf(ev.P, ev.N) {
								return fmt.Errorf("sequence %d: bad checksum", seq)
							}
							ev.Stamp[0] = stampOf(0, ev.P, ev.N)
							got[i] = append(got[i], tev{P: ev.P, N: ev.N})
							return nil
						})
					})
				}
				kd, ks := newChecker("down", 0, P), newChecker("side", 0, P)
				g.goDo("down", func() error {
					return drain(ctx, down, byBatch, nil, 1, func(seq int64, ev *tev) error {
						if ev.Stamp[0] != stampOf(0, ev.P, ev.N) {
							return fmt.Errorf("sequence %d: read before the group handled it", seq)
						}
						return kd.see(seq, ev)
					})
				})
				srng := newRandFrom(rng)
				g.goDo("side", func() error { return drain(ctx, side, byLease, srng, 16, ks.see) })
				pg := newCrew(r)
				for i, p := range ps {
					prng := newRandFrom(rng)
					pg.goDo(p.Name(), func() error { return publishN(ctx, p, int64(i), n, 4, prng, !multi, 0) })
				}
				pg.wait(t)
				for _, p := range ps {
					if err := p.CloseContext(ctx); err != nil {
						t.Error(err)
					}
				}
				g.wait(t)
				if t.Failed() {
					return
				}
				seen := make([][]int, P)
				for i := range seen {
					seen[i] = make([]int, n)
				}
				var events int64
				for i, evs := range got {
					for _, ev := range evs {
						seen[ev.P][ev.N]++
					}
					st := wg.Member(i).Stats()
					if st.Events != int64(len(evs)) {
						t.Errorf("member %d: stats say %d events, handled %d", i, st.Events, len(evs))
					}
					events += st.Events
				}
				for p := range seen {
					for k, c := range seen[p] {
						if c != 1 {
							t.Errorf("event (%d,%d) handled %d times", p, k, c)
						}
					}
				}
				if events != int64(P)*n {
					t.Errorf("members handled %d events, want %d", events, int64(P)*n)
				}
				for _, k := range []*checker{kd, ks} {
					if err := k.complete(n); err != nil {
						t.Error(err)
					}
				}
				if kd.digest != ks.digest {
					t.Errorf("down and side digests differ")
				}
			})
		}
	}
}

// TestWorkGroupAfterConsumer: a group that follows a consumer reads nothing
// that consumer has not released, and a group can be followed in turn.
func TestWorkGroupAfterConsumer(t *testing.T) {
	r, err := New[tev](4, WithMultiProducer(), WithWaitStrategy(Block()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := watch(t, testDeadline(), r)
	n := scaled(5000, 200000)
	p, _ := r.NewProducer("p")
	first, err := r.NewConsumer("first")
	if err != nil {
		t.Fatal(err)
	}
	wg, err := r.NewWorkGroup("wg", 2, After(first))
	if err != nil {
		t.Fatal(err)
	}
	last, err := r.NewConsumer("last", After(wg))
	if err != nil {
		t.Fatal(err)
	}
	kf, kl := newChecker("first", 0, 1), newChecker("last", 0, 1)
	var handled [2]int64
	g := newCrew(r)
	g.goDo("first", func() error {
		return drain(ctx, first, byNext, nil, 1, func(seq int64, ev *tev) error {
			ev.Stamp[0] = stampOf(0, ev.P, ev.N)
			return kf.see(seq, ev)
		})
	})
	for i := range 2 {
		g.goDo(wg.Member(i).Name(), func() error {
			return drain(ctx, wg.Member(i), byEvents, nil, 1, func(seq int64, ev *tev) error {
				if ev.Stamp[0] != stampOf(0, ev.P, ev.N) {
					return fmt.Errorf("sequence %d: read before first released it", seq)
				}
				ev.Stamp[1] = stampOf(1, ev.P, ev.N)
				handled[i]++
				return nil
			})
		})
	}
	g.goDo("last", func() error {
		return drain(ctx, last, byNext, nil, 1, func(seq int64, ev *tev) error {
			if ev.Stamp[1] != stampOf(1, ev.P, ev.N) {
				return fmt.Errorf("sequence %d: read before the group handled it", seq)
			}
			return kl.see(seq, ev)
		})
	})
	if err := publishN(ctx, p, 0, n, 3, testRand(t), false, 0); err != nil {
		t.Error(err)
	}
	if err := p.CloseContext(ctx); err != nil {
		t.Error(err)
	}
	g.wait(t)
	for _, k := range []*checker{kf, kl} {
		if err := k.complete(n); err != nil {
			t.Error(err)
		}
	}
	if handled[0]+handled[1] != n {
		t.Errorf("members handled %d+%d events, want %d", handled[0], handled[1], n)
	}
}

// TestWorkGroupMarkers: holes are passed over, a flush goes to one member,
// and EOF reaches every member, deterministically from one goroutine.
func TestWorkGroupMarkers(t *testing.T) {
	for _, multi := range []bool{false, true} {
		var opts []Option
		if multi {
			opts = append(opts, WithMultiProducer())
		}
		r, err := New[int](8, opts...)
		if err != nil {
			t.Fatal(err)
		}
		ctx := watch(t, testDeadline(), r)
		p, _ := r.NewProducer("p")
		wg, err := r.NewWorkGroup("wg", 2)
		if err != nil {
			t.Fatal(err)
		}
		m0, m1 := wg.Member(0), wg.Member(1)
		if _, err := m0.TryNext(); err != ErrEmpty {
			t.Fatalf("TryNext on an empty ring: %v, want ErrEmpty", err)
		}
		pub := func(v int) {
			ev, err := p.TryClaim()
			if err != nil {
				t.Fatal(err)
			}
			*ev = v
			p.Publish()
		}
		pub(10) // sequence 0, held by m0 since its TryNext
		if _, err := p.TryClaim(); err != nil {
			t.Fatal(err)
		}
		p.Skip()                             // 1
		if err := p.Flush(ctx); err != nil { // 2
			t.Fatal(err)
		}
		pub(11) // 3
		var vals []int
		flushes := 0
		// m1 takes 1 (a hole, passed over), then 2 (the flush).
		if _, err := m1.TryNext(); err != ErrFlush {
			t.Errorf("m1: %v, want ErrFlush", err)
		} else {
			flushes++
		}
		if ev, err := m0.TryNext(); err != nil {
			t.Errorf("m0: %v", err)
		} else {
			vals = append(vals, *ev)
		}
		if ev, err := m1.Next(ctx); err != nil {
			t.Errorf("m1: %v", err)
		} else {
			vals = append(vals, *ev)
		}
		if fmt.Sprint(vals) != "[10 11]" || flushes != 1 {
			t.Errorf("members read %v and %d flushes, want [10 11] and 1", vals, flushes)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		for _, m := range []*Consumer[int]{m0, m1, m0, m1} {
			if _, err := m.Next(ctx); err != io.EOF {
				t.Errorf("%s after the EOF: %v, want io.EOF", m.Name(), err)
			}
		}
		s0, s1 := m0.Stats(), m1.Stats()
		if s0.Events+s1.Events != 2 || s0.Holes+s1.Holes != 1 || s0.Flushes+s1.Flushes != 1 || s0.EOFs+s1.EOFs != 1 {
			t.Errorf("member stats %+v and %+v: want 2 events, 1 hole, 1 flush, 1 EOF in all", s0, s1)
		}
		if err := wg.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestWorkGroupEOFOutOfOrder: members read EOF markers out of order; the
// one that counts the last EOF may hold a lower sequence than another EOF.
// A consumer after the group must still reach its own io.EOF.
func TestWorkGroupEOFOutOfOrder(t *testing.T) {
	r, err := New[int](8, WithMultiProducer())
	if err != nil {
		t.Fatal(err)
	}
	watch(t, testDeadline(), r)
	p0, _ := r.NewProducer("p0")
	p1, _ := r.NewProducer("p1")
	wg, err := r.NewWorkGroup("wg", 2)
	if err != nil {
		t.Fatal(err)
	}
	down, err := r.NewConsumer("down", After(wg))
	if err != nil {
		t.Fatal(err)
	}
	m0, m1 := wg.Member(0), wg.Member(1)
	// m0 takes sequence 0 and m1 sequence 1 while the ring is empty.
	for _, m := range []*Consumer[int]{m0, m1} {
		if _, err := m.TryNext(); err != ErrEmpty {
			t.Fatalf("%s: %v, want ErrEmpty", m.Name(), err)
		}
	}
	if err := p0.Close(); err != nil { // EOF at 0
		t.Fatal(err)
	}
	if err := p1.Close(); err != nil { // EOF at 1
		t.Fatal(err)
	}
	if _, err := m1.TryNext(); err != ErrEmpty { // reads the EOF at 1: not the last
		t.Fatalf("m1: %v, want ErrEmpty", err)
	}
	if _, err := m0.TryNext(); err != io.EOF { // reads the EOF at 0: the last
		t.Fatalf("m0: %v, want io.EOF", err)
	}
	if _, err := m1.TryNext(); err != io.EOF {
		t.Fatalf("m1: %v, want io.EOF", err)
	}
	if _, err := down.TryNext(); err != io.EOF {
		t.Fatalf("down after the group: %v, want io.EOF (group cursors %d and %d)", err,
			m0.releasedCursor(), m1.releasedCursor())
	}
	if st := down.Stats(); st.EOFs != 2 {
		t.Errorf("down saw %d EOFs, want 2", st.EOFs)
	}
}

// TestJoinWhileRunning: consumers join and leave while producers run on a
// small ring. A joiner must never read a slot a producer may overwrite:
// every event it reads carries its own sequence (written by the producer),
// consecutive from where it started (but for EOF markers of producers that
// finished early). Under -race, a joiner reading a slot while a producer
// writes it is also reported as a data race.
func TestJoinWhileRunning(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run(modeName(multi), func(t *testing.T) {
			r, err := New[tev](8, modeOpts(multi, WithWaitStrategy(Block()))...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := watch(t, testDeadline(), r)
			rng := testRand(t)
			nprod := 1 + btoi(multi)
			n := scaled(5000, 500000)
			var ps []*Producer[tev]
			for i := range nprod {
				p, _ := r.NewProducer(fmt.Sprint("p", i))
				ps = append(ps, p)
			}
			base, _ := r.NewConsumer("base")
			// A consumer that joins at the latest sequence after the last
			// EOF has nothing left to read: joiners stop when producers do.
			joinCtx, stopJoining := context.WithCancel(ctx)
			defer stopJoining()
			var producing sync.WaitGroup
			producing.Add(nprod)
			go func() { producing.Wait(); stopJoining() }()
			g := newCrew(r)
			var joined atomic.Int64 // producers run on until 10 joins happened, however fast they are
			for _, p := range ps {
				g.goDo(p.Name(), func() error {
					defer producing.Done()
					for i := int64(0); i < n || (joined.Load() < 10 && i < 1000*n); i++ {
						ev, err := p.Claim(ctx)
						if err != nil {
							return err
						}
						ev.N = p.Sequence() // the event names its own slot's sequence
						p.Publish()
					}
					return p.CloseContext(ctx)
				})
			}
			g.goDo("base", func() error {
				return drain(ctx, base, byBatch, nil, 1, func(seq int64, ev *tev) error {
					if ev.N != seq {
						return fmt.Errorf("base: sequence %d holds %d", seq, ev.N)
					}
					return nil
				})
			})
			jrng := newRandFrom(rng)
			joins := 0
			g.goDo("joiners", func() error {
				for joinCtx.Err() == nil {
					var opts []ConsumerOption
					if jrng.IntN(2) == 0 {
						opts = append(opts, StartAtLatest())
					}
					c, err := r.NewConsumer(fmt.Sprint("j", joins), opts...)
					if err != nil {
						return err
					}
					joins++
					joined.Store(int64(joins))
					last := int64(-1)
					for k := 0; k < 1+jrng.IntN(40); k++ {
						eofs := c.t.V[cEOFs] // the joiner's own tally: same goroutine
						ev, err := c.Next(joinCtx)
						if err == io.EOF || errors.Is(err, context.Canceled) {
							c.Close()
							return nil
						}
						if err != nil {
							return fmt.Errorf("joiner %d: %w", joins, err)
						}
						seq, skipped := c.Sequence(), c.t.V[cEOFs]-eofs
						if ev.N != seq || (last >= 0 && seq != last+1+skipped) {
							return fmt.Errorf("joiner %d: sequence %d (after %d and %d EOFs) holds %d", joins, seq, last, skipped, ev.N)
						}
						last = seq
					}
					if err := c.Close(); err != nil {
						return err
					}
				}
				return nil
			})
			g.wait(t)
			if joins < 10 {
				t.Errorf("only %d joins while the producers ran", joins)
			}
		})
	}
}
