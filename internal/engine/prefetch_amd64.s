#include "go_asm.h"
#include "textflag.h"

// func PrefetchAt(pl *Prefetch, s int64)
//
// PREFETCHW is spelled in bytes (0F 0D /1): the Go assembler does not know
// it. It never faults, whatever the address. Where the processor lacks it
// (prefetchW is 0), PrefetchAt does nothing: PREFETCHT0 instead, which takes the
// lines shared, measured slower than no prefetch at all.
TEXT ·PrefetchAt(SB),NOSPLIT,$0-16
	CMPB ·prefetchW(SB), $0
	JEQ  done
	MOVQ pl+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ Prefetch_Mask(DI), DX
	// the slots' block: Slots + ((s+Ahead)&Mask)*Size
	MOVQ SI, BX
	ADDQ Prefetch_Ahead(DI), BX
	ANDQ DX, BX
	IMULQ Prefetch_Size(DI), BX
	ADDQ Prefetch_Slots(DI), BX
	// the word: Words + ((s+WordsAhead)&Mask)*8, or the slots' block
	MOVQ BX, AX
	MOVQ Prefetch_Words(DI), CX
	TESTQ CX, CX
	JEQ  word
	ADDQ $const_wordsAhead, SI
	ANDQ DX, SI
	LEAQ (CX)(SI*8), AX
word:
	BYTE $0x0F; BYTE $0x0D; BYTE $0x08 // PREFETCHW (AX)
	MOVQ Prefetch_Bytes(DI), CX
more:
	BYTE $0x0F; BYTE $0x0D; BYTE $0x0B // PREFETCHW (BX)
	ADDQ $64, BX
	SUBQ $64, CX
	JGT  more
done:
	RET

// func cpuid(leaf uint32) (eax, ecx uint32)
TEXT ·cpuid(SB),NOSPLIT,$0-16
	MOVL leaf+0(FP), AX
	XORL CX, CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL CX, ecx+12(FP)
	RET
