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
type consumerRecord struct {
	Cursor   atomic.Int64
	State    atomic.Uint32
	_        [lineSize - 12]byte
	Name     [nameMax]byte
	NameLen  atomic.Uint32
	Detached atomic.Uint32
	PID      atomic.Int64
	Beat     atomic.Int64
	_        [lineSize - nameMax - 24]byte
}

// Producer entry states in a shared ring's producer table.
const (
	prodFree uint32 = iota
	prodActive
	prodClosed
)

// maxSharedProducers is the size of a shared ring's producer table.
const maxSharedProducers = 16

// producerRecord is one entry of a shared ring's producer table, one line:
// State, the owner's PID and name, and once State is prodClosed, EOF, the
// sequence of the producer's EOF marker (both stored before the marker is
// published). Liveness is a lock on its first byte.
type producerRecord struct {
	State   atomic.Uint32
	NameLen atomic.Uint32
	PID     atomic.Int64
	Name    [nameMax]byte
	EOF     atomic.Int64
	_       [lineSize - nameMax - 24]byte
}

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
