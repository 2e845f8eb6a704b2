//go:build !race

#include "textflag.h"

// func storeRelease(p *atomic.Int64, v int64)
// A plain MOV: on amd64 (TSO) every store is a release store, and it does
// not wait for the store buffer to drain as XCHG (atomic.Store) does.
TEXT ·storeRelease(SB),NOSPLIT,$0-16
	MOVQ p+0(FP), AX
	MOVQ v+8(FP), BX
	MOVQ BX, (AX)
	RET
