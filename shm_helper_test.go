package disruptor

// Machinery of the cross-process tests (shm_*_test.go).
//
// A child process is this test binary re-executed with
// -test.run=^TestHelperProcess$ and the environment variable envShmHelper
// holding its role and parameters (a JSON helperSpec). It reports on its
// stdout, one "SHM {json}" line per message (xmsg), and takes commands on
// its stdin, one word a line ("go", "detach", "close", "exit"). It kills
// itself when the parent dies (Pdeathsig) and at its own deadline, so a
// failed run leaves no process behind; rings live in t.TempDir(), so it
// leaves no file behind either.
//
// The race detector cannot see the mapping, so the oracle is exact
// delivery: every event carries its producer's id, that producer's own
// sequence and a checksum; every consumer checks per-producer FIFO without
// gaps, checksums, that ring sequences only increase (skipping nothing but
// the EOF markers of producers that closed early), and folds what it saw into
// an order-sensitive digest that every broadcast consumer starting at the
// same place must share.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const envShmHelper = "DISRUPTOR_SHM_HELPER"

// xev is the event of the cross-process tests.
type xev struct {
	P, N  int64  // producer id, that producer's own sequence
	Sum   uint64 // xsum(P, N)
	Stamp uint64 // written in place by a stage-1 consumer: xstamp(P, N)
	At    int64  // unix nanoseconds when the producer published it
}

func xmix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func xsum(p, n int64) uint64 { return xmix(uint64(p)<<48 ^ uint64(n) ^ 0x2545f4914f6cdd1d) }

// xstamp never matches the stamp of the event a slot held before.
func xstamp(p, n int64) uint64 { return xmix(xsum(p, n)+0x9e3779b97f4a7c15) | 1 }

const xmaxProducers = 4

// xcheck is one consumer's exact-delivery oracle. A consumer that resumes
// or starts late begins anywhere; from there, everything must follow.
type xcheck struct {
	Count   int64                `json:"count"`
	First   int64                `json:"first"` // first sequence seen (-1: none)
	Last    int64                `json:"last"`
	Skipped int64                `json:"skipped"` // sequences passed over between data events
	Digest  uint64               `json:"digest"`
	PerP    [xmaxProducers]int64 `json:"per_p"`   // events seen of each producer
	FirstN  [xmaxProducers]int64 `json:"first_n"` // first own sequence seen of each producer (-1: none)
	NextN   [xmaxProducers]int64 `json:"-"`
	Stamped bool                 `json:"-"` // events must carry stage 1's stamp
	MaxLat  int64                `json:"max_lat_ns"`
	Late    int64                `json:"late"` // events that took longer than xlateLimit
	Err     string               `json:"err,omitempty"`
	lat     bool                 // measure latency
	called  int64                // unix nanoseconds when the read that returned the event began
	queued  int64                // the reader's run delay then
	sched   *xsched              // the reader's thread, if lat
	seen    [xmaxProducers]bool  // FirstN valid
}

// startRead notes when a read begins, for the latency of what it returns.
func (k *xcheck) startRead() {
	if k.lat {
		k.called, k.queued = time.Now().UnixNano(), k.sched.delay()
	}
}

// xsched reads how long one thread has spent runnable but waiting for a
// processor. Its user locks its goroutine to the thread that made it.
type xsched struct {
	f   *os.File
	buf [256]byte
}

// newXsched locks the calling goroutine to its thread and opens that
// thread's schedstat (nil if the kernel has none).
func newXsched() *xsched {
	runtime.LockOSThread()
	f, err := os.Open("/proc/thread-self/schedstat")
	if err != nil {
		return nil
	}
	return &xsched{f: f}
}

// delay is the thread's run_delay in nanoseconds (0 if unknown).
func (q *xsched) delay() int64 {
	if q == nil {
		return 0
	}
	n, _ := q.f.ReadAt(q.buf[:], 0)
	f := strings.Fields(string(q.buf[:n]))
	if len(f) < 2 {
		return 0
	}
	v, _ := strconv.ParseInt(f[1], 10, 64)
	return v
}

// xlateLimit is the longest a reader may wait for a published event in
// the lost-wake-up hunt: a deadline, not a speed target. A lost wake-up
// costs a parked waiter a whole watchPark (a second). The reader's own time
// off the processor is not counted (see xsched), but the publisher's is:
// on a 2-core VM whose processors other processes saturate, that alone was
// seen to pass 100 ms.
const xlateLimit = 100 * time.Millisecond

func newXcheck() *xcheck {
	k := &xcheck{First: -1, Last: -1, Digest: 0xcbf29ce484222325}
	for i := range k.FirstN {
		k.FirstN[i] = -1
	}
	return k
}

func (k *xcheck) fail(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if k.Err == "" {
		k.Err = err.Error()
	}
	return err
}

// see checks the event at seq and folds it in.
func (k *xcheck) see(seq int64, ev *xev) error {
	if k.Err != "" {
		return errors.New(k.Err)
	}
	switch {
	case k.Count > 0 && seq <= k.Last:
		return k.fail("sequence %d after %d", seq, k.Last)
	case ev.P < 0 || ev.P >= xmaxProducers:
		return k.fail("sequence %d: producer id %d out of range", seq, ev.P)
	case ev.Sum != xsum(ev.P, ev.N):
		return k.fail("sequence %d: checksum %#x is not that of (%d,%d)", seq, ev.Sum, ev.P, ev.N)
	case k.seen[ev.P] && ev.N != k.NextN[ev.P]:
		return k.fail("sequence %d: producer %d's event %d, want %d (gap or reorder)", seq, ev.P, ev.N, k.NextN[ev.P])
	case k.Stamped && ev.Stamp != xstamp(ev.P, ev.N):
		return k.fail("sequence %d: event (%d,%d) lacks stage 1's stamp (%#x): read before stage 1 released it", seq, ev.P, ev.N, ev.Stamp)
	}
	if k.Count == 0 {
		k.First = seq
	} else {
		k.Skipped += seq - k.Last - 1
	}
	if !k.seen[ev.P] {
		k.seen[ev.P], k.FirstN[ev.P] = true, ev.N
	}
	k.NextN[ev.P] = ev.N + 1
	k.PerP[ev.P]++
	k.Count++
	k.Last = seq
	k.Digest = (k.Digest ^ xmix(uint64(seq)) ^ ev.Sum) * 0x100000001b3
	if k.lat && ev.At != 0 {
		// How long the reader waited for the event: since its publication,
		// or since the read began if it was published before (then the
		// reader itself was late, by its own pauses).
		// The time the thread spent runnable but kept off the processor
		// by other processes is no wake-up's doing: it does not count.
		d := time.Now().UnixNano() - max(ev.At, k.called)
		d = min(d, d-(k.sched.delay()-k.queued))
		k.MaxLat = max(k.MaxLat, d)
		if d > int64(xlateLimit) {
			k.Late++
		}
	}
	return nil
}

// xdigest is the digest of a single producer's events [from, to] at the
// sequences equal to their own numbers.
func xdigest(from, to int64) uint64 {
	k := newXcheck()
	for s := from; s <= to; s++ {
		ev := xev{P: 0, N: s, Sum: xsum(0, s)}
		k.see(s, &ev)
	}
	return k.Digest
}

// helperSpec is a child's role and parameters.
type helperSpec struct {
	Role     string        `json:"role"` // producer, consumer, group
	Path     string        `json:"path"`
	Path2    string        `json:"path2"` // ping, pong: the ring of the replies
	Name     string        `json:"name"`
	ID       int64         `json:"id"`        // producer id
	N        int64         `json:"n"`         // events to publish
	Seed     uint64        `json:"seed"`      // of the child's random choices
	Block1h  bool          `json:"block1h"`   // wait with BlockTimeout(1h), not the default
	WaitGo   bool          `json:"wait_go"`   // producer, consumer: start on "go"
	Batch    int           `json:"batch"`     // producer: claim up to this many at once
	GapUs    int           `json:"gap_us"`    // random pauses between events, up to this many µs
	SpinUs   int           `json:"spin_us"`   // consumer: busy work of up to this many µs an event
	SpinGaps bool          `json:"spin_gaps"` // pause by spinning, not sleeping
	Hold     bool          `json:"hold"`      // producer: do not Close; wait for "close"
	Progress bool          `json:"progress"`  // report every event
	Latest   bool          `json:"latest"`    // consumer: StartAtLatest
	After    string        `json:"after"`     // consumer: AfterName
	Stamp    bool          `json:"stamp"`     // consumer: stamp events in place (stage 1)
	Stamped  bool          `json:"stamped"`   // consumer: events must carry the stamp (stage 2)
	Stall    int64         `json:"stall"`     // consumer: stop reading after this many events
	Members  int           `json:"members"`   // group: members
	Evict    bool          `json:"evict"`     // attach WithEvictDead
	Latency  bool          `json:"latency"`   // consumer: measure publish-to-delivery time
	Deadline time.Duration `json:"deadline"`  // the child gives up after this long
	TryAfter bool          `json:"try_after"` // consumer: TryNext once after a failure
}

// xmsg is one message of a child.
type xmsg struct {
	Ev     string  `json:"ev"` // ready, got, pub, stalled, done, detached, closed, error
	PID    int     `json:"pid,omitempty"`
	Seq    int64   `json:"seq"`
	P      int64   `json:"p"`
	N      int64   `json:"n"`
	Member int     `json:"member"`
	Start  int64   `json:"start"` // consumer: first sequence it reads
	Err    string  `json:"err,omitempty"`
	Gone   bool    `json:"gone,omitempty"` // errors.Is(Err, ErrProducerGone)
	After  string  `json:"after,omitempty"`
	Check  *xcheck `json:"check,omitempty"`
	Counts []int64 `json:"counts,omitempty"`
	Wall   int64   `json:"wall"` // unix nanoseconds when sent

	MaxWait time.Duration `json:"max_wait,omitempty"` // producer: the longest claim
	Parks   int64         `json:"parks,omitempty"`    // times the sender parked
}

// ---------------------------------------------------------------- child side

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
	h.emit(xmsg{Ev: "error", Err: err.Error(), Gone: errors.Is(err, ErrProducerGone)})
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
	if err := xproduce(context.Background(), p, s.ID, 0, s.N, o); err != nil {
		return h.fail(err)
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
	err = xconsume(ctx, c, k, xconsumeOpts{stamp: s.Stamp, stall: s.Stall, gapUs: s.GapUs, spinGaps: s.SpinGaps, spinUs: s.SpinUs, rng: rng, stop: &detach}, onEvent)
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
		m := xmsg{Ev: "error", Err: err.Error(), Gone: errors.Is(err, ErrProducerGone), Check: k}
		if s.TryAfter {
			_, terr := c.TryNext()
			m.After = fmt.Sprint(terr)
		}
		h.emit(m)
		return 1
	}
	if err := c.Close(); err != nil {
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

// --------------------------------------------------------------- parent side

// xt is one cross-process test: its ring file, its children, a hard
// deadline, and what to print when it fails.
type xt struct {
	*testing.T
	path     string
	ctx      context.Context // ends at the deadline
	deadline time.Time
	rng      *rand.Rand
	seed     uint64

	mu       sync.Mutex
	children []*xchild
	rings    []*Ring[xev]
	wg       sync.WaitGroup
	errs     []error
}

// xsoak reports whether the soak tier (DISRUPTOR_SOAK=1) is asked for.
func xsoak() bool { return os.Getenv("DISRUPTOR_SOAK") == "1" }

// xscaled is n, or big in the soak tier.
func xscaled(n, big int64) int64 {
	if xsoak() {
		return big
	}
	return n
}

// newXT starts a cross-process test bounded by d (ten times longer in the
// soak tier). Its random seed comes from DISRUPTOR_SEED if set, mixed with
// the test's name, and is logged.
func newXT(t *testing.T, d time.Duration) *xt {
	t.Helper()
	if xsoak() {
		d *= 10
	}
	base := uint64(time.Now().UnixNano())
	if v := os.Getenv("DISRUPTOR_SEED"); v != "" {
		s, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			t.Fatalf("DISRUPTOR_SEED=%q: %v", v, err)
		}
		base = uint64(s)
	}
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	seed := base ^ h.Sum64()
	t.Logf("seed: repeat with DISRUPTOR_SEED=%d go test -run '^%s$'", int64(base), t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), d)
	x := &xt{T: t, path: filepath.Join(t.TempDir(), "ring"), ctx: ctx, rng: rand.New(rand.NewPCG(seed, 1)), seed: seed}
	x.deadline, _ = ctx.Deadline()
	t.Cleanup(func() {
		failed := t.Failed()
		if failed {
			x.Logf("the ring as the failure left it:\n%s", x.describe())
		}
		x.mu.Lock()
		kids := x.children
		x.mu.Unlock()
		for _, c := range kids {
			c.kill()
		}
		if failed || ctx.Err() != nil {
			for _, r := range x.rings {
				r.Halt() // parent goroutines blocked on the ring return
			}
		}
		cancel()
		x.wg.Wait()
		for _, err := range x.errs {
			t.Error(err)
		}
		for _, c := range kids {
			select {
			case <-c.done:
			case <-time.After(10 * time.Second):
				t.Errorf("child %s: did not exit after SIGKILL", c.name)
			}
			if t.Failed() {
				x.Logf("child %s (pid %d) %s:\n%s", c.name, c.pid(), c.exitStatus(), c.transcript())
			}
		}
		for _, r := range x.rings {
			r.Close()
		}
	})
	return x
}

// describe is Inspect's view of the ring, for failure messages.
func (x *xt) describe() string {
	in, err := Inspect(x.path)
	if err != nil {
		return fmt.Sprintf("Inspect: %v", err)
	}
	b, _ := json.MarshalIndent(in, "", "  ")
	return string(b)
}

// failf fails the test now (the cleanup prints Inspect's view of the ring
// and what every child said).
func (x *xt) failf(format string, args ...any) {
	x.Helper()
	x.Fatalf(format, args...)
}

// create makes the test's ring in the parent.
func (x *xt) create(size int, opts ...Option) *Ring[xev] {
	x.Helper()
	return x.createAt(x.path, size, opts...)
}

// createAt makes another ring of the test, closed with it.
func (x *xt) createAt(path string, size int, opts ...Option) *Ring[xev] {
	x.Helper()
	r, err := Create[xev](path, size, opts...)
	if err != nil {
		x.Fatal(err)
	}
	x.mu.Lock()
	x.rings = append(x.rings, r)
	x.mu.Unlock()
	return r
}

// attach opens another handle on the test's ring in the parent.
func (x *xt) attach(opts ...Option) *Ring[xev] {
	x.Helper()
	r, err := Attach[xev](x.path, opts...)
	if err != nil {
		x.Fatal(err)
	}
	x.mu.Lock()
	x.rings = append(x.rings, r)
	x.mu.Unlock()
	return r
}

// goDo runs f in a goroutine of the parent; its failure fails the test and
// halts the test's rings. The result arrives on the returned channel.
func (x *xt) goDo(name string, f func() error) <-chan error {
	done := make(chan error, 1)
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		err := f()
		if err != nil {
			err = fmt.Errorf("%s: %w", name, err)
			x.mu.Lock()
			x.errs = append(x.errs, err)
			rings := x.rings
			x.mu.Unlock()
			for _, r := range rings {
				r.Halt() // the others, here and in children, return now
			}
		}
		done <- err
	}()
	return done
}

// recv waits for a result of goDo until the deadline.
func (x *xt) recv(what string, ch <-chan error) error {
	x.Helper()
	select {
	case err := <-ch:
		return err
	case <-x.ctx.Done():
		x.failf("deadline: %s still running", what)
	}
	return nil
}

// inspect returns Inspect's view of the ring.
func (x *xt) inspect() *RingInfo {
	x.Helper()
	in, err := Inspect(x.path)
	if err != nil {
		x.Fatalf("Inspect: %v", err)
	}
	return in
}

// consumerInfo finds a consumer in Inspect's view by name.
func consumerInfo(in *RingInfo, name string) (Participant, bool) {
	for _, c := range in.Consumers {
		if c.Name == name {
			return c, true
		}
	}
	return Participant{}, false
}

func producerInfo(in *RingInfo, name string) (Participant, bool) {
	for _, p := range in.Producers {
		if p.Name == name {
			return p, true
		}
	}
	return Participant{}, false
}

// xchild is a running child process.
type xchild struct {
	x    *xt
	name string
	spec helperSpec
	cmd  *exec.Cmd
	in   io.WriteCloser

	mu     sync.Mutex
	msgs   []xmsg
	pos    int // messages before pos were taken by next
	raw    bytes.Buffer
	note   chan struct{} // a message arrived or the child exited
	done   chan struct{} // the child exited and its output is read
	status string
}

// child starts a child with spec (its Path defaults to the test's ring).
func (x *xt) child(name string, spec helperSpec) *xchild {
	x.Helper()
	if spec.Path == "" {
		spec.Path = x.path
	}
	if spec.Name == "" {
		spec.Name = name
	}
	if spec.Seed == 0 {
		spec.Seed = x.rng.Uint64()
	}
	if spec.Deadline == 0 {
		spec.Deadline = time.Until(x.deadline) + 5*time.Second
	}
	js, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envShmHelper+"="+string(js))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	c := &xchild{x: x, name: name, spec: spec, cmd: cmd, note: make(chan struct{}, 1), done: make(chan struct{})}
	var err error
	if c.in, err = cmd.StdinPipe(); err != nil {
		x.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		x.Fatal(err)
	}
	cmd.Stderr = &xlockedWriter{c: c}
	if err := cmd.Start(); err != nil {
		x.Fatal(err)
	}
	x.mu.Lock()
	x.children = append(x.children, c)
	x.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			c.mu.Lock()
			if js, ok := bytes.CutPrefix(line, []byte("SHM ")); ok {
				var m xmsg
				if err := json.Unmarshal(js, &m); err == nil {
					c.msgs = append(c.msgs, m)
				} else {
					fmt.Fprintf(&c.raw, "unparsable: %s\n", line)
				}
			} else {
				fmt.Fprintf(&c.raw, "%s\n", line)
			}
			c.mu.Unlock()
			c.poke()
		}
		err := cmd.Wait()
		c.mu.Lock()
		if err != nil {
			c.status = err.Error()
		} else {
			c.status = "exited 0"
		}
		c.mu.Unlock()
		close(c.done)
		c.poke()
	}()
	return c
}

type xlockedWriter struct{ c *xchild }

func (w *xlockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.raw.Write(p)
}

func (c *xchild) poke() {
	select {
	case c.note <- struct{}{}:
	default:
	}
}

func (c *xchild) pid() int {
	if c.cmd.Process == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

func (c *xchild) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *xchild) exitStatus() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status == "" {
		return "running"
	}
	return c.status
}

// transcript is everything the child said, progress messages elided.
func (c *xchild) transcript() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	progress := 0
	for i, m := range c.msgs {
		if (m.Ev == "got" || m.Ev == "pub") && i < len(c.msgs)-5 {
			progress++
			continue
		}
		if progress > 0 {
			fmt.Fprintf(&b, "  ... %d progress messages\n", progress)
			progress = 0
		}
		js, _ := json.Marshal(m)
		fmt.Fprintf(&b, "  %s\n", js)
	}
	if c.raw.Len() > 0 {
		raw := c.raw.String()
		if len(raw) > 4000 {
			raw = "..." + raw[len(raw)-4000:]
		}
		fmt.Fprintf(&b, "  output:\n%s", raw)
	}
	return b.String()
}

// send writes a command to the child.
func (c *xchild) send(cmd string) {
	c.x.Helper()
	if _, err := io.WriteString(c.in, cmd+"\n"); err != nil {
		c.x.failf("child %s: command %q: %v", c.name, cmd, err)
	}
}

// kill sends SIGKILL (if the child still runs) and returns when it is
// gone; its output is all read.
func (c *xchild) kill() {
	if !c.exited() {
		c.cmd.Process.Signal(syscall.SIGKILL)
	}
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
	}
}

// next waits for the child's next message whose Ev is one of evs, passing
// over others; an "error" message, the child's exit or the deadline fails
// the test.
func (c *xchild) next(evs ...string) xmsg {
	c.x.Helper()
	m, ok := c.nextOrExit(evs...)
	if !ok {
		c.x.failf("child %s: exited (%s) before sending %v", c.name, c.exitStatus(), evs)
	}
	return m
}

// nextOrExit is next that reports the child's exit as false.
func (c *xchild) nextOrExit(evs ...string) (xmsg, bool) {
	c.x.Helper()
	for {
		c.mu.Lock()
		for c.pos < len(c.msgs) {
			m := c.msgs[c.pos]
			c.pos++
			for _, e := range evs {
				if m.Ev == e {
					c.mu.Unlock()
					return m, true
				}
			}
			if m.Ev == "error" {
				c.mu.Unlock()
				c.x.failf("child %s: %s", c.name, m.Err)
			}
		}
		c.mu.Unlock()
		if c.exited() {
			c.mu.Lock()
			more := c.pos < len(c.msgs)
			c.mu.Unlock()
			if !more {
				return xmsg{}, false
			}
			continue
		}
		select {
		case <-c.note:
		case <-c.x.ctx.Done():
			c.x.failf("deadline: child %s never sent %v", c.name, evs)
		}
	}
}

// all returns every message the child sent so far with the given Ev.
func (c *xchild) all(ev string) []xmsg {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []xmsg
	for _, m := range c.msgs {
		if m.Ev == ev {
			out = append(out, m)
		}
	}
	return out
}

// waitExit waits for the child to exit and returns its status.
func (c *xchild) waitExit() string {
	c.x.Helper()
	select {
	case <-c.done:
	case <-c.x.ctx.Done():
		c.x.failf("deadline: child %s still running", c.name)
	}
	return c.exitStatus()
}

// count waits until the child has sent at least n messages with Ev ev.
func (c *xchild) count(ev string, n int) {
	c.x.Helper()
	for {
		if len(c.all(ev)) >= n {
			return
		}
		if c.exited() {
			c.x.failf("child %s exited (%s) after %d of %d %q messages", c.name, c.exitStatus(), len(c.all(ev)), n, ev)
		}
		for _, m := range c.all("error") {
			c.x.failf("child %s: %s", c.name, m.Err)
		}
		select {
		case <-c.note:
		case <-c.x.ctx.Done():
			c.x.failf("deadline: child %s sent %d of %d %q messages", c.name, len(c.all(ev)), n, ev)
		}
	}
}
