//go:build amd64 && !race

package disruptor

import "sync/atomic"

// haveReleaseStore reports that storeRelease is cheaper than atomic Store.
const haveReleaseStore = true

// storeRelease stores v into *p with release ordering only: writes before it
// are visible to any reader that observes v, but a later load may pass it
// (store-load reordering). The engine pairs it with a process-wide barrier on
// the parking side (see fence.go). The compiler cannot move memory accesses
// across this assembly call.
//
//go:noescape
func storeRelease(p *atomic.Int64, v int64)
