package bridge

// Frames: one JetStream message per run of up to Config.FrameEvents ring
// events. The body is the events' raw bytes, back to back (events are
// fixed-size and pointer-free, as shared rings require); the headers say
// where they come from:
//
//	Disruptor-Ring    the ring's identity (Config.RingID)
//	Disruptor-Layout  the event layout: type name/size/hash (hex)
//	Disruptor-First   the first ring sequence the frame covers
//	Disruptor-Last    the last ring sequence it covers
//	Disruptor-Events  how many events the body holds
//	Disruptor-Holes   the ranges of [First, Last] that were holes ("a-b,c-d")
//	Disruptor-Marker  "flush" or "eof": the marker at Last
//	Disruptor-Sum     CRC-32C of the body (hex)
//	Nats-Msg-Id       ring identity ":" First
//
// Frames are contiguous: each one's First is the Last of the one before
// plus one, so every ring sequence is in exactly one frame, as an event, a
// hole or a marker. Sequences that are neither events nor the marker are
// holes (a producer's Skip, or the EOF of one of several producers that is
// not the stream's end).

import (
	"fmt"
	"hash/crc32"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/typecheck"
	"github.com/nats-io/nats.go"
)

const (
	hdrRing   = "Disruptor-Ring"
	hdrLayout = "Disruptor-Layout"
	hdrFirst  = "Disruptor-First"
	hdrLast   = "Disruptor-Last"
	hdrEvents = "Disruptor-Events"
	hdrHoles  = "Disruptor-Holes"
	hdrMarker = "Disruptor-Marker"
	hdrSum    = "Disruptor-Sum"
)

// Marker is the ring marker a frame ends with.
type Marker uint8

// Markers a frame may end with.
const (
	MarkerNone Marker = iota
	MarkerFlush
	MarkerEOF
)

func (m Marker) String() string {
	switch m {
	case MarkerFlush:
		return "flush"
	case MarkerEOF:
		return "eof"
	}
	return ""
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Layout is an event type's identity as frames carry it.
func Layout[E any]() (string, error) {
	t := reflect.TypeFor[E]()
	if err := typecheck.Check(t); err != nil {
		return "", fmt.Errorf("bridge: event type %v cannot be bridged: %w", t, err)
	}
	name, size, _, hash := typecheck.Identity(t)
	return fmt.Sprintf("%s/%d/%016x", name, size, hash), nil
}

// hole is a range of hole sequences.
type hole struct{ lo, hi int64 }

// frame is one message's worth of ring sequences, as the bridge builds it
// or decodes it.
type frame struct {
	first, last int64
	events      int
	holes       []hole
	marker      Marker
	body        []byte // events*size bytes
	streamSeq   uint64 // the stream sequence (decoded, or acknowledged)
	sent        int64  // unix nanoseconds when first published (latency)
}

func (f *frame) reset(first int64) {
	f.first, f.last, f.events, f.holes, f.marker, f.body, f.streamSeq = first, first-1, 0, f.holes[:0], MarkerNone, f.body[:0], 0
}

// add appends the event at seq (holes fill any sequences skipped since the
// frame's last).
func (f *frame) add(seq int64, ev []byte) {
	f.skipTo(seq)
	f.body = append(f.body, ev...)
	f.events++
	f.last = seq
}

// skipTo records sequences f.last+1 .. seq-1 as holes.
func (f *frame) skipTo(seq int64) {
	if seq <= f.last+1 {
		return
	}
	if n := len(f.holes); n > 0 && f.holes[n-1].hi == f.last {
		f.holes[n-1].hi = seq - 1
	} else {
		f.holes = append(f.holes, hole{f.last + 1, seq - 1})
	}
	f.last = seq - 1
}

// end ends the frame with a marker at seq.
func (f *frame) end(seq int64, m Marker) {
	f.skipTo(seq)
	f.marker, f.last = m, seq
}

// trimTo drops the frame's sequences before from, first < from <= last:
// what the stream holds already.
func (f *frame) trimTo(from int64, size int) {
	n, k := 0, 0 // events before from; holes wholly before it
	for s := f.first; s < from; s++ {
		for k < len(f.holes) && f.holes[k].hi < s {
			k++
		}
		if k < len(f.holes) && f.holes[k].lo <= s {
			continue // a hole
		}
		n++
	}
	f.body = append(f.body[:0:0], f.body[n*size:]...)
	f.events -= n
	holes := f.holes[:0]
	for _, h := range f.holes {
		if h.hi >= from {
			holes = append(holes, hole{max(h.lo, from), h.hi})
		}
	}
	f.holes, f.first = holes, from
}

// msg is the frame as a message of subject.
func (f *frame) msg(subject, ring, layout string) *nats.Msg {
	m := nats.NewMsg(subject)
	m.Data = f.body
	h := m.Header
	h.Set(hdrRing, ring)
	h.Set(hdrLayout, layout)
	h.Set(hdrFirst, strconv.FormatInt(f.first, 10))
	h.Set(hdrLast, strconv.FormatInt(f.last, 10))
	h.Set(hdrEvents, strconv.Itoa(f.events))
	if len(f.holes) > 0 {
		var b strings.Builder
		for i, x := range f.holes {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%d-%d", x.lo, x.hi)
		}
		h.Set(hdrHoles, b.String())
	}
	if f.marker != MarkerNone {
		h.Set(hdrMarker, f.marker.String())
	}
	h.Set(hdrSum, strconv.FormatUint(uint64(crc32.Checksum(f.body, crcTable)), 16))
	h.Set(nats.MsgIdHdr, ring+":"+strconv.FormatInt(f.first, 10))
	return m
}

// decode reads a frame from a message's headers and body, checking it
// against the ring identity (if ring is not empty) and the event layout and
// size. The body is not copied.
func decode(h nats.Header, body []byte, seq uint64, ring, layout string, size int) (*frame, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: stream sequence %d: %s", ErrCorrupt, seq, fmt.Sprintf(format, args...))
	}
	if got := h.Get(hdrRing); got == "" {
		return nil, bad("no %s header: not a frame of a ring", hdrRing)
	} else if ring != "" && got != ring {
		return nil, fmt.Errorf("%w: stream sequence %d comes from ring %q, want %q", ErrForeignRing, seq, got, ring)
	}
	if got := h.Get(hdrLayout); got != layout {
		return nil, fmt.Errorf("%w: stream sequence %d holds events %q, the ring's are %q", ErrLayout, seq, got, layout)
	}
	f := &frame{streamSeq: seq, body: body}
	var err error
	num := func(key string) int64 {
		if err != nil {
			return 0
		}
		var v int64
		if v, err = strconv.ParseInt(h.Get(key), 10, 64); err != nil {
			err = bad("header %s=%q: %v", key, h.Get(key), err)
		}
		return v
	}
	f.first, f.last = num(hdrFirst), num(hdrLast)
	events := num(hdrEvents)
	if err != nil {
		return nil, err
	}
	if f.first < 0 || f.last < f.first-1 || events < 0 || events > f.last-f.first+1 {
		return nil, bad("sequences %d..%d cannot hold %d events", f.first, f.last, events)
	}
	f.events = int(events)
	if int64(len(body)) != events*int64(size) {
		return nil, bad("body of %d bytes for %d events of %d bytes", len(body), events, size)
	}
	sum, perr := strconv.ParseUint(h.Get(hdrSum), 16, 32)
	if perr != nil {
		return nil, bad("header %s=%q: %v", hdrSum, h.Get(hdrSum), perr)
	}
	if got := crc32.Checksum(body, crcTable); uint64(got) != sum {
		return nil, bad("checksum %08x, the header says %08x", got, sum)
	}
	switch m := h.Get(hdrMarker); m {
	case "":
	case "flush":
		f.marker = MarkerFlush
	case "eof":
		f.marker = MarkerEOF
	default:
		return nil, bad("marker %q", m)
	}
	covered := int64(f.events)
	if f.marker != MarkerNone {
		covered++
	}
	if hs := h.Get(hdrHoles); hs != "" {
		for _, r := range strings.Split(hs, ",") {
			a, b, ok := strings.Cut(r, "-")
			lo, err1 := strconv.ParseInt(a, 10, 64)
			hi, err2 := strconv.ParseInt(b, 10, 64)
			if !ok || err1 != nil || err2 != nil || lo < f.first || hi < lo || hi > f.last {
				return nil, bad("holes %q", hs)
			}
			f.holes = append(f.holes, hole{lo, hi})
			covered += hi - lo + 1
		}
	}
	if covered != f.last-f.first+1 {
		return nil, bad("%d events, %d holes and %d marker do not make sequences %d..%d", f.events, covered-int64(f.events)-int64(min(f.marker, 1)), min(f.marker, 1), f.first, f.last)
	}
	return f, nil
}

// bytesOf is the raw memory of an event.
func bytesOf[E any](ev *E) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(ev)), unsafe.Sizeof(*ev))
}
