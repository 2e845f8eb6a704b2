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

// consumerRecord is one entry of the consumer table. Cursor is the highest
// sequence the consumer has released: it gates producers and dependents.
// Written only by its consumer (and by joining, before it is Active).
type consumerRecord struct {
	Cursor atomic.Int64
	State  atomic.Uint32
	_      [lineSize - 12]byte
}

// availWord is a multi-producer availability entry: it holds the sequence
// last published into its slot, so a slot is published for seq s exactly
// when its word equals s.
type availWord = atomic.Int64
