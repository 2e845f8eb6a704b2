package disruptor

// The model test: pgregory.net/rapid drives a real ring from one goroutine
// with random operations and checks every result against a simple
// reference model, a map from sequence to what was published there.
//
// The model is exact where the contract is: the values and markers each
// consumer sees, in order; ErrFull exactly when a claim would overwrite a
// sequence some open consumer has not released; ErrEmpty exactly when
// nothing readable is left. Consumers release lazily (a whole run at once),
// so the model does not predict a consumer's released cursor: it checks it
// against bounds (never a sequence still in use, never beyond what was
// read, everything read once the consumer caught up) and then uses it.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/disruptor-go/disruptor/internal/engine"
	"pgregory.net/rapid"
)

const (
	sigNone = iota
	sigFlush
	sigEOF
)

type mSlot struct {
	kind uint32
	val  int64
}

type mProd struct {
	p       *Producer[int64]
	lo, hi  int64 // outstanding claim; none when lo > hi
	vals    []int64
	closed  bool
	skipped int64
}

type mCons struct {
	c          *Consumer[int64]
	next       int64 // the next sequence it considers
	released   int64
	held       int64 // the lowest sequence it may still use; next when none
	eofs       int
	done       bool
	closed     bool
	deps       []int
	dependents int
	lease      *Lease[int64]
}

type model struct {
	t       *rapid.T
	r       *Ring[int64]
	size    int64
	multi   bool
	claimed int64
	slots   map[int64]mSlot
	prods   []*mProd
	cons    []*mCons
	nextVal int64
	done    context.Context // already cancelled: blocking calls become non-blocking
	seen    map[string]int  // outcomes met, to show the test is not vacuous
	rng     *rand.Rand      // for how often to close: rapid's draws favour small values
}

// fits reports whether a claim of n slots fits without overwriting an
// unreleased sequence of an open consumer, or (on a multi-producer ring,
// consumers or none) a sequence another producer claimed and has not
// published yet.
func (m *model) fits(n int64) bool {
	wrap := m.claimed + n - m.size
	for _, c := range m.cons {
		if !c.closed && wrap > c.released {
			return false
		}
	}
	for _, p := range m.prods {
		if m.multi && p.lo <= p.hi && wrap >= p.lo {
			return false
		}
	}
	return true
}

// available is the highest sequence consumer i may read now.
func (m *model) available(i int) int64 {
	c := m.cons[i]
	if len(c.deps) > 0 {
		a := int64(1<<63 - 1)
		for _, d := range c.deps {
			a = min(a, m.cons[d].released)
		}
		return a
	}
	s := c.next
	for {
		if _, ok := m.slots[s]; !ok {
			return s - 1
		}
		s++
	}
}

type obs struct {
	seq, val int64
}

// walk checks that consumer i moved from its position to newNext returning
// exactly data, in order, and ending with signal sig; flushOK lets a flush
// end the walk silently (Batch).
func (m *model) walk(i int, op string, newNext int64, data []obs, sig int, flushOK bool) {
	t, c := m.t, m.cons[i]
	avail := m.available(i)
	di, flushed := 0, false
	if newNext < c.next {
		t.Fatalf("%s: c%d moved back from %d to %d", op, i, c.next, newNext)
	}
	for s := c.next; s < newNext; s++ {
		sl, ok := m.slots[s]
		switch {
		case !ok || s > avail:
			t.Fatalf("%s: c%d consumed sequence %d, readable only to %d", op, i, s, avail)
		case c.done:
			t.Fatalf("%s: c%d consumed %d after its EOF", op, i, s)
		case flushed:
			t.Fatalf("%s: c%d consumed %d past a flush in one call", op, i, s)
		}
		switch sl.kind {
		case engine.KindData:
			if di >= len(data) || data[di].seq != s || data[di].val != sl.val {
				t.Fatalf("%s: c%d passed over data %d (value %d); returned %v", op, i, s, sl.val, data)
			}
			di++
		case engine.KindFlush:
			if sig != sigFlush && !flushOK {
				t.Fatalf("%s: c%d passed over the flush at %d silently", op, i, s)
			}
			flushed = true
		case engine.KindEOF:
			c.eofs++
			if c.eofs == len(m.prods) {
				c.done = true
				if sig != sigEOF || s != newNext-1 {
					t.Fatalf("%s: c%d consumed the final EOF at %d without returning io.EOF", op, i, s)
				}
			}
		}
	}
	if di != len(data) {
		t.Fatalf("%s: c%d returned %v, but the ring holds only %d of them before %d", op, i, data, di, newNext)
	}
	if sig == sigFlush && !flushed {
		t.Fatalf("%s: c%d returned ErrFlush without a flush", op, i)
	}
	if sig == sigEOF && !c.done {
		t.Fatalf("%s: c%d returned io.EOF after %d of %d EOFs", op, i, c.eofs, len(m.prods))
	}
	c.next = newNext
	if c.done {
		m.seen["EOF"]++
	}
	if flushed {
		m.seen["flush"]++
	}
	if len(data) > 0 {
		m.seen["data"]++
	}
}

// settle checks and adopts consumer i's released cursor after an
// operation; caughtUp says it must have released everything it read.
func (m *model) settle(i int, op string, caughtUp bool) {
	t, c := m.t, m.cons[i]
	rel := c.c.releasedCursor()
	switch {
	case rel < c.released:
		t.Fatalf("%s: c%d's released cursor went back from %d to %d", op, i, c.released, rel)
	case rel > c.next-1:
		t.Fatalf("%s: c%d released %d, but has read only to %d", op, i, rel, c.next-1)
	case rel >= c.held:
		t.Fatalf("%s: c%d released %d while it still uses %d", op, i, rel, c.held)
	case caughtUp && rel != c.next-1:
		t.Fatalf("%s: c%d caught up to %d but released only %d", op, i, c.next-1, rel)
	}
	c.released = rel
}

// pickProd draws a producer for which ok holds; with none, the action is
// skipped before drawing anything, so rapid tries another.
func (m *model) pickProd(t *rapid.T, ok func(*mProd) bool) (int, *mProd) {
	var idx []int
	for i, p := range m.prods {
		if ok(p) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		t.Skip("no producer fits")
	}
	i := rapid.SampledFrom(idx).Draw(t, "producer")
	return i, m.prods[i]
}

func (m *model) pickCons(t *rapid.T, ok func(*mCons) bool) (int, *mCons) {
	var idx []int
	for i, c := range m.cons {
		if ok(c) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		t.Skip("no consumer fits")
	}
	i := rapid.SampledFrom(idx).Draw(t, "consumer")
	return i, m.cons[i]
}

func noClaim(p *mProd) bool  { return p.lo > p.hi }
func hasClaim(p *mProd) bool { return p.lo <= p.hi }
func noLease(c *mCons) bool  { return c.lease == nil }
func hasLease(c *mCons) bool { return c.lease != nil }

func (m *model) claim(t *rapid.T, n int64) {
	if n > 1 && !rapid.Bool().Draw(t, "batch") {
		n = 1
	}
	i, p := m.pickProd(t, noClaim)
	var b Batch[int64]
	var err error
	if n == 1 && rapid.Bool().Draw(t, "TryClaim") {
		var ev *int64
		if ev, err = p.p.TryClaim(); err == nil {
			b = Batch[int64]{p: p.p, lo: p.p.Sequence(), n: 1}
			if ev != b.At(0) {
				t.Fatalf("TryClaim's event is not its slot's")
			}
		}
	} else {
		b, err = p.p.TryClaimN(int(n))
	}
	switch {
	case p.closed:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("p%d: claim after Close: %v, want ErrClosed", i, err)
		}
	case n > m.size:
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("p%d: claim of %d on a ring of %d: %v, want ErrTooLarge", i, n, m.size, err)
		}
	case !m.fits(n):
		if err != ErrFull {
			t.Fatalf("p%d: claim of %d at %d: %v, want ErrFull", i, n, m.claimed, err)
		}
		m.seen["ErrFull"]++
	default:
		if err != nil {
			t.Fatalf("p%d: claim of %d at %d: %v, want success", i, n, m.claimed, err)
		}
		if b.Len() != int(n) || b.Seq(0) != m.claimed+1 || p.p.Sequence() != m.claimed+1 {
			t.Fatalf("p%d: claim of %d at %d gave %d slots from %d", i, n, m.claimed+1, b.Len(), b.Seq(0))
		}
		p.lo, p.hi = m.claimed+1, m.claimed+n
		m.claimed += n
		p.vals = p.vals[:0]
		for j := range int(n) {
			*b.At(j) = m.nextVal
			p.vals = append(p.vals, m.nextVal)
			m.nextVal++
		}
	}
}

// put publishes one value with TryPut, or with Put and a context that has
// ended (so that a full ring returns at once).
func (m *model) put(t *rapid.T) {
	i, p := m.pickProd(t, noClaim)
	try := rapid.Bool().Draw(t, "TryPut")
	var err error
	if try {
		err = p.p.TryPut(m.nextVal)
	} else {
		err = p.p.Put(m.done, m.nextVal)
	}
	switch {
	case p.closed:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("p%d: put after Close: %v, want ErrClosed", i, err)
		}
	case !m.fits(1):
		if want := error(ErrFull); !try && !errors.Is(err, context.Canceled) || try && err != want {
			t.Fatalf("p%d: put (try %v) on a full ring at %d: %v", i, try, m.claimed, err)
		}
	default:
		if err != nil {
			t.Fatalf("p%d: put at %d: %v, want success", i, m.claimed, err)
		}
		m.claimed++
		if p.p.Sequence() != m.claimed {
			t.Fatalf("p%d: put at %d: Sequence() = %d", i, m.claimed, p.p.Sequence())
		}
		m.slots[m.claimed] = mSlot{engine.KindData, m.nextVal}
		m.nextVal++
	}
}

func (m *model) resolve(t *rapid.T, kind uint32) {
	_, p := m.pickProd(t, hasClaim)
	if kind == engine.KindData {
		p.p.Publish()
	} else {
		p.p.Skip()
	}
	for s := p.lo; s <= p.hi; s++ {
		m.slots[s] = mSlot{kind, p.vals[s-p.lo]}
	}
	p.lo = p.hi + 1
}

func (m *model) flush(t *rapid.T) {
	i, p := m.pickProd(t, noClaim)
	err := p.p.Flush(m.done)
	switch {
	case p.closed:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("p%d: Flush after Close: %v", i, err)
		}
	case !m.fits(1):
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("p%d: Flush on a full ring: %v, want it to wait (context.Canceled)", i, err)
		}
	default:
		if err != nil {
			t.Fatalf("p%d: Flush: %v", i, err)
		}
		m.claimed++
		m.slots[m.claimed] = mSlot{kind: engine.KindFlush}
	}
}

func (m *model) closeProd(t *rapid.T) {
	i, p := m.pickProd(t, func(p *mProd) bool { return !p.closed })
	if m.rng.IntN(16) != 0 {
		return // closing ends the stream: do it rarely
	}
	err := p.p.CloseContext(m.done)
	for s := p.lo; s <= p.hi; s++ { // an outstanding claim is skipped
		m.slots[s] = mSlot{kind: engine.KindHole}
	}
	p.lo = p.hi + 1
	if !m.fits(1) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("p%d: Close on a full ring: %v, want it to wait (context.Canceled)", i, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("p%d: Close: %v", i, err)
	}
	m.claimed++
	m.slots[m.claimed] = mSlot{kind: engine.KindEOF}
	p.closed = true
	if err := p.p.CloseContext(m.done); err != nil {
		t.Fatalf("p%d: second Close: %v", i, err)
	}
}

// readPrelude handles the cases common to every read: a held lease skips
// the operation; a closed consumer (not done) gets ErrClosed.
func (m *model) readPrelude(t *rapid.T) (int, *mCons) {
	open := func(c *mCons) bool { return c.lease == nil && !c.closed }
	if slices.ContainsFunc(m.cons, open) && m.rng.IntN(8) != 0 {
		return m.pickCons(t, open)
	}
	return m.pickCons(t, noLease)
}

func (m *model) tryNext(t *rapid.T) {
	i, c := m.readPrelude(t)
	avail := m.available(i)
	c.held = c.next
	v, err := c.c.TryNext()
	op := "TryNext"
	switch {
	case c.done:
		if err != io.EOF {
			t.Fatalf("c%d: %s after EOF: %v", i, op, err)
		}
		return
	case c.closed:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("c%d: %s after Close: %v, want ErrClosed", i, op, err)
		}
		return
	case err == nil:
		s := c.c.Sequence()
		m.walk(i, op, s+1, []obs{{s, *v}}, sigNone, false)
		c.held = s
		m.settle(i, op, false)
	case errors.Is(err, ErrFlush):
		m.walk(i, op, c.c.next, nil, sigFlush, false)
		c.held = c.next
		m.settle(i, op, false)
	case err == io.EOF:
		m.walk(i, op, c.c.next, nil, sigEOF, false)
		c.held = c.next
		m.settle(i, op, true)
	case err == ErrEmpty:
		m.walk(i, op, c.c.next, nil, sigNone, false)
		c.held = c.next
		if c.next-1 != avail {
			t.Fatalf("c%d: ErrEmpty at %d, but %d is readable", i, c.next, avail)
		}
		m.seen["ErrEmpty"]++
		m.settle(i, op, true)
	default:
		t.Fatalf("c%d: %s: %v", i, op, err)
	}
}

func (m *model) batch(t *rapid.T) {
	i, c := m.readPrelude(t)
	avail := m.available(i)
	c.held = c.next
	var data []obs
	var ends []bool
	n, err := c.c.Batch(m.done, func(v *int64, seq int64, end bool) error {
		data = append(data, obs{seq, *v})
		ends = append(ends, end)
		return nil
	})
	if n != len(data) {
		t.Fatalf("c%d: Batch returned %d, handed %d events", i, n, len(data))
	}
	for j, e := range ends {
		if e != (j == len(ends)-1) {
			t.Fatalf("c%d: Batch's endOfBatch flags %v", i, ends)
		}
	}
	switch {
	case c.done:
		if err != io.EOF || n != 0 {
			t.Fatalf("c%d: Batch after EOF: %d, %v", i, n, err)
		}
		return
	case c.closed:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("c%d: Batch after Close: %v, want ErrClosed", i, err)
		}
		return
	case err == nil, err == io.EOF:
		sig := sigNone
		if err == io.EOF {
			sig = sigEOF
		}
		prev := c.next
		m.walk(i, "Batch", c.c.next, data, sig, true)
		c.held = c.next
		if c.next == prev && avail >= prev {
			t.Fatalf("c%d: Batch made no progress with %d..%d readable", i, prev, avail)
		}
		m.settle(i, "Batch", true)
	case errors.Is(err, context.Canceled):
		m.walk(i, "Batch", c.c.next, data, sigNone, false)
		c.held = c.next
		if len(data) != 0 || c.next-1 != avail {
			t.Fatalf("c%d: Batch waited at %d with %d readable", i, c.next, avail)
		}
		m.settle(i, "Batch", true)
	default:
		t.Fatalf("c%d: Batch: %v", i, err)
	}
}

func (m *model) lease(t *rapid.T) {
	i, c := m.readPrelude(t)
	max := rapid.IntRange(1, int(m.size)+1).Draw(t, "max")
	avail := m.available(i)
	c.held = c.next
	l, err := c.c.Lease(m.done, max)
	switch {
	case c.done:
		if err != io.EOF {
			t.Fatalf("c%d: Lease after EOF: %v", i, err)
		}
	case c.closed:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("c%d: Lease after Close: %v, want ErrClosed", i, err)
		}
	case err == nil:
		m.walk(i, "Lease", l.lo, nil, sigNone, false)
		if l.hi < l.lo || l.hi-l.lo+1 > int64(max) || l.hi > avail {
			t.Fatalf("c%d: Lease(%d) of %d..%d with %d readable", i, max, l.lo, l.hi, avail)
		}
		c.held = l.lo
		c.lease = &l
		m.settle(i, "Lease", false)
	case errors.Is(err, ErrFlush):
		m.walk(i, "Lease", c.c.next, nil, sigFlush, false)
		c.held = c.next
		m.settle(i, "Lease", false)
	case err == io.EOF:
		m.walk(i, "Lease", c.c.next, nil, sigEOF, false)
		c.held = c.next
		m.settle(i, "Lease", true)
	case errors.Is(err, context.Canceled):
		m.walk(i, "Lease", c.c.next, nil, sigNone, false)
		c.held = c.next
		if c.next-1 != avail {
			t.Fatalf("c%d: Lease waited at %d with %d readable", i, c.next, avail)
		}
		m.settle(i, "Lease", true)
	default:
		t.Fatalf("c%d: Lease: %v", i, err)
	}
}

func (m *model) release(t *rapid.T) {
	i, c := m.pickCons(t, hasLease)
	l := c.lease
	var data []obs
	for seq, v := range l.All() {
		data = append(data, obs{seq, *v})
	}
	if len(data) != l.Len() {
		t.Fatalf("c%d: lease of %d events yielded %d", i, l.Len(), len(data))
	}
	l.Release()
	c.lease = nil
	m.walk(i, "Release", l.hi+1, data, sigNone, false)
	c.held = c.next
	m.settle(i, "Release", true)
}

func (m *model) closeCons(t *rapid.T) {
	i, c := m.pickCons(t, func(c *mCons) bool { return c.lease == nil && !c.closed })
	if m.rng.IntN(16) != 0 {
		return
	}
	err := c.c.Close()
	switch {
	case c.dependents > 0:
		if !errors.Is(err, ErrHasDependents) {
			t.Fatalf("c%d: Close with %d dependents: %v, want ErrHasDependents", i, c.dependents, err)
		}
	default:
		if err != nil {
			t.Fatalf("c%d: Close: %v", i, err)
		}
		c.held = c.next
		m.settle(i, "Close", true)
		c.closed = true
		for _, d := range c.deps {
			m.cons[d].dependents--
		}
		if err := c.c.Close(); err != nil {
			t.Fatalf("c%d: second Close: %v", i, err)
		}
	}
}

// check is the invariant run after every operation.
func (m *model) check(t *rapid.T) {
	m.seen["steps"]++
	want := m.claimed
	if !m.multi && m.prods[0].lo <= m.prods[0].hi {
		want = m.prods[0].lo - 1 // single-producer: the highest published
	}
	if got := m.r.Cursor(); got != want {
		t.Fatalf("ring cursor %d, model %d", got, want)
	}
	for i, c := range m.cons {
		if got := c.c.releasedCursor(); !c.closed && got != c.released {
			t.Fatalf("c%d: released cursor %d, model %d", i, got, c.released)
		}
		if !c.closed && m.claimed-m.size > c.released {
			t.Fatalf("c%d: producers claimed %d, past %d released + %d slots", i, m.claimed, c.released, m.size)
		}
	}
}

func TestModel(t *testing.T) {
	// One seed reproduces the model test too: rapid's own seed follows the
	// base seed unless -rapid.seed is given.
	if f := flag.Lookup("rapid.seed"); f != nil && f.Value.String() == "0" {
		f.Value.Set(strconv.FormatUint(uint64(baseSeed), 10))
		defer f.Value.Set("0")
		t.Logf("rapid seed %d (the base seed; -seed=%d or -rapid.seed=%d repeats it)", uint64(baseSeed), baseSeed, uint64(baseSeed))
	}
	if f := flag.Lookup("rapid.nofailfile"); f != nil && f.Value.String() == "false" {
		f.Value.Set("true") // the seed reproduces a failure; keep testdata/ out of the repository
		defer f.Value.Set("false")
	}
	steps, checks := "100", "500"
	if soak() {
		steps, checks = "500", "5000"
	}
	for name, v := range map[string]string{"rapid.steps": steps, "rapid.checks": checks} {
		if f := flag.Lookup(name); f != nil && f.Value.String() == f.DefValue {
			f.Value.Set(v)
			defer f.Value.Set(f.DefValue)
		}
	}
	seen := map[string]int{}
	defer func() {
		t.Logf("outcomes: %v", seen)
		for _, k := range []string{"ErrFull", "ErrEmpty", "EOF", "flush", "data"} {
			if seen[k] == 0 && !t.Failed() {
				t.Errorf("no operation met %s: the model test is vacuous", k)
			}
		}
	}()
	rapid.Check(t, func(t *rapid.T) {
		size := rapid.SampledFrom([]int{2, 4, 8}).Draw(t, "size")
		multi := rapid.Bool().Draw(t, "multi")
		nprod := 1
		if multi {
			nprod = rapid.IntRange(1, 2).Draw(t, "producers")
		}
		ncons := rapid.IntRange(1, 3).Draw(t, "consumers")
		first := rapid.SampledFrom([]int64{0, 1<<62 - 3}).Draw(t, "first")
		r, err := New[int64](size, modeOpts(multi, WithFirstSequence(first))...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		m := &model{t: t, r: r, size: int64(size), multi: multi, claimed: first - 1,
			slots: map[int64]mSlot{}, done: ctx, seen: seen,
			rng: rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "rng"), 0))}
		for i := range nprod {
			p, err := r.NewProducer(fmt.Sprint("p", i))
			if err != nil {
				t.Fatal(err)
			}
			m.prods = append(m.prods, &mProd{p: p, lo: 1, hi: 0})
		}
		for i := range ncons {
			var deps []int
			var after []Dependency
			for j := range i {
				if rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("c%d after c%d", i, j)) == 0 {
					deps = append(deps, j)
					after = append(after, m.cons[j].c)
					m.cons[j].dependents++
				}
			}
			c, err := r.NewConsumer(fmt.Sprint("c", i), After(after...))
			if err != nil {
				t.Fatal(err)
			}
			m.cons = append(m.cons, &mCons{c: c, next: first, released: first - 1, held: first, deps: deps})
		}
		t.Repeat(map[string]func(*rapid.T){
			"":          m.check,
			"TryClaim":  func(t *rapid.T) { m.claim(t, 1) },
			"TryClaim2": func(t *rapid.T) { m.claim(t, 1) },
			"TryClaimN": func(t *rapid.T) { m.claim(t, int64(rapid.IntRange(2, size+1).Draw(t, "n"))) },
			"Publish":   func(t *rapid.T) { m.resolve(t, engine.KindData) },
			"Publish2":  func(t *rapid.T) { m.resolve(t, engine.KindData) },
			"Publish3":  func(t *rapid.T) { m.resolve(t, engine.KindData) },
			"Skip":      func(t *rapid.T) { m.resolve(t, engine.KindHole) },
			"Put":       m.put,
			"Flush":     m.flush,
			"CloseP":    m.closeProd,
			"TryNext":   m.tryNext,
			"TryNext2":  m.tryNext,
			"Batch":     m.batch,
			"Lease":     m.lease,
			"Release":   m.release,
			"CloseC":    m.closeCons,
		})
	})
}
