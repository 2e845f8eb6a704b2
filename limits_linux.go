package disruptor

import (
	"math"
	"math/bits"

	"golang.org/x/sys/unix"
)

// Platform code for refusing what no ring can have: more memory than the
// machine has.

// physicalMemory is the machine's RAM in bytes (sysinfo(2)), or
// fallbackMemory if the kernel does not say.
func physicalMemory() uint64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return fallbackMemory
	}
	hi, lo := bits.Mul64(uint64(si.Totalram), uint64(max(si.Unit, 1)))
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}
