package disruptor

// Typed counters: every value in a counter record has a fixed meaning given
// by its role and index, published here as a type id and a name, so that
// tools read counters by type and never parse labels.

// CounterType describes one kind of counter.
type CounterType struct {
	ID   int    // stable numeric type id
	Name string // e.g. "events_published"
	Role string // "producer" or "consumer"
	Help string // one line for people and for Prometheus
	// Gauge: the value is a level (a position, a high-water mark, what is
	// in flight), not a tally that only grows.
	Gauge bool
	idx   int // index in the record's values
}

// CounterTypes lists every tally's counter type, producers' then
// consumers'. Ring.Counters and Participant.Counters also report each
// participant's position, under the types producer_position and
// consumer_position, which are not tallies and are not listed here.
func CounterTypes() []CounterType { return append([]CounterType(nil), counterTypes...) }

var counterTypes = []CounterType{
	{1, "events_published", "producer", "data events published", false, pPublished},
	{2, "bytes_published", "producer", "bytes of data events published", false, pBytes},
	{3, "producer_full_events", "producer", "claims that found the ring full", false, pFull},
	{4, "claims", "producer", "successful claim calls", false, pClaims},
	{5, "batches", "producer", "claims of more than one slot", false, pBatches},
	{6, "skips", "producer", "slots published as holes", false, pSkips},
	{7, "flushes", "producer", "flush markers published", false, pFlushes},
	{8, "eofs", "producer", "EOF markers published", false, pEOFs},
	{9, "parks", "producer", "times parked waiting for room", false, pParks},
	{10, "unparks", "producer", "wake-ups made for parked consumers", false, pUnparks},
	{11, "yields", "producer", "idle steps that gave the processor away", false, pYields},
	{12, "producer_full_spins", "producer", "idle polls while the ring was full", false, pPolls},
	{101, "events_consumed", "consumer", "data events delivered", false, cEvents},
	{102, "batches", "consumer", "runs of available events acquired", false, cBatches},
	{103, "consumer_empty_spins", "consumer", "idle polls that found nothing to read", false, cPolls},
	{104, "consumer_lag_max", "consumer", "most events seen available but not yet read", true, cLagMax},
	{105, "holes", "consumer", "skipped slots passed over", false, cHoles},
	{106, "flushes", "consumer", "flush markers seen", false, cFlushes},
	{107, "eofs", "consumer", "EOF markers seen", false, cEOFs},
	{108, "parks", "consumer", "times parked waiting for events", false, cParks},
	{109, "unparks", "consumer", "wake-ups made for parked producers and dependents", false, cUnparks},
	{110, "yields", "consumer", "idle steps that gave the processor away", false, cYields},
}

// Position counter types: not tallies but the live positions, so that lag
// is producer_position - consumer_position.
var (
	producerPosition = CounterType{ID: 50, Name: "producer_position", Role: "producer", Help: "highest sequence claimed on the ring", Gauge: true}
	consumerPosition = CounterType{ID: 150, Name: "consumer_position", Role: "consumer", Help: "last sequence released by the consumer", Gauge: true}
)

// Counter is one value read from a counter record.
type Counter struct {
	Type  CounterType
	Owner string // the producer's or consumer's name
	Value int64
}

// readRecord appends the values of an active record to out; pos is the
// owner's live position.
func readRecord(out []Counter, c *counterRecord, pos int64) []Counter {
	gen := c.Gen.Load()
	if gen&1 != 0 || c.State.Load() != counterActive {
		return out
	}
	n := len(out)
	role := "consumer"
	ptype := consumerPosition
	if c.Role.Load() == roleProducer {
		role, ptype = "producer", producerPosition
	}
	owner := c.label()
	for _, t := range counterTypes {
		if t.Role == role {
			out = append(out, Counter{Type: t, Owner: owner, Value: c.V[t.idx].Load()})
		}
	}
	out = append(out, Counter{Type: ptype, Owner: owner, Value: pos})
	if !c.stable(gen) || c.State.Load() != counterActive { // rewritten or freed meanwhile
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
		out = readRecord(out, p.t.rec, cur)
	}
	for _, c := range r.consumers {
		out = readRecord(out, c.t.rec, c.rec.Cursor.Load())
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
