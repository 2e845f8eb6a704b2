package disruptor

// Markers inside one acquired run: holes, flushes and EOFs between data
// events, read by Next, Batch and Lease, compared with a model of what each
// reader must see; and two producers interleaving markers and data.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// mop is one step of a marker script: producer p publishes a data event
// ('d'), skips k slots ('h'), flushes ('f') or closes ('e').
type mop struct {
	p    int
	kind byte
	k    int
}

// A script, written "d h2 f e" (producer 0) or "1:d" (producer 1).
func parseScript(s string) []mop {
	var ops []mop
	for _, w := range strings.Fields(s) {
		op := mop{k: 1}
		if len(w) > 2 && w[1] == ':' {
			op.p, w = int(w[0]-'0'), w[2:]
		}
		op.kind = w[0]
		if len(w) > 1 {
			fmt.Sscan(w[1:], &op.k)
		}
		ops = append(ops, op)
	}
	return ops
}

// slotKind is what the model says a sequence holds: a data value, or a
// marker.
type slotKind struct {
	kind uint32
	v    int
}

// runScript performs ops on the ring's producers and returns, for every
// sequence they took, what it holds. Data values count up from *v.
func runScript(t *testing.T, ctx context.Context, ps []*Producer[int], ops []mop, v *int) []slotKind {
	t.Helper()
	var out []slotKind
	producers := len(ps)
	for _, op := range ops {
		p := ps[op.p]
		switch op.kind {
		case 'd':
			ev, err := p.Claim(ctx)
			if err != nil {
				t.Fatalf("claim: %v", err)
			}
			*ev = *v
			p.Publish()
			out = append(out, slotKind{engine.KindData, *v})
			*v++
		case 'h':
			if _, err := p.ClaimN(ctx, op.k); err != nil {
				t.Fatalf("ClaimN(%d): %v", op.k, err)
			}
			p.Skip()
			for range op.k {
				out = append(out, slotKind{kind: engine.KindHole})
			}
		case 'f':
			if err := p.Flush(ctx); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			out = append(out, slotKind{kind: engine.KindFlush})
		case 'e':
			if err := p.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			producers--
			k := slotKind{kind: engine.KindEOF}
			if producers == 0 {
				k.v = 1 // the final EOF
			}
			out = append(out, k)
		}
	}
	return out
}

// expect is what a reader of mode m must see of seqs, all acquired in one
// run: data values in order ("7"; Batch marks the event that ends a batch,
// "7."), "flush" where Next and Lease get ErrFlush and where a Batch ended
// at a flush, "eof" at the final EOF.
func expect(seqs []slotKind, m readMode) []string {
	var out []string
	for i, s := range seqs {
		switch s.kind {
		case engine.KindData:
			v := fmt.Sprint(s.v)
			if m == byBatch && endsBatch(seqs, i) {
				v += "."
			}
			out = append(out, v)
		case engine.KindFlush:
			out = append(out, "flush")
		case engine.KindEOF:
			if s.v == 1 {
				out = append(out, "eof")
			}
		}
	}
	return out
}

// endsBatch: the data event at i is the last of its batch unless, past
// holes only, more data follows within the run.
func endsBatch(seqs []slotKind, i int) bool {
	for _, s := range seqs[i+1:] {
		switch s.kind {
		case engine.KindData:
			return false
		case engine.KindHole:
		default:
			return true
		}
	}
	return true
}

// readMarks reads c in mode m until the final EOF and returns what it saw,
// as expect spells it. It checks each mode's own contract on the way:
// Batch's count and its one endOfBatch on the last event, Lease runs of
// data only.
func readMarks(t *testing.T, ctx context.Context, c *Consumer[int], m readMode, maxLease int, data map[int64]int) []string {
	t.Helper()
	var out []string
	for range 1000 {
		var err error
		switch m {
		case byNext:
			var v *int
			if v, err = c.Next(ctx); err == nil {
				if want, ok := data[c.Sequence()]; !ok || want != *v {
					t.Fatalf("Next: %d at sequence %d, which holds no such data event", *v, c.Sequence())
				}
				out = append(out, fmt.Sprint(*v))
			}
		case byBatch:
			flushes := c.t.V[cFlushes]
			var n, calls int
			var ended bool
			n, err = c.Batch(ctx, func(v *int, seq int64, end bool) error {
				if ended {
					t.Fatalf("Batch: sequence %d delivered after endOfBatch", seq)
				}
				if want, ok := data[seq]; !ok || want != *v {
					t.Fatalf("Batch: %d at sequence %d, which holds no such data event", *v, seq)
				}
				s := fmt.Sprint(*v)
				if end {
					s += "."
				}
				out = append(out, s)
				calls, ended = calls+1, end
				return nil
			})
			if n != calls || (n > 0 && !ended) {
				t.Fatalf("Batch returned %d after %d calls (the last with endOfBatch %v)", n, calls, ended)
			}
			if err == nil && c.t.V[cFlushes] > flushes {
				out = append(out, "flush")
			}
		case byLease:
			var l Lease[int]
			if l, err = c.Lease(ctx, maxLease); err == nil {
				if l.Len() > maxLease {
					t.Fatalf("Lease(%d) of %d events", maxLease, l.Len())
				}
				for seq, v := range l.All() {
					if want, ok := data[seq]; !ok || want != *v {
						t.Fatalf("Lease: %d at sequence %d, which holds no such data event", *v, seq)
					}
					out = append(out, fmt.Sprint(*v))
				}
				l.Release()
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, ErrFlush):
			out = append(out, "flush")
		case err == io.EOF:
			return append(out, "eof")
		default:
			t.Fatalf("%v: %v after %v", m, err, out)
		}
	}
	t.Fatalf("%v: no EOF after 1000 reads: %v", m, out)
	return nil
}

// TestMarkersInBatch: scripts that put holes, flushes and EOFs inside one
// acquired run, at its start, back to back, right before the EOF and
// across the ring's end (over slots whose marker words hold an older
// lap's markers); each reader sees exactly the data events in order,
// ErrFlush or a batch end at each flush, endOfBatch before a flush or EOF
// but not before a hole that more acquired data follows, leases of data
// only, io.EOF after the last producer's EOF, and counters to match.
func TestMarkersInBatch(t *testing.T) {
	// At most 17 sequences each: a consumer of a ring of 64 acquires them
	// in one run (a quarter of the ring and one).
	cases := []struct {
		name      string
		producers int
		pad       bool // start past the ring's end, over a lap of markers
		script    string
	}{
		{"mixed", 1, false, "h h d d h d f d h e"},
		{"mixed-wrapping", 1, true, "h h d d h d f d h e"},
		{"holes-first", 1, false, "h3 d d d e"},
		{"hole-before-eof", 1, false, "d d h e"},
		{"holes-before-eof-wrapping", 1, true, "d h2 d h3 e"},
		{"flushes", 1, false, "f d f f h d h f d e"},
		{"flush-hole-flush", 1, true, "d f h f d h d d f e"},
		{"eof-only", 1, false, "e"},
		{"holes-only", 1, true, "h4 h e"},
		{"two-producers", 2, false, "0:d 1:h 0:f 1:d 1:d 0:h2 0:d 0:e 1:d 1:h 1:d 1:e"},
		{"two-producers-wrapping", 2, true, "1:h 0:d 1:f 0:h 1:d 0:d 1:e 0:h 0:d 0:f 0:d 0:e"},
		{"two-eofs-back-to-back", 2, true, "0:d 1:h 0:e 1:e"},
	}
	for _, multi := range []bool{false, true} {
		for _, tc := range cases {
			if tc.producers > 1 && !multi {
				continue
			}
			for _, m := range []readMode{byNext, byBatch, byLease} {
				for _, maxLease := range []int{64, 2} {
					if m != byLease && maxLease != 64 {
						continue
					}
					name := fmt.Sprintf("%s/%s/%v", modeName(multi), tc.name, m)
					if m == byLease {
						name += fmt.Sprint("/max", maxLease)
					}
					t.Run(name, func(t *testing.T) {
						testMarkersInBatch(t, multi, tc.producers, tc.pad, tc.script, m, maxLease)
					})
				}
			}
		}
	}
}

func testMarkersInBatch(t *testing.T, multi bool, producers int, pad bool, script string, m readMode, maxLease int) {
	r, _ := New[int](64, modeOpts(multi)...)
	ctx := watch(t, testDeadline(), r)
	ps := make([]*Producer[int], producers)
	for i := range ps {
		ps[i], _ = r.NewProducer(fmt.Sprint("p", i))
	}
	c, _ := r.NewConsumer("c")
	v := 0
	var holes, flushes int64
	if pad {
		// 8 holes in slots 0..7, then markers and data, read as they go, up
		// to 6 before the ring's second lap: the script runs over its end
		// into slots whose marker words hold lap 0's holes.
		prefix := parseScript("h8 d f d h3 d d d f h2 d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d f d d h d d")
		for i := 0; r.Cursor() < 121; i++ {
			seqs := runScript(t, ctx, ps, prefix[i%len(prefix):i%len(prefix)+1], &v)
			for _, s := range seqs {
				switch s.kind {
				case engine.KindHole:
					holes++
				case engine.KindFlush:
					flushes++
				}
			}
			drainNow(t, c)
		}
		if r.Cursor() != 121 {
			t.Fatalf("pad ended at %d, want 121", r.Cursor())
		}
	}
	first := r.Cursor() + 1
	if pad { // the script's slots must hold an older lap's markers
		stale := 0
		for s := first; s < first+17; s++ {
			if q := r.eng.Marks[s&r.eng.Mask].Seq.Load(); q != math.MinInt64 && q < s {
				stale++
			}
		}
		if stale < 4 {
			t.Fatalf("only %d of the slots from %d hold older markers", stale, first)
		}
	}
	seqs := runScript(t, ctx, ps, parseScript(script), &v)
	if len(seqs) > 17 {
		t.Fatalf("script of %d sequences: more than one run", len(seqs))
	}
	data := map[int64]int{}
	events := int64(0)
	for i, s := range seqs {
		switch s.kind {
		case engine.KindData:
			data[first+int64(i)] = s.v
			events++
		case engine.KindHole:
			holes++
		case engine.KindFlush:
			flushes++
		}
	}
	before := c.Stats()
	got := readMarks(t, ctx, c, m, maxLease, data)
	want := expect(seqs, m) // short leases split runs, but hold the same
	// Injected short batches end anywhere: compare what was read.
	if buggify.Enabled && m == byBatch {
		for _, l := range [][]string{got, want} {
			for i := range l {
				l[i] = strings.TrimSuffix(l[i], ".")
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("script %q from sequence %d: read\n%v\nwant\n%v", script, first, got, want)
	}
	for range 2 {
		if v, err := c.Next(ctx); err != io.EOF {
			t.Fatalf("Next after EOF: %v, %v; want io.EOF", v, err)
		}
	}
	st := c.Stats()
	if st.Holes != holes || st.Flushes != flushes || st.EOFs != int64(producers) || st.Events-before.Events != events {
		t.Errorf("stats %+v (events %d before the script); want %d holes, %d flushes, %d EOFs, %d events in the script",
			st, before.Events, holes, flushes, producers, events)
	}
}

// drainNow reads everything c can read without waiting.
func drainNow(t *testing.T, c *Consumer[int]) {
	t.Helper()
	for {
		_, err := c.TryNext()
		switch {
		case err == nil, errors.Is(err, ErrFlush):
		case err == ErrEmpty:
			return
		default:
			t.Fatalf("TryNext: %v", err)
		}
	}
}

// TestMarkersTwoProducersConcurrent: two producers publish data, holes and
// flushes at once, from a seed, then close; a consumer of each reading mode
// sees every data event exactly once in per-producer order, io.EOF only
// after both EOFs, and counters that add up to what the producers sent.
func TestMarkersTwoProducersConcurrent(t *testing.T) {
	for _, m := range []readMode{byNext, byBatch, byLease} {
		t.Run(m.String(), func(t *testing.T) {
			rng := testRand(t)
			r, _ := New[tev](32, WithMultiProducer())
			ctx := watch(t, testDeadline(), r)
			n := scaled(3000, 100000)
			c, _ := r.NewConsumer("c")
			var sent [2]struct{ holes, flushes int64 }
			g := newCrew(r)
			for id := range 2 {
				p, _ := r.NewProducer(fmt.Sprint("p", id))
				prng := newRandFrom(rng)
				g.goDo(p.Name(), func() error {
					for i := int64(0); i < n; {
						switch x := prng.IntN(10); {
						case x == 0:
							k := 1 + prng.IntN(5)
							if _, err := p.ClaimN(ctx, k); err != nil {
								return err
							}
							p.Skip()
							sent[id].holes += int64(k)
						case x == 1:
							if err := p.Flush(ctx); err != nil {
								return err
							}
							sent[id].flushes++
						default:
							k := min(1+prng.Int64N(6), n-i)
							b, err := p.ClaimN(ctx, int(k))
							if err != nil {
								return err
							}
							for j := range int(k) {
								b.At(j).set(int64(id), i+int64(j))
							}
							p.Publish()
							i += k
						}
					}
					return p.Close()
				})
			}
			k := newChecker("c", 0, 2)
			k.gaps = true // markers lie between the data events
			g.goDo("c", func() error {
				return drain(ctx, c, m, newRandFrom(rng), 7, k.see)
			})
			g.wait(t)
			if err := k.complete(n); err != nil {
				t.Fatal(err)
			}
			st := c.Stats()
			holes, flushes := sent[0].holes+sent[1].holes, sent[0].flushes+sent[1].flushes
			if st.Holes != holes || st.Flushes != flushes || st.EOFs != 2 || st.Events != 2*n {
				t.Errorf("stats %+v; want %d holes, %d flushes, 2 EOFs, %d events", st, holes, flushes, 2*n)
			}
		})
	}
}
