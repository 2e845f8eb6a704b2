//go:build amd64 && !race

package engine

import (
	"sync/atomic"
	"unsafe"
)

// HaveReleaseStore reports that StoreRelease is cheaper than atomic Store.
const HaveReleaseStore = true

// StoreRelease stores v into *p with release ordering only: writes before it
// are visible to any reader that observes v, but a later load may pass it
// (store-load reordering). The engine pairs it with a process-wide barrier on
// the parking side (see ProcessBarrier).
//
// On amd64 (TSO) every store is a release store in the hardware; XCHG
// (atomic.Store) would also wait for the store buffer to drain. What keeps
// it a release store in the compiled code: the Go compiler never reorders
// stores among themselves (they are chained in program order), and the
// writes it publishes (the slots) are made before the call that publishes
// them. It is a plain store of an aligned word, so readers' atomic loads
// see it whole.
func StoreRelease(p *atomic.Int64, v int64) {
	*(*int64)(unsafe.Pointer(p)) = v
}
