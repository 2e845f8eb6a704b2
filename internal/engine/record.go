package engine

// Invariants of counter records.
//
// Each participant tallies into plain fields of its own (no atomics on the
// hot path) and flushes them into its counter record with atomic stores at
// natural pauses (the root package's participants choose when: before they
// wait, every so many events, on Close). Each record has exactly one
// writer, so flushing is a store, never a read-modify-write. Readers load
// the record's words at any time and see values at most one flush old. The
// record is 16 words on its own 128-byte line, the layout a shared-memory
// counters area holds. Which counter each word holds is the root package's
// counter table.

import (
	"encoding/binary"
	"sync/atomic"
)

// RecordWords is the number of values in a counter record: 16 words, one
// 128-byte line, as a shared ring's counters area lays them out. The root
// package checks, at compile time, that every role's indexes fit.
const RecordWords = 16

// Record states and roles.
const (
	CounterFree uint32 = iota
	CounterActive

	RoleProducer uint32 = 1
	RoleConsumer uint32 = 2
)

// CounterRecord is one participant's counters: a metadata line and a line
// of values, each value written only by the owner. The same records live on
// the heap for in-process rings and in the counters area of shared rings, so
// one reader serves both.
//
// The metadata is guarded like a seqlock: Open makes Gen odd, rewrites the
// fields, makes Gen even again and stores State last. A reader (ReadGen,
// then ReadOK) reads Gen, then the record, then Gen again, and passes over
// the record unless both readings are the same even number and State was
// active: it never reports half a record, even one freed and reused by
// another owner while it read. Every field is an atomic word, so a reader in
// this process is no data race either.
type CounterRecord struct {
	State    atomic.Uint32 // CounterFree or CounterActive
	Role     atomic.Uint32 // RoleProducer or RoleConsumer
	Owner    atomic.Uint32 // the owner's table entry (shared rings)
	LabelLen atomic.Uint32
	Gen      atomic.Uint32 // odd while Open rewrites the metadata
	_        [4]byte
	Label    [NameMax / 8]atomic.Uint64 // the owner's name, 8 bytes a word
	_        [LineSize - NameMax - 24]byte
	V        [RecordWords]atomic.Int64
}

// Open stamps the record for its owner and makes it visible to readers.
func (c *CounterRecord) Open(role uint32, owner int, label string) {
	c.State.Store(CounterFree)
	c.Gen.Add(1)
	c.Role.Store(role)
	c.Owner.Store(uint32(owner))
	var b [NameMax]byte
	n := copy(b[:], label)
	for i := range c.Label {
		c.Label[i].Store(binary.LittleEndian.Uint64(b[8*i:]))
	}
	c.LabelLen.Store(uint32(n))
	c.Gen.Add(1)
	c.State.Store(CounterActive)
}

// Close frees the record: readers pass over it from now on.
func (c *CounterRecord) Close() { c.State.Store(CounterFree) }

// LabelText is the owner's name as recorded.
func (c *CounterRecord) LabelText() string {
	var b [NameMax]byte
	for i := range c.Label {
		binary.LittleEndian.PutUint64(b[8*i:], c.Label[i].Load())
	}
	return string(b[:min(int(c.LabelLen.Load()), NameMax)])
}

// stable reports whether the record's metadata was not being rewritten:
// gen is Gen as read before the reading, and Gen must still hold it.
func (c *CounterRecord) stable(gen uint32) bool { return gen&1 == 0 && c.Gen.Load() == gen }

// ReadGen begins a reading of the record: gen is to be passed to ReadOK
// once the reading is done; ok is false, and the record is to be passed
// over, while its metadata is being rewritten or it is not active.
func (c *CounterRecord) ReadGen() (gen uint32, ok bool) {
	gen = c.Gen.Load()
	return gen, gen&1 == 0 && c.State.Load() == CounterActive
}

// ReadOK ends a reading begun with ReadGen: it reports whether what was
// read is the record of one owner, neither rewritten nor freed meanwhile.
func (c *CounterRecord) ReadOK(gen uint32) bool {
	return c.stable(gen) && c.State.Load() == CounterActive
}

// Tally is a participant's private counters and the record it flushes to.
type Tally struct {
	V       [RecordWords]int64
	Pending int // events since the last flush
	Rec     *CounterRecord
	Off     bool // counters switched off: tally, never publish
	// Exact: shared rings store the counts that follow from sequences
	// (published, consumed) as they change, so that they hold when the
	// process is killed between flushes.
	Exact bool
}

// Store publishes counter i now (see Exact).
func (t *Tally) Store(i int) { StoreRelease(&t.Rec.V[i], t.V[i]) }

// Flush publishes every counter into the record (nothing if Off).
func (t *Tally) Flush() {
	if t.Off {
		t.Pending = 0
		return
	}
	for i := range t.V {
		if t.Rec.V[i].Load() != t.V[i] {
			t.Rec.V[i].Store(t.V[i])
		}
	}
	t.Pending = 0
}

// AddWaits folds wait tallies into counters starting at polls.
func (t *Tally) AddWaits(wc *WaitCounts, polls, yields, parks int) {
	t.V[polls] += wc.Polls
	t.V[yields] += wc.Yields
	t.V[parks] += wc.Parks
	*wc = WaitCounts{Polls: 0}
}

// WaitCounts are a participant's own tallies of its waits, flushed into its
// statistics record with the rest.
type WaitCounts struct {
	Full   int64 // producers: claims that found the ring full
	Polls  int64 // idle polls: the condition was not met
	Yields int64 // idle steps that gave the processor away
	Parks  int64 // times parked
}
