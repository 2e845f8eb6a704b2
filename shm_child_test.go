package disruptor

// The child side of the cross-process tests: the roles a re-executed test
// binary plays (see shm_helper_test.go).

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHelperProcess is the child of the cross-process tests; run on its own
// it does nothing.
func TestHelperProcess(t *testing.T) {
	env := os.Getenv(envShmHelper)
	if env == "" {
		t.Skip("the child process of the cross-process tests (shm_*_test.go)")
	}
	var spec helperSpec
	if err := json.Unmarshal([]byte(env), &spec); err != nil {
		fmt.Fprintf(os.Stderr, "bad %s: %v\n", envShmHelper, err)
		os.Exit(2)
	}
	h := &xhelper{spec: spec, cmds: make(chan string, 16)}
	os.Exit(h.run())
}

type xhelper struct {
	spec helperSpec
	mu   sync.Mutex
	cmds chan string
}

func (h *xhelper) emit(m xmsg) {
	m.Wall = time.Now().UnixNano()
	if m.PID == 0 {
		m.PID = os.Getpid()
	}
	b, _ := json.Marshal(m)
	h.mu.Lock()
	os.Stdout.Write(append(append([]byte("SHM "), b...), '\n'))
	h.mu.Unlock()
}

func (h *xhelper) fail(err error) int {
	h.emit(xmsg{Ev: "error", Err: err.Error(), Gone: errors.Is(err, ErrProducerGone), Trunc: errors.Is(err, ErrTruncated)})
	return 1
}

// command waits for the next command line.
func (h *xhelper) command() string { return <-h.cmds }

func (h *xhelper) run() int {
	s := &h.spec
	if s.Deadline <= 0 {
		s.Deadline = 30 * time.Second
	}
	time.AfterFunc(s.Deadline, func() {
		h.emit(xmsg{Ev: "error", Err: fmt.Sprintf("child %q: deadline %v passed", s.Name, s.Deadline)})
		os.Exit(3)
	})
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			h.cmds <- strings.TrimSpace(sc.Text())
		}
		close(h.cmds) // the parent is gone or done with us
	}()
	opts := []Option{}
	if s.Block1h {
		opts = append(opts, WithWaitStrategy(BlockTimeout(time.Hour)))
	}
	if s.Evict {
		opts = append(opts, WithEvictDead())
	}
	r, err := Attach[xev](s.Path, opts...)
	if err != nil {
		return h.fail(err)
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x51ed))
	switch s.Role {
	case "producer":
		return h.producer(r, rng)
	case "consumer":
		return h.consumer(r, rng)
	case "group":
		return h.group(r)
	case "graph":
		return h.graph(r)
	case "chaos-producer":
		return h.chaosProducer(r, rng)
	case "chaos-consumer":
		return h.chaosConsumer(r)
	case "mark-producer":
		return h.markProducer(r, rng)
	case "app-counters":
		return h.appCountersChild(r)
	case "ping", "pong":
		r2, err := Attach[xev](s.Path2, opts...)
		if err != nil {
			return h.fail(err)
		}
		if s.Role == "ping" {
			return h.pingPong(r, r2, rng, true)
		}
		return h.pingPong(r2, r, rng, false)
	}
	return h.fail(fmt.Errorf("unknown role %q", s.Role))
}

func (h *xhelper) producer(r *Ring[xev], rng *rand.Rand) int {
	s := &h.spec
	p, err := r.NewProducer(s.Name)
	if err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "ready"})
	if s.WaitGo {
		if c := h.command(); c != "go" {
			return h.fail(fmt.Errorf("producer: command %q, want go", c))
		}
	}
	var maxWait time.Duration
	o := xprodOpts{batch: s.Batch, gapUs: s.GapUs, spinGaps: s.SpinGaps, rng: rng, maxWait: &maxWait, sched: newXsched()}
	if s.Progress {
		o.onPub = func(n, seq int64) { h.emit(xmsg{Ev: "pub", N: n, Seq: seq}) }
	}
	n := s.N
	if s.HangAt > 0 {
		n = s.HangAt
	}
	produce := func() error { return xproduce(context.Background(), p, s.ID, 0, n, o) }
	if s.Guard {
		produce = func() error {
			return r.Guard(func() error { return xproduce(context.Background(), p, s.ID, 0, n, o) })
		}
	}
	if err := produce(); err != nil {
		return h.fail(err)
	}
	if s.HangAt > 0 {
		return h.hang(p, rng)
	}
	h.emit(xmsg{Ev: "published", N: s.N, Seq: p.Sequence(), MaxWait: maxWait})
	if s.Hold {
		if c := h.command(); c != "close" {
			os.Exit(0) // "exit", or the parent went away: leave without closing
		}
	}
	if err := p.Close(); err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "closed", Parks: p.Stats().Parks})
	return 0
}

// hang claims up to spec.Batch slots, fills them with events no oracle
// accepts, reports "claimed" and waits, never publishing, to be killed.
func (h *xhelper) hang(p *Producer[xev], rng *rand.Rand) int {
	k := 1 + rng.IntN(max(1, h.spec.Batch))
	b, err := p.ClaimN(context.Background(), k)
	if err != nil {
		return h.fail(err)
	}
	for j := range b.Len() {
		*b.At(j) = xev{P: h.spec.ID, N: -1, Sum: 0xbad}
	}
	h.emit(xmsg{Ev: "claimed", Seq: b.Seq(0), N: int64(k)})
	h.command()
	os.Exit(0) // leave with the claim outstanding
	return 0
}

// xprodOpts are the ways xproduce may publish.
type xprodOpts struct {
	batch    int                // claim up to this many at once (ClaimN)
	gapUs    int                // random pauses between claims (xgap)
	spinGaps bool               // pause by spinning, not sleeping
	rng      *rand.Rand         // for batch sizes and pauses
	onPub    func(n, seq int64) // called after each event is published
	maxWait  *time.Duration     // if set, the longest claim (waiting for room)
	sched    *xsched            // the producer's thread, with maxWait
}

// xproduce publishes the events (id, from..n-1), one Claim or a random
// ClaimN at a time.
func xproduce(ctx context.Context, p *Producer[xev], id, from, n int64, o xprodOpts) error {
	for i := from; i < n; {
		k := int64(1)
		if o.batch > 1 && o.rng.IntN(2) == 0 {
			k = 1 + o.rng.Int64N(min(int64(o.batch), n-i))
		}
		t0, q0 := time.Now(), int64(0)
		if o.maxWait != nil {
			q0 = o.sched.delay()
		}
		if k == 1 {
			ev, err := p.Claim(ctx)
			if err != nil {
				return fmt.Errorf("producer %d: Claim of event %d: %w", id, i, err)
			}
			*ev = xev{P: id, N: i, Sum: xsum(id, i), At: time.Now().UnixNano()}
		} else {
			b, err := p.ClaimN(ctx, int(k))
			if err != nil {
				return fmt.Errorf("producer %d: ClaimN(%d) at event %d: %w", id, k, i, err)
			}
			now := time.Now().UnixNano()
			for j := range b.Len() {
				*b.At(j) = xev{P: id, N: i + int64(j), Sum: xsum(id, i+int64(j)), At: now}
			}
		}
		if o.maxWait != nil { // less the time this thread was kept off the processor
			*o.maxWait = max(*o.maxWait, time.Since(t0)-time.Duration(max(0, o.sched.delay()-q0)))
		}
		p.Publish()
		if o.onPub != nil {
			for j := range k {
				o.onPub(i+j, p.Sequence()+j)
			}
		}
		i += k
		if o.rng != nil {
			xgap(o.rng, o.gapUs, o.spinGaps)
		}
	}
	return nil
}

// xspin busies the processor for up to us µs.
func xspin(rng *rand.Rand, us int) {
	if us <= 0 {
		return
	}
	for end := time.Now().Add(time.Duration(rng.IntN(us)) * time.Microsecond); time.Now().Before(end); {
	}
}

// xgap pauses for a random while up to gapUs µs: often not at all, sometimes
// a short spin (to land between the other side's announcing a park and
// parking), sometimes a longer pause for the other side to park: a sleep,
// or with spin a busy wait, which a loaded machine cannot stretch the way
// it stretches a sleep.
func xgap(rng *rand.Rand, gapUs int, spin bool) {
	if gapUs <= 0 {
		return
	}
	switch rng.IntN(4) {
	case 0:
	case 1:
		xspin(rng, 20)
	default:
		if spin {
			xspin(rng, gapUs)
			return
		}
		time.Sleep(time.Duration(rng.IntN(gapUs)) * time.Microsecond)
	}
}

func (h *xhelper) consumer(r *Ring[xev], rng *rand.Rand) int {
	s := &h.spec
	var copts []ConsumerOption
	if s.Latest {
		copts = append(copts, StartAtLatest())
	}
	if s.After != "" {
		copts = append(copts, AfterName(s.After))
	}
	c, err := r.NewConsumer(s.Name, copts...)
	if err != nil {
		return h.fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var detach atomic.Bool
	start := make(chan struct{})
	go func() {
		for c := range h.cmds {
			switch c {
			case "go":
				close(start)
			case "detach":
				detach.Store(true)
				cancel()
			case "exit":
				os.Exit(0) // leave without detaching
			}
		}
	}()
	h.emit(xmsg{Ev: "ready", Start: c.Sequence() + 1})
	if s.WaitGo {
		<-start
	}
	k := newXcheck()
	k.Stamped, k.lat = s.Stamped, s.Latency
	if k.lat {
		k.sched = newXsched()
	}
	var onEvent func(seq int64, ev *xev)
	if s.Progress {
		onEvent = func(seq int64, ev *xev) { h.emit(xmsg{Ev: "got", Seq: seq, P: ev.P, N: ev.N}) }
	}
	consume := func() error {
		for {
			err := xconsume(ctx, c, k, xconsumeOpts{stamp: s.Stamp, stall: s.Stall, gapUs: s.GapUs, spinGaps: s.SpinGaps, spinUs: s.SpinUs, rng: rng, stop: &detach}, onEvent)
			if !s.Persist || !errors.Is(err, ErrProducerGone) {
				return err
			}
			time.Sleep(5 * time.Millisecond) // a producer may come back
		}
	}
	if s.Guard {
		err = r.Guard(consume)
	} else {
		err = consume()
	}
	switch {
	case err == errXstalled:
		h.emit(xmsg{Ev: "stalled", Seq: c.Sequence(), Check: k})
		<-ctx.Done() // wait to be killed, or told to detach
		c.Detach()
		h.emit(xmsg{Ev: "detached", Seq: c.Sequence(), Check: k})
		return 0
	case detach.Load():
		if err := c.Detach(); err != nil {
			return h.fail(err)
		}
		h.emit(xmsg{Ev: "detached", Seq: c.Sequence(), Check: k})
		return 0
	case err != nil:
		m := xmsg{Ev: "error", Err: err.Error(), Gone: errors.Is(err, ErrProducerGone), Untethered: errors.Is(err, ErrUntethered),
			Trunc: errors.Is(err, ErrTruncated), Check: k}
		if s.TryAfter {
			_, terr := c.TryNext()
			m.After = fmt.Sprint(terr)
		}
		h.emit(m)
		return 1
	}
	// A consumer others follow may not close before they do.
	for err = c.Close(); errors.Is(err, ErrHasDependents); err = c.Close() {
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "done", Check: k, Parks: c.Stats().Parks})
	return 0
}

// pingPong is one side of a ping-pong over two rings: out carries this
// side's events, in the other side's. The pinger sends N events, each after
// a random gap, and waits for each reply; the ponger replies to each event
// after a random gap. Each side checks what it reads, with its latency.
func (h *xhelper) pingPong(out, in *Ring[xev], rng *rand.Rand, ping bool) int {
	s := &h.spec
	c, err := in.NewConsumer(s.Name)
	if err != nil {
		return h.fail(err)
	}
	p, err := out.NewProducer(s.Name)
	if err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "ready"})
	if ping {
		if cmd := h.command(); cmd != "go" {
			return h.fail(fmt.Errorf("ping: command %q, want go", cmd))
		}
	}
	ctx := context.Background()
	k := newXcheck()
	k.lat, k.sched = true, newXsched()
	send := func(n int64) error {
		xgap(rng, s.GapUs, s.SpinGaps) // long enough, often, for the other side to park
		ev, err := p.Claim(ctx)
		if err != nil {
			return err
		}
		*ev = xev{N: n, Sum: xsum(0, n), At: time.Now().UnixNano()}
		p.Publish()
		return nil
	}
	for n := int64(0); ; n++ {
		if ping {
			if n == s.N {
				break
			}
			if err := send(n); err != nil {
				return h.fail(err)
			}
		}
		k.startRead()
		ev, err := c.Next(ctx)
		if err == io.EOF && !ping {
			break
		}
		if err != nil {
			return h.fail(fmt.Errorf("after %d events: %w", n, err))
		}
		if err := k.see(c.Sequence(), ev); err != nil {
			return h.fail(err)
		}
		if k.Late != 0 {
			return h.fail(fmt.Errorf("event %d at sequence %d delivered %v after its publication (limit %v): a lost wake-up",
				ev.N, c.Sequence(), time.Duration(k.MaxLat), xlateLimit))
		}
		if !ping {
			if err := send(n); err != nil {
				return h.fail(err)
			}
		}
	}
	if err := p.Close(); err != nil {
		return h.fail(err)
	}
	if ping { // the ponger closes after reading our EOF
		if _, err := c.Next(ctx); err != io.EOF {
			return h.fail(fmt.Errorf("after the last reply: %v, want io.EOF", err))
		}
	}
	h.emit(xmsg{Ev: "done", Check: k, Parks: c.Stats().Parks})
	return 0
}

var errXstalled = errors.New("stalled on purpose")

type xconsumeOpts struct {
	stamp    bool         // stamp every event in place after checking it
	stall    int64        // return errXstalled after this many events
	gapUs    int          // random pauses between events
	spinGaps bool         // pause by spinning, not sleeping
	spinUs   int          // random busy work on every event
	rng      *rand.Rand   // for the pauses
	stop     *atomic.Bool // return ctx's error as soon as it is set
}

// xconsume reads c until EOF (nil), checking every event with k, and that
// reads after the EOF still return io.EOF.
func xconsume(ctx context.Context, c *Consumer[xev], k *xcheck, o xconsumeOpts, onEvent func(seq int64, ev *xev)) error {
	for {
		if o.stall > 0 && k.Count >= o.stall {
			return errXstalled
		}
		if o.stop != nil && o.stop.Load() {
			return context.Canceled
		}
		k.startRead()
		ev, err := c.Next(ctx)
		switch {
		case err == io.EOF:
			for range 2 {
				if _, err := c.Next(ctx); err != io.EOF {
					return k.fail("Next after EOF: %v, want io.EOF", err)
				}
			}
			return nil
		case errors.Is(err, ErrFlush):
			continue
		case err != nil:
			return err
		}
		seq := c.Sequence()
		if err := k.see(seq, ev); err != nil {
			return err
		}
		if o.stamp {
			ev.Stamp = xstamp(ev.P, ev.N)
		}
		if onEvent != nil {
			onEvent(seq, ev)
		}
		if o.rng != nil {
			xspin(o.rng, o.spinUs)
			xgap(o.rng, o.gapUs, o.spinGaps)
		}
	}
}

func (h *xhelper) group(r *Ring[xev]) int {
	s := &h.spec
	g, err := r.NewWorkGroup(s.Name, s.Members)
	if err != nil {
		return h.fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for c := range h.cmds {
			switch c {
			case "detach":
				cancel()
			case "exit":
				os.Exit(0)
			}
		}
	}()
	h.emit(xmsg{Ev: "ready"})
	var wg sync.WaitGroup
	errs := make([]error, g.Len())
	counts := make([]int64, g.Len())
	for i := range g.Len() {
		m := g.Member(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ev, err := m.Next(ctx)
				if err == io.EOF {
					return
				}
				if s.Persist && errors.Is(err, ErrProducerGone) {
					time.Sleep(5 * time.Millisecond)
					continue
				}
				if err != nil {
					errs[i] = err
					return
				}
				if ev.Sum != xsum(ev.P, ev.N) {
					errs[i] = fmt.Errorf("member %d: bad checksum at %d", i, m.Sequence())
					return
				}
				counts[i]++
				h.emit(xmsg{Ev: "got", Member: i, Seq: m.Sequence(), P: ev.P, N: ev.N})
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		for i := range g.Len() {
			g.Member(i).Detach()
		}
		h.emit(xmsg{Ev: "detached", Counts: counts})
		return 0
	}
	if err := errors.Join(errs...); err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "done", Counts: counts})
	return 0
}
