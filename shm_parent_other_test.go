//go:build !linux

package disruptor

import "syscall"

// childAttr: elsewhere children are not tied to their parent (shared rings,
// which the child tests exercise, are Linux-only anyway).
func childAttr() *syscall.SysProcAttr { return nil }
