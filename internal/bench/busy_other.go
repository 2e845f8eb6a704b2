//go:build !linux

package bench

import "syscall"

// busyAttr: without Pdeathsig, a busy process exits when its stdin ends,
// which it does when its parent dies.
func busyAttr() *syscall.SysProcAttr { return nil }
