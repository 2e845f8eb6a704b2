package engine

// HavePrefetch reports that PrefetchAt may ask the hardware for anything
// (on amd64: if the processor has PREFETCHW, see prefetchW).
const HavePrefetch = true

// PrefetchAt asks for the lines pl's producer will store to a little after
// its claim of s (PREFETCHW): a hint, without effect on what any load sees,
// that never faults, whatever the index (on a small ring it may ask for
// what the producer holds; once a lap, for what follows the slots' end).
// It is one call to assembly (prefetch_amd64.s).
//
//go:noescape
func PrefetchAt(pl *Prefetch, s int64)

// prefetchW is 1 if the processor has PREFETCHW (CPUID 0x80000001, ECX bit
// 8); PrefetchAt reads it.
var prefetchW = hasPrefetchW()

func hasPrefetchW() uint8 {
	if top, _ := cpuid(0x8000_0000); top < 0x8000_0001 {
		return 0
	}
	if _, ecx := cpuid(0x8000_0001); ecx&(1<<8) != 0 {
		return 1
	}
	return 0
}

func cpuid(leaf uint32) (eax, ecx uint32)
