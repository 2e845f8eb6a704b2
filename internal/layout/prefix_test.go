package layout

import (
	"encoding/binary"
	"math/bits"
	"testing"
)

// HasRingPrefix accepts every header of this version and byte order,
// whatever its state, and nothing else; IsBlankHeader accepts only a zero
// header page in a file of whole pages.
func TestRingPrefix(t *testing.T) {
	good, _, size := validPage(t)
	mod := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"ready", good, true},
		{"creating", mod(func(b []byte) { StateWord(b).Store(StateCreating) }), true},
		{"bad checksum", mod(func(b []byte) { b[offChecksum] ^= 1 }), true},
		{"cut to the prefix", good[:prefixSize], true},
		{"cut short of it", good[:prefixSize-1], false},
		{"other magic", mod(func(b []byte) { b[0] = 'X' }), false},
		{"other version", mod(func(b []byte) { binary.LittleEndian.PutUint32(b[offVersion:], Version+1) }), false},
		{"other byte order", mod(func(b []byte) {
			binary.NativeEndian.PutUint32(b[offEndian:], bits.ReverseBytes32(EndianMarker))
		}), false},
		{"blank", make([]byte, HeaderSize), false},
	} {
		if got := HasRingPrefix(tc.b); got != tc.want {
			t.Errorf("HasRingPrefix(%s) = %v", tc.name, got)
		}
	}
	blank := make([]byte, HeaderSize)
	for _, tc := range []struct {
		name string
		b    []byte
		size int64
		want bool
	}{
		{"a page", blank, HeaderSize, true},
		{"pages", blank, 5 * PageSize, true},
		{"not whole pages", blank, HeaderSize + 1, false},
		{"short", blank[:100], 100, false},
		{"a byte set", mod(func(b []byte) { clear(b); b[HeaderSize-1] = 1 }), HeaderSize, false},
		{"a ring", good, size, false},
	} {
		if got := IsBlankHeader(tc.b, tc.size); got != tc.want {
			t.Errorf("IsBlankHeader(%s) = %v", tc.name, got)
		}
	}
}
