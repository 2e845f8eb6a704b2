//go:build !linux

package disruptor

import "os"

// Shared rings need Linux: futexes, OFD locks and fallocate.
const sharedSupported = false

func mapFile(*os.File, int) ([]byte, error) { return nil, errNoShared }
func unmapFile([]byte) error                { return errNoShared }
func reserve(*os.File, int64) error         { return errNoShared }
func tryLock(*os.File, int64) (bool, error) { return false, errNoShared }
func waitLock(*os.File, int64) error        { return errNoShared }
func unlock(*os.File, int64) error          { return errNoShared }
func lockedByOther(*os.File, int64) bool    { return false }
func fileOwner(os.FileInfo) (uint32, bool)  { return 0, false }

const openNoFollow = 0
