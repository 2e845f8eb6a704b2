package disruptor

import "github.com/disruptor-go/disruptor/internal/engine"

// Words read from a shared mapping are data another process wrote, maybe
// wrongly: a word used as a count, an index or a length is bounded before
// it is used (see also recName, and every loop over Records, which stops
// at the table's length).

// prodName is a producer entry's name, its length bounded by the field.
func prodName(ent *engine.ProducerRecord) string {
	return string(ent.Name[:min(uint64(ent.NameLen.Load()), engine.NameMax)])
}

// counterRec is the counter record at index i of the counters area, or,
// if the area (laid out by another version) has no such record, a record
// of process memory that nobody else reads.
func (sh *shared) counterRec(i int) *engine.CounterRecord {
	if i < 0 || i >= len(sh.counters) {
		return new(engine.CounterRecord)
	}
	return &sh.counters[i]
}
