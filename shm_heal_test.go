package disruptor

import (
	"testing"
	"time"
	"unsafe"
)

// A producer killed between claim and publish leaves a claimed range that
// is never published. The range is healed into holes by whoever meets it
// (a waiting consumer or producer, or one that registers): consumers pass
// over it without reading the half-written events, and producers go on.
func TestSharedProcDeadClaimHealed(t *testing.T) {
	const detectWithin = 5 * time.Second
	// Two consumers, the second following the first by name; a producer
	// hangs with a claim and is killed; another producer then publishes
	// enough to wrap the ring many times, and closes.
	t.Run("live-producer-goes-on", func(t *testing.T) {
		x := newXT(t, 60*time.Second)
		x.create(64, WithMultiProducer())
		// Both wait out ErrProducerGone between the kill and the next
		// producer's registration.
		c1 := x.child("c1", helperSpec{Role: "consumer", Stamp: true, Persist: true})
		c1.next("ready")
		c2 := x.child("c2", helperSpec{Role: "consumer", After: "c1", Stamped: true, Persist: true})
		c2.next("ready")
		a := x.child("a", helperSpec{Role: "producer", ID: 0, HangAt: 20, Batch: 5})
		m := a.next("claimed")
		a.kill()
		t0 := time.Now()
		const n = 3000
		b := x.child("b", helperSpec{Role: "producer", ID: 1, N: n, Batch: 4, GapUs: 20})
		b.next("closed")
		for _, c := range []*xchild{c1, c2} {
			// The live producer took over the dead one's healed entry, so
			// its EOF ends the stream.
			e, ok := c.nextOrExit("done", "error")
			if !ok || e.Ev != "done" {
				x.Fatalf("%s ended with %q %q (%s), want io.EOF", c.name, e.Ev, e.Err, c.exitStatus())
			}
			if d := time.Since(t0); d > detectWithin+10*time.Second {
				x.Errorf("%s took %v", c.name, d)
			}
			k := e.Check
			if k.Err != "" || k.PerP[0] != 20 || k.PerP[1] != n {
				x.Fatalf("%s read %d of the dead producer's events and %d of the live one's (%s); want 20 and %d", c.name, k.PerP[0], k.PerP[1], k.Err, n)
			}
			if k.Skipped != m.N {
				x.Errorf("%s passed over %d sequences, want the %d the dead producer claimed", c.name, k.Skipped, m.N)
			}
		}
	})
	// With the hung producer the only one, the ring is wedged until another
	// producer registers: registering heals it.
	t.Run("heals-on-register", func(t *testing.T) {
		x := newXT(t, 60*time.Second)
		x.create(64, WithMultiProducer())
		// The consumer waits out ErrProducerGone: it may see the hung
		// producer dead before the next one registers.
		c := x.child("c", helperSpec{Role: "consumer", Persist: true})
		c.next("ready")
		a := x.child("a", helperSpec{Role: "producer", Name: "p", ID: 0, HangAt: 30, Batch: 8})
		m := a.next("claimed")
		a.kill()
		const n = 500
		b := x.child("b", helperSpec{Role: "producer", Name: "p", ID: 2, N: n, Batch: 3})
		b.next("closed")
		e, ok := c.nextOrExit("done", "error")
		if !ok {
			x.Fatalf("consumer exited: %s", c.exitStatus())
		}
		k := e.Check
		if k.Err != "" || k.PerP[0] != 30 || k.PerP[2] != n || k.Skipped != m.N {
			x.Fatalf("consumer (%s %q) read %d + %d events, passed over %d (%s); want 30 + %d, passing over %d",
				e.Ev, e.Err, k.PerP[0], k.PerP[2], k.Skipped, k.Err, n, m.N)
		}
	})
	// Both producers live when one hangs: the other's watch, and the
	// consumers', heal the range while it runs; the dead entry stays, so
	// the stream ends in ErrProducerGone once the live one closes.
	t.Run("heals-while-running", func(t *testing.T) {
		x := newXT(t, 60*time.Second)
		x.create(64, WithMultiProducer())
		c := x.child("c", helperSpec{Role: "consumer"})
		c.next("ready")
		const n = 4000
		b := x.child("b", helperSpec{Role: "producer", ID: 1, N: n, Batch: 4, GapUs: 200, WaitGo: true})
		b.next("ready")
		a := x.child("a", helperSpec{Role: "producer", ID: 0, HangAt: 10, Batch: 6})
		m := a.next("claimed")
		b.send("go")
		time.Sleep(20 * time.Millisecond)
		a.kill()
		pub := b.next("published")
		if pub.MaxWait > 2*time.Second {
			x.Errorf("the live producer waited %v for room after the other died mid-claim", pub.MaxWait)
		}
		e := c.next("error")
		k := e.Check
		if !e.Gone || k.Err != "" || k.PerP[0] != 10 || k.PerP[1] != n || k.Skipped != m.N {
			x.Fatalf("consumer ended with %q after %d + %d events, passing over %d (%s); want ErrProducerGone after 10 + %d, passing over %d",
				e.Err, k.PerP[0], k.PerP[1], k.Skipped, k.Err, n, m.N)
		}
	})
}

// A consumer that follows a slower one in another process reads all that
// its upstream releases before it is told the producer is gone.
func TestSharedProcFollowerDrains(t *testing.T) {
	x := newXT(t, 60*time.Second)
	x.create(64)
	up := x.child("up", helperSpec{Role: "consumer", GapUs: 20000, Stamp: true})
	up.next("ready")
	down := x.child("down", helperSpec{Role: "consumer", After: "up", Stamped: true})
	down.next("ready")
	const n = 50
	p := x.child("p", helperSpec{Role: "producer", N: n, Hold: true})
	p.next("published")
	p.kill()
	for _, c := range []*xchild{up, down} {
		e := c.next("error")
		if !e.Gone || e.Check.Err != "" || e.Check.Count != n {
			x.Fatalf("%s ended with %q after %d events (%s); want ErrProducerGone after all %d", c.name, e.Err, e.Check.Count, e.Check.Err, n)
		}
	}
}

// Counts that follow from sequences hold after kill -9: a producer killed
// after publishing 50 events (fewer than a counter flush) shows 50, and a
// consumer killed after reading them shows what its cursor says.
func TestSharedProcCountsSurviveKill(t *testing.T) {
	x := newXT(t, 30*time.Second)
	x.create(64)
	c := x.child("c", helperSpec{Role: "consumer", Progress: true})
	c.next("ready")
	const n = 50
	p := x.child("p", helperSpec{Role: "producer", N: n, Hold: true})
	p.next("published")
	c.count("got", n)
	time.Sleep(50 * time.Millisecond) // the consumer releases what it read as it waits
	p.kill()
	c.kill()
	in := x.inspect()
	pi, _ := producerInfo(in, "p")
	ci, _ := consumerInfo(in, "c")
	if pi.Producer == nil || pi.Producer.Published != n || pi.Producer.Bytes != n*int64(unsafe.Sizeof(xev{})) {
		x.Fatalf("killed producer shows %+v, want %d published", pi.Producer, n)
	}
	if ci.Consumer == nil || ci.Consumer.Events != ci.Position+1 || ci.Position != n-1 {
		x.Fatalf("killed consumer at position %d shows %+v, want %d events", ci.Position, ci.Consumer, n)
	}
}
