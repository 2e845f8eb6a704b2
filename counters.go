package disruptor

import "github.com/disruptor-go/disruptor/internal/engine"

// Typed counters: every value in a counter record has a fixed meaning given
// by its role and index, published here as a type id and a name, so that
// tools read counters by type and never parse labels.
//
// counterTable is the one place a counter's meaning is written: its type
// (id, name, role, unit, help, gauge or tally, column heading), the index
// of its value in the record, and the Stats field it fills. Counters,
// Inspect's counters, ProducerStats and ConsumerStats, Report, the metrics
// package and `disruptor stat` all iterate it (or CounterTypes and
// PositionTypes, which it makes).

// CounterType describes one kind of counter.
type CounterType struct {
	ID   int    // stable numeric type id
	Name string // e.g. "events_published"
	Role string // "producer" or "consumer"
	Help string // one line for people and for Prometheus
	// Unit is what the value counts, plural ("events", "bytes", "calls",
	// "polls"...), or "sequence" for a position.
	Unit string
	// Column is the counter's heading in tables (Ring.Report, `disruptor
	// stat`): short, and the same for a producer's and a consumer's
	// counters of one meaning ("events", "idle", "parks").
	Column string
	// Gauge: the value is a level (a position, a high-water mark, what is
	// in flight), not a tally that only grows.
	Gauge bool
	idx   int // index in the record's values (-1: none)
}

// counterDef is one row of counterTable.
type counterDef struct {
	CounterType
	prod func(*ProducerStats) *int64 // the field it fills in ProducerStats (nil: none)
	cons func(*ConsumerStats) *int64 // the field it fills in ConsumerStats (nil: none)
	// position: the row is the owner's live position, which Counters
	// reports after its tallies (from the ring, not the record), and which
	// CounterTypes leaves out.
	position bool
}

// Kinds of counters, for the table's rows.
const (
	kindTally = false
	kindGauge = true
)

// prod and cons make a producer's and a consumer's row; idx is the value's
// index in the record, field the Stats field it fills.
func prod(id int, name, unit, column string, kind bool, idx int, field func(*ProducerStats) *int64, help string) counterDef {
	return counterDef{CounterType: CounterType{ID: id, Name: name, Role: "producer", Help: help, Unit: unit, Column: column, Gauge: kind, idx: idx}, prod: field}
}

func cons(id int, name, unit, column string, kind bool, idx int, field func(*ConsumerStats) *int64, help string) counterDef {
	return counterDef{CounterType: CounterType{ID: id, Name: name, Role: "consumer", Help: help, Unit: unit, Column: column, Gauge: kind, idx: idx}, cons: field}
}

// positionRow marks a row as a position (see counterDef.position).
func positionRow(d counterDef) counterDef { d.position = true; return d }

// counterTable is every counter of producers' and consumers' records, in
// the order Counters lists them and Report prints them: a role's tallies,
// then its position. Ids are stable: a new counter takes a new id (1-49
// producers', 101-149 consumers'), and its value a new index (stats.go).
var counterTable = [...]counterDef{
	prod(1, "events_published", "events", "events", kindTally, pPublished, func(s *ProducerStats) *int64 { return &s.Published }, "data events published"),
	prod(2, "bytes_published", "bytes", "bytes", kindTally, pBytes, func(s *ProducerStats) *int64 { return &s.Bytes }, "bytes of data events published"),
	prod(3, "producer_full_events", "calls", "full", kindTally, pFull, func(s *ProducerStats) *int64 { return &s.FullWaits }, "claims that found the ring full"),
	prod(4, "claims", "calls", "claims", kindTally, pClaims, func(s *ProducerStats) *int64 { return &s.Claims }, "successful claim calls"),
	prod(5, "batches", "calls", "batches", kindTally, pBatches, func(s *ProducerStats) *int64 { return &s.Batches }, "claims of more than one slot"),
	prod(6, "skips", "slots", "skips", kindTally, pSkips, func(s *ProducerStats) *int64 { return &s.Skips }, "slots published as holes"),
	prod(7, "flushes", "markers", "flushes", kindTally, pFlushes, func(s *ProducerStats) *int64 { return &s.Flushes }, "flush markers published"),
	prod(8, "eofs", "markers", "eofs", kindTally, pEOFs, func(s *ProducerStats) *int64 { return &s.EOFs }, "EOF markers published"),
	prod(9, "parks", "parks", "parks", kindTally, pParks, func(s *ProducerStats) *int64 { return &s.Parks }, "times parked waiting for room"),
	prod(10, "unparks", "wake-ups", "unparks", kindTally, pUnparks, func(s *ProducerStats) *int64 { return &s.Unparks }, "wake-ups made for parked consumers"),
	prod(11, "yields", "yields", "yields", kindTally, pYields, func(s *ProducerStats) *int64 { return &s.Yields }, "idle steps that gave the processor away"),
	prod(12, "producer_full_spins", "polls", "idle", kindTally, pPolls, func(s *ProducerStats) *int64 { return &s.Polls }, "idle polls while the ring was full"),
	positionRow(prod(50, "producer_position", "sequence", "position", kindGauge, -1, nil, "highest sequence claimed on the ring")),

	cons(101, "events_consumed", "events", "events", kindTally, cEvents, func(s *ConsumerStats) *int64 { return &s.Events }, "data events delivered"),
	cons(102, "batches", "batches", "batches", kindTally, cBatches, func(s *ConsumerStats) *int64 { return &s.Batches }, "runs of available events acquired"),
	cons(103, "consumer_empty_spins", "polls", "idle", kindTally, cPolls, func(s *ConsumerStats) *int64 { return &s.EmptyPolls }, "idle polls that found nothing to read"),
	cons(104, "consumer_lag_max", "events", "lag max", kindGauge, cLagMax, func(s *ConsumerStats) *int64 { return &s.LagMax }, "most events seen available but not yet read"),
	cons(105, "holes", "slots", "holes", kindTally, cHoles, func(s *ConsumerStats) *int64 { return &s.Holes }, "skipped slots passed over"),
	cons(106, "flushes", "markers", "flushes", kindTally, cFlushes, func(s *ConsumerStats) *int64 { return &s.Flushes }, "flush markers seen"),
	cons(107, "eofs", "markers", "eofs", kindTally, cEOFs, func(s *ConsumerStats) *int64 { return &s.EOFs }, "EOF markers seen"),
	cons(108, "parks", "parks", "parks", kindTally, cParks, func(s *ConsumerStats) *int64 { return &s.Parks }, "times parked waiting for events"),
	cons(109, "unparks", "wake-ups", "unparks", kindTally, cUnparks, func(s *ConsumerStats) *int64 { return &s.Unparks }, "wake-ups made for parked producers and dependents"),
	cons(110, "yields", "yields", "yields", kindTally, cYields, func(s *ConsumerStats) *int64 { return &s.Yields }, "idle steps that gave the processor away"),
	// Stats report the position as of the last flush (for a shared ring,
	// Inspect the live one); Counters the live one.
	positionRow(cons(150, "consumer_position", "sequence", "position", kindGauge, cPos, func(s *ConsumerStats) *int64 { return &s.Position }, "last sequence released by the consumer")),
}

// counterTypes and positionTypes are the table's types: the tallies (and
// consumer_lag_max), and the positions.
var counterTypes, positionTypes = tableTypes()

func tableTypes() (tallies, positions []CounterType) {
	for i := range counterTable {
		if d := &counterTable[i]; d.position {
			positions = append(positions, d.CounterType)
		} else {
			tallies = append(tallies, d.CounterType)
		}
	}
	return tallies, positions
}

// CounterTypes lists every tally's counter type, producers' then
// consumers'. Ring.Counters and Participant.Counters also report each
// participant's position, under the types producer_position and
// consumer_position (PositionTypes), which are not tallies and are not
// listed here.
func CounterTypes() []CounterType { return append([]CounterType(nil), counterTypes...) }

// PositionTypes lists the types of the positions that Ring.Counters and
// Participant.Counters report after each participant's tallies:
// producer_position and consumer_position, so that lag is
// producer_position - consumer_position.
func PositionTypes() []CounterType { return append([]CounterType(nil), positionTypes...) }

// Counter is one value read from a counter record.
type Counter struct {
	Type  CounterType
	Owner string // the producer's or consumer's name
	Value int64
}

// appendRecord appends the counters of role in rec, in the table's order,
// its position last, whatever the record's state.
func appendRecord(out []Counter, rec *engine.CounterRecord, role, owner string, pos int64) []Counter {
	for i := range counterTable {
		d := &counterTable[i]
		if d.Role != role {
			continue
		}
		v := pos
		if !d.position {
			v = rec.V[d.idx].Load()
		}
		out = append(out, Counter{Type: d.CounterType, Owner: owner, Value: v})
	}
	return out
}

// readRecord appends the values of an active record to out; pos is the
// owner's live position.
func readRecord(out []Counter, c *engine.CounterRecord, pos int64) []Counter {
	gen, ok := c.ReadGen()
	if !ok {
		return out
	}
	n := len(out)
	role := "consumer"
	if c.Role.Load() == engine.RoleProducer {
		role = "producer"
	}
	out = appendRecord(out, c, role, c.LabelText(), pos)
	if !c.ReadOK(gen) { // rewritten or freed meanwhile
		return out[:n]
	}
	return out
}

// Counters reads the counters of every open producer and consumer of this
// ring handle (for a shared ring, of every process: see also Inspect),
// then those of its application counter sets (NewAppCounters).
func (r *Ring[E]) Counters() []Counter { return r.host.readCounters() }

// ownCounters reads the counters of this handle's producers, consumers and
// application counter sets: an in-process ring's Counters.
func (r *Ring[E]) ownCounters() []Counter {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Counter
	cur := r.Cursor()
	for _, p := range r.producers {
		out = readRecord(out, p.t.Rec, cur)
	}
	for _, c := range r.consumers {
		out = readRecord(out, c.t.Rec, c.rec.Cursor.Load())
	}
	return r.appValues(out)
}

// counterValues reads every active record of a shared ring's counters area.
func (sh *shared) counterValues() []Counter {
	var out []Counter
	nc := int(sh.geo.MaxConsumers)
	recs := sh.recs()
	cur := sh.ctl.Cursor.Load()
	for i := range sh.counters {
		c := &sh.counters[i]
		pos := cur
		if i < nc {
			pos = recs[i].Cursor.Load()
		}
		out = readRecord(out, c, pos)
	}
	return out
}
