package disruptor

import (
	"math"
	"math/bits"

	"golang.org/x/sys/unix"
)

// Platform code for refusing what no ring can have: more memory than the
// machine has, or a path that is not a regular file.

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

// openNoBlock keeps an open of something that is not a regular file (a
// FIFO, a device) from waiting; it changes nothing for regular files.
const openNoBlock = unix.O_NONBLOCK

// errSymlink is what opening a symbolic link with openNoFollow gives.
var errSymlink error = unix.ELOOP
