package disruptor

// Application counter sets: counters an application defines and keeps in a
// ring's counters area, beside its participants' (the idea of Aeron's
// counters file), so that a tool in another process (disruptor stat,
// inspect, metrics.FileCollector) can read and label them with no code of
// the application's.
//
// Invariants of application counter records.
//
// A shared ring's file holds appSets records in its apps region, after the
// participants' counter records. Each is an engine.CounterRecord (Role roleApp;
// Owner the PID of the process that opened it; Label the set's owner name;
// V the values) followed by the set's role and its counter types (ID, name,
// gauge flag), stored in the file so that readers label the values without
// knowing the application. Only the opener writes a record's metadata, and
// it does so under the registry lock: it stores State free, rewrites the
// role, types and values, then opens the engine.CounterRecord (Gen made odd and
// even again, State active last). A reader (readApp) reads Gen, the
// record, Gen and State again, and passes over the record unless both
// readings agree: it never reports half of a set, even one reused by
// another owner while it read. The values have one writer each (the
// application), stored or added atomically, and readers load them at any
// time.
//
// Liveness is that of participants: the opener holds an OFD lock on the
// record's first byte while the set is open, which the kernel drops when
// the process dies. A record active but unlocked belongs to a dead process:
// readers report it dead (its last values stay readable), and a new set
// takes it over: first one left by a dead owner of the same role and name,
// then a free one, then any other left by a dead owner.

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// Limits of application counter sets.
const (
	// AppCountersMax is how many counters one set holds.
	AppCountersMax = 16
	// AppCounterMinID is the lowest type id of an application counter:
	// the ids below it are the engine's (CounterTypes).
	AppCounterMinID = 1000

	appSets    = 8  // records in a shared ring's apps region
	appNameMax = 40 // bytes of a counter's name
	appRoleMax = 32 // bytes of a set's role
	roleApp    = 3  // engine.CounterRecord.Role of an application record
	appGauge   = 1  // appType.Flags: the counter is a level, not a tally
)

// ErrNoCounterRoom: every application counter record of the shared ring
// is held by a live process.
var ErrNoCounterRoom = errors.New("disruptor: no free application counter record")

// appType is one counter's type as the file stores it.
type appType struct {
	ID    atomic.Uint32
	Flags atomic.Uint32 // appGauge, and the name's length in bits 8..15
	Name  [appNameMax / 8]atomic.Uint64
}

// appRecord is an application counter set's record: nine lines.
type appRecord struct {
	engine.CounterRecord
	Kind    [appRoleMax / 8]atomic.Uint64 // the set's role
	KindLen atomic.Uint32
	N       atomic.Uint32 // counters in use: 1..AppCountersMax
	_       [engine.LineSize - appRoleMax - 8]byte
	Types   [AppCountersMax]appType
}

var _ [9*engine.LineSize - unsafe.Sizeof(appRecord{})]byte // fails to compile unless nine lines

// AppCounters is a set of counters an application keeps in a ring's
// counters area: Ring.Counters, Inspect (RingInfo.Apps), `disruptor stat`,
// `disruptor inspect` and the metrics package show them, labelled with the
// set's role and owner and each counter's type, in every process. Make one
// with Ring.NewAppCounters and Close it when done; a set left open by a
// process that died is shown dead, with its last values, until another set
// takes its record over.
type AppCounters struct {
	rec   atomic.Pointer[appRecord] // in the mapping, or in process memory after the ring's Close
	types []CounterType
	index int    // the record's index in a shared ring's area
	close func() // frees the record; nil once closed
}

// AppCounter is one counter of an AppCounters set. Its methods are atomic
// and may be called from any goroutine; the zero AppCounter does nothing
// and loads 0.
type AppCounter struct {
	set *AppCounters
	i   int
}

// Add adds d to the counter.
func (c AppCounter) Add(d int64) {
	if c.set != nil {
		c.set.rec.Load().V[c.i].Add(d)
	}
}

// Store sets the counter to v (for a gauge, or a tally the application
// keeps itself).
func (c AppCounter) Store(v int64) {
	if c.set != nil {
		c.set.rec.Load().V[c.i].Store(v)
	}
}

// Load returns the counter's value.
func (c AppCounter) Load() int64 {
	if c.set == nil {
		return 0
	}
	return c.set.rec.Load().V[c.i].Load()
}

// At returns the set's counter i, in the order of the types given to
// NewAppCounters. It panics if i is out of range.
func (a *AppCounters) At(i int) AppCounter {
	if i < 0 || i >= len(a.types) {
		panic(fmt.Sprintf("disruptor: AppCounters.At(%d): the set has %d counters", i, len(a.types)))
	}
	return AppCounter{set: a, i: i}
}

// Types returns the set's counter types.
func (a *AppCounters) Types() []CounterType { return append([]CounterType(nil), a.types...) }

// Close frees the set's record: readers no longer show it. Later uses of
// its counters go to process memory. Close is idempotent.
func (a *AppCounters) Close() error {
	if a.close != nil {
		a.close()
		a.close = nil
	}
	return nil
}

// NewAppCounters opens a set of application counters named owner (1..64
// bytes) of role (1..32 bytes of a-z, 0-9 and _, starting with a letter;
// not "producer" or "consumer"), with up to AppCountersMax types: each
// with an ID of at least AppCounterMinID and a Name (1..40 bytes, as for
// role) unique in the set, and Gauge set for a level rather than a tally.
// The types' Role is set to role; their Help stays in this process (other
// processes read IDs, names and the gauge flag). Values start at 0. A
// shared ring holds 8 sets at a time (ErrNoCounterRoom beyond them, while
// their processes live); an in-process ring any number.
func (r *Ring[E]) NewAppCounters(role, owner string, types ...CounterType) (*AppCounters, error) {
	ts, err := checkAppTypes(role, owner, types)
	if err != nil {
		return nil, err
	}
	a := &AppCounters{types: ts}
	r.mu.Lock()
	defer r.mu.Unlock()
	free, err := r.host.openApps(a, role, owner)
	if err != nil {
		return nil, err
	}
	r.apps = append(r.apps, a)
	a.close = func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		free()
		r.dropAppLocked(a)
	}
	return a, nil
}

// checkAppTypes validates a set's definition and returns its types with
// their role.
func checkAppTypes(role, owner string, types []CounterType) ([]CounterType, error) {
	if err := checkName("application counters", owner); err != nil {
		return nil, err
	}
	if !appName(role, appRoleMax) || role == "producer" || role == "consumer" {
		return nil, fmt.Errorf("disruptor: application counters %q: role %q is not 1..%d bytes of a-z, 0-9, _ starting with a letter, other than producer and consumer", owner, role, appRoleMax)
	}
	if len(types) < 1 || len(types) > AppCountersMax {
		return nil, fmt.Errorf("disruptor: application counters %q: %d counter types; want 1..%d", owner, len(types), AppCountersMax)
	}
	out := make([]CounterType, len(types))
	seen := map[string]bool{}
	for i, t := range types {
		switch {
		case !appName(t.Name, appNameMax):
			return nil, fmt.Errorf("disruptor: application counters %q: counter name %q is not 1..%d bytes of a-z, 0-9, _ starting with a letter", owner, t.Name, appNameMax)
		case seen[t.Name]:
			return nil, fmt.Errorf("disruptor: application counters %q: counter name %q twice", owner, t.Name)
		case t.ID < AppCounterMinID || t.ID > 1<<31-1:
			return nil, fmt.Errorf("disruptor: application counters %q: counter %q has type id %d; want %d..%d", owner, t.Name, t.ID, AppCounterMinID, 1<<31-1)
		}
		seen[t.Name] = true
		t.Role, t.idx = role, i
		out[i] = t
	}
	return out, nil
}

// appName reports whether s is 1..n bytes of a-z, 0-9 and _, starting with
// a letter: a name Prometheus accepts inside a metric name.
func appName(s string, n int) bool {
	if len(s) < 1 || len(s) > n || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// fill rewrites the record for a new set and opens it (see the invariants).
func (a *appRecord) fill(role, owner string, ts []CounterType, pid int) {
	a.State.Store(engine.CounterFree)
	putWords(a.Kind[:], role)
	a.KindLen.Store(uint32(len(role)))
	a.N.Store(uint32(len(ts)))
	for i := range a.Types {
		t := &a.Types[i]
		var ct CounterType
		if i < len(ts) {
			ct = ts[i]
		}
		flags := uint32(len(ct.Name)) << 8
		if ct.Gauge {
			flags |= appGauge
		}
		t.ID.Store(uint32(ct.ID))
		t.Flags.Store(flags)
		putWords(t.Name[:], ct.Name)
	}
	for i := range a.V {
		a.V[i].Store(0)
	}
	a.Open(roleApp, pid, owner)
}

// putWords stores s into words, 8 bytes a word, zero-padded.
func putWords(words []atomic.Uint64, s string) {
	for i := range words {
		var w uint64
		for k := 0; k < 8 && 8*i+k < len(s); k++ {
			w |= uint64(s[8*i+k]) << (8 * k)
		}
		words[i].Store(w)
	}
}

// getWords is the string of n bytes (bounded by the words) putWords stored.
func getWords(words []atomic.Uint64, n uint32) string {
	n = min(n, uint32(8*len(words)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(words[i/8].Load() >> (8 * (i % 8)))
	}
	return string(b)
}

// readApp appends the counters of an active application record to out:
// none if the record is free, being rewritten, or holds names no set may
// have (a file another process damaged).
func readApp(out []Counter, a *appRecord) []Counter {
	gen, ok := a.ReadGen()
	if !ok || a.Role.Load() != roleApp {
		return out
	}
	role := getWords(a.Kind[:], a.KindLen.Load())
	owner := a.LabelText()
	n := int(min(a.N.Load(), AppCountersMax))
	start := len(out)
	for i := 0; i < n; i++ {
		t := &a.Types[i]
		f := t.Flags.Load()
		ct := CounterType{ID: int(t.ID.Load()), Name: getWords(t.Name[:], (f>>8)&0xff), Role: role, Gauge: f&appGauge != 0, idx: i}
		if !appName(ct.Name, appNameMax) {
			return out[:start]
		}
		out = append(out, Counter{Type: ct, Owner: owner, Value: a.V[i].Load()})
	}
	if !a.ReadOK(gen) || !appName(role, appRoleMax) || n == 0 {
		return out[:start]
	}
	return out
}

// appLock is the byte of the file an open set of record i holds locked.
func (sh *shared) appLock(i int) int64 {
	return appEntryOffset(&sh.geo, i)
}

// appCandidates are the indexes of the records a new set of role and owner
// may take, best first; own reports the records this handle holds open.
// The registry lock is held.
func (sh *shared) appCandidates(role, owner string, own func(int) bool) []int {
	var same, free, dead []int
	for i := range sh.apps {
		a := &sh.apps[i]
		switch {
		case own(i):
		case a.State.Load() != engine.CounterActive:
			free = append(free, i)
		case lockedByOther(sh.f, sh.appLock(i)):
		case getWords(a.Kind[:], a.KindLen.Load()) == role && a.LabelText() == owner:
			same = append(same, i)
		default:
			dead = append(dead, i)
		}
	}
	return append(append(same, free...), dead...)
}

// appInfo lists the shared ring's application counter sets in use, as
// Inspect reports them.
func (sh *shared) appInfo() []Participant {
	out := []Participant{}
	for i := range sh.apps {
		a := &sh.apps[i]
		cs := readApp(nil, a)
		if len(cs) == 0 {
			continue
		}
		p := Participant{Name: cs[0].Owner, Index: i, PID: int(a.Owner.Load()), Role: cs[0].Type.Role,
			State: liveness(lockedByOther(sh.f, sh.appLock(i)), false), Counters: cs, Values: map[string]int64{}}
		for _, c := range cs {
			p.Values[c.Type.Name] = c.Value
		}
		out = append(out, p)
	}
	return out
}

// appValues appends the counters of every set of the ring handle's
// memory: a shared ring's area, or an in-process ring's open sets (r.mu
// held).
func (r *Ring[E]) appValues(out []Counter) []Counter { return r.host.appValues(out, r.apps) }

// ownApp reports whether this handle holds record i open; r.mu is held.
func (r *Ring[E]) ownApp(i int) bool {
	for _, a := range r.apps {
		if a.index == i {
			return true
		}
	}
	return false
}

func (r *Ring[E]) dropAppLocked(a *AppCounters) {
	for i, o := range r.apps {
		if o == a {
			r.apps = append(r.apps[:i], r.apps[i+1:]...)
			return
		}
	}
}

// unhookApps moves the handle's open sets into process memory, values
// kept, before the mapping goes (Ring.Close); r.mu is held.
func (r *Ring[E]) unhookApps() {
	for _, a := range r.apps {
		n := new(appRecord)
		for i := range n.V {
			n.V[i].Store(a.rec.Load().V[i].Load())
		}
		a.rec.Store(n)
		a.close = nil // the handle's locks go with its file
	}
	r.apps = nil
}
