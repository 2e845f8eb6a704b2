//go:build !amd64 && !arm64

package disruptor

// cpuPause has no hint to give on this architecture.
func cpuPause() {}
