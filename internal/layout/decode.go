package layout

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Decode validates the header at the start of buf, the first bytes of a
// file of fileSize bytes, and returns it. buf is normally the mapping
// itself; bytes of buf beyond fileSize are ignored. Checks run in this
// order, each failure wrapping one sentinel:
//
//   - a file shorter than a header and all zero, or a blank magic while
//     the state is not StateReady: ErrNotInitialized;
//   - a magic other than Magic: ErrBadMagic;
//   - a reversed endianness marker: ErrForeignEndian;
//   - a state other than StateReady: ErrNotInitialized;
//   - another version: ErrIncompatibleVersion;
//   - anything else wrong (a truncated header, the checksum, non-zero
//     reserved bytes, unknown flags, parameters out of range, regions that
//     overlap, are misaligned or differ from Plan's, a file shorter than the
//     header's file size): ErrCorrupt.
//
// Decode never panics and reads nothing outside buf. It loads the state
// word first and then copies the page once, so concurrent writes to buf
// cannot make it accept a header it has not validated.
func Decode(buf []byte, fileSize int64) (Header, error) {
	if fileSize < 0 {
		return Header{}, fmt.Errorf("%w: file size %d is negative", ErrCorrupt, fileSize)
	}
	if int64(len(buf)) > fileSize {
		buf = buf[:fileSize]
	}
	if len(buf) < HeaderSize {
		return Header{}, short(buf, fileSize)
	}
	state := loadState(buf)
	var p [HeaderSize]byte
	copy(p[:], buf)
	le := binary.LittleEndian

	magic := p[offMagic : offMagic+len(Magic)]
	if string(magic) != Magic {
		if allZero(magic) && state != StateReady {
			return Header{}, fmt.Errorf("%w: the header is blank (its creator may still be writing it)", ErrNotInitialized)
		}
		return Header{}, fmt.Errorf("%w: the file starts %q, not %q", ErrBadMagic, magic, Magic)
	}
	marker := binary.NativeEndian.Uint32(p[offEndian:])
	if marker == bits.ReverseBytes32(EndianMarker) {
		return Header{}, fmt.Errorf("%w: endianness marker reads 0x%08x, not 0x%08x", ErrForeignEndian, marker, EndianMarker)
	}
	if state != StateReady {
		what := fmt.Sprintf("%#x (unknown)", state)
		switch state {
		case 0:
			what = "blank"
		case StateCreating:
			what = "creating"
		}
		return Header{}, fmt.Errorf("%w: state is %s: the creator has not finished (retry; if it died, remove the file)", ErrNotInitialized, what)
	}
	if v := le.Uint32(p[offVersion:]); v != Version {
		return Header{}, fmt.Errorf("%w: the file has layout version %d, this program reads version %d", ErrIncompatibleVersion, v, Version)
	}
	if marker != EndianMarker {
		return Header{}, corrupt("endianness marker is 0x%08x, not 0x%08x", marker, EndianMarker)
	}
	if got, want := le.Uint32(p[offChecksum:]), checksum(&p); got != want {
		return Header{}, corrupt("header checksum is 0x%08x, the header's bytes give 0x%08x", got, want)
	}
	for i := headerUsed; i < HeaderSize; i++ {
		if p[i] != 0 {
			return Header{}, corrupt("reserved header byte at offset %d is 0x%02x, not zero", i, p[i])
		}
	}
	return decodeFields(&p, fileSize)
}

// decodeFields reads and validates everything after the checksum check.
func decodeFields(p *[HeaderSize]byte, fileSize int64) (Header, error) {
	le := binary.LittleEndian
	u64 := func(off int) uint64 { return le.Uint64(p[off:]) }
	flags := le.Uint32(p[offFlags:])
	if flags&^knownFlags != 0 {
		return Header{}, corrupt("unknown flags %#x", flags&^knownFlags)
	}
	nameLen := le.Uint32(p[offTypeNameLen:])
	if nameLen < 1 || nameLen > MaxTypeNameLen {
		return Header{}, corrupt("event type name length %d is not in 1..%d", nameLen, MaxTypeNameLen)
	}
	nameField := p[offTypeName : offTypeName+MaxTypeNameLen]
	if !allZero(nameField[nameLen:]) || !allZero(p[offTypeName+MaxTypeNameLen:offRegions]) {
		return Header{}, corrupt("non-zero bytes after the %d-byte event type name", nameLen)
	}
	descLen := le.Uint32(p[offTypeLayoutN:])
	if descLen > MaxTypeLayoutLen {
		return Header{}, corrupt("event type layout description length %d is over %d", descLen, MaxTypeLayoutLen)
	}
	if !allZero(p[offTypeLayout+descLen : headerUsed]) {
		return Header{}, corrupt("non-zero bytes after the %d-byte event type layout description", descLen)
	}
	pid := u64(offPID)
	if pid > math.MaxInt32 {
		return Header{}, corrupt("creator pid %d is out of range", pid)
	}
	h := Header{
		InstanceID:      u64(offInstance),
		CreatedUnixNano: int64(u64(offCreated)),
		CreatorPID:      int(pid),
	}
	if h.InstanceID == 0 {
		return Header{}, corrupt("instance id is zero")
	}
	params := Params{
		Capacity:          u64(offCapacity),
		SlotSize:          u64(offSlotSize),
		SlotAlign:         u64(offSlotAlign),
		MultiProducer:     flags&flagMultiProducer != 0,
		MaxConsumers:      u64(offMaxConsumers),
		ConsumerEntrySize: u64(offEntrySize),
		ControlSize:       u64(offControlSize),
		CountersSize:      u64(offCountersSize),
		AppsSize:          u64(offAppsSize),
		PublishTimes:      flags&flagPublishTimes != 0,
		FullBarriers:      flags&flagFullBarriers != 0,
		Type: TypeID{
			Name:   string(nameField[:nameLen]),
			Size:   u64(offTypeSize),
			Align:  u64(offTypeAlign),
			Hash:   u64(offTypeHash),
			Layout: string(p[offTypeLayout : offTypeLayout+descLen]),
		},
	}
	g, err := Plan(params)
	if err != nil {
		return Header{}, corrupt("%v", err)
	}
	var stored [numRegions]Region
	for i := range stored {
		stored[i] = Region{Offset: u64(offRegions + 16*i), Size: u64(offRegions + 16*i + 8)}
	}
	storedSize := u64(offFileSize)
	if err := checkRegions(stored, storedSize, params.SlotAlign); err != nil {
		return Header{}, err
	}
	for i, want := range g.regions() {
		if stored[i] != want {
			return Header{}, corrupt("%s region is %d bytes at offset %d; the parameters give %d bytes at %d",
				regionName(i), stored[i].Size, stored[i].Offset, want.Size, want.Offset)
		}
	}
	if storedSize != g.FileSize {
		return Header{}, corrupt("header file size is %d; the parameters give %d", storedSize, g.FileSize)
	}
	if uint64(fileSize) < g.FileSize {
		return Header{}, corrupt("the file is %d bytes but its header needs %d: truncated", fileSize, g.FileSize)
	}
	h.Geometry = g
	return h, nil
}

// checkRegions checks the stored region table on its own terms: in order,
// aligned, after the header, not overlapping, inside the stored file size.
func checkRegions(rs [numRegions]Region, fileSize, slotAlign uint64) error {
	end := uint64(HeaderSize)
	for i, r := range rs {
		align := uint64(LineSize)
		if i == len(rs)-1 {
			align = max(align, slotAlign)
		}
		rEnd, carry := bits.Add64(r.Offset, r.Size, 0)
		switch {
		case carry != 0:
			return corrupt("%s region (%d bytes at offset %d) overflows", regionName(i), r.Size, r.Offset)
		case r.Offset%align != 0:
			return corrupt("%s region offset %d is not a multiple of %d", regionName(i), r.Offset, align)
		case r.Offset < end:
			return corrupt("%s region at offset %d overlaps what ends at %d", regionName(i), r.Offset, end)
		case rEnd > fileSize:
			return corrupt("%s region ends at %d, beyond the file size %d", regionName(i), rEnd, fileSize)
		}
		end = rEnd
	}
	return nil
}

// short explains a buffer shorter than a header.
func short(b []byte, fileSize int64) error {
	switch {
	case allZero(b):
		return fmt.Errorf("%w: the file is %d bytes, shorter than the %d-byte header (its creator may still be sizing it)",
			ErrNotInitialized, fileSize, HeaderSize)
	case !bytes.HasPrefix([]byte(Magic), b[:min(len(b), len(Magic))]):
		return fmt.Errorf("%w: the file starts %q, not %q", ErrBadMagic, b[:min(len(b), len(Magic))], Magic)
	}
	return corrupt("the header is truncated: %d of %d bytes", len(b), HeaderSize)
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
