//go:build !linux

package disruptor

// physicalMemory is the machine's RAM in bytes; this platform does not
// say, so rings are capped at fallbackMemory.
func physicalMemory() uint64 { return fallbackMemory }
