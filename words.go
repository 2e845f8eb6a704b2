package disruptor

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

const lineSize = 128

// seqWord is an int64 sequence alone on its line.
type seqWord struct {
	atomic.Int64
	_ [lineSize - 8]byte
}

// flagWord is a uint32 alone on its line.
type flagWord struct {
	atomic.Uint32
	_ [lineSize - 4]byte
}

// parkWord is where waiters of one kind park. Waiters counts parked (or about
// to park) waiters; a publisher reads it and wakes only when it is non-zero, so
// an uncontended publish makes no call. Seq is bumped before every wake and is
// the 32-bit futex word for waiters in other processes.
type parkWord struct {
	Waiters atomic.Int32
	Seq     atomic.Uint32
	_       [lineSize - 8]byte
}

// Ring states kept in control.State.
const (
	stateRunning uint32 = iota
	stateHalted
)

// control is the ring's control block: the producer side's shared words.
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
//	            producer that computed a gate re-checks it (see refreshGate).
//	State       running or halted; written by Halt, read by every waiter.
//	Producers   how many producers were created; EOF needs one from each.
//	Records     high-water count of used consumer records.
//	DataWait    consumers waiting for producers park here.
//	DepWait     consumers waiting for upstream consumers park here.
//	SpaceWait   producers waiting for room park here.
type control struct {
	Cursor    seqWord
	GateCache seqWord
	LastMark  seqWord
	Epoch     flagWord
	State     flagWord
	Producers flagWord
	Records   flagWord
	DataWait  parkWord
	DepWait   parkWord
	SpaceWait parkWord
}

// Consumer record states.
const (
	recFree uint32 = iota
	recActive
	recClosed
)

// nameMax is the longest participant name a shared ring records.
const nameMax = 64

// consumerRecord is one entry of the consumer table. Cursor is the highest
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
type consumerRecord struct {
	Cursor    atomic.Int64
	State     atomic.Uint32
	_         [lineSize - 12]byte
	Name      [nameMax]byte
	NameLen   atomic.Uint32
	Detached  atomic.Uint32
	PID       atomic.Int64
	Beat      atomic.Int64
	_         [lineSize - nameMax - 24]byte
	Gen       atomic.Uint32
	Followers atomic.Int32
	NUps      atomic.Uint32
	_         uint32
	Ups       [maxUps]upRef
	_         [lineSize - 16 - maxUps*8]byte
}

// maxUps is how many consumers a shared ring's consumer may follow.
const maxUps = 8

// upRef names an upstream record: its table index and its Gen when the
// follower registered.
type upRef struct {
	Idx atomic.Uint32
	Gen atomic.Uint32
}

// Producer entry states in a shared ring's producer table.
const (
	prodFree uint32 = iota
	prodActive
	prodClosed
)

// maxSharedProducers is the size of a shared ring's producer table.
const maxSharedProducers = 16

// producerRecord is one entry of a shared ring's producer table, two lines.
// The first: State, the owner's PID and name, and once State is prodClosed,
// EOF, the sequence of the producer's EOF marker (both stored before the
// marker is published). Liveness is a lock on its first byte.
//
// ClaimLo..ClaimHi is, in a multi-producer ring, the range the producer is
// claiming or last claimed: stored (Hi, then Lo) before its claim's CAS and
// emptied (Lo = claimNone) when the CAS fails, so the range a producer that
// died between claim and publish held is known exactly (see heal). Only its
// owner writes it; readers load Lo, Hi, Lo again and retry if Lo moved.
//
// The second line holds the producer's mark (marks.go), written only by its
// owner: PendEnd, one past the sequence of the publication a mark is being
// published with (0: none), and PendMark, that mark, both stored before the
// publication; then, after it, Mark with MarkSet. A reader after the owner
// is gone takes PendMark if its publication happened, else Mark.
type producerRecord struct {
	State    atomic.Uint32
	NameLen  atomic.Uint32
	PID      atomic.Int64
	Name     [nameMax]byte
	EOF      atomic.Int64
	ClaimLo  atomic.Int64
	ClaimHi  atomic.Int64
	_        [lineSize - nameMax - 40]byte
	PendEnd  atomic.Int64
	PendMark atomic.Uint64
	Mark     atomic.Uint64
	MarkSet  atomic.Uint32
	_        [lineSize - 28]byte
}

// claimNone in ClaimLo says the producer claims nothing.
const claimNone = int64(1<<63 - 1)

// sharedControl is the control region of a shared ring: the control block,
// then the producer table.
type sharedControl struct {
	control
	Table [maxSharedProducers]producerRecord
}

// availWord is a multi-producer availability entry: it holds the sequence
// last published into its slot, so a slot is published for seq s exactly
// when its word equals s.
type availWord = atomic.Int64
