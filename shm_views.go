package disruptor

// Views of a shared ring's mapping: every conversion of the mapping's bytes
// into the typed words laid over them, and every address computed inside
// it, is in this file, one small function a view.
//
// Each view is sound for the same three reasons, which the SAFETY comments
// below refer to:
//
//   - Bounds. The geometry comes from layout.Plan (a creator's) or was
//     accepted by layout.Decode (an attacher's): its regions lie in file
//     order, without overlap, inside FileSize bytes, and never overflow.
//     The mapping is at least FileSize bytes: createFile maps FileSize, and
//     openFile maps the file's size, which Decode checked is not less.
//     checkViews, run by openFile before any view, checks that the regions
//     hold the structs this program lays over them (an attacher cannot
//     trust the sizes a file records). regionView checks all of that again
//     for each view, once per handle, and panics on a failure, which would
//     be a bug here, never a hostile file.
//   - Alignment. The mapping starts on a page (mmap). Region offsets are
//     multiples of layout.LineSize (128), the slots' of max(128, SlotAlign),
//     and SlotAlign is a multiple of the event type's alignment: every
//     struct starts aligned (regionView checks it), and its atomic words
//     with it.
//   - Lifetime. The mapping stays mapped until shared.close unmaps it, and
//     nothing of a handle keeps a view past that: Ring.Close drops every
//     view first (unhook, shm_close.go); a faulted mapping is replaced in
//     place (shm_fault.go), so the addresses stay valid memory. The structs
//     hold only atomic words and byte arrays, no Go pointer, so the garbage
//     collector has nothing to find or move in them.

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/engine"
	"github.com/disruptor-go/disruptor/internal/layout"
)

// A marker word is layout.MarkSize bytes: these fail to compile otherwise.
var (
	_ [layout.MarkSize - unsafe.Sizeof(engine.MarkWord{})]byte
	_ [unsafe.Sizeof(engine.MarkWord{}) - layout.MarkSize]byte
)

// checkViews refuses a geometry whose regions cannot hold what this program
// lays over them: a file no creator of this layout version writes, since
// the control block and the consumer entries have the sizes sharedParams
// records and the slots hold the event type densely. It wraps ErrCorrupt.
func checkViews(g *layout.Geometry) error {
	for _, c := range []struct {
		what      string
		got, want uint64
		why       string
	}{
		{"control block size", g.ControlSize, uint64(unsafe.Sizeof(engine.SharedControl{})), "a control block of layout version %d is %d bytes"},
		{"consumer entry size", g.ConsumerEntrySize, uint64(unsafe.Sizeof(engine.ConsumerRecord{})), "a consumer entry of layout version %d is %d bytes"},
		{"slot size", g.SlotSize, g.Type.Size, "slots of layout version %d hold the event type densely, and it is %d bytes"},
	} {
		if c.got != c.want {
			return fmt.Errorf("%w: the header's %s is %d bytes, but "+c.why, ErrCorrupt, c.what, c.got, layout.Version, c.want)
		}
	}
	return nil
}

// regionView lays n values of T side by side over region r of m: nil if n
// is 0. It panics if they do not fit in r, if r is not inside m, or if r's
// start is not aligned for T.
func regionView[T any](m []byte, r layout.Region, n uint64) []T {
	if n == 0 {
		return nil
	}
	size, align := uint64(unsafe.Sizeof(*new(T))), uintptr(unsafe.Alignof(*new(T)))
	if size == 0 || n > r.Size/size || r.Offset > uint64(len(m)) || r.Size > uint64(len(m))-r.Offset {
		panic(fmt.Sprintf("disruptor: %d values of %d bytes do not fit in the region of %d bytes at %d of a %d-byte mapping",
			n, size, r.Size, r.Offset, len(m)))
	}
	p := unsafe.Pointer(&m[r.Offset])
	if uintptr(p)%align != 0 {
		panic(fmt.Sprintf("disruptor: the region at %d of the mapping is not aligned to %d bytes", r.Offset, align))
	}
	// SAFETY: n values of T fit in r, r lies inside m, and p is aligned
	// for T (all checked above); see the file comment for the lifetime.
	return unsafe.Slice((*T)(p), n)
}

// mapBase is the address of the mapping's first byte, kept to tell a fault
// inside the mapping from any other (shm_fault.go). It is a number only,
// never converted back to a pointer.
func mapBase(m []byte) uintptr {
	// SAFETY: taking an address is sound; m is a mapping of at least a
	// header page.
	return uintptr(unsafe.Pointer(&m[0]))
}

// controlView is the control block and producer table.
func controlView(m []byte, g *layout.Geometry) *engine.SharedControl {
	// SAFETY: bounds: checkViews (attach) or sharedParams (create) made
	// the control region exactly one engine.SharedControl; alignment: a region
	// offset, 128-aligned.
	return &regionView[engine.SharedControl](m, g.Control, 1)[0]
}

// consumerTable is the consumer table, MaxConsumers records.
func consumerTable(m []byte, g *layout.Geometry) []engine.ConsumerRecord {
	// SAFETY: bounds: the consumers region is MaxConsumers entries of
	// ConsumerEntrySize bytes (Plan, checked by Decode), which checkViews
	// made the size of an engine.ConsumerRecord; alignment: a region offset, and
	// the record's size is a multiple of 128.
	return regionView[engine.ConsumerRecord](m, g.Consumers, g.MaxConsumers)
}

// markWords are the per-slot marker words, at the start of the avail
// region.
func markWords(m []byte, g *layout.Geometry) []engine.MarkWord {
	// SAFETY: bounds: MarkWords is Capacity words of layout.MarkSize bytes
	// (an engine.MarkWord's size, asserted above), the avail region's start
	// (Plan, checked by Decode); alignment: a region offset.
	return regionView[engine.MarkWord](m, g.MarkWords(), g.Capacity)
}

// availWords are a multi-producer ring's availability words, after the
// marker words; nil for a single-producer ring.
func availWords(m []byte, g *layout.Geometry) []engine.AvailWord {
	if !g.MultiProducer {
		return nil
	}
	// SAFETY: bounds: AvailWords is Capacity 8-byte words, the rest of the
	// avail region in a multi-producer ring (Plan, checked by Decode);
	// alignment: a region offset plus Capacity*16 bytes, 8-aligned.
	return regionView[engine.AvailWord](m, g.AvailWords(), g.Capacity)
}

// counterRecords are the participants' counter records: one a consumer
// entry, then one a producer table entry, or as many as the region holds
// (counterRec bounds every index).
func counterRecords(m []byte, g *layout.Geometry) []engine.CounterRecord {
	n := min(g.Counters.Size/uint64(unsafe.Sizeof(engine.CounterRecord{})), g.MaxConsumers+engine.MaxSharedProducers)
	// SAFETY: bounds: n records fit in the counters region (n is bounded
	// by its size); alignment: a region offset, and the record's size is a
	// multiple of 128.
	return regionView[engine.CounterRecord](m, g.Counters, n)
}

// appRecords are the application counter sets' records: appSets, or as
// many as the apps region holds.
func appRecords(m []byte, g *layout.Geometry) []appRecord {
	n := min(g.Apps.Size/uint64(unsafe.Sizeof(appRecord{})), appSets)
	// SAFETY: bounds: n records fit in the apps region (n is bounded by
	// its size); alignment: a region offset, and the record's size is a
	// multiple of 128.
	return regionView[appRecord](m, g.Apps, n)
}

// stampWords are the slots' publication times, nil if the ring records
// none.
func stampWords(m []byte, g *layout.Geometry) []int64 {
	if !g.PublishTimes {
		return nil
	}
	// SAFETY: bounds: with PublishTimes the stamps region is Capacity
	// 8-byte words (Plan, checked by Decode); alignment: a region offset.
	return regionView[int64](m, g.Stamps, g.Capacity)
}

// slotsView are the slots, as events of type E.
func slotsView[E any](m []byte, g *layout.Geometry) []E {
	// SAFETY: bounds: the slots region is Capacity slots of SlotSize
	// bytes; checkViews made SlotSize the type's size, and CheckType (or
	// sharedParams, for a creator) E's size that; alignment: the region is
	// aligned to SlotAlign, a multiple of E's alignment (CheckType).
	return regionView[E](m, g.Slots, g.Capacity)
}

// consumerEntryOffset is the offset in the file of consumer entry i, whose
// first byte its owner holds locked.
func consumerEntryOffset(g *layout.Geometry, i int) int64 {
	return int64(g.Consumers.Offset) + int64(i)*int64(g.ConsumerEntrySize)
}

// producerEntryOffset is the offset in the file of producer table entry j,
// whose first byte its owner holds locked.
func producerEntryOffset(g *layout.Geometry, j int) int64 {
	return int64(g.Control.Offset) + int64(unsafe.Offsetof(engine.SharedControl{}.Table)) + int64(j)*int64(unsafe.Sizeof(engine.ProducerRecord{}))
}

// appEntryOffset is the offset in the file of application record i, whose
// first byte an open set holds locked.
func appEntryOffset(g *layout.Geometry, i int) int64 {
	return int64(g.Apps.Offset) + int64(i)*int64(unsafe.Sizeof(appRecord{}))
}

// tableIndex is the index in recs of rec, a record of recs (the table of a
// ring in either memory).
func tableIndex(recs []engine.ConsumerRecord, rec *engine.ConsumerRecord) int {
	// SAFETY: only addresses are subtracted; rec is an element of recs, so
	// the difference is a multiple of the record's size.
	return int((uintptr(unsafe.Pointer(rec)) - uintptr(unsafe.Pointer(&recs[0]))) / unsafe.Sizeof(*rec))
}

// cursorRecord is the record of recs whose Cursor is d, and its index; nil
// and -1 if d is no record's cursor.
func cursorRecord(recs []engine.ConsumerRecord, d *atomic.Int64) (*engine.ConsumerRecord, int) {
	if len(recs) == 0 {
		return nil, -1
	}
	off := uintptr(unsafe.Pointer(d)) - uintptr(unsafe.Pointer(&recs[0]))
	size := unsafe.Sizeof(recs[0])
	if off%size != 0 || off/size >= uintptr(len(recs)) {
		return nil, -1
	}
	i := int(off / size)
	// SAFETY: no pointer is made from the address: the record is indexed,
	// and checked to be the one whose cursor d is.
	if rec := &recs[i]; &rec.Cursor == d {
		return rec, i
	}
	return nil, -1
}
