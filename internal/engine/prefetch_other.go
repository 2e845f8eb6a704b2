//go:build !amd64

package engine

// HavePrefetch reports that PrefetchAt may ask the hardware for anything.
const HavePrefetch = false

// PrefetchAt does nothing here (see prefetch_amd64.go).
func PrefetchAt(pl *Prefetch, s int64) {}
