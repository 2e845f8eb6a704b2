package layout

import (
	"errors"
	"fmt"
	"strings"
)

// Errors. Every error of this package wraps exactly one of these, with
// detail naming the field and the values found; match with errors.Is.
var (
	// ErrInvalidParams: Plan was given parameters outside the limits.
	ErrInvalidParams = errors.New("disruptor: invalid ring parameters")
	// ErrNotInitialized: the file is blank, too short, or its creator has
	// not yet stored StateReady. Retrying may succeed; a file that stays
	// so belonged to a creator that died.
	ErrNotInitialized = errors.New("disruptor: ring file not initialized")
	// ErrBadMagic: the file is not a ring file.
	ErrBadMagic = errors.New("disruptor: not a ring file (bad magic)")
	// ErrIncompatibleVersion: the file has another layout version.
	ErrIncompatibleVersion = errors.New("disruptor: incompatible layout version")
	// ErrForeignEndian: the file was created on a machine of the other
	// byte order; its words cannot be shared with this one.
	ErrForeignEndian = errors.New("disruptor: ring file has foreign byte order")
	// ErrCorrupt: a checksum mismatch, or fields that no creator writes:
	// out-of-range parameters, regions inconsistent, overlapping,
	// misaligned or beyond the end of the file.
	ErrCorrupt = errors.New("disruptor: ring file corrupt")
	// ErrGeometryMismatch: a valid file with other parameters than the
	// caller expected.
	ErrGeometryMismatch = errors.New("disruptor: ring geometry mismatch")
	// ErrTypeMismatch: a valid file holding another event type than the
	// caller's.
	ErrTypeMismatch = errors.New("disruptor: event type mismatch")
)

// CheckGeometry compares the file's parameters, all but the event type,
// with want. It reports the first that differs, wrapping
// ErrGeometryMismatch.
func (h *Header) CheckGeometry(want Params) error {
	got := h.Params
	fields := []struct {
		name      string
		got, want uint64
	}{
		{"capacity", got.Capacity, want.Capacity},
		{"slot size", got.SlotSize, want.SlotSize},
		{"slot align", got.SlotAlign, want.SlotAlign},
		{"max consumers", got.MaxConsumers, want.MaxConsumers},
		{"consumer entry size", got.ConsumerEntrySize, want.ConsumerEntrySize},
		{"control size", got.ControlSize, want.ControlSize},
		{"counters size", got.CountersSize, want.CountersSize},
		{"application counters size", got.AppsSize, want.AppsSize},
	}
	for _, f := range fields {
		if f.got != f.want {
			return fmt.Errorf("%w: the ring has %s %d, the caller expects %d", ErrGeometryMismatch, f.name, f.got, f.want)
		}
	}
	if got.MultiProducer != want.MultiProducer {
		return fmt.Errorf("%w: the ring is %s, the caller expects %s", ErrGeometryMismatch,
			producerMode(got.MultiProducer), producerMode(want.MultiProducer))
	}
	if got.PublishTimes != want.PublishTimes {
		if got.PublishTimes {
			return fmt.Errorf("%w: the ring records publication times, the caller expects none", ErrGeometryMismatch)
		}
		return fmt.Errorf("%w: the ring records no publication times, the caller expects them", ErrGeometryMismatch)
	}
	return nil
}

// CheckType compares the file's event type with want, the caller's, by
// layout: size, alignment and the layout hash, which covers every field's
// name, offset, size and kind, recursively, but no type name. Two types
// declared apart (in other packages, or under other names) with the same
// layout match; the names are in the header only to be shown. A difference
// is reported wrapping ErrTypeMismatch, naming both types and what differs:
// the sizes, the alignments, or the first field whose line in the two
// layout descriptions differs.
func (h *Header) CheckType(want TypeID) error {
	got := h.Type
	if got.Size == want.Size && got.Align == want.Align && got.Hash == want.Hash {
		return nil
	}
	var why string
	switch {
	case got.Size != want.Size:
		why = fmt.Sprintf("the sizes differ (%d bytes, %d bytes)", got.Size, want.Size)
	case got.Align != want.Align:
		why = fmt.Sprintf("the alignments differ (%d, %d)", got.Align, want.Align)
	default:
		why = "the layouts differ: " + layoutDiff(got.Layout, want.Layout)
	}
	return fmt.Errorf("%w: the ring holds %s, this process uses %s: %s", ErrTypeMismatch, got, want, why)
}

// String describes a type identity, as in error messages.
func (t TypeID) String() string {
	return fmt.Sprintf("%q (size %d, align %d, layout hash 0x%016x)", t.Name, t.Size, t.Align, t.Hash)
}

func producerMode(multi bool) string {
	if multi {
		return "multi-producer"
	}
	return "single-producer"
}

// layoutDiff names the first field where the layout descriptions ring
// (the file's) and own (the caller's) differ.
func layoutDiff(ring, own string) string {
	if ring == "" || own == "" {
		return "a field's name, order, offset or type"
	}
	a, b := strings.Split(ring, "\n"), strings.Split(own, "\n")
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i >= len(a):
			return fmt.Sprintf("field %s (%s) is not in the ring's type", fieldOf(b[i]), b[i])
		case i >= len(b):
			return fmt.Sprintf("the ring's type has field %s (%s), this process's does not", fieldOf(a[i]), a[i])
		case a[i] == layoutMore || b[i] == layoutMore:
			return "a field past the first " + fmt.Sprint(i) + " (the description stored is cut short there)"
		case a[i] != b[i]:
			return fmt.Sprintf("field %s: the ring has %s, this process %s", fieldOf(a[i]), a[i], b[i])
		}
	}
	return "a field's name, order, offset or type"
}

// layoutMore ends a layout description cut short to fit.
const layoutMore = "..."

// FitLayout returns desc, a layout description, cut at a line boundary and
// marked as cut if it is longer than MaxTypeLayoutLen bytes.
func FitLayout(desc string) string {
	if len(desc) <= MaxTypeLayoutLen {
		return desc
	}
	cut := desc[:MaxTypeLayoutLen-len(layoutMore)]
	if i := strings.LastIndexByte(cut, '\n'); i >= 0 {
		return cut[:i+1] + layoutMore
	}
	return layoutMore
}

// fieldOf is a description line's field path, its first word.
func fieldOf(line string) string {
	path, _, _ := strings.Cut(line, " ")
	return path
}
