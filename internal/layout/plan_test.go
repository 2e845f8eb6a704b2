package layout

import (
	"errors"
	"strings"
	"testing"
)

// validParams is a multi-producer ring used throughout the tests.
func validParams() Params {
	return Params{
		Capacity:          1024,
		SlotSize:          64,
		SlotAlign:         8,
		MultiProducer:     true,
		MaxConsumers:      16,
		ConsumerEntrySize: 256,
		ControlSize:       1152,
		CountersSize:      4096,
		AppsSize:          9216,
		PublishTimes:      true,
		Type: TypeID{Name: "test.Event", Size: 60, Align: 4, Hash: 0x1234_5678_9abc_def0,
			Layout: "Seq int64 @0 8\nV [13]int32 @8 52"},
	}
}

func TestPlanExactLayout(t *testing.T) {
	g, err := Plan(validParams())
	if err != nil {
		t.Fatal(err)
	}
	want := []Region{
		{4096, 1152},   // control
		{5248, 4096},   // consumers: 16 x 256
		{9344, 24576},  // avail: 1024 x (16 marker + 8 availability)
		{33920, 4096},  // counters
		{38016, 9216},  // apps
		{47232, 8192},  // stamps: 1024 x 8
		{55424, 65536}, // slots: 1024 x 64
	}
	for i, r := range g.regions() {
		if r != want[i] {
			t.Errorf("%s region = %+v, want %+v", regionName(i), r, want[i])
		}
	}
	if g.FileSize != 122880 {
		t.Errorf("file size = %d, want 122880 (120960 rounded up to a page)", g.FileSize)
	}
}

func TestPlanInvariants(t *testing.T) {
	mods := map[string]func(*Params){
		"valid":           func(*Params) {},
		"single producer": func(p *Params) { p.MultiProducer = false },
		"no counters":     func(p *Params) { p.CountersSize = 0 },
		"no apps":         func(p *Params) { p.AppsSize = 0 },
		"no stamps":       func(p *Params) { p.PublishTimes = false },
		"odd apps":        func(p *Params) { p.AppsSize, p.PublishTimes, p.Capacity = LineSize, true, 2 },
		"page aligned slots": func(p *Params) {
			p.SlotAlign, p.SlotSize, p.Type.Align = 4096, 4096, 8
		},
		"odd slot size": func(p *Params) { p.SlotSize, p.SlotAlign, p.Type = 3, 1, TypeID{Name: "b", Size: 3, Align: 1} },
		"smallest": func(p *Params) {
			p.Capacity, p.MaxConsumers, p.CountersSize, p.AppsSize, p.PublishTimes = 2, 1, 0, 0, false
		},
		"largest ring": func(p *Params) { p.Capacity, p.SlotSize, p.Type.Size, p.PublishTimes = 1<<30, 32, 32, false },
		"most consumers": func(p *Params) {
			p.MaxConsumers, p.ConsumerEntrySize, p.ControlSize, p.CountersSize = MaxConsumers, MaxEntrySize, MaxEntrySize, MaxCountersSize
			p.AppsSize = MaxAppsSize
		},
	}
	for name, mod := range mods {
		t.Run(name, func(t *testing.T) {
			p := validParams()
			mod(&p)
			g, err := Plan(p)
			if name == "largest ring" && maxFileSize() < 40<<30 {
				t.Skipf("a 40 GiB file does not fit in this address space: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := checkRegions(g.regions(), g.FileSize, p.SlotAlign); err != nil {
				t.Fatal(err)
			}
			if g.Control.Offset != HeaderSize {
				t.Errorf("control at %d, want right after the header", g.Control.Offset)
			}
			if g.Slots.Offset%max(LineSize, p.SlotAlign) != 0 {
				t.Errorf("slots at %d not aligned to %d", g.Slots.Offset, max(LineSize, p.SlotAlign))
			}
			if g.FileSize%PageSize != 0 || g.FileSize < g.Slots.End() || g.FileSize-g.Slots.End() >= PageSize {
				t.Errorf("file size %d is not the slots' end %d rounded up to a page", g.FileSize, g.Slots.End())
			}
			wantAvail := MarkSize * p.Capacity
			if p.MultiProducer {
				wantAvail += 8 * p.Capacity
			}
			if g.Avail.Size != wantAvail || g.Slots.Size != p.Capacity*p.SlotSize ||
				g.Consumers.Size != p.MaxConsumers*p.ConsumerEntrySize || g.Counters.Size != p.CountersSize {
				t.Errorf("region sizes wrong: %+v", g)
			}
			wantStamps := uint64(0)
			if p.PublishTimes {
				wantStamps = 8 * p.Capacity
			}
			if g.Apps.Size != p.AppsSize || g.Stamps.Size != wantStamps {
				t.Errorf("apps %d bytes, stamps %d bytes; want %d and %d", g.Apps.Size, g.Stamps.Size, p.AppsSize, wantStamps)
			}
			for i, r := range g.regions() {
				if r.Offset%LineSize != 0 {
					t.Errorf("%s region at %d is not %d-aligned", regionName(i), r.Offset, LineSize)
				}
			}
		})
	}
}

func TestPlanRejects(t *testing.T) {
	cases := []struct {
		name   string
		mod    func(*Params)
		detail string
	}{
		{"capacity 0", func(p *Params) { p.Capacity = 0 }, "capacity 0"},
		{"capacity 1", func(p *Params) { p.Capacity = 1 }, "capacity 1"},
		{"capacity not pow2", func(p *Params) { p.Capacity = 1000 }, "power of two"},
		{"capacity too big", func(p *Params) { p.Capacity = 1 << 31 }, "capacity"},
		{"slot size 0", func(p *Params) { p.SlotSize = 0 }, "slot size 0"},
		{"slot size too big", func(p *Params) { p.SlotSize = 2 << 20 }, "slot size"},
		{"slot size not multiple of align", func(p *Params) { p.SlotSize = 60 }, "multiple of slot align"},
		{"slot align 0", func(p *Params) { p.SlotAlign = 0 }, "slot align 0"},
		{"slot align 3", func(p *Params) { p.SlotAlign = 3 }, "slot align 3"},
		{"slot align too big", func(p *Params) { p.SlotAlign = 8192 }, "slot align 8192"},
		{"no consumers", func(p *Params) { p.MaxConsumers = 0 }, "max consumers 0"},
		{"too many consumers", func(p *Params) { p.MaxConsumers = MaxConsumers + 1 }, "max consumers"},
		{"entry size 0", func(p *Params) { p.ConsumerEntrySize = 0 }, "consumer entry size 0"},
		{"entry size not lines", func(p *Params) { p.ConsumerEntrySize = 200 }, "consumer entry size 200"},
		{"entry size too big", func(p *Params) { p.ConsumerEntrySize = MaxEntrySize + LineSize }, "consumer entry size"},
		{"control size 0", func(p *Params) { p.ControlSize = 0 }, "control size 0"},
		{"counters not lines", func(p *Params) { p.CountersSize = 100 }, "counters size 100"},
		{"counters too big", func(p *Params) { p.CountersSize = MaxCountersSize + LineSize }, "counters size"},
		{"apps not lines", func(p *Params) { p.AppsSize = 100 }, "application counters size 100"},
		{"apps too big", func(p *Params) { p.AppsSize = MaxAppsSize + LineSize }, "application counters size"},
		{"no type name", func(p *Params) { p.Type.Name = "" }, "name"},
		{"long type name", func(p *Params) { p.Type.Name = strings.Repeat("x", 65) }, "name"},
		{"type size 0", func(p *Params) { p.Type.Size = 0 }, "size 0"},
		{"type bigger than slot", func(p *Params) { p.Type.Size = 65 }, "size 65"},
		{"type align 3", func(p *Params) { p.Type.Align = 3 }, "align 3"},
		{"type align above slot align", func(p *Params) { p.Type.Align = 16 }, "align 16"},
		{"file too big", func(p *Params) { p.Capacity, p.SlotSize, p.SlotAlign = 1<<30, 1<<20, 8 }, "exceed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := validParams()
			c.mod(&p)
			_, err := Plan(p)
			if !errors.Is(err, ErrInvalidParams) {
				t.Fatalf("Plan = %v, want ErrInvalidParams", err)
			}
			if !strings.Contains(err.Error(), c.detail) {
				t.Errorf("error %q does not mention %q", err, c.detail)
			}
		})
	}
}

func TestArithOverflow(t *testing.T) {
	var a arith
	if a.mul(1<<32, 1<<31); a.overflow {
		t.Fatal("2^63 reported as overflow")
	}
	if a.mul(1<<32, 1<<32); !a.overflow {
		t.Fatal("2^64 not reported as overflow")
	}
	a = arith{}
	if a.roundUp(^uint64(0)-10, 128); !a.overflow {
		t.Fatal("rounding up past 2^64 not reported")
	}
	a = arith{}
	if got := a.roundUp(129, 128); got != 256 || a.overflow {
		t.Fatalf("roundUp(129, 128) = %d, %v", got, a.overflow)
	}
}

// The marker words and the availability words tile the avail region.
func TestAvailParts(t *testing.T) {
	for _, multi := range []bool{true, false} {
		p := validParams()
		p.MultiProducer = multi
		g, err := Plan(p)
		if err != nil {
			t.Fatal(err)
		}
		m, a := g.MarkWords(), g.AvailWords()
		if m.Offset != g.Avail.Offset || m.Size != MarkSize*p.Capacity || a.Offset != m.End() || a.End() != g.Avail.End() {
			t.Errorf("multi %v: avail %+v, marker words %+v, availability words %+v", multi, g.Avail, m, a)
		}
		if (a.Size == 8*p.Capacity) != multi || (!multi && a.Size != 0) {
			t.Errorf("multi %v: %d bytes of availability words", multi, a.Size)
		}
	}
}
