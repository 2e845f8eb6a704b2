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
// store before it has its line. So, once a block of slots (engine.LineSize
// bytes, a pair of lines) is published, the producer asks, with a hint
// that never faults nor changes what any load sees, for the lines of the
// block after next (and, on a multi-producer ring, of the availability
// words) in a state for writing (engine.Prefetch): by the time it gets
// there its stores find them owned. Asking further ahead (256 or 512
// bytes), every claim, or for both lines of the availability block was no
// faster; PREFETCHT0 (lines taken shared) was slower than no prefetch.
//
// Measured with `disruptor bench -scenario unicast -work W` (2 processors,
// medians of 5 runs of -runs 3), ns an event without -> with the prefetch:
// W 0 (a tight loop) 9.3 -> 5.5, W 5 14.5 -> 11.4, W 15 16.0 -> 15.2,
// W 30 19.6 -> 23.2, W 50 30.0 -> 31.6, W 100 83.9 -> 83.1. Around W 30
// the producer loses; that loss comes with calling published every block
// (with the asks left out, 22.1 against 19.8 with published every 256
// events, as without the prefetch), not with the asks themselves; why is
// not known yet.
//
// On a multi-producer ring a producer prefetches only while it is the one
// open producer (regate looks, at each slow claim): a lone producer took
// 18-21 ns an event instead of 30-31. With others open, the lines it asks
// for are the ones they are about to write, and each ask moves them once
// more between the processors: mpsc (4 producers) at W 100 took 96.4 ns an
// event with every producer prefetching, 85.8 with none (though 30.6
// against 43.4 at W 0).

// planPrefetch is the producer's plan over the ring's slots (and
// availability words).
func (p *Producer[E]) planPrefetch() engine.Prefetch {
	var words unsafe.Pointer
	if !p.single {
		words = unsafe.Pointer(unsafe.SliceData(p.avail))
	}
	return engine.NewPrefetch(unsafe.Pointer(unsafe.SliceData(p.slots)), words, p.mask, p.evSize)
}

// prefetch, after a fast publication up to hi, asks for the lines ahead
// once a block's worth (the plan's Block) of publications went by since
// the last time: in single mode, of sequences; in multi mode, of this
// producer's own (ones). Publish's and Put's fast paths come here only
// when their test against quietTo says so (see quiet), so a claim costs
// nothing more. (Testing each claim for a block's start instead made the
// claim's fast path spill: 3 more instructions an event, and slower in a
// tight loop, 6.3-6.5 against 5.5 ns an event.)
func (p *Producer[E]) prefetch(hi int64) {
	at := hi
	if !p.single {
		at = p.ones
	}
	if at < p.pfAt {
		return
	}
	engine.PrefetchAt(&p.pf, hi+1)
	p.pfAt = at + p.pf.Block
	p.quiet()
}

// quiet sets quietTo, the fast paths' bound on publishing without calling
// published: the tallies' flush, and the next prefetch while the producer
// prefetches; claimShut (every publication) where the fast path's store is
// no barrier.
func (p *Producer[E]) quiet() {
	p.quietTo = p.flushAt
	if p.pfOn {
		p.quietTo = min(p.quietTo, p.pfAt)
	}
	if engine.HaveReleaseStore && !p.relaxed {
		p.quietTo = claimShut
	}
}
