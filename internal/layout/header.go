package layout

import (
	"crypto/rand"
	"encoding/binary"
	"hash/crc32"
	"os"
	"sync/atomic"
	"time"
	"unsafe"
)

// Version is the layout version this package writes and reads. Version 4
// added the event type's layout description (TypeID.Layout) to the header;
// version 5 a second line to each producer table entry (the producer's
// mark), which makes the control region larger; version 6 application
// counter records to the counters area, after the participants' records;
// version 7 gave the application counter sets and the publication times
// regions of their own (apps, stamps), recorded in the header, where
// version 6 carved them out of the counters area.
const Version uint32 = 7

// Magic opens every ring file.
const Magic = "DISRUPT\x00"

// EndianMarker is written in native byte order; a reader of the other byte
// order sees it reversed.
const EndianMarker uint32 = 0x01020304

// Values of the state word. Zero is a blank header.
const (
	StateCreating uint32 = 1 // Encode has run; the regions are being set up
	StateReady    uint32 = 2 // the creator has finished; written last
)

// Header field offsets; see the package documentation for the table.
const (
	offMagic        = 0
	offVersion      = 8
	offEndian       = 12
	offState        = 16
	offFlags        = 20
	offCapacity     = 24
	offSlotSize     = 32
	offSlotAlign    = 40
	offMaxConsumers = 48
	offEntrySize    = 56
	offControlSize  = 64
	offCountersSize = 72
	offAppsSize     = 80
	offInstance     = 88
	offCreated      = 96
	offPID          = 104
	offTypeSize     = 112
	offTypeAlign    = 120
	offTypeHash     = 128
	offTypeNameLen  = 136
	offTypeName     = 140
	offRegions      = 208 // numRegions (offset, size) pairs, in file order
	offFileSize     = offRegions + 16*numRegions
	offChecksum     = offFileSize + 8
	offTypeLayoutN  = offChecksum + 4
	offTypeLayout   = offTypeLayoutN + 4
	headerUsed      = offTypeLayout + MaxTypeLayoutLen // bytes from here to HeaderSize are reserved

	flagMultiProducer uint32 = 1 << 0
	flagPublishTimes  uint32 = 1 << 1
	flagFullBarriers  uint32 = 1 << 2
	knownFlags               = flagMultiProducer | flagPublishTimes | flagFullBarriers
)

// numRegions is how many regions follow the header: control, consumers,
// avail, counters, apps, stamps, slots.
const numRegions = 7

// Header is a decoded header: the geometry and the creation record.
type Header struct {
	Geometry
	InstanceID      uint64 // random and non-zero; changes when the file is recreated
	CreatedUnixNano int64  // creation time, set by NewHeader
	CreatorPID      int    // the creating process
}

// NewHeader returns a header for g with a fresh random instance id, the
// current time and this process's pid.
func NewHeader(g Geometry) Header {
	var b [8]byte
	var id uint64
	for id == 0 {
		rand.Read(b[:]) // never fails (crypto/rand crashes the program first)
		id = binary.LittleEndian.Uint64(b[:])
	}
	return Header{Geometry: g, InstanceID: id, CreatedUnixNano: time.Now().UnixNano(), CreatorPID: os.Getpid()}
}

// Encode writes h into buf[:HeaderSize] with the state StateCreating and a
// fresh checksum. h.Geometry must come from Plan, or Decode will reject the
// result. Encode never writes StateReady: the creator stores that through
// StateWord once the regions are initialised. Encode is for a new file; it
// does not make rewriting a file that others have attached safe. It panics
// if buf is shorter than HeaderSize.
func Encode(h *Header, buf []byte) {
	if len(buf) < HeaderSize {
		panic("layout: Encode into a buffer shorter than the header")
	}
	var p [HeaderSize]byte
	le := binary.LittleEndian
	copy(p[offMagic:], Magic)
	le.PutUint32(p[offVersion:], Version)
	binary.NativeEndian.PutUint32(p[offEndian:], EndianMarker)
	var flags uint32
	if h.MultiProducer {
		flags |= flagMultiProducer
	}
	if h.PublishTimes {
		flags |= flagPublishTimes
	}
	if h.FullBarriers {
		flags |= flagFullBarriers
	}
	le.PutUint32(p[offFlags:], flags)
	for _, f := range [...]struct {
		off int
		v   uint64
	}{
		{offCapacity, h.Capacity}, {offSlotSize, h.SlotSize}, {offSlotAlign, h.SlotAlign},
		{offMaxConsumers, h.MaxConsumers}, {offEntrySize, h.ConsumerEntrySize},
		{offControlSize, h.ControlSize}, {offCountersSize, h.CountersSize}, {offAppsSize, h.AppsSize},
		{offInstance, h.InstanceID}, {offCreated, uint64(h.CreatedUnixNano)},
		{offPID, uint64(h.CreatorPID)}, {offTypeSize, h.Type.Size},
		{offTypeAlign, h.Type.Align}, {offTypeHash, h.Type.Hash}, {offFileSize, h.FileSize},
	} {
		le.PutUint64(p[f.off:], f.v)
	}
	name := h.Type.Name
	if len(name) > MaxTypeNameLen {
		name = name[:MaxTypeNameLen] // Plan refuses such a name, and Decode will
	}
	le.PutUint32(p[offTypeNameLen:], uint32(len(h.Type.Name)))
	copy(p[offTypeName:offTypeName+MaxTypeNameLen], name)
	desc := h.Type.Layout
	if len(desc) > MaxTypeLayoutLen {
		desc = desc[:MaxTypeLayoutLen] // Plan refuses such a description, and Decode will
	}
	le.PutUint32(p[offTypeLayoutN:], uint32(len(h.Type.Layout)))
	copy(p[offTypeLayout:headerUsed], desc)
	for i, r := range h.regions() {
		le.PutUint64(p[offRegions+16*i:], r.Offset)
		le.PutUint64(p[offRegions+16*i+8:], r.Size)
	}
	le.PutUint32(p[offChecksum:], checksum(&p))

	setState(buf, StateCreating)
	copy(buf[:offState], p[:offState])
	copy(buf[offState+4:HeaderSize], p[offState+4:])
}

// regions lists the geometry's regions in file order.
func (g *Geometry) regions() [numRegions]Region {
	return [numRegions]Region{g.Control, g.Consumers, g.Avail, g.Counters, g.Apps, g.Stamps, g.Slots}
}

// regionName names the i'th region in file order, for messages.
func regionName(i int) string {
	return [numRegions]string{"control", "consumers", "avail", "counters", "apps", "stamps", "slots"}[i]
}

// StateWord returns the header's state word inside buf, for atomic access
// by a creator (storing StateReady last) and by attachers. buf is normally a
// mapping of the file. It panics if buf is shorter than the header or the
// word is not 4-byte aligned.
func StateWord(buf []byte) *atomic.Uint32 {
	if len(buf) < HeaderSize {
		panic("layout: StateWord of a buffer shorter than the header")
	}
	p := unsafe.Pointer(&buf[offState])
	if uintptr(p)%4 != 0 {
		panic("layout: StateWord of a misaligned buffer")
	}
	return (*atomic.Uint32)(p)
}

// loadState reads the state word, atomically when buf allows it (always,
// for a mapping), so that the fields read after it are at least as new.
func loadState(buf []byte) uint32 {
	if uintptr(unsafe.Pointer(&buf[offState]))%4 == 0 {
		return StateWord(buf).Load()
	}
	return binary.NativeEndian.Uint32(buf[offState:])
}

// setState stores the state word, atomically when buf allows it.
func setState(buf []byte, v uint32) {
	if uintptr(unsafe.Pointer(&buf[offState]))%4 == 0 {
		StateWord(buf).Store(v)
		return
	}
	binary.NativeEndian.PutUint32(buf[offState:], v)
}

// checksum is the CRC-32C of the page with the state and checksum fields
// taken as zero.
func checksum(p *[HeaderSize]byte) uint32 {
	q := *p
	clear(q[offState : offState+4])
	clear(q[offChecksum : offChecksum+4])
	return crc32.Checksum(q[:], crc32.MakeTable(crc32.Castagnoli))
}
