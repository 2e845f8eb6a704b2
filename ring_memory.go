package disruptor

import (
	"fmt"
	"math"
	"math/bits"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// Memory limits of a ring: New and Create refuse, with ErrInvalidSize, a
// ring whose memory the machine cannot give or a process cannot address,
// rather than die allocating it.

const (
	// fallbackMemory caps a ring's memory where the platform does not say
	// how much RAM the machine has.
	fallbackMemory = 1 << 46

	// maxAddressable is the most memory one ring may take on any machine:
	// what a 64-bit process can address (and a Go slice hold), or a 32-bit
	// int can count.
	maxAddressable = min(math.MaxInt, 1<<47)
)

// maxPow2 is the largest power of two an int holds.
const maxPow2 = 1 << (bits.UintSize - 2)

// checkSize refuses a ring size that is not a power of two of at least 2.
// Above maxPow2, where sizeError's search for the neighbouring powers of
// two would overflow, it says so itself.
func checkSize(size int) error {
	switch {
	case size > maxPow2:
		return fmt.Errorf("%w: %d is not a power of two; the largest is %d", ErrInvalidSize, size, maxPow2)
	case size < 2 || size&(size-1) != 0:
		return sizeError(size)
	}
	return nil
}

// checkMemory refuses a ring of size slots whose per-slot arrays (slots,
// availability words in multi-producer mode, publication times) and
// consumer table take more than the machine's physical memory or
// maxAddressable. The arithmetic is overflow-checked: any size gives an
// error or a ring, never a crash.
func checkMemory[E any](size int, cfg *config) error {
	perSlot := uint64(unsafe.Sizeof(*new(E))) + uint64(unsafe.Sizeof(engine.MarkWord{}))
	if cfg.multi {
		perSlot += uint64(unsafe.Sizeof(engine.AvailWord{}))
	}
	if cfg.stamps {
		perSlot += 8
	}
	recs := uint64(max(cfg.maxConsumers, 0))
	hi1, slots := bits.Mul64(uint64(size), perSlot)
	hi2, table := bits.Mul64(recs, uint64(unsafe.Sizeof(engine.ConsumerRecord{})))
	total, carry := bits.Add64(slots, table, 0)
	if hi1|hi2|carry != 0 {
		return fmt.Errorf("%w: %d slots of %d bytes and %d consumer records would take more than 2^64 bytes",
			ErrInvalidSize, size, perSlot, recs)
	}
	if limit := min(physicalMemory(), uint64(maxAddressable)); total > limit {
		return fmt.Errorf("%w: %d slots of %d bytes and %d consumer records would take %d bytes, more than the %d bytes a ring can have on this machine",
			ErrInvalidSize, size, perSlot, recs, total, limit)
	}
	return nil
}
