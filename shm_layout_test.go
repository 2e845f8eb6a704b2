//go:build linux

package disruptor

// The file layout as users meet it: its errors through Create and Attach,
// headers that are consistent but not this program's, and the apps and
// stamps regions (layout version 7).

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/layout"
)

// Every error of internal/layout reaches the user through Create or Attach
// speaking as the package the user imports, and matching the root
// package's sentinel.
func TestSharedLayoutErrorsSpeakDisruptor(t *testing.T) {
	hardDeadline(t, time.Minute)
	for _, tc := range []struct {
		name   string
		want   error
		detail []string
		run    func(t *testing.T) error
	}{
		{"invalid params", ErrInvalidParams, []string{"max consumers 5000 is not in 1..4096"}, func(t *testing.T) error {
			_, err := Create[xev](filepath.Join(t.TempDir(), "ring"), 64, WithMaxConsumers(5000))
			return err
		}},
		{"not initialized", ErrNotInitialized, []string{"blank"}, func(t *testing.T) error {
			p := filepath.Join(t.TempDir(), "ring")
			os.WriteFile(p, make([]byte, 2*layout.PageSize), 0o600)
			return attachErr[xev](p)
		}},
		{"bad magic", ErrBadMagic, []string{"NOTARING"}, func(t *testing.T) error {
			p := xringFile(t)
			xpatch(t, p, 0, []byte("NOTARING"))
			return attachErr[xev](p)
		}},
		{"version 6", ErrIncompatibleVersion, []string{"layout version 6", "version 7"}, func(t *testing.T) error {
			p := xringFile(t)
			xpatch(t, p, 8, []byte{6, 0, 0, 0})
			return attachErr[xev](p)
		}},
		{"foreign endian", ErrForeignEndian, []string{"0x04030201"}, func(t *testing.T) error {
			p := xringFile(t)
			xpatch(t, p, 12, []byte{1, 2, 3, 4})
			return attachErr[xev](p)
		}},
		{"corrupt", ErrCorrupt, []string{"checksum"}, func(t *testing.T) error {
			p := xringFile(t)
			xpatch(t, p, 24, []byte{128})
			return attachErr[xev](p)
		}},
		{"geometry", ErrGeometryMismatch, []string{"capacity 64, the caller expects 128"}, func(t *testing.T) error {
			_, err := Create[xev](xringFile(t), 128)
			return err
		}},
		{"publication times", ErrGeometryMismatch, []string{"records no publication times, the caller expects them"}, func(t *testing.T) error {
			_, err := Create[xev](xringFile(t), 64, WithPublishTimes())
			return err
		}},
		{"type", ErrTypeMismatch, []string{"layouts differ"}, func(t *testing.T) error {
			return attachErr[xevOther](xringFile(t))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(t)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !errors.Is(err, tc.want) {
				t.Errorf("%q does not match %v", msg, tc.want)
			}
			xonly(t, tc.name, err, tc.want)
			if !strings.HasPrefix(msg, "disruptor: ") || strings.Contains(msg, "disruptor: disruptor:") || strings.Contains(msg, "layout:") {
				t.Errorf("%q does not read as package disruptor's error", msg)
			}
			for _, d := range tc.detail {
				if !strings.Contains(msg, d) {
					t.Errorf("%q does not say %q", msg, d)
				}
			}
		})
	}
}

// attachErr is Attach's error for the file at path (closing a ring it
// unexpectedly opens).
func attachErr[E any](path string) error {
	r, err := Attach[E](path)
	if err == nil {
		r.Close()
	}
	return err
}

// A header that checks out (checksum, regions as Plan lays them out) but
// records a control block, consumer entry or slot of other sizes than this
// program's structs would have views laid past their regions, beyond the
// file's end: Attach and Inspect refuse it as corrupt before laying any.
func TestSharedAttachForeignSizes(t *testing.T) {
	hardDeadline(t, time.Minute)
	cfg := newConfig(nil)
	good, err := sharedParams[xev](64, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, detail string
		mod          func(*layout.Params)
	}{
		{"control block", "control block size is 128 bytes, but a control block of layout version 7 is", func(p *layout.Params) { p.ControlSize = layout.LineSize }},
		{"consumer entry", "consumer entry size is 128 bytes", func(p *layout.Params) { p.ConsumerEntrySize = layout.LineSize }},
		{"slot", "slot size is 48 bytes, but slots of layout version 7 hold the event type densely, and it is 40 bytes", func(p *layout.Params) { p.SlotSize = good.Type.Size + 8 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			p.MaxConsumers = 1
			tc.mod(&p)
			path := writeRingHeader(t, p)
			err := attachErr[xev](path)
			xonly(t, "Attach", err, ErrCorrupt)
			if err == nil || !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("Attach: %v; want it to say %q", err, tc.detail)
			}
			_, err = Inspect(path)
			xonly(t, "Inspect", err, ErrCorrupt)
		})
	}
}

// writeRingHeader writes a ready ring file laid out for p, with nothing
// but its header set, and returns its path.
func writeRingHeader(t *testing.T, p layout.Params) string {
	t.Helper()
	g, err := layout.Plan(p)
	if err != nil {
		t.Fatal(err)
	}
	h := layout.NewHeader(g)
	page := make([]byte, layout.HeaderSize)
	layout.Encode(&h, page)
	layout.StateWord(page).Store(layout.StateReady)
	path := filepath.Join(t.TempDir(), "ring")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(int64(g.FileSize)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(page, 0); err != nil {
		t.Fatal(err)
	}
	return path
}

// The apps and stamps regions are where the header says, apart from the
// counters, and shared: a second handle sees the first one's publication
// times and application counters. A ring without publication times has an
// empty stamps region and no stamps.
func TestSharedAppsAndStampsRegions(t *testing.T) {
	hardDeadline(t, time.Minute)
	ctx := context.Background()
	dir := t.TempDir()
	for _, times := range []bool{false, true} {
		name := "plain"
		opts := []Option{WithDir(dir)}
		if times {
			name, opts = "stamped", append(opts, WithPublishTimes())
		}
		a, err := Create[xev](name, 64, opts...)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Attach[xev](name, WithDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		g, sh := &b.sh.geo, b.sh
		if g.PublishTimes != times || (g.Stamps.Size == 0) == times || (sh.stamps == nil) == times {
			t.Errorf("publication times %v: the header says %v, stamps region %+v, %d stamps", times, g.PublishTimes, g.Stamps, len(sh.stamps))
		}
		if g.Apps.Offset < g.Counters.End() || g.Stamps.Offset < g.Apps.End() || g.Slots.Offset < g.Stamps.End() {
			t.Errorf("regions out of order: counters %+v, apps %+v, stamps %+v, slots %+v", g.Counters, g.Apps, g.Stamps, g.Slots)
		}
		if len(sh.apps) != appSets || uintptr(unsafe.Pointer(&sh.apps[0]))-sh.base != uintptr(g.Apps.Offset) {
			t.Errorf("%d application records at offset %d; want %d at %d", len(sh.apps),
				uintptr(unsafe.Pointer(&sh.apps[0]))-sh.base, appSets, g.Apps.Offset)
		}
		if times && uintptr(unsafe.Pointer(&sh.stamps[0]))-sh.base != uintptr(g.Stamps.Offset) {
			t.Errorf("stamps at offset %d, the header says %d", uintptr(unsafe.Pointer(&sh.stamps[0]))-sh.base, g.Stamps.Offset)
		}
		set, err := a.NewAppCounters("app", "one", CounterType{ID: AppCounterMinID, Name: "hits"})
		if err != nil {
			t.Fatal(err)
		}
		set.At(0).Add(7)
		p, err := a.NewProducer("p")
		if err != nil {
			t.Fatal(err)
		}
		before := time.Now().UnixNano()
		for range 3 {
			if _, err := p.Claim(ctx); err != nil {
				t.Fatal(err)
			}
			p.Publish()
		}
		if times {
			for s, v := range sh.stamps[:3] {
				if v < before || v > time.Now().UnixNano() {
					t.Errorf("the other handle reads publication time %d for slot %d; published after %d", v, s, before)
				}
			}
		}
		var hits []int64
		for _, c := range b.Counters() {
			if c.Type.Role == "app" && c.Type.Name == "hits" {
				hits = append(hits, c.Value)
			}
		}
		if len(hits) != 1 || hits[0] != 7 {
			t.Errorf("publication times %v: the other handle reads hits %v, want [7]", times, hits)
		}
		set.Close()
		p.Close()
		b.Close()
		a.Close()
	}
}
