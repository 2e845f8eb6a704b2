//go:build amd64 || arm64

package engine

// CPUPause is the CPU's spin-wait hint (PAUSE on amd64, YIELD on arm64):
// it saves power and frees the sibling hyperthread while spinning.
func CPUPause()
