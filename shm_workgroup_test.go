package disruptor

import (
	"context"
	"errors"
	"testing"
)

// tempRing creates a ring of 16 int slots in the test's directory.
func tempRing(t *testing.T, opts ...Option) (*Ring[int], string) {
	t.Helper()
	path := t.TempDir() + "/ring"
	r, err := Create[int](path, 16, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, path
}

// TestSharedWorkGroupGiveBack: on a shared ring, a member that takes
// sequence 0 and leaves with it, in any way or by Detach, gives it back:
// the other member reads 0..9, then io.EOF. A closed member's record is
// gone once the other read its sequence; a detached one stays, detached.
func TestSharedWorkGroupGiveBack(t *testing.T) {
	ways := map[string]func(*testing.T, *Ring[int], *Consumer[int]){
		"detach": func(t *testing.T, _ *Ring[int], m0 *Consumer[int]) {
			if _, err := m0.TryNext(); err != ErrEmpty {
				t.Fatalf("TryNext: %v, want ErrEmpty", err)
			}
			if err := m0.Detach(); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, f := range giveBackWays {
		if name != "halt" { // a halt is the ring's, for every process
			ways[name] = f
		}
	}
	for name, leave := range ways {
		t.Run(name, func(t *testing.T) {
			r, path := tempRing(t)
			ctx := bounded(t)
			p, err := r.NewProducer("p")
			if err != nil {
				t.Fatal(err)
			}
			wg, err := r.NewWorkGroup("wg", 2)
			if err != nil {
				t.Fatal(err)
			}
			m0, m1 := wg.Member(0), wg.Member(1)
			leave(t, r, m0)
			checkGroupReads(ctx, t, p, m1, 10)
			in, err := Inspect(path)
			if err != nil {
				t.Fatal(err)
			}
			ci, found := consumerInfo(in, "wg/0")
			switch name {
			case "close", "timeout-close":
				if found {
					t.Errorf("wg/0 closed, its sequence read, but its record is still there: %+v", ci)
				}
			case "detach":
				if !found || ci.State != "detached" {
					t.Errorf("wg/0 detached: %+v (found %v), want its record detached", ci, found)
				}
			}
		})
	}
}

// TestSharedWorkGroupFailedCleanup: a work group that cannot be made on a
// shared ring leaves the table as it found it: records it joined are freed
// (no name, lock or counters left), records it resumed stay for a later
// resume, at their positions.
func TestSharedWorkGroupFailedCleanup(t *testing.T) {
	r, path := tempRing(t, WithMaxConsumers(3))
	other, err := r.NewConsumer("other")
	if err != nil {
		t.Fatal(err)
	}
	wg, err := r.NewWorkGroup("wg", 2)
	if err != nil {
		t.Fatal(err)
	}
	wg.Member(1).Next(canceled()) // takes 0, gives it back: its position stays -1
	for i := range 2 {
		if err := wg.Member(i).Detach(); err != nil {
			t.Fatal(err)
		}
	}
	// wg/0 and wg/1 resume, wg/2 finds the table full.
	if _, err := r.NewWorkGroup("wg", 3); !errors.Is(err, ErrTooManyConsumers) {
		t.Fatalf("NewWorkGroup(wg, 3): %v, want ErrTooManyConsumers", err)
	}
	in, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"wg/0", "wg/1"} {
		if ci, ok := consumerInfo(in, name); !ok || ci.State != "detached" {
			t.Errorf("%s after the failed resume: %+v (found %v), want detached", name, ci, ok)
		}
	}
	again, err := r.NewWorkGroup("wg", 2) // the records can still be resumed
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if m := again.Member(i); !m.resumed {
			t.Errorf("%s did not resume its record", m.Name())
		}
	}
	again.Close()
	other.Close()
	// A group that joins fresh records and fails frees them.
	if _, err := r.NewConsumer("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.NewConsumer("b"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.NewWorkGroup("g", 2); !errors.Is(err, ErrTooManyConsumers) {
		t.Fatalf("NewWorkGroup(g, 2): %v, want ErrTooManyConsumers", err)
	}
	if in, err = Inspect(path); err != nil {
		t.Fatal(err)
	}
	if ci, ok := consumerInfo(in, "g/0"); ok {
		t.Errorf("g/0 left behind: %+v", ci)
	}
	if n := r.Consumers(); n != 2 {
		t.Errorf("%d consumers registered, want 2 (a and b)", n)
	}
	c, err := r.NewConsumer("g/0") // its entry and name are free again
	if err != nil {
		t.Fatal(err)
	}
	if c.resumed {
		t.Error("g/0 resumed a record the failed group should have freed")
	}
}

// canceled is a context that has ended.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// TestSharedWorkGroupFailedCleanupAsFound: a failed group's member that
// resumed a record its process left without detaching (it died) puts back
// all that resuming changed: the record stays not detached (so eviction
// still applies to it), with its owner, heartbeat and upstreams as found,
// and its upstream still counts it as a follower.
func TestSharedWorkGroupFailedCleanupAsFound(t *testing.T) {
	r, path := tempRing(t, WithMaxConsumers(3))
	up, err := r.NewConsumer("up")
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.NewConsumer("wg/0", AfterName("up"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Detach(); err != nil {
		t.Fatal(err)
	}
	e := &r.eng
	i, u := findConsumer(e, "wg/0"), findConsumer(e, "up")
	rec := &e.Recs[i]
	rec.Detached.Store(0) // as a process that died holding it leaves it
	rec.PID.Store(1 << 40)
	rec.Beat.Store(12345)
	if _, err := r.NewWorkGroup("wg", 3); !errors.Is(err, ErrTooManyConsumers) {
		t.Fatalf("NewWorkGroup(wg, 3): %v, want ErrTooManyConsumers", err)
	}
	if got := findConsumer(e, "wg/0"); got != i {
		t.Fatalf("wg/0 at entry %d after the failed group, want %d", got, i)
	}
	if d, pid, beat := rec.Detached.Load(), rec.PID.Load(), rec.Beat.Load(); d != 0 || pid != 1<<40 || beat != 12345 {
		t.Errorf("wg/0 after the failed group: detached %d, pid %d, beat %d; want 0, %d, 12345 as found", d, pid, beat, int64(1<<40))
	}
	if n, idx := rec.NUps.Load(), rec.Ups[0].Idx.Load(); n != 1 || int(idx) != u {
		t.Errorf("wg/0 follows %d records (the first %d), want 1 (up, %d)", n, idx, u)
	}
	if n := e.Recs[u].Followers.Load(); n != 1 {
		t.Errorf("up has %d followers, want 1 (wg/0)", n)
	}
	if err := up.Close(); !errors.Is(err, ErrHasDependents) {
		t.Errorf("Close of up, which wg/0's record follows: %v, want ErrHasDependents", err)
	}
	in, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := consumerInfo(in, "wg/1"); ok {
		t.Error("wg/1 left behind by the failed group")
	}
}
