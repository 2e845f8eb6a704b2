//go:build linux

package disruptor

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// TestSharedProcChaos is the fault proof of shared rings: a multi-producer
// ring with three producer processes and three consumer processes (c1; c2,
// which follows c1 by name; g, a process running a work group of two),
// and a driver that, from the test's printed seed, kills (-9) and restarts
// producers and consumers, stops and continues them, and kills producers
// caught between claim and publish. At the end every producer closes and
// the oracle checks what each consumer reported:
//   - every event whose Publish returned (the producer reported it) reached
//     every broadcast consumer and the work group;
//   - within one incarnation of a consumer, each producer's events came in
//     order without gap or repeat (exactly once); a restarted consumer
//     resumed with no gap, repeating at most what it had not released
//     (at least once across a kill);
//   - the work group saw each event exactly once within an incarnation;
//   - no hole or half-written event was ever read (children check every
//     event's checksum and fail on one that is not an event).
//
// DISRUPTOR_CHAOS_FAULTS sets the number of faults (default 50; 1000 in
// the soak tier, DISRUPTOR_SOAK=1). DISRUPTOR_CHAOS_FAIL=c1 (or c2) makes
// that consumer fail on purpose, for the driver's self-test
// (TestChaosDriverNamesFailedChild).
func TestSharedProcChaos(t *testing.T) {
	faults := 50
	limit := 4 * time.Minute
	if xsoak() {
		faults, limit = 1000, 40*time.Minute
	}
	if v := os.Getenv("DISRUPTOR_CHAOS_FAULTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("DISRUPTOR_CHAOS_FAULTS=%q: want a count", v)
		}
		faults = n
	}
	x := newXT(t, limit)
	x.create(256, WithMultiProducer())
	ch := &chaos{x: x, cons: map[string]*chaosCons{}, t0: time.Now()}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the faults injected, in order:\n%s", strings.Join(ch.history, "\n"))
		}
	})
	for _, c := range []struct{ name, after, role string }{{"c1", "", "chaos-consumer"}, {"c2", "c1", "chaos-consumer"}, {"g", "", "group"}} {
		ch.cons[c.name] = &chaosCons{name: c.name, after: c.after, role: c.role}
		ch.startConsumer(ch.cons[c.name])
	}
	for id := range ch.prods {
		ch.prods[id] = &chaosProd{id: int64(id)}
		ch.startProducer(ch.prods[id])
	}
	for range faults {
		time.Sleep(time.Duration(10+x.rng.IntN(90)) * time.Millisecond)
		ch.fault()
		ch.check()
	}
	ch.finish()
	ch.verify()
	// A parked waiter looks at its peers at least every watchPark: once a
	// producer died mid-claim, no consumer may wait more than twice that.
	if d := ch.maxHeal(); d > 2*engine.WatchPark {
		t.Errorf("a consumer waited %v to pass the claim of a producer killed mid-claim; want at most %v", d, 2*engine.WatchPark)
	}
	t.Logf("chaos: %d faults (%s); %d events published, %d deliveries checked; "+
		"the longest wait after a producer died mid-claim: %v (median %v of %d); "+
		"death seen by Inspect within %v (consumers) and %v (producers)",
		faults, ch.kinds(), ch.published, ch.checked, ch.maxHeal(), ch.medianHeal(), len(ch.heals),
		slices.Max(append(ch.consDetect, 0)), slices.Max(append(ch.prodDetect, 0)))
}

type chaos struct {
	x     *xt
	prods [3]*chaosProd
	cons  map[string]*chaosCons
	count map[string]int // faults injected, by kind
	// history is every fault, when and on which child, for the failure
	// report: a hang is explained by what happened just before it.
	history []string
	t0      time.Time

	hangs      []chaosHang
	heals      []time.Duration
	consDetect []time.Duration
	prodDetect []time.Duration
	published  int64
	checked    int64
}

type chaosProd struct {
	id   int64
	inc  int64 // incarnations started
	runs []*xchild
}

type chaosCons struct {
	name, after, role string
	runs              []*xchild
}

// chaosHang is a producer killed between claim and publish.
type chaosHang struct {
	at     time.Time
	lo, hi int64 // the ring sequences it had claimed
}

func (ch *chaos) startProducer(p *chaosProd) {
	c := ch.x.child(fmt.Sprintf("p%d.%d", p.id, p.inc), helperSpec{Role: "chaos-producer", Name: fmt.Sprintf("p%d", p.id),
		ID: p.id, Inc: p.inc, Batch: 4, GapUs: 300})
	p.inc++
	p.runs = append(p.runs, c)
	c.next("ready")
	ch.note("", c, "ready")
}

func (ch *chaos) startConsumer(k *chaosCons) {
	spec := helperSpec{Role: k.role, Name: k.name, After: k.after, Members: 2, Persist: true}
	if k.role != "group" && os.Getenv(envChaosFail) == k.name {
		spec.FailAt = chaosFailAt
	}
	c := ch.x.child(fmt.Sprintf("%s.%d", k.name, len(k.runs)), spec)
	k.runs = append(k.runs, c)
	m := c.next("ready")
	at := "ready"
	if k.role != "group" { // a group does not say where its members start
		at = fmt.Sprintf("ready, reading from %d", m.Start)
	}
	ch.note("", c, at)
}

func (p *chaosProd) live() *xchild { return p.runs[len(p.runs)-1] }
func (k *chaosCons) live() *xchild { return k.runs[len(k.runs)-1] }

// fault injects one fault, chosen at random.
func (ch *chaos) fault() {
	x := ch.x
	p := ch.prods[x.rng.IntN(len(ch.prods))]
	names := []string{"c1", "c2", "g"}
	k := ch.cons[names[x.rng.IntN(len(names))]]
	switch x.rng.IntN(6) {
	case 0: // a producer killed while it publishes
		ch.note("kill producer", p.live(), "")
		ch.kill(p.live(), p.live().spec.Name, &ch.prodDetect, true)
		ch.startProducer(p)
	case 1: // a producer killed between claim and publish
		c := p.live()
		ch.note("kill producer mid-claim", c, "sent hang")
		c.send("hang")
		m := ch.next(c, "claimed")
		ch.note("", c, fmt.Sprintf("claimed %d..%d", m.Seq, m.Seq+m.N-1))
		ch.kill(c, c.spec.Name, &ch.prodDetect, true)
		ch.hangs = append(ch.hangs, chaosHang{at: time.Now(), lo: m.Seq, hi: m.Seq + m.N - 1})
		ch.startProducer(p)
	case 2, 3: // a consumer killed
		ch.note("kill consumer", k.live(), "")
		name := k.name
		if k.role == "group" {
			name = k.name + "/0"
		}
		ch.kill(k.live(), name, &ch.consDetect, false)
		ch.startConsumer(k)
	case 4: // a consumer stopped for a while
		ch.note("stop consumer", k.live(), "")
		ch.stop(k.live())
	case 5: // a producer stopped for a while
		ch.note("stop producer", p.live(), "")
		ch.stop(p.live())
	}
}

// note counts a fault of kind (none: a step of the last fault) on child c
// and adds it to the history.
func (ch *chaos) note(kind string, c *xchild, detail string) {
	if kind != "" {
		if ch.count == nil {
			ch.count = map[string]int{}
		}
		ch.count[kind]++
	}
	ch.history = append(ch.history, fmt.Sprintf("  %9.3fs %-23s %s (pid %d) %s",
		time.Since(ch.t0).Seconds(), kind, c.name, c.pid(), detail))
}

// next waits for c's next message ev, as xchild.next does, checking the
// other children meanwhile: a producer waits for room as long as any
// consumer does not read, so when a claim never comes the cause is
// usually another child, and that is the one to report.
func (ch *chaos) next(c *xchild, ev string) xmsg {
	ch.x.Helper()
	for {
		if m, ok := c.nextBefore(time.After(chaosCheckEvery), ev); ok {
			return m
		}
		if c.exited() {
			ch.x.failf("child %s: exited (%s) before sending %q", c.name, c.exitStatus(), ev)
		}
		ch.check()
	}
}

// chaosCheckEvery is how often the driver, waiting for one child, checks
// on the others.
const chaosCheckEvery = 500 * time.Millisecond

// check fails the test at once if a child reported an error, or if the
// latest incarnation of a producer or consumer (the driver kills only
// those it replaces at once) has exited: a consumer that stops reading,
// or ends early, holds the producers back until the test's deadline, and
// that deadline would name some producer's claim, not the cause.
func (ch *chaos) check() {
	ch.x.Helper()
	var live []*xchild
	var all []*xchild
	for _, p := range ch.prods {
		live, all = append(live, p.live()), append(all, p.runs...)
	}
	for _, k := range ch.cons {
		live, all = append(live, k.live()), append(all, k.runs...)
	}
	for _, c := range all {
		if err, ok := c.reported(); ok {
			ch.x.failf("child %s: %s", c.name, err)
		}
	}
	for _, c := range live {
		if c.exited() {
			ch.x.failf("child %s: exited (%s) while the driver had not killed it", c.name, c.exitStatus())
		}
	}
}

// kill sends SIGKILL and measures how long Inspect takes to see the
// participant named name dead.
func (ch *chaos) kill(c *xchild, name string, detect *[]time.Duration, producer bool) {
	c.kill()
	t0 := time.Now()
	for time.Since(t0) < 5*time.Second {
		in, err := Inspect(ch.x.path)
		if err != nil {
			ch.x.Fatalf("Inspect: %v", err)
		}
		var pi Participant
		if producer {
			pi, _ = producerInfo(in, name)
		} else {
			pi, _ = consumerInfo(in, name)
		}
		if pi.State == "dead" {
			*detect = append(*detect, time.Since(t0))
			return
		}
		time.Sleep(time.Millisecond)
	}
	ch.x.Errorf("%s: not seen dead 5 s after its SIGKILL", name)
}

func (ch *chaos) stop(c *xchild) {
	c.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(time.Duration(20+ch.x.rng.IntN(200)) * time.Millisecond)
	c.cmd.Process.Signal(syscall.SIGCONT)
}

// finish lets the ring run a moment, closes every producer and waits for
// every consumer's EOF.
func (ch *chaos) finish() {
	time.Sleep(100 * time.Millisecond)
	ch.check()
	for _, p := range ch.prods {
		p.live().send("close")
	}
	for _, p := range ch.prods {
		p.live().next("closed")
	}
	for _, k := range ch.cons {
		if k.role == "group" {
			k.live().next("done")
		} else {
			k.live().next("eof")
		}
	}
}

func (ch *chaos) kinds() string {
	var s string
	for _, k := range []string{"kill producer", "kill producer mid-claim", "kill consumer", "stop consumer", "stop producer"} {
		s += fmt.Sprintf("%s %d; ", k, ch.count[k])
	}
	return s[:max(0, len(s)-2)]
}

func (ch *chaos) maxHeal() time.Duration { return slices.Max(append(ch.heals, 0)) }

func (ch *chaos) medianHeal() time.Duration {
	if len(ch.heals) == 0 {
		return 0
	}
	h := slices.Clone(ch.heals)
	slices.Sort(h)
	return h[len(h)/2]
}
