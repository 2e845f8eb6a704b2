package engine

import (
	"testing"
	"unsafe"
)

func TestNewPrefetch(t *testing.T) {
	var w AvailWord
	words := unsafe.Pointer(&w)
	for _, c := range []struct {
		size  int64
		multi bool
		want  Prefetch // Slots, Words and Mask aside
	}{
		{8, false, Prefetch{Size: 8, Block: 16, Ahead: 16, Bytes: 128}},
		{8, true, Prefetch{Size: 8, Block: 16, Ahead: 16, Bytes: 128}},
		{16, false, Prefetch{Size: 16, Block: 8, Ahead: 8, Bytes: 128}},
		{24, false, Prefetch{Size: 24, Block: 4, Ahead: 5, Bytes: 96}}, // four slots a block, rounded down
		{100, false, Prefetch{Size: 100, Block: 1, Ahead: 1, Bytes: 100}},
		{4096, true, Prefetch{Size: 4096, Block: 1, Ahead: 1, Bytes: prefetchMax}},
		{0, false, Prefetch{Size: 0, Block: 128, Ahead: 128, Bytes: 128}}, // struct{}: as if a byte
		{0, true, Prefetch{Size: 0, Block: 16, Ahead: 128, Bytes: 16}},    // a block of availability words
		{1, true, Prefetch{Size: 1, Block: 16, Ahead: 128, Bytes: 16}},
	} {
		var ws unsafe.Pointer
		if c.multi {
			ws = words
		}
		got := NewPrefetch(nil, ws, 63, c.size)
		c.want.Words, c.want.Mask = ws, 63
		if got != c.want {
			t.Errorf("NewPrefetch(size %d, multi %v) = %+v, want %+v", c.size, c.multi, got, c.want)
		}
	}
}

// TestPrefetchHarmless: PrefetchAt is a hint: it asks for lines, changes nothing,
// and does not fault, whatever the sequence, at the slots' end or with no
// slots at all.
func TestPrefetchHarmless(t *testing.T) {
	slots := make([]int64, 64)
	words := make([]AvailWord, 64)
	for i := range slots {
		slots[i] = int64(i)
		words[i].Store(int64(-i))
	}
	plans := []Prefetch{
		NewPrefetch(unsafe.Pointer(&slots[0]), nil, 63, 8),
		NewPrefetch(unsafe.Pointer(&slots[0]), unsafe.Pointer(&words[0]), 63, 8),
		NewPrefetch(unsafe.Pointer(&slots[0]), nil, 7, 8*8), // slots read as 8 blocks of 64 bytes
		NewPrefetch(nil, nil, 63, 8),
		{Bytes: 1 << 20}, // nil slots, a megabyte of them
	}
	for _, pl := range plans {
		for s := int64(-130); s < 200; s++ {
			PrefetchAt(&pl, s)
		}
	}
	for i := range slots {
		if slots[i] != int64(i) || words[i].Load() != int64(-i) {
			t.Fatalf("slot %d = %d, word %d after PrefetchAt, want %d, %d", i, slots[i], words[i].Load(), i, -i)
		}
	}
}
