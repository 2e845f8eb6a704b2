package disruptor

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testAppTypes = []CounterType{
	{ID: 1001, Name: "frames", Help: "frames sent"},
	{ID: 1002, Name: "in_flight", Help: "frames not yet acknowledged", Gauge: true},
}

// appCounters returns the counters of role in cs by name, and their owner.
func appCounters(cs []Counter, role string) (map[string]Counter, string) {
	out, owner := map[string]Counter{}, ""
	for _, c := range cs {
		if c.Type.Role == role {
			out[c.Type.Name], owner = c, c.Owner
		}
	}
	return out, owner
}

func TestAppCountersInProcess(t *testing.T) {
	r, err := New[int64](8)
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.NewAppCounters("tool", "job-1", testAppTypes...)
	if err != nil {
		t.Fatal(err)
	}
	a.At(0).Add(3)
	a.At(0).Add(4)
	a.At(1).Store(9)
	if v := a.At(0).Load(); v != 7 {
		t.Fatalf("frames = %d, want 7", v)
	}
	got, owner := appCounters(r.Counters(), "tool")
	if owner != "job-1" || got["frames"].Value != 7 || got["in_flight"].Value != 9 {
		t.Fatalf("Counters: owner %q, %+v", owner, got)
	}
	if ft := got["frames"].Type; ft.ID != 1001 || ft.Gauge || !got["in_flight"].Type.Gauge {
		t.Fatalf("types: %+v, %+v", ft, got["in_flight"].Type)
	}
	a.Close()
	a.Close()
	if got, _ := appCounters(r.Counters(), "tool"); len(got) != 0 {
		t.Fatalf("a closed set is still listed: %+v", got)
	}
	var zero AppCounter
	zero.Add(1)
	if zero.Load() != 0 {
		t.Fatal("the zero AppCounter holds a value")
	}
}

func TestAppCountersInvalid(t *testing.T) {
	r, err := New[int64](8)
	if err != nil {
		t.Fatal(err)
	}
	many := make([]CounterType, AppCountersMax+1)
	for i := range many {
		many[i] = CounterType{ID: 1000 + i, Name: "c" + string(rune('a'+i))}
	}
	for _, tc := range []struct {
		role, owner string
		types       []CounterType
		want        string
	}{
		{"producer", "x", testAppTypes, "role"},
		{"Bad", "x", testAppTypes, "role"},
		{"tool", "", testAppTypes, "name"},
		{"tool", "x", nil, "counter types"},
		{"tool", "x", many, "counter types"},
		{"tool", "x", []CounterType{{ID: 999, Name: "a"}}, "type id"},
		{"tool", "x", []CounterType{{ID: 1000, Name: "a-b"}}, "counter name"},
		{"tool", "x", []CounterType{{ID: 1000, Name: "a"}, {ID: 1001, Name: "a"}}, "twice"},
	} {
		_, err := r.NewAppCounters(tc.role, tc.owner, tc.types...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewAppCounters(%q, %q, %d types): %v, want an error about %s", tc.role, tc.owner, len(tc.types), err, tc.want)
		}
	}
}

// A shared ring's sets are in its file: Inspect (another handle) sees them
// live with their values, a closed set goes away, and the area holds
// appSets sets at a time.
func TestAppCountersShared(t *testing.T) {
	r, err := Create[int64](t.TempDir()+"/ring", 8)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var sets []*AppCounters
	for i := range appSets {
		a, err := r.NewAppCounters("tool", "job-"+string(rune('a'+i)), testAppTypes...)
		if err != nil {
			t.Fatal(err)
		}
		a.At(0).Add(int64(i + 1))
		sets = append(sets, a)
	}
	if _, err := r.NewAppCounters("tool", "one-too-many", testAppTypes...); !errors.Is(err, ErrNoCounterRoom) {
		t.Fatalf("set %d: %v, want ErrNoCounterRoom", appSets+1, err)
	}
	in, err := Inspect(r.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Apps) != appSets {
		t.Fatalf("Inspect lists %d sets, want %d", len(in.Apps), appSets)
	}
	for i, p := range in.Apps {
		if p.State != StateLive || p.Role != "tool" || p.Values["frames"] != int64(i+1) || p.PID == 0 {
			t.Fatalf("set %d: %+v", i, p)
		}
	}
	sets[3].Close()
	in, _ = Inspect(r.Path())
	if len(in.Apps) != appSets-1 {
		t.Fatalf("after Close, Inspect lists %d sets, want %d", len(in.Apps), appSets-1)
	}
	a, err := r.NewAppCounters("tool", "again", testAppTypes...)
	if err != nil {
		t.Fatalf("a set after one closed: %v", err)
	}
	if a.index != 3 || a.At(0).Load() != 0 {
		t.Fatalf("the new set took record %d with frames %d, want the freed record 3 from 0", a.index, a.At(0).Load())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	a.At(0).Add(5) // process memory now
	if v := a.At(0).Load(); v != 5 {
		t.Fatalf("after the ring's Close, frames = %d, want 5", v)
	}
}

// appCountersChild opens the set "xtool" named spec.Name, adds spec.N to
// its first counter and stores its PID in the second, reports "ready" and
// waits for "exit" (or its kill).
func (h *xhelper) appCountersChild(r *Ring[xev]) int {
	s := &h.spec
	a, err := r.NewAppCounters("xtool", s.Name, testAppTypes...)
	if err != nil {
		return h.fail(err)
	}
	a.At(0).Add(s.N)
	a.At(1).Store(s.ID)
	h.emit(xmsg{Ev: "ready", N: int64(a.index)})
	for cmd := range h.cmds {
		if cmd == "exit" {
			a.Close()
			h.emit(xmsg{Ev: "done"})
			return 0
		}
	}
	return 0
}

// A set another process opened is seen by this one, live and with its
// values; once that process is killed it is reported dead, its values
// kept, and the next set of the same role and owner takes its record over.
func TestShmAppCountersAcrossProcesses(t *testing.T) {
	x := newXT(t, 30*time.Second)
	r := x.create(16)
	find := func(name string) (Participant, bool) {
		x.Helper()
		for _, p := range x.inspect().Apps {
			if p.Name == name {
				return p, true
			}
		}
		return Participant{}, false
	}
	c := x.child("bridge-a", helperSpec{Role: "app-counters", N: 41, ID: 7})
	idx := c.next("ready").N
	p, ok := find("bridge-a")
	if !ok || p.State != StateLive || p.PID != c.pid() || p.Role != "xtool" || p.Index != int(idx) ||
		p.Values["frames"] != 41 || p.Values["in_flight"] != 7 {
		x.failf("the child's set as another process sees it: %+v (found %v), want live, pid %d, record %d, frames 41, in_flight 7", p, ok, c.pid(), idx)
	}
	got, owner := appCounters(r.Counters(), "xtool")
	if owner != "bridge-a" || got["frames"].Value != 41 || !got["in_flight"].Type.Gauge || got["frames"].Type.ID != 1001 {
		x.failf("Ring.Counters of the creator: owner %q, %+v", owner, got)
	}
	c.kill()
	if p, ok := find("bridge-a"); !ok || p.State != StateDead || p.Values["frames"] != 41 {
		x.failf("after the kill: %+v (found %v), want dead with frames 41", p, ok)
	}
	other := x.child("other", helperSpec{Role: "app-counters", N: 1})
	if n := other.next("ready").N; n == idx {
		x.failf("a set of another owner took the dead set's record %d while free ones remain", n)
	}
	c2 := x.child("bridge-a", helperSpec{Role: "app-counters", N: 2, ID: 8})
	if n := c2.next("ready").N; n != idx {
		x.failf("the restarted set took record %d, want the dead one's, %d", n, idx)
	}
	if p, ok := find("bridge-a"); !ok || p.State != StateLive || p.PID != c2.pid() || p.Values["frames"] != 2 {
		x.failf("the restarted set: %+v (found %v), want live, pid %d, frames 2 (values start again)", p, ok, c2.pid())
	}
	c2.send("exit")
	c2.next("done")
	if p, ok := find("bridge-a"); ok {
		x.failf("a closed set is still listed: %+v", p)
	}
}

// A set record another process damaged (names no set may have, lengths
// past their fields, a count past the record) is passed over by readers,
// never trusted or a panic; the others are still shown.
func TestAppCountersDamaged(t *testing.T) {
	r, err := Create[int64](t.TempDir()+"/ring", 8)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a, err := r.NewAppCounters("tool", "a", testAppTypes...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.NewAppCounters("tool", "b", testAppTypes...); err != nil {
		t.Fatal(err)
	}
	rec := &r.sh.apps[a.index]
	for _, damage := range []func(){
		func() { rec.Types[0].Flags.Store(0xff00) },               // a name length past the field
		func() { rec.Types[1].Name[0].Store(0x00ff00ff00ff00ff) }, // bytes no name has
		func() { rec.KindLen.Store(1 << 30) },                     // a role length past the field
		func() { rec.Kind[0].Store(0x4142434445464748) },          // upper case: no role
		func() { rec.N.Store(0) },                                 // no counters
	} {
		rec.fill("tool", "a", a.types, 1)
		damage()
		in, err := Inspect(r.Path())
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Apps) != 1 || in.Apps[0].Name != "b" {
			t.Errorf("after damage to set a, Inspect shows %+v, want set b alone", in.Apps)
		}
	}
	// A count past the record is bounded to AppCountersMax; the types past
	// the two given are blank (no name), so the set is passed over.
	rec.fill("tool", "a", a.types, 1)
	rec.N.Store(1 << 20)
	if in, _ := Inspect(r.Path()); len(in.Apps) != 1 || in.Apps[0].Name != "b" {
		t.Errorf("a set claiming %d counters: Inspect shows %+v, want set b alone", 1<<20, in.Apps)
	}
	rec.fill("tool", "a", a.types, 1) // mended: shown again
	if in, _ := Inspect(r.Path()); len(in.Apps) != 2 {
		t.Errorf("the mended set is not shown: %+v", in.Apps)
	}
}
