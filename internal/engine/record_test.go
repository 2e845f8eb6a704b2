package engine

import "testing"

// A reading is whole only if the record was open, and neither rewritten
// nor freed, from ReadGen to ReadOK.
func TestCounterRecordReading(t *testing.T) {
	var c CounterRecord
	if _, ok := c.ReadGen(); ok {
		t.Fatal("ReadGen of a record never opened: ok")
	}
	c.Open(RoleConsumer, 3, "journal")
	gen, ok := c.ReadGen()
	if !ok {
		t.Fatalf("ReadGen of an open record: not ok (Gen %d, State %d)", c.Gen.Load(), c.State.Load())
	}
	if got := c.LabelText(); got != "journal" {
		t.Fatalf("LabelText = %q, want journal", got)
	}
	if c.Role.Load() != RoleConsumer || c.Owner.Load() != 3 {
		t.Fatalf("Role %d, Owner %d; want %d, 3", c.Role.Load(), c.Owner.Load(), RoleConsumer)
	}
	if !c.ReadOK(gen) {
		t.Fatal("ReadOK after an undisturbed reading: false")
	}

	c.Open(RoleProducer, 0, "feed") // reused by another owner meanwhile
	if c.ReadOK(gen) {
		t.Fatalf("ReadOK across a reopening (Gen %d then %d): true", gen, c.Gen.Load())
	}
	gen, _ = c.ReadGen()
	c.Close()
	if c.ReadOK(gen) {
		t.Fatal("ReadOK across a Close: true")
	}
	if _, ok := c.ReadGen(); ok {
		t.Fatal("ReadGen of a closed record: ok")
	}

	c.Gen.Add(1) // an Open caught halfway: Gen odd
	c.State.Store(CounterActive)
	if _, ok := c.ReadGen(); ok {
		t.Fatalf("ReadGen while Gen is odd (%d): ok", c.Gen.Load())
	}
}

// A tally publishes its values only on Flush (or Store of one), and not at
// all when it is off.
func TestTallyFlush(t *testing.T) {
	rec := new(CounterRecord)
	tl := Tally{Rec: rec}
	tl.V[2], tl.Pending = 7, 5
	if rec.V[2].Load() != 0 {
		t.Fatal("a tally's value reached its record before a flush")
	}
	tl.Flush()
	if rec.V[2].Load() != 7 || tl.Pending != 0 {
		t.Fatalf("after Flush: record %d, pending %d; want 7, 0", rec.V[2].Load(), tl.Pending)
	}
	tl.V[3] = 9
	tl.Store(3)
	if rec.V[3].Load() != 9 {
		t.Fatalf("after Store(3): record %d, want 9", rec.V[3].Load())
	}
	wc := WaitCounts{Full: 1, Polls: 4, Yields: 2, Parks: 1}
	tl.AddWaits(&wc, 5, 6, 7)
	if tl.V[5] != 4 || tl.V[6] != 2 || tl.V[7] != 1 || wc != (WaitCounts{}) {
		t.Fatalf("AddWaits: values %v, counts left %+v", tl.V[5:8], wc)
	}
	off := Tally{Rec: new(CounterRecord), Off: true}
	off.V[0] = 1
	off.Flush()
	if off.Rec.V[0].Load() != 0 {
		t.Fatal("a tally switched off published")
	}
}
