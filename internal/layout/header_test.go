package layout

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"os"
	"strings"
	"testing"
)

// sentinels are the errors Decode may wrap; each failure wraps exactly one.
var sentinels = []error{ErrNotInitialized, ErrBadMagic, ErrIncompatibleVersion,
	ErrForeignEndian, ErrCorrupt, ErrGeometryMismatch, ErrTypeMismatch, ErrInvalidParams}

// validPage returns a ready header page for validParams, its header and the
// file size it describes.
func validPage(t testing.TB) ([]byte, Header, int64) {
	t.Helper()
	g, err := Plan(validParams())
	if err != nil {
		t.Fatal(err)
	}
	h := NewHeader(g)
	buf := make([]byte, HeaderSize)
	Encode(&h, buf)
	StateWord(buf).Store(StateReady)
	return buf, h, int64(g.FileSize)
}

// resum recomputes the checksum of a modified page, so that a test reaches
// the checks behind it.
func resum(p []byte) {
	binary.LittleEndian.PutUint32(p[offChecksum:], checksum((*[HeaderSize]byte)(p[:HeaderSize])))
}

func put64(off int, v uint64) func([]byte) {
	return func(p []byte) { binary.LittleEndian.PutUint64(p[off:], v) }
}

func put32(off int, v uint32) func([]byte) {
	return func(p []byte) { binary.LittleEndian.PutUint32(p[off:], v) }
}

func TestRoundTrip(t *testing.T) {
	page, h, size := validPage(t)
	got, err := Decode(page, size)
	if err != nil {
		t.Fatal(err)
	}
	if got != h {
		t.Fatalf("decoded\n%+v\nwant\n%+v", got, h)
	}
	// The whole file as the buffer, and a larger file, decode the same.
	file := make([]byte, size+PageSize)
	copy(file, page)
	for _, n := range []int64{size, size + PageSize} {
		if got, err := Decode(file, n); err != nil || got != h {
			t.Fatalf("Decode(file, %d) = %+v, %v", n, got, err)
		}
	}
}

func TestEncodeStateAndBounds(t *testing.T) {
	_, h, _ := validPage(t)
	buf := bytes.Repeat([]byte{0xAA}, HeaderSize+64)
	Encode(&h, buf)
	if s := StateWord(buf).Load(); s != StateCreating {
		t.Fatalf("state after Encode = %d, want StateCreating", s)
	}
	if !bytes.Equal(buf[HeaderSize:], bytes.Repeat([]byte{0xAA}, 64)) {
		t.Fatal("Encode wrote past the header")
	}
	if _, err := Decode(buf, int64(h.FileSize)); !errors.Is(err, ErrNotInitialized) {
		t.Fatalf("Decode before READY = %v, want ErrNotInitialized", err)
	}
	StateWord(buf).Store(StateReady)
	if binary.NativeEndian.Uint32(buf[offState:]) != StateReady {
		t.Fatal("StateWord does not alias the state field")
	}
	if _, err := Decode(buf, int64(h.FileSize)); err != nil {
		t.Fatal(err)
	}
}

func TestMisalignedBuffer(t *testing.T) {
	_, h, size := validPage(t)
	raw := make([]byte, HeaderSize+1)
	buf := raw[1:] // the state word is not 4-byte aligned: plain access
	Encode(&h, buf)
	binary.NativeEndian.PutUint32(buf[offState:], StateReady)
	if got, err := Decode(buf, size); err != nil || got != h {
		t.Fatalf("Decode(misaligned) = %+v, %v", got, err)
	}
}

func TestNewHeader(t *testing.T) {
	g, _ := Plan(validParams())
	a, b := NewHeader(g), NewHeader(g)
	if a.InstanceID == 0 || a.InstanceID == b.InstanceID {
		t.Fatalf("instance ids %#x, %#x: want distinct and non-zero", a.InstanceID, b.InstanceID)
	}
	if a.CreatorPID != os.Getpid() || a.CreatedUnixNano == 0 || a.Geometry != g {
		t.Fatalf("NewHeader = %+v", a)
	}
}

func TestDecodeErrors(t *testing.T) {
	page, h, size := validPage(t)
	r := func(i int) int { return offRegions + 16*i } // region i's offset field
	cases := []struct {
		name   string
		mod    func([]byte) // applied to a copy of the valid page
		fix    bool         // recompute the checksum after mod
		size   int64        // file size; 0 means the valid one
		want   error
		detail string
	}{
		{"empty file", nil, false, -1, ErrNotInitialized, "shorter"},
		{"short zero file", func(p []byte) { clear(p) }, false, 100, ErrNotInitialized, "100 bytes"},
		{"blank page", func(p []byte) { clear(p) }, false, 0, ErrNotInitialized, "blank"},
		{"state zero", func(p []byte) { StateWord(p).Store(0) }, false, 0, ErrNotInitialized, "state is blank"},
		{"state creating", func(p []byte) { StateWord(p).Store(StateCreating) }, false, 0, ErrNotInitialized, "creating"},
		{"state unknown", func(p []byte) { StateWord(p).Store(77) }, false, 0, ErrNotInitialized, "unknown"},
		{"bad magic", func(p []byte) { p[0] = 'X' }, false, 0, ErrBadMagic, "XISRUPT"},
		{"zero magic when ready", func(p []byte) { clear(p[:8]) }, false, 0, ErrBadMagic, "not"},
		{"short foreign file", func(p []byte) { copy(p, "hello") }, false, 5, ErrBadMagic, "hello"},
		{"short prefix of magic", nil, false, 4, ErrCorrupt, "truncated"},
		{"short header", nil, false, 300, ErrCorrupt, "300 of 4096"},
		{"foreign endian", func(p []byte) {
			binary.NativeEndian.PutUint32(p[offEndian:], bits.ReverseBytes32(EndianMarker))
		}, false, 0, ErrForeignEndian, "marker"},
		{"version 99", put32(offVersion, 99), false, 0, ErrIncompatibleVersion, "version 99"},
		{"version 0", put32(offVersion, 0), true, 0, ErrIncompatibleVersion, "version 0"},
		{"version 6", put32(offVersion, 6), false, 0, ErrIncompatibleVersion,
			"the file has layout version 6, this program reads version 7"},
		{"garbage endian", put32(offEndian, 0xdeadbeef), true, 0, ErrCorrupt, "marker"},
		{"checksum", put64(offCapacity, 2048), false, 0, ErrCorrupt, "checksum"},
		{"checksum field", put32(offChecksum, 0), false, 0, ErrCorrupt, "checksum"},
		{"reserved tail", func(p []byte) { p[HeaderSize-1] = 1 }, true, 0, ErrCorrupt, "offset 4095"},
		{"reserved pad", func(p []byte) { p[offTypeName+MaxTypeNameLen+1] = 1 }, true, 0, ErrCorrupt, "after the"},
		{"name padding", func(p []byte) { p[offTypeName+63] = 'x' }, true, 0, ErrCorrupt, "after the"},
		{"name length 0", put32(offTypeNameLen, 0), true, 0, ErrCorrupt, "name length 0"},
		{"name length 65", put32(offTypeNameLen, 65), true, 0, ErrCorrupt, "name length 65"},
		{"layout padding", func(p []byte) { p[headerUsed-1] = 'x' }, true, 0, ErrCorrupt, "after the 32-byte event type layout"},
		{"layout length over", put32(offTypeLayoutN, MaxTypeLayoutLen+1), true, 0, ErrCorrupt, "length 3073"},
		{"unknown flag", put32(offFlags, flagMultiProducer|flagPublishTimes|8), true, 0, ErrCorrupt, "flags 0x8"},
		{"capacity 3", put64(offCapacity, 3), true, 0, ErrCorrupt, "capacity 3"},
		{"capacity 2^40", put64(offCapacity, 1<<40), true, 0, ErrCorrupt, "capacity"},
		{"slot size 0", put64(offSlotSize, 0), true, 0, ErrCorrupt, "slot size 0"},
		{"slot align 5", put64(offSlotAlign, 5), true, 0, ErrCorrupt, "slot align 5"},
		{"consumers 0", put64(offMaxConsumers, 0), true, 0, ErrCorrupt, "max consumers 0"},
		{"entry size odd", put64(offEntrySize, 129), true, 0, ErrCorrupt, "entry size 129"},
		{"control size 0", put64(offControlSize, 0), true, 0, ErrCorrupt, "control size 0"},
		{"counters huge", put64(offCountersSize, 1<<62), true, 0, ErrCorrupt, "counters size"},
		{"apps huge", put64(offAppsSize, 1<<62), true, 0, ErrCorrupt, "application counters size"},
		{"apps size odd", put64(offAppsSize, 100), true, 0, ErrCorrupt, "application counters size 100"},
		{"apps size inconsistent", put64(offAppsSize, 0), true, 0, ErrCorrupt, "apps region is 9216 bytes"},
		{"stamps without the flag", put32(offFlags, flagMultiProducer), true, 0, ErrCorrupt, "stamps region is 8192 bytes"},
		{"type size 0", put64(offTypeSize, 0), true, 0, ErrCorrupt, "size 0"},
		{"type align 0", put64(offTypeAlign, 0), true, 0, ErrCorrupt, "align 0"},
		{"instance zero", put64(offInstance, 0), true, 0, ErrCorrupt, "instance"},
		{"pid huge", put64(offPID, 1<<40), true, 0, ErrCorrupt, "pid"},
		{"control overlaps header", put64(r(0), 1024), true, 0, ErrCorrupt, "overlaps"},
		{"consumers misaligned", put64(r(1), h.Consumers.Offset+8), true, 0, ErrCorrupt, "not a multiple of 128"},
		{"avail overlaps consumers", put64(r(2), h.Consumers.Offset), true, 0, ErrCorrupt, "overlaps"},
		{"region overflows", put64(r(3), ^uint64(0)-127), true, 0, ErrCorrupt, "overflows"},
		{"apps overlaps counters", put64(r(4), h.Counters.Offset), true, 0, ErrCorrupt, "apps region at offset 33920 overlaps"},
		{"apps misaligned", put64(r(4), h.Apps.Offset+64), true, 0, ErrCorrupt, "apps region offset 38080 is not a multiple of 128"},
		{"apps beyond file", put64(r(4)+8, 1<<40), true, 0, ErrCorrupt, "apps region ends at"},
		{"apps overflows", put64(r(4)+8, ^uint64(0)-127), true, 0, ErrCorrupt, "apps region (18446744073709551488 bytes at offset 38016) overflows"},
		{"stamps overlaps apps", put64(r(5), h.Apps.Offset+LineSize), true, 0, ErrCorrupt, "stamps region at offset 38144 overlaps"},
		{"stamps beyond file", put64(r(5)+8, 1<<40), true, 0, ErrCorrupt, "stamps region ends at"},
		{"stamps over slots", put64(r(5)+8, h.Stamps.Size+LineSize), true, 0, ErrCorrupt, "slots region at offset 55424 overlaps what ends at 55552"},
		{"stamps size inconsistent", put64(r(5)+8, h.Stamps.Size-LineSize), true, 0, ErrCorrupt, "stamps region is 8064 bytes at offset 47232; the parameters give 8192 bytes at 47232"},
		{"slots beyond file", put64(r(6)+8, 1<<40), true, 0, ErrCorrupt, "beyond the file size"},
		{"slots size inconsistent", put64(r(6)+8, h.Slots.Size-64), true, 0, ErrCorrupt, "parameters give"},
		{"avail size inconsistent", put64(r(2)+8, h.Avail.Size-128), true, 0, ErrCorrupt, "avail region is"},
		{"file size inconsistent", put64(offFileSize, h.FileSize+PageSize), true, 0, ErrCorrupt, "file size"},
		{"file truncated", nil, false, int64(h.FileSize) - 1, ErrCorrupt, "truncated"},
		{"file size negative", nil, false, -5, ErrCorrupt, "negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := bytes.Clone(page)
			if c.mod != nil {
				c.mod(p)
			}
			if c.fix {
				resum(p)
			}
			n := size
			switch {
			case c.size == -1:
				n = 0
			case c.size != 0:
				n = c.size
			}
			got, err := Decode(p, n)
			if err == nil {
				t.Fatalf("Decode accepted the page: %+v", got)
			}
			for _, s := range sentinels {
				if errors.Is(err, s) != (s == c.want) {
					t.Errorf("errors.Is(%v, %v) = %v", err, s, !(s == c.want))
				}
			}
			if !strings.Contains(err.Error(), c.detail) {
				t.Errorf("error %q does not mention %q", err, c.detail)
			}
			if got != (Header{}) {
				t.Errorf("Decode returned a non-zero header with an error: %+v", got)
			}
		})
	}
}

func TestCheckGeometry(t *testing.T) {
	page, _, size := validPage(t)
	h, err := Decode(page, size)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.CheckGeometry(validParams()); err != nil {
		t.Fatalf("same params: %v", err)
	}
	cases := []struct {
		mod    func(*Params)
		detail string
	}{
		{func(p *Params) { p.Capacity = 2048 }, "capacity 1024, the caller expects 2048"},
		{func(p *Params) { p.SlotSize = 128 }, "slot size 64, the caller expects 128"},
		{func(p *Params) { p.SlotAlign = 16 }, "slot align 8, the caller expects 16"},
		{func(p *Params) { p.MaxConsumers = 8 }, "max consumers 16, the caller expects 8"},
		{func(p *Params) { p.ConsumerEntrySize = 128 }, "consumer entry size 256, the caller expects 128"},
		{func(p *Params) { p.ControlSize = 256 }, "control size 1152, the caller expects 256"},
		{func(p *Params) { p.CountersSize = 0 }, "counters size 4096, the caller expects 0"},
		{func(p *Params) { p.AppsSize = 0 }, "application counters size 9216, the caller expects 0"},
		{func(p *Params) { p.PublishTimes = false }, "the ring records publication times, the caller expects none"},
		{func(p *Params) { p.MultiProducer = false }, "multi-producer, the caller expects single-producer"},
	}
	for _, c := range cases {
		p := validParams()
		c.mod(&p)
		err := h.CheckGeometry(p)
		if !errors.Is(err, ErrGeometryMismatch) || !strings.Contains(err.Error(), c.detail) {
			t.Errorf("CheckGeometry = %v, want a mismatch saying %q", err, c.detail)
		}
	}
	p := validParams()
	p.Type.Hash++ // the type is CheckType's business
	if err := h.CheckGeometry(p); err != nil {
		t.Errorf("CheckGeometry looked at the type: %v", err)
	}
	p = validParams()
	p.FullBarriers = !p.FullBarriers // the file's protocol, which every process follows
	if err := h.CheckGeometry(p); err != nil {
		t.Errorf("CheckGeometry compared the barrier protocol: %v", err)
	}
}

// TestFullBarriersFlag: FullBarriers is flag bit 2 and survives a round
// trip; without it the bit is clear.
func TestFullBarriersFlag(t *testing.T) {
	for _, full := range []bool{false, true} {
		p := validParams()
		p.FullBarriers = full
		g, err := Plan(p)
		if err != nil {
			t.Fatal(err)
		}
		h := NewHeader(g)
		page := make([]byte, HeaderSize)
		Encode(&h, page)
		StateWord(page).Store(StateReady)
		if bit := binary.LittleEndian.Uint32(page[offFlags:])&flagFullBarriers != 0; bit != full {
			t.Errorf("FullBarriers %v: flag bit 2 is %v", full, bit)
		}
		got, err := Decode(page, int64(g.FileSize))
		if err != nil {
			t.Fatal(err)
		}
		if got.FullBarriers != full || got != h {
			t.Errorf("FullBarriers %v: decoded %+v", full, got.Params)
		}
	}
}

func TestCheckType(t *testing.T) {
	page, _, size := validPage(t)
	h, _ := Decode(page, size)
	want := validParams().Type
	if err := h.CheckType(want); err != nil {
		t.Fatalf("same type: %v", err)
	}
	cases := []struct {
		name   string
		mod    func(*TypeID)
		detail string
	}{
		{"size", func(id *TypeID) { id.Size = 56 }, "sizes differ"},
		{"align", func(id *TypeID) { id.Align = 8 }, "alignments differ"},
		{"hash", func(id *TypeID) { id.Hash = 1 }, "layouts differ"},
		{"name and hash", func(id *TypeID) { id.Name, id.Hash = "other.Event", 1 }, "layouts differ"},
	}
	renamed := want
	renamed.Name = "other.Event"
	if err := h.CheckType(renamed); err != nil {
		t.Errorf("same layout under another name: %v", err)
	}
	for _, c := range cases {
		other := want
		c.mod(&other)
		err := h.CheckType(other)
		if !errors.Is(err, ErrTypeMismatch) {
			t.Fatalf("%s: CheckType = %v", c.name, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, c.detail) || !strings.Contains(msg, want.String()) || !strings.Contains(msg, other.String()) {
			t.Errorf("%s: message %q should name both types and say %q", c.name, msg, c.detail)
		}
	}
}

// A layout mismatch names the first field whose description differs, or
// the field one type has and the other lacks.
func TestCheckTypeNamesField(t *testing.T) {
	page, _, size := validPage(t)
	h, err := Decode(page, size)
	if err != nil {
		t.Fatal(err)
	}
	if h.Type.Layout != validParams().Type.Layout {
		t.Fatalf("decoded layout %q, encoded %q", h.Type.Layout, validParams().Type.Layout)
	}
	for _, c := range []struct{ layout, detail string }{
		{"Seq int64 @0 8\nV [13]uint32 @8 52", "field V: the ring has V [13]int32 @8 52, this process V [13]uint32 @8 52"},
		{"N int64 @0 8\nV [13]int32 @8 52", "field Seq: the ring has Seq int64 @0 8, this process N int64 @0 8"},
		{"Seq int64 @0 8", "the ring's type has field V (V [13]int32 @8 52), this process's does not"},
		{"Seq int64 @0 8\nV [13]int32 @8 52\nW int8 @60 1", "field W (W int8 @60 1) is not in the ring's type"},
		{"Seq int64 @0 8\n" + layoutMore, "cut short"},
		{"", "a field's name, order, offset or type"},
	} {
		want := h.Type
		want.Name, want.Hash, want.Layout = "other.Event", 1, c.layout
		err := h.CheckType(want)
		if !errors.Is(err, ErrTypeMismatch) || !strings.Contains(err.Error(), c.detail) {
			t.Errorf("layout %q: CheckType = %v, want ErrTypeMismatch saying %q", c.layout, err, c.detail)
		}
	}
}

// FitLayout cuts a long description at a line boundary and marks the cut.
func TestFitLayout(t *testing.T) {
	if got := FitLayout("A int8 @0 1"); got != "A int8 @0 1" {
		t.Errorf("short description changed: %q", got)
	}
	line := "Field int64 @0 8\n"
	long := strings.Repeat(line, MaxTypeLayoutLen/len(line)+10)
	got := FitLayout(long)
	if len(got) > MaxTypeLayoutLen || !strings.HasSuffix(got, "\n"+layoutMore) || !strings.HasPrefix(long, strings.TrimSuffix(got, layoutMore)) {
		t.Errorf("FitLayout of %d bytes gave %d bytes ending %q", len(long), len(got), got[max(0, len(got)-40):])
	}
	if got := FitLayout(strings.Repeat("x", MaxTypeLayoutLen+1)); got != layoutMore {
		t.Errorf("FitLayout of one long line = %q, want %q", got, layoutMore)
	}
}

// The offsets of the package documentation's header table.
func TestHeaderTable(t *testing.T) {
	for _, f := range []struct {
		name      string
		got, want int
	}{
		{"flags", offFlags, 20}, {"app counters size", offAppsSize, 80}, {"instance", offInstance, 88},
		{"type hash", offTypeHash, 128}, {"type name", offTypeName, 140}, {"regions", offRegions, 208},
		{"file size", offFileSize, 320}, {"checksum", offChecksum, 328}, {"layout length", offTypeLayoutN, 332},
		{"layout", offTypeLayout, 336}, {"reserved", headerUsed, 3408},
	} {
		if f.got != f.want {
			t.Errorf("%s at offset %d; the table in doc.go says %d", f.name, f.got, f.want)
		}
	}
	if offTypeName+MaxTypeNameLen+4 != offRegions {
		t.Errorf("the type name and its reserved word end at %d, the regions start at %d", offTypeName+MaxTypeNameLen+4, offRegions)
	}
}
