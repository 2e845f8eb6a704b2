package disruptor

// Invariants of statistics.
//
// Each participant tallies into plain fields of its own (an engine.Tally:
// no atomics on the hot path) and flushes them into its counter record
// (engine.CounterRecord, whose protocol is the engine's) at natural pauses:
// before it waits, every flushEvery events (a producer: publishFlushEvery),
// on Close. Readers see values at most that many events old. This file
// says which counter each of a record's words holds.

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// A flush costs about 250 instructions (16 words compared and stored, the
// counts folded from sequences). A producer's, every 256 events, is about
// one instruction an event. A consumer flushes every 64: its flush is a
// shared consumer's heartbeat too (one with a slow handler flushes sooner,
// at the pace shm_pace.go sets).
const (
	flushEvery        = 64
	publishFlushEvery = 256
)

// Counter indexes in a producer's record.
const (
	pClaims    = iota // successful claim calls
	pPublished        // data events published
	pSkips            // slots published as holes
	pFlushes          // flush markers published
	pEOFs             // EOF markers published
	pFull             // claims that found the ring full
	pPolls            // idle polls while waiting for room
	pYields           // idle steps that gave the processor away
	pParks            // times parked
	pBytes            // bytes of data events published
	pBatches          // claims of more than one slot (ClaimN)
	pUnparks          // wake-ups made for parked consumers
	nProducerCounters
)

// pMark, past the counters, is a single-mode producer's published
// position plus two as of its last flush (0: none): a reader adds what the
// cursor moved since, so that published counts are exact at any instant,
// even after a kill -9, with no store per event (see publishedSince).
const pMark = nProducerCounters

// Counter indexes in a consumer's record.
const (
	cEvents  = iota // data events delivered
	cBatches        // acquisitions of a run of available sequences
	cHoles          // skipped slots passed over
	cFlushes        // flush markers seen
	cEOFs           // EOF markers seen
	cPolls          // idle polls that found nothing
	cYields         // idle steps that gave the processor away
	cParks          // times parked
	cLagMax         // high-water mark of available-but-unread events
	cPos            // the last sequence released, as of the last flush
	cUnparks        // wake-ups made for parked producers and dependents
	nConsumerCounters
)

// Both roles' indexes (and pMark) must fit in a record's
// engine.RecordWords values: a counter past them fails to compile here.
var (
	_ [engine.RecordWords - (pMark + 1)]struct{}
	_ [engine.RecordWords - nConsumerCounters]struct{}
)

// ProducerStats is a snapshot of a producer's counters. Its JSON names
// are the counter type names (see CounterTypes), as every JSON output of
// the disruptor command uses them (docs/json.md).
type ProducerStats struct {
	Name      string `json:"name"`
	Claims    int64  `json:"claims"`               // successful claim calls (Claim, ClaimN and their Try forms)
	Published int64  `json:"events_published"`     // data events published
	Bytes     int64  `json:"bytes_published"`      // bytes of data events published
	Batches   int64  `json:"batches"`              // claims of more than one slot (ClaimN)
	Skips     int64  `json:"skips"`                // slots published as holes
	Flushes   int64  `json:"flushes"`              // flush markers published
	EOFs      int64  `json:"eofs"`                 // EOF markers published (Close)
	FullWaits int64  `json:"producer_full_events"` // claims that found the ring full
	Polls     int64  `json:"producer_full_spins"`  // idle polls while the ring was full
	Yields    int64  `json:"yields"`               // idle steps that gave the processor away
	Parks     int64  `json:"parks"`                // times parked waiting for room
	Unparks   int64  `json:"unparks"`              // wake-ups made for parked consumers
}

// ConsumerStats is a snapshot of a consumer's counters, with JSON names
// as ProducerStats has them.
type ConsumerStats struct {
	Name       string `json:"name"`
	Events     int64  `json:"events_consumed"`      // data events delivered
	Batches    int64  `json:"batches"`              // runs of available sequences acquired
	Holes      int64  `json:"holes"`                // skipped slots passed over
	Flushes    int64  `json:"flushes"`              // flush markers seen
	EOFs       int64  `json:"eofs"`                 // EOF markers seen
	EmptyPolls int64  `json:"consumer_empty_spins"` // idle polls that found nothing to read
	Yields     int64  `json:"yields"`               // idle steps that gave the processor away
	Parks      int64  `json:"parks"`                // times parked waiting for events
	Unparks    int64  `json:"unparks"`              // wake-ups made for parked producers and dependents
	LagMax     int64  `json:"consumer_lag_max"`     // most events seen available but not yet read
	Position   int64  `json:"consumer_position"`    // the last sequence released
}

// producerStats and consumerStats fill a Stats from rec's values, as the
// counter table maps them.
func producerStats(name string, rec *engine.CounterRecord) ProducerStats {
	s := ProducerStats{Name: name}
	for i := range counterTable {
		if d := &counterTable[i]; d.prod != nil {
			*d.prod(&s) = rec.V[d.idx].Load()
		}
	}
	return s
}

func consumerStats(name string, rec *engine.CounterRecord) ConsumerStats {
	s := ConsumerStats{Name: name}
	for i := range counterTable {
		if d := &counterTable[i]; d.cons != nil {
			*d.cons(&s) = rec.V[d.idx].Load()
		}
	}
	return s
}

// Report writes the ring's statistics, a table of producers then a table of
// consumers, in the manner of Varon-T's queue report.
//
// For a shared ring the report covers every process's participants, as
// the ring's tables record them, and fails with ErrClosed after the
// ring's Close or ErrTruncated; otherwise the error is w's.
func (r *Ring[E]) Report(w io.Writer) error {
	ps, cs, err := r.host.reportStats()
	if err != nil {
		return err
	}
	return writeReport(w, r.Size(), r.Cursor(), ps, cs)
}

// ownStats is the statistics of this handle's producers and consumers: an
// in-process ring's Report.
func (r *Ring[E]) ownStats() ([]ProducerStats, []ConsumerStats) {
	r.mu.Lock()
	ps := make([]ProducerStats, 0, len(r.producers))
	for _, p := range r.producers {
		ps = append(ps, p.Stats())
	}
	cs := make([]ConsumerStats, 0, len(r.consumers))
	for _, c := range r.consumers {
		cs = append(cs, c.Stats())
	}
	r.mu.Unlock()
	return ps, cs
}

func writeReport(w io.Writer, size int, cursor int64, ps []ProducerStats, cs []ConsumerStats) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "ring\tsize %d\tcursor %d\t\n", size, cursor)
	reportTable(tw, "producer", ps, func(s *ProducerStats) string { return s.Name },
		func(d *counterDef) func(*ProducerStats) *int64 { return d.prod })
	reportTable(tw, "consumer", cs, func(s *ConsumerStats) string { return s.Name },
		func(d *counterDef) func(*ConsumerStats) *int64 { return d.cons })
	return tw.Flush()
}

// reportTable writes one role's header and a line for each of rows: its
// name, then the value of every Stats field the counter table maps
// (field(row)), under the row's column heading, in the table's order.
func reportTable[S any](w io.Writer, role string, rows []S, name func(*S) string, field func(*counterDef) func(*S) *int64) {
	var cols []func(*S) *int64
	fmt.Fprint(w, role)
	for i := range counterTable {
		if f := field(&counterTable[i]); f != nil {
			cols = append(cols, f)
			fmt.Fprintf(w, "\t%s", counterTable[i].Column)
		}
	}
	fmt.Fprint(w, "\t\n")
	for i := range rows {
		fmt.Fprint(w, name(&rows[i]))
		for _, f := range cols {
			fmt.Fprintf(w, "\t%d", *f(&rows[i]))
		}
		fmt.Fprint(w, "\t\n")
	}
}
