package layout

import (
	"fmt"
	"math"
	"math/bits"
)

// Sizes and limits of the layout. A file outside these limits is never
// created, and one claiming to be is reported as corrupt.
const (
	HeaderSize = 4096 // bytes in the header page
	MarkSize   = 16   // bytes of a slot's marker word, in the sequence-words region
	LineSize   = 128  // region alignment: two cache lines
	PageSize   = 4096 // the file size is a multiple of this

	MinCapacity             = 2
	MaxCapacity             = 1 << 30
	MaxSlotSize             = 1 << 20
	MaxSlotAlign            = 4096
	MaxConsumers            = 4096
	MaxEntrySize            = 64 << 10 // consumer entry and control block limit
	MaxCountersSize         = 64 << 20
	MaxAppsSize             = 1 << 20
	MaxTypeNameLen          = 64
	MaxTypeLayoutLen        = 3072     // bytes of the layout description
	MaxFileSize      uint64 = 64 << 30 // further capped at math.MaxInt
)

// TypeID identifies the event type stored in the slots. Two processes may
// share a ring only when their TypeIDs are equal (see Header.CheckType).
type TypeID struct {
	Name  string // a readable name, 1..MaxTypeNameLen bytes
	Size  uint64 // bytes; at most the slot size
	Align uint64 // a power of two dividing the slot alignment
	Hash  uint64 // a hash of the recursive field layout
	// Layout describes the field layout the hash covers, one line a field
	// ("path kind @offset size"), at most MaxTypeLayoutLen bytes. It is for
	// messages (naming the first differing field); Hash decides.
	Layout string
}

// Params are the creator's choices; everything else follows from them.
type Params struct {
	Capacity          uint64 // slots: a power of two, MinCapacity..MaxCapacity
	SlotSize          uint64 // bytes a slot: 1..MaxSlotSize, a multiple of SlotAlign
	SlotAlign         uint64 // a power of two, 1..MaxSlotAlign
	MultiProducer     bool   // whether the avail region holds availability words
	MaxConsumers      uint64 // consumer table entries: 1..MaxConsumers
	ConsumerEntrySize uint64 // bytes an entry: a multiple of LineSize, up to MaxEntrySize
	ControlSize       uint64 // control block bytes: a multiple of LineSize, up to MaxEntrySize
	CountersSize      uint64 // counters area bytes: a multiple of LineSize, up to MaxCountersSize
	AppsSize          uint64 // application counter sets' bytes: a multiple of LineSize, up to MaxAppsSize
	PublishTimes      bool   // whether the stamps region holds a publication time a slot
	// FullBarriers: every process publishes to the ring with stores that
	// are full barriers, so that a waiter parks with no barrier of its
	// own. Otherwise publishers may use release stores, and a waiter runs
	// a barrier across processes (membarrier) before it parks. The file's
	// choice, not geometry: CheckGeometry does not compare it.
	FullBarriers bool
	Type         TypeID // the event type held in the slots
}

// Region is a byte range of the file.
type Region struct {
	Offset uint64
	Size   uint64
}

// End returns the offset just past the region. Regions made by Plan or
// accepted by Decode never overflow.
func (r Region) End() uint64 { return r.Offset + r.Size }

// Geometry is a ring file's complete layout: the parameters and where each
// region lies. Once decoded it lives in process memory and is never re-read
// from the file.
type Geometry struct {
	Params
	Control   Region
	Consumers Region
	Avail     Region // per-slot sequence words: markers, then (multi-producer) availability
	Counters  Region // the participants' counter records
	Apps      Region // the application counter sets
	Stamps    Region // Capacity 8-byte publication times, or empty without PublishTimes
	Slots     Region
	FileSize  uint64 // bytes: the end of Slots rounded up to PageSize
}

// maxFileSize is MaxFileSize, or math.MaxInt if smaller, so that every
// offset of an accepted geometry fits in an int.
func maxFileSize() uint64 {
	if uint64(math.MaxInt) < MaxFileSize {
		return uint64(math.MaxInt)
	}
	return MaxFileSize
}

// Plan validates p and lays out the regions. Errors wrap ErrInvalidParams
// and name the offending parameter.
func Plan(p Params) (Geometry, error) {
	if err := p.validate(); err != nil {
		return Geometry{}, fmt.Errorf("%w: %v", ErrInvalidParams, err)
	}
	g := Geometry{Params: p}
	var a arith
	off := uint64(HeaderSize)
	place := func(size, align uint64) Region {
		r := Region{Offset: a.roundUp(off, align), Size: size}
		off = a.add(r.Offset, r.Size)
		return r
	}
	g.Control = place(p.ControlSize, LineSize)
	g.Consumers = place(a.mul(p.MaxConsumers, p.ConsumerEntrySize), LineSize)
	avail := a.mul(p.Capacity, MarkSize) // the marker words, then the availability words
	if p.MultiProducer {
		avail = a.add(avail, a.mul(p.Capacity, 8))
	}
	g.Avail = place(avail, LineSize)
	g.Counters = place(p.CountersSize, LineSize)
	g.Apps = place(p.AppsSize, LineSize)
	var stamps uint64
	if p.PublishTimes {
		stamps = a.mul(p.Capacity, 8)
	}
	g.Stamps = place(stamps, LineSize)
	g.Slots = place(a.mul(p.Capacity, p.SlotSize), max(LineSize, p.SlotAlign))
	g.FileSize = a.roundUp(off, PageSize)
	if a.overflow || g.FileSize > maxFileSize() {
		return Geometry{}, fmt.Errorf("%w: the file would exceed %d bytes (capacity %d x slot size %d, %d consumers x %d bytes, counters %d bytes, application counters %d bytes)",
			ErrInvalidParams, maxFileSize(), p.Capacity, p.SlotSize, p.MaxConsumers, p.ConsumerEntrySize, p.CountersSize, p.AppsSize)
	}
	return g, nil
}

// validate checks each parameter against its limits.
func (p *Params) validate() error {
	switch {
	case p.Capacity < MinCapacity || p.Capacity > MaxCapacity || !pow2(p.Capacity):
		return fmt.Errorf("capacity %d is not a power of two in %d..%d", p.Capacity, MinCapacity, MaxCapacity)
	case p.SlotAlign < 1 || p.SlotAlign > MaxSlotAlign || !pow2(p.SlotAlign):
		return fmt.Errorf("slot align %d is not a power of two in 1..%d", p.SlotAlign, MaxSlotAlign)
	case p.SlotSize < 1 || p.SlotSize > MaxSlotSize:
		return fmt.Errorf("slot size %d is not in 1..%d", p.SlotSize, MaxSlotSize)
	case p.SlotSize%p.SlotAlign != 0:
		return fmt.Errorf("slot size %d is not a multiple of slot align %d", p.SlotSize, p.SlotAlign)
	case p.MaxConsumers < 1 || p.MaxConsumers > MaxConsumers:
		return fmt.Errorf("max consumers %d is not in 1..%d", p.MaxConsumers, MaxConsumers)
	}
	if err := lines("consumer entry size", p.ConsumerEntrySize, LineSize, MaxEntrySize); err != nil {
		return err
	}
	if err := lines("control size", p.ControlSize, LineSize, MaxEntrySize); err != nil {
		return err
	}
	if err := lines("counters size", p.CountersSize, 0, MaxCountersSize); err != nil {
		return err
	}
	if err := lines("application counters size", p.AppsSize, 0, MaxAppsSize); err != nil {
		return err
	}
	t := &p.Type
	switch {
	case len(t.Name) < 1 || len(t.Name) > MaxTypeNameLen:
		return fmt.Errorf("event type name %q is not 1..%d bytes", t.Name, MaxTypeNameLen)
	case len(t.Layout) > MaxTypeLayoutLen:
		return fmt.Errorf("event type %s: layout description of %d bytes; at most %d", t.Name, len(t.Layout), MaxTypeLayoutLen)
	case t.Size < 1 || t.Size > p.SlotSize:
		return fmt.Errorf("event type %s: size %d is not in 1..%d (the slot size)", t.Name, t.Size, p.SlotSize)
	case t.Align < 1 || !pow2(t.Align) || p.SlotAlign%t.Align != 0:
		return fmt.Errorf("event type %s: align %d is not a power of two dividing the slot align %d", t.Name, t.Align, p.SlotAlign)
	}
	return nil
}

// lines checks that v is a multiple of LineSize in lo..hi.
func lines(name string, v, lo, hi uint64) error {
	if v < lo || v > hi || v%LineSize != 0 {
		return fmt.Errorf("%s %d is not a multiple of %d in %d..%d", name, v, LineSize, lo, hi)
	}
	return nil
}

func pow2(v uint64) bool { return v != 0 && v&(v-1) == 0 }

// arith is overflow-checked unsigned arithmetic: once any operation
// overflows, overflow stays set and results are meaningless.
type arith struct{ overflow bool }

func (a *arith) add(x, y uint64) uint64 {
	s, c := bits.Add64(x, y, 0)
	a.overflow = a.overflow || c != 0
	return s
}

func (a *arith) mul(x, y uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	a.overflow = a.overflow || hi != 0
	return lo
}

// roundUp rounds x up to a multiple of align, a power of two.
func (a *arith) roundUp(x, align uint64) uint64 {
	return a.add(x, align-1) &^ (align - 1)
}

// MarkWords is the part of the avail region that holds the marker words:
// Capacity words of MarkSize bytes, at its start.
func (g *Geometry) MarkWords() Region {
	return Region{Offset: g.Avail.Offset, Size: g.Capacity * MarkSize}
}

// AvailWords is the part of the avail region that holds the availability
// words of a multi-producer ring: Capacity 8-byte words after the marker
// words. A single-producer ring has none: the region is empty, at the end
// of the avail region.
func (g *Geometry) AvailWords() Region {
	if !g.MultiProducer {
		return Region{Offset: g.Avail.End()}
	}
	return Region{Offset: g.MarkWords().End(), Size: g.Capacity * 8}
}
