package disruptor

import "errors"

// Batch: the slots of a claim of several (ClaimN), as at most two slices.

// Batch is a run of claimed slots from ClaimN: at most two segments of the
// ring's slots, the second when the run wraps around the ring's end.
//
// It is three words (its producer, first sequence and length), small enough
// for the compiler to keep in registers: ClaimN's fast path returns it
// without a copy through memory. The segments are computed when asked for.
type Batch[E any] struct {
	p  *Producer[E]
	lo int64
	n  int
}

// segments are the n slots of ring from sequence lo as at most two slices,
// in sequence order: the second is empty unless the run wraps around the
// ring's end. mask is len(ring)-1, n at most len(ring).
func segments[E any](ring []E, mask, lo int64, n int) (a, b []E) {
	i := int(lo & mask)
	end := i + n
	if end > len(ring) { // the run wraps: its second segment is the ring's start
		w := end - len(ring)
		b, end = ring[:w:w], len(ring)
	}
	return ring[i:end:end], b
}

// Len is the number of slots in the batch.
func (b Batch[E]) Len() int { return b.n }

// Seq returns the sequence of the batch's i-th slot.
func (b Batch[E]) Seq(i int) int64 { return b.lo + int64(i) }

// At returns the event of the batch's i-th slot, 0 <= i < Len(); it panics
// for any other i.
func (b Batch[E]) At(i int) *E {
	if uint(i) >= uint(b.n) {
		panic(errBatchIndex)
	}
	return slot(b.p.slots, b.p.mask, b.lo+int64(i))
}

// errBatchIndex is At's panic value for an index outside the batch.
var errBatchIndex = errors.New("disruptor: Batch.At: index out of range")

// Slices returns the batch's slots as at most two slices, in sequence
// order: the second is empty unless the run wraps around the ring's end.
// Fill them in place, then Publish.
func (b Batch[E]) Slices() (first, second []E) {
	if b.n == 0 {
		return nil, nil
	}
	return segments(b.p.slots, b.p.mask, b.lo, b.n)
}
