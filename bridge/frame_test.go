package bridge

import (
	"testing"
)

// A frame trimmed to start later keeps exactly its later events, holes
// and marker, and still decodes.
func TestFrameTrim(t *testing.T) {
	layout, _ := Layout[tev]()
	f := &frame{}
	f.reset(10)
	for _, s := range []int64{10, 11, 14, 15, 18} { // holes 12-13, 16-17
		ev := tev{N: s, Sum: tsum(s)}
		f.add(s, bytesOf(&ev))
	}
	f.end(19, MarkerFlush)
	f.trimTo(13, 64)
	m := f.msg("s", "r", layout)
	g, err := decode(m.Header, m.Data, 1, "r", layout, 64)
	if err != nil {
		t.Fatal(err)
	}
	if g.first != 13 || g.last != 19 || g.events != 3 || g.marker != MarkerFlush || len(g.holes) != 2 ||
		g.holes[0] != (hole{13, 13}) || g.holes[1] != (hole{16, 17}) {
		t.Fatalf("trimmed frame: %+v", g)
	}
	for i, want := range []int64{14, 15, 18} {
		var ev tev
		copy(bytesOf(&ev), g.body[i*64:])
		if ev.N != want {
			t.Errorf("event %d is %d, want %d", i, ev.N, want)
		}
	}
}
