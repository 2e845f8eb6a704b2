//go:build !amd64 && !arm64

package engine

// CPUPause has no hint to give on this architecture.
func CPUPause() {}
