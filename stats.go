package disruptor

// Invariants of statistics.
//
// Each participant tallies into plain fields of its own (no atomics on the
// hot path) and flushes them into its counter record with atomic stores at
// natural pauses: before it waits, every flushEvery events (a producer:
// publishFlushEvery), on Close. Each record has exactly one writer, so
// flushing is a store, never a read-modify-write. Readers load the record's
// words at any time and see values at most that many events old. The record is 16 words on its own
// 128-byte line, the layout a shared-memory counters area holds.

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync/atomic"
	"text/tabwriter"
)

// A flush costs about 250 instructions (16 words compared and stored, the
// counts folded from sequences). A producer's, every 256 events, is about
// one instruction an event. A consumer flushes every 64: its flush is a
// shared consumer's heartbeat too, and a slow handler (a shared consumer
// that takes 30 ms an event) must still beat within StallAfter.
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

// Record states and roles.
const (
	counterFree uint32 = iota
	counterActive

	roleProducer uint32 = 1
	roleConsumer uint32 = 2
)

// counterRecord is one participant's counters: a metadata line and a line
// of values, each value written only by the owner. The same records live on
// the heap for in-process rings and in the counters area of shared rings, so
// one reader serves both.
//
// The metadata is guarded like a seqlock: open makes Gen odd, rewrites the
// fields, makes Gen even again and stores State last. A reader (see
// readRecord) reads Gen, then the record, then Gen again, and passes over
// the record unless both readings are the same even number and State was
// active: it never reports half a record, even one freed and reused by
// another owner while it read. Every field is an atomic word, so a reader in
// this process is no data race either.
type counterRecord struct {
	State    atomic.Uint32 // counterFree or counterActive
	Role     atomic.Uint32 // roleProducer or roleConsumer
	Owner    atomic.Uint32 // the owner's table entry (shared rings)
	LabelLen atomic.Uint32
	Gen      atomic.Uint32 // odd while open rewrites the metadata
	_        [4]byte
	Label    [nameMax / 8]atomic.Uint64 // the owner's name, 8 bytes a word
	_        [lineSize - nameMax - 24]byte
	V        [16]atomic.Int64
}

// open stamps the record for its owner and makes it visible to readers.
func (c *counterRecord) open(role uint32, owner int, label string) {
	c.State.Store(counterFree)
	c.Gen.Add(1)
	c.Role.Store(role)
	c.Owner.Store(uint32(owner))
	var b [nameMax]byte
	n := copy(b[:], label)
	for i := range c.Label {
		c.Label[i].Store(binary.LittleEndian.Uint64(b[8*i:]))
	}
	c.LabelLen.Store(uint32(n))
	c.Gen.Add(1)
	c.State.Store(counterActive)
}

// close frees the record: readers pass over it from now on.
func (c *counterRecord) close() { c.State.Store(counterFree) }

// label is the owner's name as recorded.
func (c *counterRecord) label() string {
	var b [nameMax]byte
	for i := range c.Label {
		binary.LittleEndian.PutUint64(b[8*i:], c.Label[i].Load())
	}
	return string(b[:min(int(c.LabelLen.Load()), nameMax)])
}

// stable reports whether the record's metadata was not being rewritten:
// gen is Gen as read before the reading, and Gen must still hold it.
func (c *counterRecord) stable(gen uint32) bool { return gen&1 == 0 && c.Gen.Load() == gen }

// tally is a participant's private counters and the record it flushes to.
type tally struct {
	v       [16]int64
	pending int // events since the last flush
	rec     *counterRecord
	off     bool // counters switched off: tally, never publish
	// exact: shared rings store the counts that follow from sequences
	// (published, consumed) as they change, so that they hold when the
	// process is killed between flushes.
	exact bool
}

// store publishes counter i now (see exact).
func (t *tally) store(i int) { storeRelease(&t.rec.V[i], t.v[i]) }

func (t *tally) flush() {
	if t.off {
		t.pending = 0
		return
	}
	for i := range t.v {
		if t.rec.V[i].Load() != t.v[i] {
			t.rec.V[i].Store(t.v[i])
		}
	}
	t.pending = 0
}

// addWaits folds wait tallies into counters starting at polls.
func (t *tally) addWaits(wc *waitCounts, polls, yields, parks int) {
	t.v[polls] += wc.polls
	t.v[yields] += wc.yields
	t.v[parks] += wc.parks
	*wc = waitCounts{polls: 0}
}

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

func producerStats(name string, r *counterRecord) ProducerStats {
	v := func(i int) int64 { return r.V[i].Load() }
	return ProducerStats{Name: name, Claims: v(pClaims), Published: v(pPublished), Bytes: v(pBytes),
		Batches: v(pBatches), Skips: v(pSkips), Flushes: v(pFlushes), EOFs: v(pEOFs), FullWaits: v(pFull),
		Polls: v(pPolls), Yields: v(pYields), Parks: v(pParks), Unparks: v(pUnparks)}
}

func consumerStats(name string, r *counterRecord) ConsumerStats {
	v := func(i int) int64 { return r.V[i].Load() }
	return ConsumerStats{Name: name, Events: v(cEvents), Batches: v(cBatches), Holes: v(cHoles),
		Flushes: v(cFlushes), EOFs: v(cEOFs), EmptyPolls: v(cPolls), Yields: v(cYields),
		Parks: v(cParks), Unparks: v(cUnparks), LagMax: v(cLagMax), Position: v(cPos)}
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
	fmt.Fprintf(tw, "producer\tclaims\tpublished\tskips\tflushes\teofs\tfull\tyields\tparks\t\n")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n",
			p.Name, p.Claims, p.Published, p.Skips, p.Flushes, p.EOFs, p.FullWaits, p.Yields, p.Parks)
	}
	fmt.Fprintf(tw, "consumer\tevents\tbatches\tholes\tflushes\teofs\tempty\tyields\tparks\tlag max\tposition\t\n")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n",
			c.Name, c.Events, c.Batches, c.Holes, c.Flushes, c.EOFs, c.EmptyPolls, c.Yields, c.Parks, c.LagMax, c.Position)
	}
	return tw.Flush()
}
