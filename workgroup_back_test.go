package disruptor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"
)

// giveBackWays are the ways a member can leave holding sequence 0: each
// makes m0 of wg take 0 and leave with it, in its own way.
var giveBackWays = map[string]func(t *testing.T, r *Ring[int], m0 *Consumer[int]){
	"close": func(t *testing.T, _ *Ring[int], m0 *Consumer[int]) {
		if _, err := m0.TryNext(); err != ErrEmpty { // takes 0
			t.Fatalf("TryNext: %v, want ErrEmpty", err)
		}
		if err := m0.Close(); err != nil {
			t.Fatal(err)
		}
	},
	"timeout": func(t *testing.T, _ *Ring[int], m0 *Consumer[int]) { // and never called again
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := m0.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Next: %v, want a deadline", err)
		}
	},
	"timeout-close": func(t *testing.T, _ *Ring[int], m0 *Consumer[int]) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		if _, err := m0.Next(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Next: %v, want canceled", err)
		}
		if err := m0.Close(); err != nil {
			t.Fatal(err)
		}
	},
	"halt": func(t *testing.T, r *Ring[int], m0 *Consumer[int]) {
		time.AfterFunc(10*time.Millisecond, r.Halt)
		if _, err := m0.Next(context.Background()); !errors.Is(err, ErrHalted) {
			t.Fatalf("Next: %v, want ErrHalted", err)
		}
	},
}

// TestWorkGroupGiveBack: a member that takes sequence 0 and leaves with it,
// in any way, gives it back: the other member reads 0..9, then io.EOF.
func TestWorkGroupGiveBack(t *testing.T) {
	for name, leave := range giveBackWays {
		t.Run(name, func(t *testing.T) {
			r, err := New[int](16)
			if err != nil {
				t.Fatal(err)
			}
			ctx := watch(t, testDeadline(), r)
			p, _ := r.NewProducer("p")
			wg, err := r.NewWorkGroup("wg", 2)
			if err != nil {
				t.Fatal(err)
			}
			m0, m1 := wg.Member(0), wg.Member(1)
			leave(t, r, m0)
			checkGroupReads(ctx, t, p, m1, 10)
			if name == "close" || name == "timeout-close" {
				if n := r.Consumers(); n != 1 {
					t.Errorf("%d consumer records after the group read m0's sequence, want 1 (m1)", n)
				}
			} else if _, err := m0.Next(ctx); err != io.EOF { // it lent 0, m1 read it
				t.Errorf("m0 after the end: %v, want io.EOF", err)
			}
		})
	}
}

// checkGroupReads publishes 100..100+n-1 and closes p; m reads them all in
// order, then io.EOF.
func checkGroupReads(ctx context.Context, t *testing.T, p *Producer[int], m *Consumer[int], n int) {
	t.Helper()
	for i := range n {
		ev, err := p.TryClaim()
		if err != nil {
			t.Fatal(err)
		}
		*ev = 100 + i
		p.Publish()
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		ev, err := m.Next(ctx)
		if err != nil {
			t.Fatalf("%s, event %d: %v", m.Name(), i, err)
		}
		if *ev != 100+i || m.Sequence() != int64(i) {
			t.Fatalf("%s read %d at %d, want %d at %d", m.Name(), *ev, m.Sequence(), 100+i, i)
		}
	}
	if _, err := m.Next(ctx); err != io.EOF {
		t.Fatalf("%s after %d events: %v, want io.EOF", m.Name(), n, err)
	}
}

// TestWorkGroupGiveBackToWaiter: a member waiting for its own sequence
// takes the lower one another member gives back when it closes.
func TestWorkGroupGiveBackToWaiter(t *testing.T) {
	ctx, r, p := blockRing(t, 4)
	wg := mustGroup(t, r, 2)
	m0, m1 := wg.Member(0), wg.Member(1)
	for _, m := range []*Consumer[int]{m0, m1} { // m0 takes 0, m1 takes 1
		if _, err := m.TryNext(); err != ErrEmpty {
			t.Fatalf("%s: %v, want ErrEmpty", m.Name(), err)
		}
	}
	got := make(chan int, 1)
	go func() {
		ev, err := m1.Next(ctx)
		if err != nil {
			t.Error(err)
			got <- -1
			return
		}
		got <- *ev
	}()
	time.Sleep(10 * time.Millisecond) // m1 waits for 1
	if err := m0.Close(); err != nil {
		t.Fatal(err)
	}
	ev, _ := p.TryClaim()
	*ev = 7
	p.Publish() // 0: nothing else is published, so m1 must have taken 0
	if v := <-got; v != 7 || m1.Sequence() != 0 {
		t.Fatalf("m1 read %d at %d, want 7 at 0", v, m1.Sequence())
	}
	// The ring of 4 wraps: m0's record was freed once m1 read 0.
	for i := range 8 {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = i
		p.Publish()
		if ev, err := m1.Next(ctx); err != nil || *ev != i {
			t.Fatalf("m1: %v, %v, want %d", ev, err, i)
		}
	}
}

// TestWorkGroupGiveBackRandom: members wait with short deadlines, hand
// over to other goroutines, take with TryNext and leave holding, close and
// are replaced by members that were idle, while a producer publishes with
// random gaps on a small ring. Every event is read exactly once, and every
// member left open reaches io.EOF.
func TestWorkGroupGiveBackRandom(t *testing.T) {
	const members, workers, ring = 8, 2, 8
	n := int(scaled(3000, 200000))
	ctx, r, p := blockRing(t, ring)
	rng := testRand(t)
	wg := mustGroup(t, r, members)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(wg.dump())
		}
	})
	var mu sync.Mutex
	seen := make([]int, n)
	var timeouts, tries, closes int
	free := make(chan int, members) // members no goroutine is using
	for i := range members {
		free <- i
	}
	var open sync.WaitGroup // members neither closed nor at EOF
	open.Add(members)
	all := make(chan struct{})
	go func() { open.Wait(); close(all) }()
	closable := members - workers // keep enough members to finish
	g := newCrew(r)
	for w := range workers {
		wr := newRandFrom(rng)
		g.goDo(fmt.Sprint("worker ", w), func() error {
			for {
				var i int
				select {
				case i = <-free:
				case <-all:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
				m := wg.Member(i)
				for steps := wr.IntN(20); ; steps-- {
					if steps < 0 { // hand the member to whichever goroutine is next
						free <- i
						break
					}
					var ev *int
					var err error
					if wr.IntN(8) == 0 {
						ev, err = m.TryNext()
					} else {
						mctx, cancel := context.WithTimeout(ctx, time.Duration(wr.IntN(300))*time.Microsecond)
						ev, err = m.Next(mctx)
						cancel()
					}
					switch {
					case err == nil:
						if int64(*ev) != m.Sequence() {
							return fmt.Errorf("%s read %d at %d", m.Name(), *ev, m.Sequence())
						}
						mu.Lock()
						seen[*ev]++
						mu.Unlock()
						continue
					case err == io.EOF:
						open.Done()
					case errors.Is(err, context.DeadlineExceeded) || err == ErrEmpty:
						mu.Lock()
						if err == ErrEmpty {
							tries++
						} else {
							timeouts++
						}
						leave := closable > 0 && wr.IntN(10) == 0
						if leave {
							closable--
							closes++
						}
						mu.Unlock()
						if !leave {
							continue
						}
						if err := m.Close(); err != nil { // maybe holding a sequence (TryNext)
							return err
						}
						open.Done()
					default:
						return fmt.Errorf("%s: %w", m.Name(), err)
					}
					break // the member is done: take another
				}
			}
		})
	}
	for i := range n {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = i
		p.Publish()
		if rng.IntN(64) == 0 {
			time.Sleep(time.Duration(rng.IntN(500)) * time.Microsecond)
		}
	}
	if err := p.CloseContext(ctx); err != nil {
		t.Fatal(err)
	}
	g.wait(t)
	t.Logf("%d events; %d waits ended by their deadline, %d TryNext found nothing, %d members closed", n, timeouts, tries, closes)
	if closes == 0 || timeouts == 0 {
		t.Errorf("the run tested little: %d closes, %d timeouts", closes, timeouts)
	}
	for i, c := range seen {
		if c != 1 {
			t.Errorf("event %d read %d times", i, c)
		}
	}
}

// TestWorkGroupDoneBeforeUpstream: a member that takes a sequence past the
// final EOF marks the group done while its upstream has not yet made the
// last events available; the members holding them still read them.
func TestWorkGroupDoneBeforeUpstream(t *testing.T) {
	ctx, r, p := blockRing(t, 8)
	in, _ := r.NewConsumer("in")
	wg := mustGroup(t, r, 3, After(in))
	ev, _ := p.TryClaim()
	*ev = 7
	p.Publish()
	if err := p.Close(); err != nil { // its EOF marker is sequence 1
		t.Fatal(err)
	}
	for i := range 3 { // members take 0, 1 and 2; 2 lies past the end
		if _, err := wg.Member(i).TryNext(); err != ErrEmpty {
			t.Fatalf("member %d: %v, want ErrEmpty", i, err)
		}
	}
	if !wg.done.Load() || wg.end.Load() != 1 {
		t.Fatalf("group done=%v end=%d; want done at 1 (the member past the end saw it)", wg.done.Load(), wg.end.Load())
	}
	if _, err := wg.Member(0).TryNext(); err != ErrEmpty { // 0 is not available yet
		t.Fatalf("member 0 before in: %v, want ErrEmpty", err)
	}
	if ev, err := in.Next(ctx); err != nil || *ev != 7 {
		t.Fatalf("in: %v, %v", ev, err)
	}
	if _, err := in.Next(ctx); err != io.EOF {
		t.Fatalf("in after the event: %v, want io.EOF", err)
	}
	if ev, err := wg.Member(0).Next(ctx); err != nil || *ev != 7 {
		t.Fatalf("member 0 after in: %v, %v; want 7 (the group lost the event)", ev, err)
	}
	for _, i := range []int{1, 2, 0} { // 1 reads the EOF marker; none waits for another
		if _, err := wg.Member(i).Next(ctx); err != io.EOF {
			t.Fatalf("member %d at the end: %v, want io.EOF", i, err)
		}
	}
}

// TestWorkGroupLenderLifted: a member that closes with sequences it lent
// keeps its record only below the lowest one nobody has read: once the
// lower one it lent is read, its record rises, and the producers get past
// it to publish the higher one.
func TestWorkGroupLenderLifted(t *testing.T) {
	ctx, r, p := blockRing(t, 4)
	wg := mustGroup(t, r, 5)
	m := wg.Member
	try := func(i int) {
		t.Helper()
		if _, err := m(i).TryNext(); err != ErrEmpty {
			t.Fatalf("member %d: %v, want ErrEmpty", i, err)
		}
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m(0).Next(gone); !errors.Is(err, context.Canceled) { // takes 0, gives it back
		t.Fatalf("member 0: %v, want canceled", err)
	}
	for i := 1; i <= 4; i++ { // 1 takes 0 back; 2, 3, 4 take 1, 2, 3
		try(i)
	}
	try(0) // takes 4, then closes: it gives 4 back, and lent 0 and 4
	if err := m(0).Close(); err != nil {
		t.Fatal(err)
	}
	publish := func(v int) {
		t.Helper()
		ev, err := p.TryClaim()
		if err != nil {
			t.Fatalf("claim of %d: %v\n%s", v, err, wg.dump())
		}
		*ev = v
		p.Publish()
	}
	for v := range 4 {
		publish(v)
	}
	for i := 1; i <= 4; i++ {
		if ev, err := m(i).Next(ctx); err != nil || *ev != i-1 {
			t.Fatalf("member %d: %v, %v; want %d", i, ev, err, i-1)
		}
	}
	for i := 1; i <= 4; i++ { // 1 finishes 0 and takes 4 back; 2, 3, 4 take 5, 6, 7
		try(i)
	}
	publish(4) // member 0's record rose to 3
	if ev, err := m(1).Next(ctx); err != nil || *ev != 4 {
		t.Fatalf("member 1: %v, %v; want 4", ev, err)
	}
	try(1) // finishes 4: member 0's record is freed
	if n := r.Consumers(); n != 4 {
		t.Fatalf("%d consumer records, want 4 (member 0's freed)\n%s", n, wg.dump())
	}
}

// TestWorkGroupLenderWaitsAhead: a member that lent a sequence (its wait
// ended, and another member took the sequence back) goes on taking new
// ones, its cursor held below the lent one. Once the other member has read
// the lent sequence, the lender's cursor must not keep gating there while
// it waits for a sequence a full ring ahead: the producer needs that room
// to publish what the lender waits for.
func TestWorkGroupLenderWaitsAhead(t *testing.T) {
	const size = 8
	ctx, r, p := blockRing(t, size)
	wg := mustGroup(t, r, 2)
	a, b := wg.Member(0), wg.Member(1)
	lendFirst(t, a, b)
	for v := range size {
		ev, err := p.TryClaim()
		if err != nil {
			t.Fatalf("claim %d: %v", v, err)
		}
		*ev = v
		p.Publish()
	}
	if ev, err := b.Next(ctx); err != nil || *ev != 0 {
		t.Fatalf("b: %v, %v; want 0", ev, err)
	}
	for v := 1; v < size; v++ { // a reads 1..7, its cursor held below 0, lent
		if ev, err := a.Next(ctx); err != nil || *ev != v {
			t.Fatalf("a: %v, %v; want %d", ev, err, v)
		}
	}
	if _, err := a.TryNext(); err != ErrEmpty { // a takes 8
		t.Fatalf("a at 8: %v, want ErrEmpty", err)
	}
	if _, err := b.TryNext(); err != ErrEmpty { // b is done with 0, takes 9
		t.Fatalf("b at 9: %v, want ErrEmpty", err)
	}
	short, cancel := context.WithTimeout(ctx, 5*time.Second) // the deadlock it guards against is forever
	defer cancel()
	got := make(chan error, 1)
	go func() {
		ev, err := a.Next(short)
		if err == nil && *ev != size {
			err = fmt.Errorf("a read %d, want %d", *ev, size)
		}
		got <- err
	}()
	ev, err := p.Claim(short) // 0..7 are read: 8's slot is free
	if err != nil {
		t.Fatalf("claim %d with every earlier event read: %v", size, err)
	}
	*ev = size
	p.Publish()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// TestWorkGroupLenderEndsAfterItsLoan: a member that lent a sequence and
// meets the end of the stream before the member that took it back is done
// with it waits for that member instead of ending with its cursor below
// the loan: a consumer following the group must get everything, then EOF.
func TestWorkGroupLenderEndsAfterItsLoan(t *testing.T) {
	ctx, r, p := blockRing(t, 8)
	wg := mustGroup(t, r, 2)
	down, err := r.NewConsumer("down", After(wg))
	if err != nil {
		t.Fatal(err)
	}
	a, b := wg.Member(0), wg.Member(1)
	lendFirst(t, a, b)
	ev, _ := p.TryClaim()
	*ev = 7
	p.Publish()
	if err := p.Close(); err != nil { // the EOF marker is 1
		t.Fatal(err)
	}
	if ev, err := b.Next(ctx); err != nil || *ev != 7 {
		t.Fatalf("b: %v, %v; want 7", ev, err)
	}
	// a reads the EOF marker while b may still use event 0 (until its next
	// call): a must not end yet.
	if _, err := a.TryNext(); err != ErrEmpty {
		t.Fatalf("a at the end, its loan in use: %v, want ErrEmpty", err)
	}
	for _, m := range []*Consumer[int]{b, a} {
		if _, err := m.Next(ctx); err != io.EOF {
			t.Fatalf("%s at the end: %v, want io.EOF", m.Name(), err)
		}
	}
	if ev, err := down.TryNext(); err != nil || *ev != 7 {
		t.Fatalf("down: %v, %v; want 7 (the group's cursors stayed below it)", ev, err)
	}
	if _, err := down.Next(ctx); err != io.EOF {
		t.Fatalf("down after the event: %v, want io.EOF", err)
	}
}

// blockRing makes a ring of size ints that blocks its waiters, watched
// until the test's deadline, and its producer "p".
func blockRing(t *testing.T, size int) (context.Context, *Ring[int], *Producer[int]) {
	t.Helper()
	r, err := New[int](size, WithWaitStrategy(Block()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := watch(t, testDeadline(), r)
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	return ctx, r, p
}

// mustGroup makes the work group "wg" of n members on r.
func mustGroup(t *testing.T, r *Ring[int], n int, opts ...ConsumerOption) *WorkGroup[int] {
	t.Helper()
	wg, err := r.NewWorkGroup("wg", n, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return wg
}

// lendFirst makes member a take sequence 0 and give it back (its wait
// ended), and member b take it back from a's lending.
func lendFirst(t *testing.T, a, b *Consumer[int]) {
	t.Helper()
	if _, err := a.TryNext(); err != ErrEmpty { // a takes 0
		t.Fatalf("a: %v, want ErrEmpty", err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.Next(gone); !errors.Is(err, context.Canceled) { // and gives it back
		t.Fatalf("a: %v, want canceled", err)
	}
	if _, err := b.TryNext(); err != ErrEmpty { // b takes 0 back from a's lending
		t.Fatalf("b: %v, want ErrEmpty", err)
	}
}
