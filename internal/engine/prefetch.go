package engine

import "unsafe"

// Prefetch is a producer's plan for asking, ahead of its stores, for the
// lines they will go to (see the root's prefetch.go for why): once every
// Block publications, PrefetchAt(s), s the next sequence, asks for Bytes of
// slots from sequence s+Ahead and, on a multi-producer ring, for the
// availability word wordsAhead sequences on, in a state for writing.
type Prefetch struct {
	Slots unsafe.Pointer // the ring's first slot
	Words unsafe.Pointer // multi-producer rings: the first availability word; nil otherwise
	Mask  int64
	Size  int64 // bytes a slot
	Ahead int64 // slots on
	Bytes int64 // bytes of slots asked for, from the slot Ahead on
	Block int64 // publications a block of slots holds: how often to ask
}

const (
	prefetchAhead = 128 // bytes on: a block (LineSize) of slots or of availability words
	prefetchMax   = 512 // bytes of slots asked for at most
	wordsAhead    = prefetchAhead / 8
)

// NewPrefetch plans prefetches over slots of size bytes each (mask+1 of
// them) and, if words is not nil, the availability words: for a block
// (LineSize bytes) at a time, the one prefetchAhead bytes on.
func NewPrefetch(slots, words unsafe.Pointer, mask, size int64) Prefetch {
	sz := max(size, 1)
	per := int64(1) // slots a block holds, rounded down to a power of two
	for per*2*sz <= LineSize {
		per *= 2
	}
	if words != nil {
		per = min(per, LineSize/8)
	}
	return Prefetch{Slots: slots, Words: words, Mask: mask, Size: size,
		Ahead: max(prefetchAhead/sz, 1), Bytes: min(per*sz, prefetchMax), Block: per}
}
