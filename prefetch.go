package disruptor

import (
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// Prefetching. A producer's stores go to lines the consumers read last: the
// slots a lap ago, the availability words and the slots just now. Each such
// store must first take its line back from a consumer's core. A single
// producer's plain stores wait for that in the store buffer, which fills;
// a multi-producer claim is a CAS, a full barrier that stalls until every
// store before it has its line. So a claim of one that starts a block of
// slots (engine.LineSize bytes, a pair of lines; on a multi-producer ring,
// also a block of availability words) asks, with a hint that never faults
// nor changes what any load sees, for the lines 128 bytes on (the next
// block but one) in a state for writing (engine.Prefetch): by the time the producer gets there its stores find
// them owned. Measured with `disruptor bench -scenario mpsc,unicast -runs 5`
// on 2 processors, 3 runs each: unicast 8.5-8.7 -> 5.2-5.6 ns an event,
// mpsc (4 producers) 40.6-48.4 -> 27.6-31.9; a lone producer on a
// multi-producer ring 27-31 -> 18-20. Asking further ahead (256 or 512
// bytes), every claim, or for both lines of the availability block was no
// faster; PREFETCHT0 (lines taken shared) was slower than no prefetch.

// planPrefetch is the producer's plan over the ring's slots (and
// availability words).
func (p *Producer[E]) planPrefetch() engine.Prefetch {
	var words unsafe.Pointer
	if !p.single {
		words = unsafe.Pointer(unsafe.SliceData(p.avail))
	}
	return engine.NewPrefetch(unsafe.Pointer(unsafe.SliceData(p.slots)), words, p.mask, p.evSize)
}

// prefetch is called at each claim of one, of s, on the fast paths: at the
// start of a block it asks for the lines ahead. It inlines.
func (p *Producer[E]) prefetch(s int64) {
	if engine.HavePrefetch && s&p.pf.Every == 0 {
		engine.PrefetchAt(&p.pf, s)
	}
}
