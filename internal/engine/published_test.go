package engine

import (
	"testing"
)

// TestPublishedMultiScansWordsAlone: on a multi-producer ring, Published
// follows the availability words alone: claims the cursor shows ahead of
// them do not count, publications it does not show yet do, and a whole
// lap published ends the scan one lap on.
func TestPublishedMultiScansWordsAlone(t *testing.T) {
	const size = 8
	e := &Engine{Size: size, Mask: size - 1, Multi: true, Ctl: new(Control),
		Avail: make([]AvailWord, size), Marks: make([]MarkWord, size)}
	e.InitWords(0)
	publish := func(s int64) { e.Avail[s&e.Mask].Store(s) }
	if got := e.Published(0); got != -1 {
		t.Fatalf("nothing published: Published(0) = %d, want -1", got)
	}
	e.Ctl.Cursor.Store(5) // 0..5 claimed
	for _, s := range []int64{0, 1, 2, 4} {
		publish(s)
	}
	if got := e.Published(0); got != 2 {
		t.Fatalf("0..2 and 4 published: Published(0) = %d, want 2", got)
	}
	if got := e.Published(4); got != 4 {
		t.Fatalf("Published(4) = %d, want 4", got)
	}
	publish(3)
	if got := e.Published(0); got != 4 {
		t.Fatalf("0..4 published, 5 claimed: Published(0) = %d, want 4", got)
	}
	publish(5)
	publish(6) // the cursor's store of the claim of 6 is not seen yet
	if got := e.Published(3); got != 6 {
		t.Fatalf("0..6 published: Published(3) = %d, want 6", got)
	}
	publish(7)
	publish(8) // a lap: the word of 0 now holds 8
	if got := e.Published(1); got != 8 {
		t.Fatalf("1..8 published: Published(1) = %d, want 8 (one lap)", got)
	}
	if got := e.Published(0); got != -1 {
		t.Fatalf("0's word holds 8: Published(0) = %d, want -1", got)
	}
}
