//go:build !linux

package disruptor

import "errors"

// physicalMemory is the machine's RAM in bytes; this platform does not
// say, so rings are capped at fallbackMemory.
func physicalMemory() uint64 { return fallbackMemory }

const openNoBlock = 0

var errSymlink = errors.New("symbolic link")
