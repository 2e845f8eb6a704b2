//go:build linux

package disruptor

// Consumers that leave and come back across processes: a consumer process
// killed or detached mid-stream and resumed by name, dead consumers evicted
// or kept, and Inspect's view of who is live, dead or detached.

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// xgot checks a child's progress messages: the sequences of a single
// producer's events, gapless from first; it returns the last one.
func (x *xt) xgot(c *xchild, first int64) int64 {
	x.Helper()
	want := first
	for _, m := range c.all("got") {
		if m.Seq != want || m.N != want {
			x.Fatalf("%s: got event %d at sequence %d, want %d", c.name, m.N, m.Seq, want)
		}
		want++
	}
	return want - 1
}

// xrand derives a source for another goroutine.
func (x *xt) xrand() *rand.Rand { return rand.New(rand.NewPCG(x.rng.Uint64(), x.rng.Uint64())) }

// waitCursor waits until the ring's cursor reaches at least want.
func (x *xt) waitCursor(r *Ring[xev], want int64) {
	x.Helper()
	for r.Cursor() < want {
		if x.ctx.Err() != nil {
			x.Fatalf("deadline: cursor %d, waiting for %d", r.Cursor(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// position is the named consumer's position in Inspect's view.
func (x *xt) position(name string) int64 {
	x.Helper()
	ci, ok := consumerInfo(x.inspect(), name)
	if !ok {
		x.Fatalf("no consumer %q registered: %s", name, x.describe())
	}
	return ci.Position
}

// TestSharedProcResume kills (SIGKILL) or detaches a named consumer process
// mid-stream, then resumes the name in a new process. Nothing is lost: the
// new process starts right after the last event the old one released. What
// the old one read but had not released yet (at most a ring's worth) is
// delivered again after a kill, never after a detach: delivery across a
// crash is at least once.
func TestSharedProcResume(t *testing.T) {
	for _, how := range []string{"kill", "detach"} {
		t.Run(how, func(t *testing.T) {
			x := newXT(t, 30*time.Second)
			const size = 64
			r := x.create(size)
			n := xscaled(20000, 200000)
			a := x.child("a", helperSpec{Role: "consumer", Name: "r", Progress: true, SpinUs: 5})
			a.next("ready")
			p, err := r.NewProducer("p")
			if err != nil {
				x.Fatal(err)
			}
			done := x.goDo("producer", func() error {
				// One claim at a time: the producer fills the ring up to a
				// consumer that holds it back.
				if err := xproduce(x.ctx, p, 0, 0, n, xprodOpts{}); err != nil {
					return err
				}
				return p.Close()
			})
			at := n/8 + x.rng.Int64N(n/2)
			a.count("got", int(at))
			var detachedAt int64
			if how == "kill" {
				a.kill()
			} else {
				a.send("detach")
				detachedAt = a.next("detached").Seq
				if st := a.waitExit(); st != "exited 0" {
					x.Fatalf("a: %s", st)
				}
			}
			last := x.xgot(a, 0)
			in := x.inspect()
			ci, ok := consumerInfo(in, "r")
			wantState := map[string]string{"kill": "dead", "detach": "detached"}[how]
			if !ok || ci.State != wantState || ci.PID != a.pid() {
				x.Fatalf("after %s: Inspect shows %+v, want %s with pid %d", how, ci, wantState, a.pid())
			}
			pos := ci.Position
			switch {
			case how == "detach" && (pos != last || detachedAt != last):
				x.Fatalf("detached after reading up to %d (it says %d); its position is %d, want the same", last, detachedAt, pos)
			case pos > last || last-pos > size:
				x.Fatalf("killed after reading up to %d; its position is %d: released what it never read, or held more than the ring", last, pos)
			}
			// The record keeps gating: the producer fills the ring up to it
			// and waits there.
			x.waitCursor(r, pos+size)
			time.Sleep(100 * time.Millisecond)
			if c := r.Cursor(); c != pos+size {
				x.Fatalf("cursor %d with a %s consumer at %d on a ring of %d: its events were overwritten", c, wantState, pos, size)
			}
			b := x.child("b", helperSpec{Role: "consumer", Name: "r", WaitGo: true})
			if m := b.next("ready"); m.Start != pos+1 {
				x.Fatalf("resumed at %d, want %d (right after the last release)", m.Start, pos+1)
			}
			if ci, _ := consumerInfo(x.inspect(), "r"); ci.State != "live" || ci.PID != b.pid() {
				x.Errorf("after resuming: %+v, want live with pid %d", ci, b.pid())
			}
			b.send("go")
			x.checkAll("b", b.next("done").Check, pos+1, n-1)
			if err := x.recv("producer", done); err != nil {
				x.Fatal(err)
			}
			t.Logf("%s after %d events; position %d; delivered again: %d", how, last+1, pos, last-pos)
		})
	}
}

// TestSharedProcGroupResume kills a process whose work group of two members
// waits for events, then resumes the group in a new process: every event
// published after the kill reaches the new group.
func TestSharedProcGroupResume(t *testing.T) {
	x := newXT(t, 20*time.Second)
	r := x.create(64)
	g1 := x.child("g1", helperSpec{Role: "group", Name: "wg", Members: 2})
	g1.next("ready")
	p, err := r.NewProducer("p")
	if err != nil {
		x.Fatal(err)
	}
	if err := xproduce(x.ctx, p, 0, 0, 100, xprodOpts{}); err != nil {
		x.Fatal(err)
	}
	g1.count("got", 100)
	time.Sleep(50 * time.Millisecond) // both members wait, each holding a sequence
	g1.kill()
	seen := map[int64]bool{}
	for _, m := range g1.all("got") {
		if seen[m.Seq] {
			x.Fatalf("g1: sequence %d delivered twice", m.Seq)
		}
		seen[m.Seq] = true
	}
	g2 := x.child("g2", helperSpec{Role: "group", Name: "wg", Members: 2})
	g2.next("ready")
	if err := xproduce(x.ctx, p, 0, 100, 200, xprodOpts{}); err != nil {
		x.Fatal(err)
	}
	if err := p.Close(); err != nil {
		x.Fatal(err)
	}
	g2.next("done")
	for _, m := range g2.all("got") {
		seen[m.Seq] = true
	}
	for s := int64(0); s < 200; s++ {
		if !seen[s] {
			x.Errorf("event %d reached neither group", s)
		}
	}
}

// TestSharedProcEvictDead: with WithEvictDead, a consumer process killed
// while it held the producer back stops gating it, the others are not
// affected, and its table entry can be used again. Without it, the producer
// waits (the ring full) until a process resumes that name.
func TestSharedProcEvictDead(t *testing.T) {
	const size = 64
	n := xscaled(5000, 200000)
	t.Run("evict", func(t *testing.T) {
		x := newXT(t, 20*time.Second)
		r := x.create(size, WithEvictDead(), WithMaxConsumers(2))
		slow := x.child("slow", helperSpec{Role: "consumer", Stall: 10})
		ok := x.child("ok", helperSpec{Role: "consumer"})
		slow.next("ready")
		ok.next("ready")
		p, err := r.NewProducer("p")
		if err != nil {
			x.Fatal(err)
		}
		done := x.goDo("producer", func() error {
			if err := xproduce(x.ctx, p, 0, 0, n, xprodOpts{}); err != nil {
				return err
			}
			return p.Close()
		})
		slow.next("stalled")
		// It read 10 events; it released those of the batches it finished.
		pos := x.position("slow")
		x.waitCursor(r, pos+size) // held back by the stalled consumer
		time.Sleep(300 * time.Millisecond)
		if c := r.Cursor(); c != pos+size {
			x.Fatalf("cursor %d: the producer passed a live stalled consumer at %d", c, pos)
		}
		t0 := time.Now()
		slow.kill()
		if err := x.recv("producer", done); err != nil {
			x.Fatal(err)
		}
		if d := time.Since(t0); d > 5*time.Second {
			x.Errorf("the producer took %v to get past a dead consumer", d)
		}
		x.checkAll("ok", ok.next("done").Check, 0, n-1)
		if _, found := consumerInfo(x.inspect(), "slow"); found {
			x.Errorf("the dead consumer is still registered: %s", x.describe())
		}
		for _, name := range []string{"new1", "new2"} { // both table entries are free again
			c, err := r.NewConsumer(name)
			if err != nil {
				x.Fatalf("NewConsumer(%s) after the eviction: %v", name, err)
			}
			defer c.Close()
		}
	})
	t.Run("keep", func(t *testing.T) {
		x := newXT(t, 20*time.Second)
		r := x.create(size)
		slow := x.child("slow", helperSpec{Role: "consumer", Stall: 10})
		ok := x.child("ok", helperSpec{Role: "consumer"})
		slow.next("ready")
		ok.next("ready")
		p, err := r.NewProducer("p")
		if err != nil {
			x.Fatal(err)
		}
		done := x.goDo("producer", func() error {
			if err := xproduce(x.ctx, p, 0, 0, n, xprodOpts{}); err != nil {
				return err
			}
			return p.Close()
		})
		slow.next("stalled")
		slow.kill()
		pos := x.position("slow")
		x.waitCursor(r, pos+size)
		time.Sleep(600 * time.Millisecond) // a few of the producer's watches
		ci, _ := consumerInfo(x.inspect(), "slow")
		if c := r.Cursor(); c != pos+size || ci.State != "dead" || ci.Position != pos {
			x.Fatalf("cursor %d, slow %+v: want the producer waiting at %d for the dead consumer at %d", c, ci, pos+size, pos)
		}
		again := x.child("again", helperSpec{Role: "consumer", Name: "slow"})
		if m := again.next("ready"); m.Start != pos+1 {
			x.Fatalf("resumed at %d, want %d", m.Start, pos+1)
		}
		x.checkAll("again", again.next("done").Check, pos+1, n-1)
		x.checkAll("ok", ok.next("done").Check, 0, n-1)
		if err := x.recv("producer", done); err != nil {
			x.Fatal(err)
		}
	})
}

// TestSharedProcInspect checks the states Inspect reports for participants
// in other processes: live, dead (killed), detached, closed, and a stopped
// process (SIGSTOP) that is stalled but alive.
func TestSharedProcInspect(t *testing.T) {
	x := newXT(t, 20*time.Second)
	x.create(64, WithMultiProducer())
	cons := map[string]*xchild{}
	for _, name := range []string{"live", "dead", "det"} {
		c := x.child(name, helperSpec{Role: "consumer", Progress: true})
		c.next("ready")
		cons[name] = c
	}
	prods := map[string]*xchild{}
	for i, name := range []string{"pl", "pd", "pc"} {
		p := x.child(name, helperSpec{Role: "producer", ID: int64(i), N: int64(10 - 3*i), Hold: name != "pc"})
		p.next("ready")
		prods[name] = p
	}
	for _, p := range prods {
		p.next("published")
	}
	prods["pc"].next("closed")
	for _, c := range cons {
		c.count("got", 10+7+4)
	}
	cons["dead"].kill()
	prods["pd"].kill()
	cons["det"].send("detach")
	det := cons["det"].next("detached")
	cons["det"].waitExit()
	live := cons["live"]
	if err := live.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		x.Fatal(err)
	}
	defer live.cmd.Process.Signal(syscall.SIGCONT)

	in := x.inspect()
	want := map[string]string{"live": "live", "dead": "dead", "det": "detached"}
	for name, st := range want {
		ci, ok := consumerInfo(in, name)
		if !ok || ci.State != st || ci.PID != cons[name].pid() {
			x.Errorf("consumer %s: %+v, want %s with pid %d", name, ci, st, cons[name].pid())
		}
		if ci.Position > in.Cursor || ci.Lag != in.Cursor-ci.Position {
			x.Errorf("consumer %s: position %d, lag %d, cursor %d", name, ci.Position, ci.Lag, in.Cursor)
		}
	}
	if ci, _ := consumerInfo(in, "det"); ci.Position < det.Seq {
		x.Errorf("detached consumer: position %d, but it read up to %d", ci.Position, det.Seq)
	}
	wantP := map[string]string{"pl": "live", "pd": "dead", "pc": "closed"}
	for name, st := range wantP {
		pi, ok := producerInfo(in, name)
		if !ok || pi.State != st || pi.PID != prods[name].pid() {
			x.Errorf("producer %s: %+v, want %s with pid %d", name, pi, st, prods[name].pid())
		}
	}
	if pi, _ := producerInfo(in, "pc"); pi.Producer == nil || pi.Producer.Published != 4 || pi.Producer.EOFs != 1 {
		x.Errorf("closed producer's counters: %+v, want 4 published and 1 EOF", pi.Producer)
	}
	if in.Cursor != 10+7+4 { // 21 events and pc's EOF
		x.Errorf("cursor %d, want 21", in.Cursor)
	}
}
