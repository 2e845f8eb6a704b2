//go:build !amd64 || race

package disruptor

import "sync/atomic"

// haveReleaseStore is false where atomic Store is already a release store
// (arm64's STLR) or where the race detector must see every synchronisation.
const haveReleaseStore = false

func storeRelease(p *atomic.Int64, v int64) { p.Store(v) }
