#include "textflag.h"

// func CPUPause()
TEXT ·CPUPause(SB),NOSPLIT,$0-0
	PAUSE
	RET
