package disruptor

import "unsafe"

// slot returns &ring[s&mask] with no bounds check, for the fast paths
// (Claim, Put, Next, Publish's availability word): the check is three
// instructions an event that cannot fail. It inlines.
//
// SAFETY: every caller passes a ring slice (slots, avail) and the ring's
// mask, len(ring)-1, fixed when the ring was made: a ring's size is a power
// of two, at least 1, so mask >= 0 and s&mask is in [0, len(ring)) for any
// s. The pointer stays inside the slice's backing array, so the garbage
// collector sees it as a pointer into that object.
func slot[E any](ring []E, mask, s int64) *E {
	return (*E)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(ring)), uintptr(s&mask)*unsafe.Sizeof(*new(E))))
}
