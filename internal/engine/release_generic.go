//go:build !amd64 || race

package engine

import "sync/atomic"

// HaveReleaseStore is false where atomic Store is already a release store
// (arm64's STLR) or where the race detector must see every synchronisation.
const HaveReleaseStore = false

// StoreRelease is atomic Store here (see HaveReleaseStore).
func StoreRelease(p *atomic.Int64, v int64) { p.Store(v) }
