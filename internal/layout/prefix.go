package layout

import (
	"encoding/binary"
	"slices"
)

// prefixSize is how much of a header HasRingPrefix reads: magic, version
// and endianness marker.
const prefixSize = offEndian + 4

// HasRingPrefix reports whether b, the first bytes of a file, begin as every
// header of this layout version written on this machine does: Magic,
// Version, EndianMarker in native order. It says nothing of the rest (state,
// checksum, fields), which a creator that died before finishing, or damage,
// may have left in any state: it tells a ring file, however broken, from a
// file that never was one.
func HasRingPrefix(b []byte) bool {
	return len(b) >= prefixSize && string(b[offMagic:offMagic+len(Magic)]) == Magic &&
		binary.LittleEndian.Uint32(b[offVersion:]) == Version &&
		binary.NativeEndian.Uint32(b[offEndian:]) == EndianMarker
}

// IsBlankHeader reports whether b, the first bytes of a file of fileSize
// bytes, is what a creator leaves when it dies after sizing the file and
// before writing the header: a whole header page of zeros in a file whose
// size is a multiple of PageSize.
func IsBlankHeader(b []byte, fileSize int64) bool {
	return len(b) >= HeaderSize && fileSize%PageSize == 0 &&
		!slices.ContainsFunc(b[:HeaderSize], func(c byte) bool { return c != 0 })
}

// HasMagic reports whether b, the first bytes of a file, begin with Magic:
// a ring file of any layout version.
func HasMagic(b []byte) bool {
	return len(b) >= offMagic+len(Magic) && string(b[offMagic:offMagic+len(Magic)]) == Magic
}
