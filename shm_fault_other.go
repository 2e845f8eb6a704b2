//go:build !linux

package disruptor

// replaceMapping is not needed where shared rings are not supported.
func replaceMapping([]byte, func([]byte)) error { return errNoShared }
