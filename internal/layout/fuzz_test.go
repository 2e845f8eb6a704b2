package layout

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzDecode feeds Decode arbitrary header bytes and file sizes. Decode must
// not panic; a rejection must wrap exactly one sentinel; an acceptance must
// describe a consistent file no larger than the one claimed, and encode back
// to the very same bytes. When fix is set the target repairs the checksum
// before decoding, so the fuzzer gets past it to the geometry checks.
//
// The normal test run only runs the seeds; fuzz with
//
//	go test -run '^$' -fuzz FuzzDecode -fuzztime 60s ./internal/layout
func FuzzDecode(f *testing.F) {
	page, _, size := validPage(f)
	f.Add(page, size, false)
	f.Add(page, size, true)
	f.Add(page, size-1, false)
	f.Add(page, int64(HeaderSize), true)
	f.Add(page[:100], int64(100), false)
	f.Add([]byte{}, int64(0), false)
	f.Add(make([]byte, HeaderSize), int64(HeaderSize), false)
	creating := bytes.Clone(page)
	StateWord(creating).Store(StateCreating)
	f.Add(creating, size, false)
	p := validParams()
	p.MultiProducer, p.CountersSize, p.SlotAlign, p.SlotSize, p.Type = false, 0, 4096, 4096, TypeID{Name: "x", Size: 1, Align: 1}
	p.AppsSize, p.PublishTimes = 0, false
	g, err := Plan(p)
	if err != nil {
		f.Fatal(err)
	}
	h := NewHeader(g)
	single := make([]byte, HeaderSize)
	Encode(&h, single)
	StateWord(single).Store(StateReady)
	f.Add(single, int64(g.FileSize), false)
	// Apps and stamps moved onto their neighbours, checksum repaired by fix.
	for _, off := range []int{offRegions + 16*4, offRegions + 16*5} {
		moved := bytes.Clone(page)
		binary.LittleEndian.PutUint64(moved[off:], binary.LittleEndian.Uint64(moved[off-16:]))
		f.Add(moved, size, true)
	}

	f.Fuzz(func(t *testing.T, data []byte, fileSize int64, fix bool) {
		if fix && len(data) >= HeaderSize {
			resum(data)
		}
		h, err := Decode(data, fileSize)
		if err != nil {
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("error %v wraps %d sentinels, want 1", err, n)
			}
			return
		}
		if h.FileSize > uint64(fileSize) || len(data) < HeaderSize {
			t.Fatalf("accepted a %d-byte file (%d bytes given) needing %d", fileSize, len(data), h.FileSize)
		}
		if g, err := Plan(h.Params); err != nil || g != h.Geometry {
			t.Fatalf("accepted geometry %+v, Plan gives %+v, %v", h.Geometry, g, err)
		}
		if err := checkRegions(h.regions(), h.FileSize, h.SlotAlign); err != nil {
			t.Fatalf("accepted inconsistent regions: %v", err)
		}
		again := make([]byte, HeaderSize)
		Encode(&h, again)
		StateWord(again).Store(StateReady)
		if !bytes.Equal(again, data[:HeaderSize]) {
			t.Fatalf("accepted header does not re-encode to the same bytes")
		}
	})
}
