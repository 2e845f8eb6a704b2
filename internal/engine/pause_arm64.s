#include "textflag.h"

// func CPUPause()
TEXT ·CPUPause(SB),NOSPLIT,$0-0
	YIELD
	RET
