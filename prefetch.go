package disruptor

import (
	"math"
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
// block but one) in a state for writing (engine.Prefetch): by the time the
// producer gets there its stores find them owned. Asking further ahead
// (256 or 512 bytes), every claim, or for both lines of the availability
// block was no faster; PREFETCHT0 (lines taken shared) was slower than no
// prefetch.
//
// Measured with `disruptor bench -scenario unicast,mpsc -runs 5` on 2
// processors, 3 runs each: unicast 8.5-8.7 -> 5.2-5.6 ns an event.
// Producers that work between events gain nothing and lose a little: with
// 10 to 100 multiply-adds an event, a single producer took 3-10% longer
// (medians of 7 runs; the consumer right behind it).
//
// On a multi-producer ring a producer prefetches only while it is the one
// open producer (regate looks, at each slow claim): there a lone producer
// took 18-21 ns an event instead of 30-31. With others open, the lines it
// asks for are the ones they are about to write, and each ask moves them
// once more between the processors: four producers doing 100 multiply-adds
// an event took 101-107 ns an event instead of 86-93 (though four in a
// tight loop, mpsc, took 31-34 instead of 45-47).

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

// prefetchOff is the plan's Every while the producer does not prefetch:
// only sequence 0 (of the sequences a ring reaches) passes the test.
const prefetchOff = math.MaxInt64
