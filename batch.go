package disruptor

// Batch: the slots of a claim of several (ClaimN), as at most two slices.

// Batch is a run of claimed slots from ClaimN: at most two segments of the
// ring's slots, the second when the run wraps around the ring's end.
type Batch[E any] struct {
	a, b []E
	lo   int64
}

// newBatch is the batch of the n slots from sequence lo.
func newBatch[E any](slots []E, mask, lo int64, n int) Batch[E] {
	i := int(lo & mask)
	if end := i + n; end <= len(slots) {
		return Batch[E]{a: slots[i:end:end], lo: lo}
	}
	return Batch[E]{a: slots[i:], b: slots[: i+n-len(slots) : i+n-len(slots)], lo: lo}
}

// Len is the number of slots in the batch.
func (b Batch[E]) Len() int { return len(b.a) + len(b.b) }

// At returns the event of the batch's i-th slot, 0 <= i < Len().
func (b Batch[E]) At(i int) *E {
	if i < len(b.a) {
		return &b.a[i]
	}
	return &b.b[i-len(b.a)]
}

// Slices returns the batch's slots as at most two slices, in sequence
// order: the second is empty unless the run wraps around the ring's end.
// Fill them in place, then Publish.
func (b Batch[E]) Slices() (first, second []E) { return b.a, b.b }
