package bridge

import (
	"fmt"

	"github.com/disruptor-go/disruptor"
)

// Stats are a bridge's counters. Every field is safe to read from any
// goroutine through Stats(). They live in the ring's counters area (see
// CounterTypes), where other processes read them too.
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

// counterTypes are a bridge's counters as its ring's application counter
// set (disruptor.Ring.NewAppCounters) holds them, so that `disruptor stat`,
// `disruptor inspect` and metrics.FileCollector show them in any process:
// the role is "bridge_out" or "bridge_in", the owner Config.Name.
var counterTypes = []disruptor.CounterType{
	{ID: 1101, Name: "frames", Help: "frames acknowledged by the stream (out) or written into the ring (in)"},
	{ID: 1102, Name: "events", Help: "events acknowledged by the stream (out) or written into the ring (in)"},
	{ID: 1103, Name: "frames_in_flight", Help: "frames published and not yet acknowledged", Gauge: true},
	{ID: 1104, Name: "events_in_flight", Help: "events in frames published and not yet acknowledged", Gauge: true},
	{ID: 1105, Name: "acked_sequence", Help: "stream sequence of the last frame acknowledged (out) or written (in)", Gauge: true},
	{ID: 1106, Name: "ring_sequence", Help: "last ring sequence of that frame, in the ring it came from", Gauge: true},
	{ID: 1107, Name: "resyncs", Help: "resynchronisations from the stream's tail"},
	{ID: 1108, Name: "precondition_failures", Help: "publications refused: the stream's last sequence was not the expected one"},
	{ID: 1109, Name: "redeliveries", Help: "frames published again after a resync (out), or read again and passed over (in)"},
}

// CounterTypes returns the types of a bridge's counters in its ring's
// application counter set (role "bridge_out" or "bridge_in", owner
// Config.Name), in the order of Stats' fields.
func CounterTypes() []disruptor.CounterType {
	return append([]disruptor.CounterType(nil), counterTypes...)
}

// counters is where a bridge keeps its Stats: its ring's application
// counter set.
type counters struct {
	set                                *disruptor.AppCounters
	frames, events, framesIn, eventsIn disruptor.AppCounter
	ackedSeq, ringSeq                  disruptor.AppCounter
	resyncs, preconds, redeliveries    disruptor.AppCounter
}

// newCounters opens the bridge's counter set in r.
func newCounters[E any](r *disruptor.Ring[E], role, owner string) (counters, error) {
	set, err := r.NewAppCounters(role, owner, counterTypes...)
	if err != nil {
		return counters{}, fmt.Errorf("bridge: counters: %w", err)
	}
	return counters{set: set,
		frames: set.At(0), events: set.At(1), framesIn: set.At(2), eventsIn: set.At(3),
		ackedSeq: set.At(4), ringSeq: set.At(5),
		resyncs: set.At(6), preconds: set.At(7), redeliveries: set.At(8),
	}, nil
}

func (c *counters) snapshot() Stats {
	return Stats{
		Frames: c.frames.Load(), Events: c.events.Load(),
		FramesInFlight: c.framesIn.Load(), EventsInFlight: c.eventsIn.Load(),
		AckedSeq: uint64(c.ackedSeq.Load()), RingSeq: c.ringSeq.Load(),
		Resyncs: c.resyncs.Load(), PreconditionFailures: c.preconds.Load(), Redeliveries: c.redeliveries.Load(),
	}
}
