package disruptor

// Shared machinery of the in-process tests: seeds, deadlines, the event type
// with its checksum, the exact-delivery checker, and producer and consumer
// drivers that use every way of claiming and reading.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

var flagSeed = flag.Int64("seed", 0, "base seed of the randomised tests (0 picks one; DISRUPTOR_SEED also sets it)")

// baseSeed is chosen once per test binary run (see TestMain).
var baseSeed int64

func TestMain(m *testing.M) {
	flag.Parse()
	baseSeed = *flagSeed
	if v := os.Getenv("DISRUPTOR_SEED"); baseSeed == 0 && v != "" {
		s, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "DISRUPTOR_SEED=%q: %v\n", v, err)
			os.Exit(2)
		}
		baseSeed = s
	}
	if baseSeed == 0 {
		baseSeed = time.Now().UnixNano()
	}
	goleak.VerifyTestMain(m, buggifyMain()...)
}

// testRand returns the random source of a randomised test. Its seed is the
// base seed mixed with the test's name, so one base seed reproduces any
// test or subtest; the seed is logged (shown when the test fails).
func testRand(t testing.TB) *rand.Rand {
	buggifyReport(t)
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	t.Logf("base seed %d: repeat with -seed=%d (or DISRUPTOR_SEED=%d) -run '^%s$'", baseSeed, baseSeed, baseSeed, regexp.QuoteMeta(t.Name()))
	return rand.New(rand.NewPCG(uint64(baseSeed), h.Sum64()))
}

// soak reports whether the soak tier (DISRUPTOR_SOAK=1) is asked for.
func soak() bool { return os.Getenv("DISRUPTOR_SOAK") == "1" }

// scaled is n, or big in the soak tier.
func scaled(n, big int64) int64 {
	if soak() {
		return big
	}
	return n
}

// testDeadline bounds every concurrent test.
func testDeadline() time.Duration {
	if soak() {
		return 10 * time.Minute
	}
	return 20 * time.Second
}

// bounded is a context that ends at the test's deadline, so that a blocking
// call in a single-goroutine test fails instead of hanging.
func bounded(t testing.TB) context.Context {
	buggifyReport(t)
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline())
	t.Cleanup(cancel)
	return ctx
}

// spinners is how many busy-spinning goroutines a test may run: no more than
// the processors it runs on, and never more than 2 (the CI machine's cores).
func spinners() int { return min(runtime.GOMAXPROCS(0), runtime.NumCPU(), 2) }

// watched is what a watchdog can stop and describe: any *Ring.
type watched interface {
	Halt()
	dump() string
}

// watch bounds a test: the returned context ends after d, and the rings are
// halted shortly after, so every blocked call returns. When the test fails
// or the watchdog fired, the rings' cursors, records and counters are logged.
func watch(t testing.TB, d time.Duration, rings ...watched) context.Context {
	t.Helper()
	buggifyReport(t)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	var fired atomic.Bool
	tm := time.AfterFunc(d+100*time.Millisecond, func() {
		fired.Store(true)
		for _, r := range rings {
			r.Halt()
		}
	})
	t.Cleanup(func() {
		tm.Stop()
		cancel()
		if fired.Load() {
			t.Errorf("watchdog: still running after %v; the rings were halted", d)
		}
		if t.Failed() {
			for i, r := range rings {
				t.Logf("ring %d as the test left it:\n%s", i, r.dump())
			}
		}
	})
	return ctx
}

// crew runs goroutines and gathers their failures; the first failure halts
// the rings so that the others return instead of waiting forever.
type crew struct {
	wg    sync.WaitGroup
	mu    sync.Mutex
	errs  []error
	rings []watched
}

func newCrew(rings ...watched) *crew { return &crew{rings: rings} }

func (g *crew) goDo(name string, f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.mu.Lock()
			g.errs = append(g.errs, fmt.Errorf("%s: %w", name, err))
			g.mu.Unlock()
			for _, r := range g.rings {
				r.Halt()
			}
		}
	}()
}

// wait waits for every goroutine and reports each failure.
func (g *crew) wait(t testing.TB) {
	t.Helper()
	g.wg.Wait()
	for _, err := range g.errs {
		t.Error(err)
	}
}

// tev is the event of the tests: who published it, that producer's own
// sequence, a checksum over both, stamps that stages write in place, and
// the time it was published.
type tev struct {
	P, N  int64
	Sum   uint64
	Stamp [4]uint64
	At    int64
}

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func sumOf(p, n int64) uint64 { return mix64(uint64(p)<<48 ^ uint64(n) ^ 0x5bd1e9955bd1e995) }

// stampOf is stage i's stamp on the event (p, n): a stale stamp left by the
// slot's previous event never matches.
func stampOf(i int, p, n int64) uint64 { return mix64(sumOf(p, n)+uint64(i+1)*0x9e3779b97f4a7c15) | 1 }

func (e *tev) set(p, n int64) { e.P, e.N, e.Sum = p, n, sumOf(p, n) }

// checker is the exact-delivery oracle of one broadcast consumer: gapless
// sequences in order, per-producer FIFO, valid checksums, and an
// order-sensitive digest of everything seen.
type checker struct {
	name   string
	next   int64   // the next sequence expected
	gaps   bool    // sequences need only increase (EOF markers in between)
	perP   []int64 // each producer's next own sequence
	count  int64
	digest uint64
	err    error
}

func newChecker(name string, first int64, producers int) *checker {
	return &checker{name: name, next: first, perP: make([]int64, producers), digest: 0xcbf29ce484222325}
}

func (k *checker) see(seq int64, ev *tev) error {
	if k.err != nil {
		return k.err
	}
	switch {
	case seq < k.next || (!k.gaps && seq != k.next):
		k.err = fmt.Errorf("%s: event at sequence %d, want %d", k.name, seq, k.next)
	case ev.P < 0 || ev.P >= int64(len(k.perP)):
		k.err = fmt.Errorf("%s: sequence %d: producer id %d out of range", k.name, seq, ev.P)
	case ev.N != k.perP[ev.P]:
		k.err = fmt.Errorf("%s: sequence %d: producer %d's event %d, want %d (FIFO)", k.name, seq, ev.P, ev.N, k.perP[ev.P])
	case ev.Sum != sumOf(ev.P, ev.N):
		k.err = fmt.Errorf("%s: sequence %d: bad checksum %#x for (%d,%d)", k.name, seq, ev.Sum, ev.P, ev.N)
	}
	if k.err != nil {
		return k.err
	}
	k.next = seq + 1
	k.perP[ev.P]++
	k.count++
	k.digest = (k.digest ^ mix64(uint64(seq)) ^ ev.Sum) * 0x100000001b3
	return nil
}

// complete checks that n events of every producer were seen.
func (k *checker) complete(n int64) error {
	if k.err != nil {
		return k.err
	}
	for p, got := range k.perP {
		if got != n {
			return fmt.Errorf("%s: saw %d events of producer %d, want %d (total %d)", k.name, got, p, n, k.count)
		}
	}
	return nil
}

// singleDigest is the digest a consumer of one producer's n events, from
// sequence first, must compute.
func singleDigest(first, n int64) uint64 {
	k := newChecker("", first, 1)
	var ev tev
	for i := range n {
		ev.set(0, i)
		k.see(first+i, &ev)
	}
	return k.digest
}

// readMode is a way of consuming.
type readMode int

const (
	byNext readMode = iota
	byBatch
	byEvents
	byLease
	nReadModes
)

func (m readMode) String() string {
	return [...]string{"Next", "Batch", "Events", "Lease"}[m]
}

// visitFn is called on every data event a driver reads.
type visitFn func(seq int64, ev *tev) error

// drain reads c until EOF with the given mode, passing every event to visit.
// It checks the mode's own contract on the way (endOfBatch, lease length)
// and that reads after EOF keep returning io.EOF. Flushes are passed over.
func drain(ctx context.Context, c *Consumer[tev], m readMode, rng *rand.Rand, maxLease int, visit visitFn) error {
	switch m {
	case byNext:
		for {
			if err := ctx.Err(); err != nil { // a broken engine may loop without blocking
				return err
			}
			ev, err := c.Next(ctx)
			switch {
			case err == nil:
				if err := visit(c.Sequence(), ev); err != nil {
					return err
				}
			case errors.Is(err, ErrFlush):
			case err == io.EOF:
				return eofRepeats(ctx, c)
			default:
				return err
			}
		}
	case byBatch:
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			calls, ended := 0, false
			n, err := c.Batch(ctx, func(ev *tev, seq int64, end bool) error {
				if ended {
					return fmt.Errorf("Batch: sequence %d delivered after an endOfBatch", seq)
				}
				calls, ended = calls+1, end
				return visit(seq, ev)
			})
			if err != nil && err != io.EOF {
				return err
			}
			if n != calls {
				return fmt.Errorf("Batch returned %d, handler called %d times", n, calls)
			}
			if calls > 0 && !ended {
				return fmt.Errorf("Batch: the last of %d events had no endOfBatch", calls)
			}
			if err == io.EOF {
				return eofRepeats(ctx, c)
			}
		}
	case byEvents:
		for seq, ev := range c.Events(ctx) {
			if err := visit(seq, ev); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := c.Err(); err != nil {
			return err
		}
		return eofRepeats(ctx, c)
	case byLease:
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			l, err := c.Lease(ctx, 1+rng.IntN(maxLease))
			switch {
			case err == nil:
			case errors.Is(err, ErrFlush):
				continue
			case err == io.EOF:
				return eofRepeats(ctx, c)
			default:
				return err
			}
			n := 0
			for seq, ev := range l.All() {
				n++
				if err := visit(seq, ev); err != nil {
					l.Release()
					return err
				}
			}
			l.Release()
			if n != l.Len() {
				return fmt.Errorf("lease of %d events yielded %d", l.Len(), n)
			}
		}
	}
	panic("bad mode")
}

// eofRepeats checks that every read after the final EOF returns io.EOF.
func eofRepeats(ctx context.Context, c *Consumer[tev]) error {
	for range 2 {
		if ev, err := c.Next(ctx); err != io.EOF {
			return fmt.Errorf("Next after EOF returned (%v, %v), want io.EOF", ev, err)
		}
	}
	if _, err := c.Batch(ctx, func(*tev, int64, bool) error { return errors.New("called after EOF") }); err != io.EOF {
		return fmt.Errorf("Batch after EOF returned %v, want io.EOF", err)
	}
	return nil
}

// publishN publishes events (id, 0..n-1) from p, claiming one slot or a
// random batch of up to maxBatch slots at a time. In single-producer mode it
// checks that claims are consecutive from first.
func publishN(ctx context.Context, p *Producer[tev], id, n int64, maxBatch int, rng *rand.Rand, single bool, first int64) error {
	want := first
	for i := int64(0); i < n; {
		k := int64(1)
		if maxBatch > 1 && rng.IntN(2) == 0 {
			k = 1 + rng.Int64N(min(int64(maxBatch), n-i))
		}
		if k == 1 && rng.IntN(2) == 0 {
			ev, err := p.Claim(ctx)
			if err != nil {
				return fmt.Errorf("Claim after %d events: %w", i, err)
			}
			ev.set(id, i)
		} else {
			b, err := p.ClaimN(ctx, int(k))
			if err != nil {
				return fmt.Errorf("ClaimN(%d) after %d events: %w", k, i, err)
			}
			if b.Len() != int(k) || b.Seq(0) != p.Sequence() {
				return fmt.Errorf("ClaimN(%d): batch of %d from %d, producer at %d", k, b.Len(), b.Seq(0), p.Sequence())
			}
			for j := range int(k) {
				b.At(j).set(id, i+int64(j))
			}
		}
		if single && p.Sequence() != want {
			return fmt.Errorf("claim at sequence %d, want %d", p.Sequence(), want)
		}
		p.Publish()
		i += k
		want += k
	}
	return nil
}

// newRandFrom derives an independent source for another goroutine.
func newRandFrom(r *rand.Rand) *rand.Rand { return rand.New(rand.NewPCG(r.Uint64(), r.Uint64())) }
