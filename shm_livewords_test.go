package disruptor

// Live corruption of a shared ring's words: another process (here, this
// test, through the mapping) rewrites the control block, the tables and
// the counters' metadata while participants and readers run. They may
// deliver wrong events or give up with typed errors; none may panic.

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// liveWord is one word of a mapping that corruption may rewrite.
type liveWord struct {
	name string
	set  func(v uint64)
}

// liveWords lists the words of a ring's mapping used as counts, indexes,
// lengths, states and positions: the control block, the first consumer
// records and producer entries, and the counter records' metadata.
func liveWords(sh *shared) []liveWord {
	var ws []liveWord
	u32 := func(name string, w *atomic.Uint32) {
		ws = append(ws, liveWord{name, func(v uint64) { w.Store(uint32(v)) }})
	}
	i64 := func(name string, w *atomic.Int64) {
		ws = append(ws, liveWord{name, func(v uint64) { w.Store(int64(v)) }})
	}
	ctl := sh.ctl
	u32("Records", &ctl.Records.Uint32)
	u32("Producers", &ctl.Producers.Uint32)
	u32("State", &ctl.State.Uint32)
	u32("Epoch", &ctl.Epoch.Uint32)
	i64("Cursor", &ctl.Cursor.Int64)
	i64("GateCache", &ctl.GateCache.Int64)
	recs := sh.recs()
	for i := range min(4, len(recs)) {
		r := &recs[i]
		u32(fmt.Sprintf("rec[%d].State", i), &r.State)
		u32(fmt.Sprintf("rec[%d].NameLen", i), &r.NameLen)
		u32(fmt.Sprintf("rec[%d].Detached", i), &r.Detached)
		i64(fmt.Sprintf("rec[%d].PID", i), &r.PID)
		i64(fmt.Sprintf("rec[%d].Cursor", i), &r.Cursor)
	}
	for j := range 4 {
		e := &ctl.Table[j]
		u32(fmt.Sprintf("prod[%d].State", j), &e.State)
		u32(fmt.Sprintf("prod[%d].NameLen", j), &e.NameLen)
		i64(fmt.Sprintf("prod[%d].PID", j), &e.PID)
		i64(fmt.Sprintf("prod[%d].EOF", j), &e.EOF)
	}
	for _, k := range []int{0, 1, len(recs), len(recs) + 1} {
		if k >= len(sh.counters) {
			continue
		}
		c := &sh.counters[k]
		u32(fmt.Sprintf("counter[%d].State", k), &c.State)
		u32(fmt.Sprintf("counter[%d].Role", k), &c.Role)
		u32(fmt.Sprintf("counter[%d].LabelLen", k), &c.LabelLen)
		u32(fmt.Sprintf("counter[%d].Gen", k), &c.Gen)
		u32(fmt.Sprintf("counter[%d].Owner", k), &c.Owner)
	}
	return ws
}

// liveValues are the values corruption prefers: out of every range.
var liveValues = []uint64{0, 1, 2, 3, 5000, math.MaxUint32, 1 << 31, math.MaxInt64, 1 << 63, math.MaxUint64, 64, 65}

// liveRig is a multi-producer ring with a producer, a consumer and an
// observer of this process, and the words to corrupt.
type liveRig struct {
	path  string
	r     *Ring[int64]
	p     *Producer[int64]
	c     *Consumer[int64]
	o     *Observer[int64]
	words []liveWord
	done  context.Context // already ended: blocking calls return at once
}

func newLiveRig(t testing.TB) *liveRig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create[int64](path, 8, WithMultiProducer(), WithMaxConsumers(4))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	g := &liveRig{path: path, r: r, words: liveWords(r.sh)}
	if g.p, err = r.NewProducer("p"); err != nil {
		t.Fatal(err)
	}
	if g.c, err = r.NewConsumer("c"); err != nil {
		t.Fatal(err)
	}
	if g.o, err = r.NewObserver(false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g.done = ctx
	return g
}

// corrupt rewrites the word sel picks with v, or with one of liveValues if
// v's top byte says so.
func (g *liveRig) corrupt(sel byte, v uint64) string {
	w := g.words[int(sel)%len(g.words)]
	if v>>56 == 0xA5 {
		v = liveValues[int(v&0xff)%len(liveValues)]
	}
	w.set(v)
	return fmt.Sprintf("%s=%#x", w.name, v)
}

// produce publishes up to n events without waiting.
func (g *liveRig) produce(n int) {
	for i := range n {
		ev, err := g.p.TryClaim()
		if err != nil {
			return
		}
		*ev = int64(i)
		g.p.Publish()
	}
}

// consume reads up to n events without waiting.
func (g *liveRig) consume(n int) {
	for range n {
		if _, err := g.c.TryNext(); err != nil && err != ErrFlush {
			return
		}
	}
}

// read runs every reader of the ring: Inspect (and its JSON), the
// counters, the report, the consumer count.
func (g *liveRig) read() {
	if in, err := Inspect(g.path); err == nil {
		json.Marshal(in)
		_ = in.String()
	}
	g.r.Counters()
	g.r.Report(io.Discard)
	g.r.Consumers()
	g.p.Stats()
	g.c.Stats()
}

// register makes and closes participants, through the corrupted tables.
func (g *liveRig) register(ctx context.Context) {
	if c, err := g.r.NewConsumer("n"); err == nil {
		c.TryNext()
		c.Close()
	}
	if p, err := g.r.NewProducer("q"); err == nil {
		p.TryClaim()
		p.CloseContext(ctx)
	}
	g.r.WaitForConsumers(ctx, 100)
}

// step runs everything once; blocking calls are given ctx.
func (g *liveRig) step(ctx context.Context) {
	g.produce(10)
	g.consume(10)
	if ev, err := g.p.Claim(ctx); err == nil {
		*ev = -1
		g.p.Publish()
	}
	g.c.Next(ctx)
	var x int64
	g.o.Next(ctx, &x)
	g.read()
	g.register(ctx)
}

// FuzzLiveWords rewrites words of a running ring's mapping, nine bytes an
// operation (the word, then its new value), running the producer, the
// consumer, the observer, registration and every reader after each.
func FuzzLiveWords(f *testing.F) {
	op := func(sel byte, v uint64) []byte {
		return binary.LittleEndian.AppendUint64([]byte{sel}, v)
	}
	g := newLiveRig(f) // names the words
	index := map[string]byte{}
	for i, w := range g.words {
		index[w.name] = byte(i)
	}
	seed := func(ops ...[]byte) {
		var b []byte
		for _, o := range ops {
			b = append(b, o...)
		}
		f.Add(b)
	}
	seed(op(index["Records"], 5000))
	seed(op(index["prod[1].State"], uint64(engine.ProdActive)), op(index["prod[1].NameLen"], 5000),
		op(index["prod[2].State"], uint64(engine.ProdActive)), op(index["prod[2].NameLen"], 5000))
	seed(op(index["rec[1].State"], uint64(engine.RecActive)), op(index["rec[1].NameLen"], math.MaxUint32), op(index["Records"], math.MaxUint32))
	seed(op(index["prod[0].State"], 77), op(index["rec[0].State"], 9), op(index["Producers"], math.MaxUint32))
	seed(op(index["counter[0].LabelLen"], 5000), op(index["counter[0].Role"], 9), op(index["counter[4].LabelLen"], math.MaxUint32))
	seed(op(index["Cursor"], math.MaxInt64), op(index["GateCache"], math.MaxInt64))
	seed(op(index["Cursor"], 1<<63), op(index["rec[0].Cursor"], 1<<63))
	seed(op(index["State"], uint64(engine.StateHalted)), op(index["Epoch"], 3), op(index["State"], 0))
	seed(op(index["rec[0].PID"], 1<<63), op(index["prod[0].PID"], math.MaxUint64), op(index["prod[0].EOF"], 1<<63))
	f.Fuzz(func(t *testing.T, ops []byte) {
		g := newLiveRig(t)
		var did []string
		step := func() { // nothing waits: the context has ended
			t0 := time.Now()
			g.step(g.done)
			if d := time.Since(t0); d > time.Second {
				var b strings.Builder
				pprof.Lookup("goroutine").WriteTo(&b, 1)
				t.Fatalf("a step took %v after %v\n%s", d, did, b.String())
			}
		}
		step()
		for n := 0; len(ops) >= 9 && n < 32; n++ {
			did = append(did, g.corrupt(ops[0], binary.LittleEndian.Uint64(ops[1:9])))
			ops = ops[9:]
			step()
		}
	})
}

// TestSharedLiveWordCorruption rewrites random words of a running ring
// with out-of-range values while a producer, a consumer, an observer,
// registration, Inspect and the counter readers run on their own
// goroutines: no panic, and every goroutine still returns.
func TestSharedLiveWordCorruption(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("DISRUPTOR_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 0, 64)
		if err != nil {
			t.Fatalf("DISRUPTOR_SEED=%q: %v", v, err)
		}
		seed = n
	}
	t.Logf("seed: repeat with DISRUPTOR_SEED=%d go test -run '^%s$'", seed, t.Name())
	rng := rand.New(rand.NewPCG(seed, 7))
	g := newLiveRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var mu sync.Mutex
	var log []string // the corruptions so far, for the failure message
	var wg sync.WaitGroup
	run := func(name string, f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					mu.Lock()
					t.Errorf("%s panicked after %d corruptions (last %v): %v\n%s", name, len(log), log[max(0, len(log)-8):], v, debug.Stack())
					mu.Unlock()
					cancel()
				}
			}()
			for ctx.Err() == nil {
				f()
			}
		}()
	}
	short := func(f func(ctx context.Context)) func() {
		return func() {
			c, stop := context.WithTimeout(ctx, 5*time.Millisecond)
			f(c)
			stop()
		}
	}
	// Each goroutine has its own participant: they are used by one
	// goroutine at a time.
	run("producer", short(func(ctx context.Context) {
		for i := range 16 {
			ev, err := g.p.Claim(ctx)
			if err != nil {
				return
			}
			*ev = int64(i)
			g.p.Publish()
		}
	}))
	run("consumer", short(func(ctx context.Context) {
		for range 16 {
			if _, err := g.c.Next(ctx); err != nil && err != ErrFlush {
				return
			}
		}
	}))
	run("observer", short(func(ctx context.Context) {
		var x int64
		g.o.Next(ctx, &x)
	}))
	run("readers", func() { g.read(); time.Sleep(100 * time.Microsecond) })
	run("registration", short(func(ctx context.Context) { g.register(ctx); time.Sleep(200 * time.Microsecond) }))
	run("corrupter", func() {
		sel, v := byte(rng.IntN(256)), rng.Uint64()
		if rng.IntN(4) != 0 {
			v = 0xA5<<56 | uint64(rng.IntN(len(liveValues)))
		}
		if rng.IntN(8) == 0 { // let the ring run again now and then
			sel, v = byte(2), 0 // State: running
		}
		did := g.corrupt(sel, v)
		mu.Lock()
		log = append(log, did)
		mu.Unlock()
		time.Sleep(50 * time.Microsecond)
	})
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		var b strings.Builder
		pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Log(b.String())
		t.Fatal("goroutines still running 8.5s after the end: a call does not return under corruption")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(log) < 100 {
		t.Errorf("only %d corruptions in 1.5s: the test proved little", len(log))
	}
	t.Logf("%d corruptions", len(log))
}
