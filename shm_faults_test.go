package disruptor

// Waiting across processes: the lost-wake-up hunt under the blocking
// strategy, and consumers whose only producer process dies or closes.

import (
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// TestSharedProcLostWakeups hunts lost wake-ups across processes, with
// both sides parking with a safety timeout of an hour, so that a lost
// wake-up stalls a side until its watch wakes it (a second, see
// watchPark): no event may take longer than 100 ms from its publication to
// its delivery (a deadline, not a speed target).
func TestSharedProcLostWakeups(t *testing.T) {
	t.Run("ping-pong", testSharedPingPong)
	t.Run("stream", testSharedStream)
}

// testSharedPingPong sends thousands of single events from one process to
// another, each after a random gap, each answered on a second ring after a
// random gap: every event is a burst followed by silence, so a lost
// wake-up is never rescued by the next event.
func testSharedPingPong(t *testing.T) {
	x := newXT(t, 40*time.Second)
	x.create(64, WithWaitStrategy(BlockTimeout(time.Hour)))
	back := x.path + ".back"
	x.createAt(back, 64)
	n := xscaled(1500, 50000)
	pong := x.child("pong", helperSpec{Role: "pong", Path2: back, Block1h: true, GapUs: 1000, SpinGaps: true})
	pong.next("ready")
	ping := x.child("ping", helperSpec{Role: "ping", Path2: back, Block1h: true, N: n, GapUs: 1000, SpinGaps: true})
	ping.next("ready")
	ping.send("go")
	for _, c := range []*xchild{ping, pong} {
		m := c.next("done")
		x.checkAll(c.name, m.Check, 0, n-1)
		if m.Check.Late != 0 {
			x.Errorf("%s: %d of %d events arrived more than %v after publication (the latest after %v): lost wake-ups",
				c.name, m.Check.Late, n, xlateLimit, time.Duration(m.Check.MaxLat))
		}
		if m.Parks == 0 {
			x.Errorf("%s never parked: the test proved nothing", c.name)
		}
		t.Logf("%s: %d events, slowest %v, %d parks", c.name, n, time.Duration(m.Check.MaxLat), m.Parks)
	}
}

// testSharedStream publishes thousands of single-event bursts with random
// gaps from a producer process to a consumer process that pauses at random
// too, on a ring of 4 slots, so that the producer parks waiting for room as
// well as the consumer waiting for events: every event must arrive, none
// later than 100 ms after its publication, and no claim may wait as long as
// a lost wake-up costs. (Here a lost wake-up may be rescued by the next
// event; the ping-pong leaves no such rescue.)
func testSharedStream(t *testing.T) {
	x := newXT(t, 40*time.Second)
	x.create(4)
	n := xscaled(3000, 100000)
	c := x.child("c", helperSpec{Role: "consumer", Block1h: true, Latency: true, GapUs: 1000, SpinGaps: true})
	c.next("ready")
	p := x.child("p", helperSpec{Role: "producer", Block1h: true, N: n, GapUs: 1000, SpinGaps: true})
	done := c.next("done")
	k := done.Check
	x.checkAll("c", k, 0, n-1)
	if k.Late != 0 {
		x.Errorf("%d of %d events arrived more than %v after publication (the latest after %v): lost wake-ups",
			k.Late, n, xlateLimit, time.Duration(k.MaxLat))
	}
	pub := p.next("published")
	// A claim waits for the consumer's own pauses, and for the scheduler to
	// run the consumer process: on a loaded machine that alone can pass
	// 100 ms. A lost wake-up of a parked producer costs it a watchPark.
	if claimLimit := engine.WatchPark / 2; pub.MaxWait > claimLimit {
		x.Errorf("a claim waited %v for room (limit %v): lost wake-ups", pub.MaxWait, claimLimit)
	}
	closed := p.next("closed")
	t.Logf("%d events: slowest delivery %v, slowest claim %v; parks: consumer %d, producer %d",
		n, time.Duration(k.MaxLat), pub.MaxWait, done.Parks, closed.Parks)
	switch {
	case closed.Parks != 0 && done.Parks != 0:
	case buggify.Enabled: // pauses injected in the producer's gate refresh let the consumer make room first
		t.Logf("parks: consumer %d, producer %d: the injected pauses kept one side from parking", done.Parks, closed.Parks)
	default:
		x.Errorf("parks: consumer %d, producer %d: a side never parked, the test proved nothing there", done.Parks, closed.Parks)
	}
}

// TestSharedProcProducerGone kills the only producer process: a consumer
// process waiting for events gets ErrProducerGone within a few seconds,
// having read every event published before, whatever its wait strategy. A
// producer that closes gives io.EOF after its last event instead.
func TestSharedProcProducerGone(t *testing.T) {
	const detectWithin = 5 * time.Second
	for _, tc := range []struct {
		name    string
		block1h bool
	}{{"default", false}, {"block1h", true}} {
		t.Run("idle-"+tc.name, func(t *testing.T) {
			x := newXT(t, 20*time.Second)
			x.create(64)
			c := x.child("c", helperSpec{Role: "consumer", Block1h: tc.block1h, Progress: true, TryAfter: true})
			c.next("ready")
			p := x.child("p", helperSpec{Role: "producer", Block1h: tc.block1h, N: 100, Batch: 4, Hold: true})
			p.next("published")
			c.count("got", 100)
			time.Sleep(100 * time.Millisecond) // the consumer parks
			t0 := time.Now()
			p.kill()
			m := c.next("error")
			if d := time.Since(t0); !m.Gone || d > detectWithin {
				x.Fatalf("after the producer's SIGKILL the consumer got %q after %v; want ErrProducerGone within %v", m.Err, d, detectWithin)
			}
			if m.Check.Count != 100 || m.Check.Err != "" || m.After != ErrEmpty.Error() {
				x.Fatalf("consumer read %d events (%s), then TryNext said %s; want all 100, then %v", m.Check.Count, m.Check.Err, m.After, ErrEmpty)
			}
			if pi, _ := producerInfo(x.inspect(), "p"); pi.State != "dead" {
				x.Errorf("Inspect shows the killed producer as %q", pi.State)
			}
		})
		t.Run("busy-"+tc.name, func(t *testing.T) {
			x := newXT(t, 20*time.Second)
			x.create(64)
			c := x.child("c", helperSpec{Role: "consumer", Block1h: tc.block1h, TryAfter: true, Progress: true})
			c.next("ready")
			p := x.child("p", helperSpec{Role: "producer", Block1h: tc.block1h, N: 1 << 40, Batch: 4, GapUs: 50})
			c.count("got", 500+x.rng.IntN(2000))
			t0 := time.Now()
			p.kill()
			m := c.next("error")
			if d := time.Since(t0); !m.Gone || d > detectWithin {
				x.Fatalf("after the producer's SIGKILL the consumer got %q after %v; want ErrProducerGone within %v", m.Err, d, detectWithin)
			}
			in := x.inspect()
			if m.Check.Err != "" || m.Check.Count != in.Cursor+1 || m.After != ErrEmpty.Error() {
				x.Fatalf("consumer read %d events (%s), then TryNext said %s; the producer had published %d",
					m.Check.Count, m.Check.Err, m.After, in.Cursor+1)
			}
		})
	}
	t.Run("closed", func(t *testing.T) {
		x := newXT(t, 20*time.Second)
		r := x.create(64)
		c := x.child("c", helperSpec{Role: "consumer", Block1h: true})
		c.next("ready")
		const n = 1000
		p := x.child("p", helperSpec{Role: "producer", Block1h: true, N: n, Batch: 4, GapUs: 50})
		// The consumer's "done" means it read every event, then io.EOF,
		// and io.EOF again on later reads.
		x.checkAll("c", c.next("done").Check, 0, n-1)
		p.next("closed")
		if st := p.waitExit(); st != "exited 0" {
			x.Errorf("producer: %s", st)
		}
		// A consumer made after the producer closed and exited reads what
		// the ring retains, then io.EOF, not ErrProducerGone.
		late, err := r.NewConsumer("late")
		if err != nil {
			x.Fatal(err)
		}
		k := newXcheck()
		if err := xconsume(x.ctx, late, k, xconsumeOpts{}, nil); err != nil {
			x.Errorf("late consumer: %v after %d events, want io.EOF", err, k.Count)
		}
		if pi, _ := producerInfo(x.inspect(), "p"); pi.State != "closed" {
			x.Errorf("Inspect shows the closed producer as %q", pi.State)
		}
	})
}
