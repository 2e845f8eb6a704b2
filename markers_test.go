package disruptor

// Markers and lifecycles: EOF from several producers, Flush, Skip, Close of
// producers and consumers, dependents, StartAtLatest. Deterministic, from
// one goroutine.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"testing"
)

// reading is one consumer's view of a stream: data values and markers in
// the order read, for comparing with what was published.
type reading []string

// readAll reads c with TryNext-like calls of the given mode until ErrEmpty or
// io.EOF and returns what it saw: values, "flush", "eof".
func readAll(t *testing.T, c *Consumer[int], m readMode) reading {
	t.Helper()
	var out reading
	flushes := c.t.V[cFlushes] // the consumer's own tally: same goroutine
	// A cancelled context makes the blocking calls non-blocking: they
	// return context.Canceled where TryNext returns ErrEmpty.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		var err error
		switch m {
		case byNext:
			var v *int
			if v, err = c.TryNext(); err == nil {
				out = append(out, fmt.Sprint(*v))
			}
		case byBatch:
			var n int
			var ends []bool
			n, err = c.Batch(ctx, func(v *int, _ int64, end bool) error {
				out = append(out, fmt.Sprint(*v))
				ends = append(ends, end)
				return nil
			})
			if n != len(ends) || (n > 0 && slices.Index(ends, true) != n-1) {
				t.Fatalf("Batch returned %d with endOfBatch %v", n, ends)
			}
			if err == nil && c.t.V[cFlushes] > flushes {
				err = ErrFlush // the batch ended at a flush
			}
			flushes = c.t.V[cFlushes]
		case byLease:
			var l Lease[int]
			if l, err = c.Lease(ctx, 3); err == nil {
				for _, v := range l.All() {
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
		case err == ErrEmpty, errors.Is(err, context.Canceled):
			return out
		default:
			t.Fatalf("%v: %v", m, err)
		}
	}
}

// TestEOFSeveralProducers: earlier EOFs are swallowed; io.EOF comes after
// the last producer's EOF and every event before it, and repeats.
func TestEOFSeveralProducers(t *testing.T) {
	for _, m := range []readMode{byNext, byBatch, byLease} {
		r, _ := New[int](16, WithMultiProducer())
		ps := make([]*Producer[int], 3)
		for i := range ps {
			ps[i], _ = r.NewProducer(fmt.Sprint("p", i))
		}
		c, _ := r.NewConsumer("c")
		pub := func(p *Producer[int], v int) {
			ev, err := p.TryClaim()
			if err != nil {
				t.Fatal(err)
			}
			*ev = v
			p.Publish()
		}
		pub(ps[0], 1)
		pub(ps[0], 2)
		if err := ps[0].Close(); err != nil {
			t.Fatal(err)
		}
		pub(ps[1], 3)
		if got := readAll(t, c, m); fmt.Sprint(got) != "[1 2 3]" {
			t.Fatalf("%v: read %v, want [1 2 3]", m, got)
		}
		if err := ps[1].Close(); err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, c, m); len(got) != 0 {
			t.Fatalf("%v: read %v after 2 EOFs of 3, want nothing", m, got)
		}
		pub(ps[2], 4)
		if err := ps[2].Close(); err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, c, m); fmt.Sprint(got) != "[4 eof]" {
			t.Fatalf("%v: read %v, want [4 eof]", m, got)
		}
		for range 3 {
			if got := readAll(t, c, m); fmt.Sprint(got) != "[eof]" {
				t.Fatalf("%v: read %v after EOF, want [eof]", m, got)
			}
		}
		if st := c.Stats(); st.EOFs != 3 || st.Events != 4 {
			t.Errorf("%v: stats %+v, want 3 EOFs and 4 events", m, st)
		}
	}
}

// TestFlushAndSkip: Next returns ErrFlush at the marker, Batch ends a batch
// there, Lease stops before it; holes are passed over silently and counted.
func TestFlushAndSkip(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, m := range []readMode{byNext, byBatch, byLease} {
			r, _ := New[int](32, modeOpts(multi)...)
			p, _ := r.NewProducer("p")
			c, _ := r.NewConsumer("c")
			ctx := bounded(t)
			v := 0
			pub := func(k int) {
				b, err := p.ClaimN(ctx, k)
				if err != nil {
					t.Fatal(err)
				}
				for i := range k {
					*b.At(i) = v
					v++
				}
				p.Publish()
			}
			skip := func(k int) {
				if _, err := p.ClaimN(ctx, k); err != nil {
					t.Fatal(err)
				}
				p.Skip()
			}
			flush := func() {
				if err := p.Flush(ctx); err != nil {
					t.Fatal(err)
				}
			}
			pub(2)  // 0 1
			skip(3) //
			pub(1)  // 2
			flush()
			flush()
			skip(1)
			pub(3) // 3 4 5
			flush()
			skip(2)
			if _, err := p.Claim(ctx); err != nil {
				t.Fatal(err)
			}
			if err := p.Close(); err != nil { // skips the outstanding claim
				t.Fatal(err)
			}
			got := readAll(t, c, m)
			const want = "[0 1 2 flush flush 3 4 5 flush eof]"
			if fmt.Sprint(got) != want {
				t.Errorf("%s %v: read %v, want %s", modeName(multi), m, got, want)
			}
			if st := c.Stats(); st.Holes != 7 || st.Flushes != 3 || st.Events != 6 || st.EOFs != 1 {
				t.Errorf("%s %v: stats %+v, want 7 holes, 3 flushes, 6 events, 1 EOF", modeName(multi), m, st)
			}
			if st := p.Stats(); st.Skips != 7 || st.Flushes != 3 || st.Published != 6 || st.EOFs != 1 {
				t.Errorf("%s: producer stats %+v, want 7 skips, 3 flushes, 6 published, 1 EOF", modeName(multi), st)
			}
		}
	}
}

// TestBatchEnds: endOfBatch falls on the last event of each run acquired and
// on the last event before a flush; a handler error stops the batch, the
// failed event counts as consumed and the next Batch resumes after it.
func TestBatchEnds(t *testing.T) {
	buggifySkip(t, "the expected batches are whole runs; injected short batches end them early")
	r, _ := New[int](16)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	ctx := bounded(t)
	pub := func(vs ...int) {
		for _, v := range vs {
			ev, _ := p.TryClaim()
			*ev = v
			p.Publish()
		}
	}
	type call struct {
		v   int
		end bool
	}
	batch := func(failAt int) ([]call, int, error) {
		var calls []call
		n, err := c.Batch(ctx, func(v *int, seq int64, end bool) error {
			if int64(*v) != seq {
				t.Fatalf("value %d at sequence %d", *v, seq)
			}
			calls = append(calls, call{*v, end})
			if *v == failAt {
				return fmt.Errorf("fail at %d", *v)
			}
			return nil
		})
		return calls, n, err
	}
	pub(0, 1, 2)
	p.Flush(ctx) // 3
	if calls, n, err := batch(-1); fmt.Sprint(calls) != "[{0 false} {1 false} {2 true}]" || n != 3 || err != nil {
		t.Errorf("batch before a flush: %v, %d, %v", calls, n, err)
	}
	pub(4, 5, 6, 7)
	if calls, n, err := batch(5); fmt.Sprint(calls) != "[{4 false} {5 false}]" || n != 2 || err == nil {
		t.Errorf("batch failing at 5: %v, %d, %v", calls, n, err)
	}
	if calls, n, err := batch(-1); fmt.Sprint(calls) != "[{6 false} {7 true}]" || n != 2 || err != nil {
		t.Errorf("batch after the failure: %v, %d, %v", calls, n, err)
	}
	pub(8)
	if calls, n, err := batch(8); fmt.Sprint(calls) != "[{8 true}]" || n != 1 || err == nil {
		t.Errorf("batch failing on its last event: %v, %d, %v", calls, n, err)
	}
	pub(9)
	p.Close()
	// The EOF ends the batch; it may come with the last events or after.
	calls, n, err := batch(-1)
	if err == nil {
		var more []call
		more, n, err = batch(-1)
		if n != 0 {
			t.Errorf("batch after the last event: %v", more)
		}
	}
	if fmt.Sprint(calls) != "[{9 true}]" || err != io.EOF {
		t.Errorf("batch ending at EOF: %v, %v; want 9 then io.EOF", calls, err)
	}
	if st := c.Stats(); st.Events != 9 || st.Flushes != 1 || st.EOFs != 1 {
		t.Errorf("stats %+v after a Batch reached EOF: want 9 events, 1 flush, 1 EOF", st)
	}
}

// TestLease: a lease holds its slots against producers until Release, ends
// before markers, and a huge max is as good as "everything available".
func TestLease(t *testing.T) {
	for _, multi := range []bool{false, true} {
		r, _ := New[int](4, modeOpts(multi)...)
		p, _ := r.NewProducer("p")
		c, _ := r.NewConsumer("c")
		ctx := bounded(t)
		for i := range 4 {
			ev, _ := p.TryClaim()
			*ev = i
			p.Publish()
		}
		var got []int
		for len(got) < 4 { // a consumer may take a long run in parts
			l, err := c.Lease(ctx, math.MaxInt)
			if err != nil || l.Len() < 1 {
				t.Fatalf("%s: Lease(MaxInt): %d events, %v", modeName(multi), l.Len(), err)
			}
			if len(got) == 0 { // the first lease holds sequence 0: the ring is full
				if _, err := p.TryClaim(); err != ErrFull {
					t.Fatalf("%s: TryClaim while a lease holds the ring: %v, want ErrFull", modeName(multi), err)
				}
			}
			for seq, v := range l.All() {
				if int64(*v) != seq {
					t.Fatalf("value %d at %d", *v, seq)
				}
				got = append(got, *v)
			}
			l.Release()
		}
		if fmt.Sprint(got) != "[0 1 2 3]" {
			t.Fatalf("leased %v", got)
		}
		for i := 4; i < 12; i++ { // the ring is free again
			ev, err := p.TryClaim()
			if err != nil {
				t.Fatalf("%s: claim %d after Release: %v", modeName(multi), i, err)
			}
			*ev = i
			p.Publish()
			l, err := c.Lease(ctx, math.MaxInt)
			if err != nil || l.Len() != 1 || c.Sequence() != int64(i-1) {
				t.Fatalf("%s: Lease(MaxInt) at %d: %d events, %v, sequence %d", modeName(multi), i, l.Len(), err, c.Sequence())
			}
			for seq, v := range l.All() {
				if *v != i || seq != int64(i) {
					t.Fatalf("%s: leased %d at %d, want %d", modeName(multi), *v, seq, i)
				}
			}
			l.Release()
		}
		if c.Sequence() != 11 {
			t.Errorf("Sequence after the last lease: %d, want 11", c.Sequence())
		}
	}
}

// TestProducerClose: claims after Close return ErrClosed; Close is
// idempotent and publishes one EOF only.
func TestProducerClose(t *testing.T) {
	for _, multi := range []bool{false, true} {
		r, _ := New[int](8, modeOpts(multi)...)
		p, _ := r.NewProducer("p")
		c, _ := r.NewConsumer("c")
		ctx := bounded(t)
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		cur := r.Cursor()
		for range 3 {
			if err := p.Close(); err != nil {
				t.Errorf("%s: second Close: %v", modeName(multi), err)
			}
		}
		if r.Cursor() != cur {
			t.Errorf("%s: a second Close claimed: cursor %d, was %d", modeName(multi), r.Cursor(), cur)
		}
		if _, err := p.Claim(ctx); !errors.Is(err, ErrClosed) {
			t.Errorf("Claim after Close: %v", err)
		}
		if _, err := p.TryClaim(); !errors.Is(err, ErrClosed) {
			t.Errorf("TryClaim after Close: %v", err)
		}
		if _, err := p.ClaimN(ctx, 2); !errors.Is(err, ErrClosed) {
			t.Errorf("ClaimN after Close: %v", err)
		}
		if _, err := p.TryClaimN(2); !errors.Is(err, ErrClosed) {
			t.Errorf("TryClaimN after Close: %v", err)
		}
		if err := p.Flush(ctx); !errors.Is(err, ErrClosed) {
			t.Errorf("Flush after Close: %v", err)
		}
		if got := readAll(t, c, byNext); fmt.Sprint(got) != "[eof]" {
			t.Errorf("%s: read %v, want [eof]", modeName(multi), got)
		}
		if st := p.Stats(); st.EOFs != 1 || st.Claims != 1 {
			t.Errorf("%s: producer stats %+v, want 1 EOF", modeName(multi), st)
		}
	}
}

// TestConsumerClose: a consumer others follow cannot close; Close is
// idempotent; reads after Close return ErrClosed, even with events left in
// the run the consumer had acquired; a closed consumer no longer gates.
func TestConsumerClose(t *testing.T) {
	r, _ := New[int](4)
	p, _ := r.NewProducer("p")
	c0, _ := r.NewConsumer("c0")
	c1, _ := r.NewConsumer("c1", After(c0))
	ctx := bounded(t)
	for i := range 4 {
		ev, _ := p.TryClaim()
		*ev = i
		p.Publish()
	}
	if v, err := c0.Next(ctx); err != nil || *v != 0 {
		t.Fatalf("Next: %v, %v", v, err)
	}
	if err := c0.Close(); !errors.Is(err, ErrHasDependents) {
		t.Fatalf("closing a consumer with a dependent: %v, want ErrHasDependents", err)
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c0.Close(); err != nil {
		t.Fatalf("closing after the dependent closed: %v", err)
	}
	if err := c0.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// c0 had acquired 0..3 and read only 0: the rest is no longer its own.
	if v, err := c0.Next(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: %v, %v; want ErrClosed", v, err)
	}
	if _, err := c0.TryNext(); !errors.Is(err, ErrClosed) {
		t.Errorf("TryNext after Close: %v, want ErrClosed", err)
	}
	if _, err := c0.Batch(ctx, func(*int, int64, bool) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Batch after Close: %v, want ErrClosed", err)
	}
	if _, err := c0.Lease(ctx, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Lease after Close: %v, want ErrClosed", err)
	}
	for i := range 8 { // nothing gates the producer now
		if _, err := p.TryClaim(); err != nil {
			t.Fatalf("claim %d with every consumer closed: %v", i, err)
		}
		p.Publish()
	}
}

// TestWorkGroupDependents: closing a group must not let a consumer that
// others still follow close.
func TestWorkGroupDependents(t *testing.T) {
	r, _ := New[int](4)
	c0, _ := r.NewConsumer("c0")
	wg, err := r.NewWorkGroup("wg", 3, After(c0))
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := r.NewConsumer("c1", After(c0))
	down, _ := r.NewConsumer("down", After(wg))
	if err := wg.Close(); !errors.Is(err, ErrHasDependents) {
		t.Fatalf("closing a followed group: %v, want ErrHasDependents", err)
	}
	if err := down.Close(); err != nil {
		t.Fatal(err)
	}
	if err := wg.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c0.Close(); !errors.Is(err, ErrHasDependents) {
		t.Fatalf("closing c0 while c1 follows it: %v, want ErrHasDependents", err)
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c0.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestStartAtLatest: a consumer made with StartAtLatest skips what was
// published before it; one made without starts from the oldest retained.
func TestStartAtLatest(t *testing.T) {
	for _, multi := range []bool{false, true} {
		r, _ := New[int](8, modeOpts(multi)...)
		p, _ := r.NewProducer("p")
		pub := func(v int) {
			ev, err := p.TryClaim()
			if err != nil {
				t.Fatal(err)
			}
			*ev = v
			p.Publish()
		}
		pub(0)
		pub(1)
		pub(2)
		oldest, _ := r.NewConsumer("oldest")
		latest, _ := r.NewConsumer("latest", StartAtLatest())
		pub(3)
		pub(4)
		if got := readAll(t, oldest, byNext); fmt.Sprint(got) != "[0 1 2 3 4]" {
			t.Errorf("%s: oldest read %v", modeName(multi), got)
		}
		if got := readAll(t, latest, byNext); fmt.Sprint(got) != "[3 4]" {
			t.Errorf("%s: latest read %v", modeName(multi), got)
		}
		p.Close()
		for _, c := range []*Consumer[int]{oldest, latest} {
			if got := readAll(t, c, byBatch); fmt.Sprint(got) != "[eof]" {
				t.Errorf("%s: %s read %v, want [eof]", modeName(multi), c.Name(), got)
			}
		}
	}
}

// TestLateJoinerNeverOverwritten: a consumer joining a ring that producers
// have wrapped starts where no producer can overwrite what it reads next.
func TestLateJoinerNeverOverwritten(t *testing.T) {
	r, _ := New[int](4)
	p, _ := r.NewProducer("p")
	v := 0
	for range 10 { // no consumer: the producer laps freely
		ev, _ := p.TryClaim()
		*ev = v
		v++
		p.Publish()
	}
	c, _ := r.NewConsumer("late")
	for {
		ev, err := p.TryClaim()
		if err == ErrFull {
			break
		}
		*ev = v
		v++
		p.Publish()
	}
	got := readAll(t, c, byNext)
	if len(got) == 0 || len(got) > 4 || got[len(got)-1] != fmt.Sprint(v-1) {
		t.Fatalf("late joiner read %v; published up to %d on a ring of 4", got, v-1)
	}
	for i := 1; i < len(got); i++ {
		a, _ := strconv.Atoi(got[i-1])
		b, _ := strconv.Atoi(got[i])
		if b != a+1 {
			t.Fatalf("late joiner read %v: not consecutive", got)
		}
	}
}

// TestFollowClosed: a consumer cannot be made to follow a closed consumer
// or group: it would wait forever on a cursor nobody moves (or on the
// cursor of whoever reuses the closed one's record).
func TestFollowClosed(t *testing.T) {
	r, _ := New[int](4)
	c0, _ := r.NewConsumer("c0")
	wg, _ := r.NewWorkGroup("wg", 2)
	if err := c0.Close(); err != nil {
		t.Fatal(err)
	}
	if err := wg.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.NewConsumer("d", After(c0)); !errors.Is(err, ErrClosed) {
		t.Errorf("following a closed consumer: %v; want ErrClosed", err)
	}
	if _, err := r.NewConsumer("d", After(wg)); !errors.Is(err, ErrClosed) {
		t.Errorf("following a closed group: %v; want ErrClosed", err)
	}
	if _, err := r.NewWorkGroup("g", 2, After(c0)); !errors.Is(err, ErrClosed) {
		t.Errorf("a group following a closed consumer: %v; want ErrClosed", err)
	}
	// The failed attempts left nothing behind: the table has room.
	for i := range 10 {
		c, err := r.NewConsumer(fmt.Sprint("ok", i))
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
}

// TestReleaseAfterClose: a lease released after its consumer closed must
// not touch the consumer table: the entry may belong to another consumer.
func TestReleaseAfterClose(t *testing.T) {
	r, _ := New[int](4)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	for i := range 4 {
		ev, _ := p.TryClaim()
		*ev = i
		p.Publish()
	}
	l, err := c.Lease(bounded(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	d, _ := r.NewConsumer("d") // may take the entry c left
	before := d.releasedCursor()
	l.Release()
	if after := d.releasedCursor(); after != before {
		t.Fatalf("releasing c's lease moved d's cursor from %d to %d", before, after)
	}
	if _, err := c.TryNext(); !errors.Is(err, ErrClosed) {
		t.Errorf("TryNext after Close and Release: %v, want ErrClosed", err)
	}
	// d still gets every event the ring retains for it.
	got := readAll(t, d, byNext)
	if len(got) == 0 || got[0] != "0" {
		t.Errorf("d read %v, want the events from 0", got)
	}
}

// TestMemberCloseWithDependents: a work group's member is part of what the
// group's followers follow; like the group, it cannot close under them.
func TestMemberCloseWithDependents(t *testing.T) {
	r, _ := New[int](4)
	wg, _ := r.NewWorkGroup("wg", 2)
	down, _ := r.NewConsumer("down", After(wg))
	if err := wg.Member(1).Close(); !errors.Is(err, ErrHasDependents) {
		t.Fatalf("closing a member of a followed group: %v, want ErrHasDependents", err)
	}
	if err := down.Close(); err != nil {
		t.Fatal(err)
	}
	if err := wg.Member(1).Close(); err != nil {
		t.Fatalf("closing a member once nobody follows: %v", err)
	}
	if err := wg.Close(); err != nil {
		t.Fatal(err)
	}
}
