package bridge

import "sync/atomic"

// Stats are a bridge's counters. Every field is safe to read from any
// goroutine through Stats().
type Stats struct {
	// Frames and Events: acknowledged by the stream (Out), or written into
	// the ring (In).
	Frames int64 `json:"frames"`
	Events int64 `json:"events"`
	// FramesInFlight and EventsInFlight: published and not yet
	// acknowledged (Out; always 0 for In).
	FramesInFlight int64 `json:"frames_in_flight"`
	EventsInFlight int64 `json:"events_in_flight"`
	// AckedSeq is the stream sequence of the last frame acknowledged
	// (Out) or written into the ring (In); RingSeq the last ring sequence
	// of that frame (the ring it came from).
	AckedSeq uint64 `json:"acked_seq"`
	RingSeq  int64  `json:"ring_seq"`
	// Resyncs counts resynchronisations from the stream's tail (Out).
	Resyncs int64 `json:"resyncs"`
	// PreconditionFailures counts publications the stream refused because
	// its last sequence was not the expected one (Out).
	PreconditionFailures int64 `json:"precondition_failures"`
	// Redeliveries counts frames published again after a resync (Out), or
	// read again and passed over because the ring held them (In).
	Redeliveries int64 `json:"redeliveries"`
}

// counters is where a bridge keeps its Stats.
type counters struct {
	frames, events, framesIn, eventsIn atomic.Int64
	ackedSeq                           atomic.Uint64
	ringSeq                            atomic.Int64
	resyncs, preconds, redeliveries    atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Frames: c.frames.Load(), Events: c.events.Load(),
		FramesInFlight: c.framesIn.Load(), EventsInFlight: c.eventsIn.Load(),
		AckedSeq: c.ackedSeq.Load(), RingSeq: c.ringSeq.Load(),
		Resyncs: c.resyncs.Load(), PreconditionFailures: c.preconds.Load(), Redeliveries: c.redeliveries.Load(),
	}
}
