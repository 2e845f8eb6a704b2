package engine

// Invariants of the shared words.
//
// Everything the sequencing code shares between participants is a fixed-size
// atomic word inside the structs of this file: no Go pointer, channel or mutex
// lives among them. In-process rings allocate them on the heap; the shared
// memory package lays the same structs over a mapped file, so the engine runs
// unchanged across processes. Each hot word owns a 128-byte line (two cache
// lines, defeating the adjacent-line prefetcher) so that writers never share a
// line with other writers.

import "sync/atomic"

// LineSize is the span each hot word owns: two 64-byte cache lines.
const LineSize = 128

// SeqWord is an int64 sequence alone on its line.
type SeqWord struct {
	atomic.Int64
	_ [LineSize - 8]byte
}

// FlagWord is a uint32 alone on its line.
type FlagWord struct {
	atomic.Uint32
	_ [LineSize - 4]byte
}

// ParkWord is where waiters of one kind park. Waiters counts parked (or about
// to park) waiters; a publisher reads it and wakes only when it is non-zero, so
// an uncontended publish makes no call. Seq is bumped before every wake and is
// the 32-bit futex word for waiters in other processes.
type ParkWord struct {
	Waiters atomic.Int32
	Seq     atomic.Uint32
	_       [LineSize - 8]byte
}

// Ring states kept in Control.State.
const (
	StateRunning uint32 = iota
	StateHalted
)

// Control is the ring's control block: the producer side's shared words.
//
//	Cursor      multi-producer: the highest claimed sequence (claims CAS it);
//	            single-producer: the highest published sequence.
//	            Written by producers, read by consumers and producers.
//	GateCache   the largest gating minimum any producer has acted on; a
//	            producer never claims beyond GateCache+size. Raised (never
//	            lowered) by producers, read by joining consumers.
//	LastMark    the highest sequence published as a marker (markers.go);
//	            raised by producers (and healers), read by consumers.
//	Epoch       bumped by a consumer joining or leaving the gating set; a
//	            producer that computed a gate re-checks it (see Engine.refreshGate).
//	State       running or halted; written by Halt, read by every waiter.
//	Producers   how many producers were created; EOF needs one from each.
//	Records     high-water count of used consumer records.
//	DataWait    consumers waiting for producers park here.
//	DepWait     consumers waiting for upstream consumers park here.
//	SpaceWait   producers waiting for room park here.
type Control struct {
	Cursor    SeqWord
	GateCache SeqWord
	LastMark  SeqWord
	Epoch     FlagWord
	State     FlagWord
	Producers FlagWord
	Records   FlagWord
	DataWait  ParkWord
	DepWait   ParkWord
	SpaceWait ParkWord
}

// Consumer record states.
const (
	RecFree uint32 = iota
	RecActive
	RecClosed
)

// NameMax is the longest participant name a shared ring records.
const NameMax = 64

// ConsumerRecord is one entry of the consumer table. Cursor is the highest
// sequence the consumer has released: it gates producers and dependents.
// Written only by its consumer (and by joining, before it is Active).
//
// The second line identifies the owner in a shared ring, written while the
// registry lock is held: Name (NameLen bytes, stored before NameLen), the
// owner's PID, whether it detached on purpose (its record keeps gating so
// that it can resume), and Beat, the owner's last sign of life in unix
// nanoseconds. Liveness itself is a lock on the record's first byte.
//
// The third line holds a shared ring's dependencies, written under the
// registry lock: Gen, bumped each time the record is taken by a new consumer
// (not on a resume), so that a follower that remembered (index, Gen) of its
// upstream notices when the record changed hands; Followers, how many
// consumer records follow this one (Close is refused while it is not zero);
// and Ups, the NUps records this one follows.
type ConsumerRecord struct {
	Cursor    atomic.Int64
	State     atomic.Uint32
	_         [LineSize - 12]byte
	Name      [NameMax]byte
	NameLen   atomic.Uint32
	Detached  atomic.Uint32
	PID       atomic.Int64
	Beat      atomic.Int64
	_         [LineSize - NameMax - 24]byte
	Gen       atomic.Uint32
	Followers atomic.Int32
	NUps      atomic.Uint32
	_         uint32
	Ups       [MaxUps]UpRef
	_         [LineSize - 16 - MaxUps*8]byte
}

// MaxUps is how many consumers a shared ring's consumer may follow.
const MaxUps = 8

// UpRef names an upstream record: its table index and its Gen when the
// follower registered.
type UpRef struct {
	Idx atomic.Uint32
	Gen atomic.Uint32
}

// Producer entry states in a shared ring's producer table.
const (
	ProdFree uint32 = iota
	ProdActive
	ProdClosed
)

// MaxSharedProducers is the size of a shared ring's producer table.
const MaxSharedProducers = 16

// ProducerRecord is one entry of a shared ring's producer table, two lines.
// The first: State, the owner's PID and name, and once State is ProdClosed,
// EOF, the sequence of the producer's EOF marker (both stored before the
// marker is published). Liveness is a lock on its first byte.
//
// ClaimLo..ClaimHi is, in a multi-producer ring, the range the producer is
// claiming or last claimed: stored (Hi, then Lo) before its claim's CAS and
// emptied (Lo = ClaimNone) when the CAS fails, so the range a producer that
// died between claim and publish held is known exactly (see heal). Only its
// owner writes it; readers load Lo, Hi, Lo again and retry if Lo moved.
//
// The second line holds the producer's mark (marks.go), written only by its
// owner: PendEnd, one past the sequence of the publication a mark is being
// published with (0: none), and PendMark, that mark, both stored before the
// publication; then, after it, Mark with MarkSet. A reader after the owner
// is gone takes PendMark if its publication happened, else Mark.
type ProducerRecord struct {
	State    atomic.Uint32
	NameLen  atomic.Uint32
	PID      atomic.Int64
	Name     [NameMax]byte
	EOF      atomic.Int64
	ClaimLo  atomic.Int64
	ClaimHi  atomic.Int64
	_        [LineSize - NameMax - 40]byte
	PendEnd  atomic.Int64
	PendMark atomic.Uint64
	Mark     atomic.Uint64
	MarkSet  atomic.Uint32
	_        [LineSize - 28]byte
}

// ClaimNone in ClaimLo says the producer claims nothing.
const ClaimNone = int64(1<<63 - 1)

// SharedControl is the control region of a shared ring: the control block,
// then the producer table.
type SharedControl struct {
	Control
	Table [MaxSharedProducers]ProducerRecord
}

// AvailWord is a multi-producer availability entry: it holds the sequence
// last published into its slot, so a slot is published for seq s exactly
// when its word equals s.
type AvailWord = atomic.Int64

// Announce records that the producer is claiming [lo, hi]: Hi first, so
// that a reader that sees Lo unchanged around its load of Hi (see claimed)
// sees a range that holds the producer's true claim.
func (ent *ProducerRecord) Announce(lo, hi int64) {
	ent.ClaimHi.Store(hi)
	ent.ClaimLo.Store(lo)
}

// ClaimRange reads the range the producer of ent announced, or ok false if
// it claims nothing. The range read contains the producer's claim at some
// instant during the call, or two consecutive claims of it.
func (ent *ProducerRecord) ClaimRange() (lo, hi int64, ok bool) {
	for {
		lo = ent.ClaimLo.Load()
		hi = ent.ClaimHi.Load()
		if ent.ClaimLo.Load() == lo {
			return lo, hi, lo != ClaimNone && lo <= hi
		}
	}
}
