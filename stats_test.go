package disruptor

// Statistics agree with what was delivered; Report names every participant;
// moving events allocates nothing.

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestStatsAgree runs producers that publish, skip and flush, and consumers
// of every kind, and compares every counter with what the test saw.
func TestStatsAgree(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run(modeName(multi), func(t *testing.T) {
			r, _ := New[tev](8, modeOpts(multi, WithWaitStrategy(Block()))...)
			ctx := watch(t, testDeadline(), r)
			rng := testRand(t)
			nprod := 1 + btoi(multi)
			var ps []*Producer[tev]
			for i := range nprod {
				p, _ := r.NewProducer(fmt.Sprint("p", i))
				ps = append(ps, p)
			}
			var cs []*Consumer[tev]
			for m := range nReadModes {
				c, _ := r.NewConsumer("by" + m.String())
				cs = append(cs, c)
			}
			wg, _ := r.NewWorkGroup("wg", 2)
			type tally struct{ published, skips, flushes int64 }
			want := make([]tally, nprod)
			seen := make([]int64, len(cs))
			g := newCrew(r)
			for i, c := range cs {
				crng := newRandFrom(rng)
				g.goDo(c.Name(), func() error {
					return drain(ctx, c, readMode(i), crng, 8, func(int64, *tev) error { seen[i]++; return nil })
				})
			}
			var members [2]int64
			for i := range 2 {
				g.goDo(wg.Member(i).Name(), func() error {
					return drain(ctx, wg.Member(i), byNext, nil, 1, func(int64, *tev) error { members[i]++; return nil })
				})
			}
			for i, p := range ps {
				prng := newRandFrom(rng)
				g.goDo(p.Name(), func() error {
					w := &want[i]
					for k := 0; k < 1000; k++ {
						switch x := prng.IntN(20); {
						case x == 0:
							if err := p.Flush(ctx); err != nil {
								return err
							}
							w.flushes++
						case x <= 2:
							n := 1 + prng.IntN(3)
							if _, err := p.ClaimN(ctx, n); err != nil {
								return err
							}
							p.Skip()
							w.skips += int64(n)
						default:
							n := 1 + prng.IntN(4)
							b, err := p.ClaimN(ctx, n)
							if err != nil {
								return err
							}
							for j := range n {
								b.At(j).set(int64(i), w.published+int64(j))
							}
							p.Publish()
							w.published += int64(n)
						}
					}
					return p.CloseContext(ctx)
				})
			}
			g.wait(t)
			if t.Failed() {
				return
			}
			var all tally
			for i, p := range ps {
				st, w := p.Stats(), want[i]
				all.published += w.published
				all.skips += w.skips
				all.flushes += w.flushes
				if st.Published != w.published || st.Skips != w.skips || st.Flushes != w.flushes || st.EOFs != 1 ||
					st.Bytes != w.published*int64(unsafe.Sizeof(tev{})) || st.Name != p.Name() {
					t.Errorf("%s: stats %+v, want %+v and 1 EOF", p.Name(), st, w)
				}
			}
			for i, c := range cs {
				st := c.Stats()
				if st.Events != seen[i] || st.Events != all.published || st.Holes != all.skips ||
					st.Flushes != all.flushes || st.EOFs != int64(nprod) || st.Position != r.Cursor() {
					t.Errorf("%s: stats %+v; saw %d events; want %d events, %d holes, %d flushes, %d EOFs, position %d",
						c.Name(), st, seen[i], all.published, all.skips, all.flushes, nprod, r.Cursor())
				}
				if st.Batches == 0 || st.LagMax < 1 || st.LagMax > int64(r.Size()) {
					t.Errorf("%s: implausible batches %d, lag max %d", c.Name(), st.Batches, st.LagMax)
				}
			}
			s0, s1 := wg.Member(0).Stats(), wg.Member(1).Stats()
			if s0.Events != members[0] || s1.Events != members[1] || s0.Events+s1.Events != all.published ||
				s0.Holes+s1.Holes != all.skips || s0.Flushes+s1.Flushes != all.flushes {
				t.Errorf("members' stats %+v and %+v; handled %v; want %d events, %d holes, %d flushes in all",
					s0, s1, members, all.published, all.skips, all.flushes)
			}
		})
	}
}

// TestStatsFullWaits: a producer that fills the ring counts full waits
// (and, with Block, parks); a consumer waiting for data counts empty polls.
func TestStatsFullWaits(t *testing.T) {
	r, _ := New[int](2, WithWaitStrategy(Block()))
	ctx := watch(t, testDeadline(), r)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	done := make(chan error, 1)
	go func() {
		for range 3 { // the third claim waits for c
			if _, err := p.Claim(ctx); err != nil {
				done <- err
				return
			}
			p.Publish()
		}
		done <- p.CloseContext(ctx)
	}()
	if !waitFor(10*time.Second, func() bool { _, _, s := r.parkedCounts(); return s == 1 }) {
		t.Fatal("producer never parked on the full ring")
	}
	for {
		if _, err := c.Next(ctx); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ps, cst := p.Stats(), c.Stats()
	if ps.FullWaits == 0 || ps.Parks == 0 || ps.Polls == 0 || ps.Claims != 4 || ps.Published != 3 {
		t.Errorf("producer stats %+v: want full waits, parks and polls, 4 claims, 3 published", ps)
	}
	if cst.Events != 3 || cst.EOFs != 1 || cst.Position != 3 {
		t.Errorf("consumer stats %+v: want 3 events, 1 EOF, position 3", cst)
	}

	// A consumer finding nothing counts empty polls.
	r2, _ := New[int](2)
	e, _ := r2.NewConsumer("e")
	for range 3 {
		e.TryNext()
	}
	e.Close()
	if st := e.Stats(); st.EmptyPolls != 3 {
		t.Errorf("empty polls %d after 3 TryNext on an empty ring", st.EmptyPolls)
	}
}

// TestReport: the report has a line for the ring, every producer and every
// consumer (work group members included), with their counters.
func TestReport(t *testing.T) {
	r, _ := New[int](8, WithMultiProducer())
	p0, _ := r.NewProducer("alpha")
	p1, _ := r.NewProducer("beta")
	c, _ := r.NewConsumer("gamma")
	r.NewConsumer("delta", After(c))
	r.NewWorkGroup("eps", 2)
	for range 5 {
		p0.TryClaim()
		p0.Publish()
	}
	p0.Close()
	p1.Close()
	for {
		if _, err := c.TryNext(); err != nil {
			break
		}
	}
	var b strings.Builder
	if err := r.Report(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"size 8", "cursor 6", "alpha", "beta", "gamma", "delta", "eps/0", "eps/1"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1+1+2+1+4 {
		t.Errorf("report has %d lines, want 9 (ring, header, 2 producers, header, 4 consumers):\n%s", len(lines), out)
	}
	cells := reportCells(t, out)
	if a := cells["producer/alpha"]; a["claims"] != "6" || a["events"] != "5" || a["eofs"] != "1" {
		t.Errorf("alpha's cells %v: want 6 claims, 5 events published, 1 EOF:\n%s", a, out)
	}
	if g := cells["consumer/gamma"]; g["events"] != "5" || g["eofs"] != "2" {
		t.Errorf("gamma's cells %v: want 5 events and 2 EOFs:\n%s", g, out)
	}
}

// TestZeroAllocs: moving events allocates nothing, in both modes.
func TestZeroAllocs(t *testing.T) {
	ctx := bounded(t)
	for _, multi := range []bool{false, true} {
		var sink int64
		// check runs f on a fresh ring, with a consumer c and a consumer d
		// that follows c.
		check := func(name string, f func(p *Producer[tev], c, d *Consumer[tev])) {
			t.Helper()
			r, _ := New[tev](64, modeOpts(multi)...)
			p, _ := r.NewProducer("p")
			c, _ := r.NewConsumer("c")
			d, _ := r.NewConsumer("d", After(c))
			run := func() { f(p, c, d) }
			run() // warm up
			if n := testing.AllocsPerRun(1000, run); n != 0 {
				t.Errorf("%s %s: %v allocations per run, want 0", modeName(multi), name, n)
			}
		}
		// Next releases lazily, so d reads a step behind c.
		check("Claim+Publish+Next", func(p *Producer[tev], c, d *Consumer[tev]) {
			ev, _ := p.Claim(ctx)
			ev.N = 1
			p.Publish()
			ev, _ = c.Next(ctx)
			sink += ev.N
			if ev, err := d.TryNext(); err == nil {
				sink += ev.N
			}
		})
		check("TryClaim+Publish+TryNext", func(p *Producer[tev], c, d *Consumer[tev]) {
			ev, _ := p.TryClaim()
			ev.N = 1
			p.Publish()
			ev, _ = c.TryNext()
			sink += ev.N
			if ev, err := d.TryNext(); err == nil {
				sink += ev.N
			}
		})
		handler := func(ev *tev, _ int64, _ bool) error { sink += ev.N; return nil }
		check("ClaimN+Publish+Batch", func(p *Producer[tev], c, d *Consumer[tev]) {
			b, _ := p.ClaimN(ctx, 16)
			for i := range b.Len() {
				b.At(i).N = int64(i)
			}
			p.Publish()
			for _, x := range []*Consumer[tev]{c, d} {
				for got := 0; got < 16; {
					n, _ := x.Batch(ctx, handler)
					got += n
				}
			}
		})
		check("ClaimN+Publish+Lease", func(p *Producer[tev], c, d *Consumer[tev]) {
			p.ClaimN(ctx, 8)
			p.Publish()
			for _, x := range []*Consumer[tev]{c, d} {
				for got := 0; got < 8; {
					l, _ := x.Lease(ctx, 8)
					got += l.Len()
					l.Release()
				}
			}
		})
		check("Skip+Flush", func(p *Producer[tev], c, d *Consumer[tev]) {
			p.Claim(ctx)
			p.Skip()
			p.Flush(ctx)
			c.Next(ctx)
			d.TryNext()
		})
		if sink == 0 {
			t.Error("nothing was read")
		}
	}
}

// TestStatsClaimMix: claims of one and of many slots, through the fast
// paths and the slow ones, on both modes, count as one claim each; batches
// count the claims of many; published counts the events.
func TestStatsClaimMix(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run(fmt.Sprint("multi=", multi), func(t *testing.T) {
			var opts []Option
			if multi {
				opts = append(opts, WithMultiProducer())
			}
			r, err := New[int](64, opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := watch(t, testDeadline(), r)
			c, _ := r.NewConsumer("c")
			p, _ := r.NewProducer("p")
			for range 3 {
				ev, err := p.Claim(ctx)
				if err != nil {
					t.Fatal(err)
				}
				*ev = 1
				p.Publish()
			}
			for range 5 {
				b, err := p.ClaimN(ctx, 4)
				if err != nil {
					t.Fatal(err)
				}
				for i := range b.Len() {
					*b.At(i) = 2
				}
				p.Publish()
			}
			b, err := p.TryClaimN(1) // a claim of one through ClaimN's form: no batch
			if err != nil {
				t.Fatal(err)
			}
			*b.At(0) = 3
			p.Publish()
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			for range 24 {
				if _, err := c.Next(ctx); err != nil {
					t.Fatal(err)
				}
			}
			st := p.Stats()
			if st.Claims != 10 || st.Batches != 5 || st.Published != 24 { // Close claims its EOF marker
				t.Fatalf("claims %d, batches %d, published %d; want 10, 5, 24", st.Claims, st.Batches, st.Published)
			}
		})
	}
}
