package bench

import "syscall"

// busyAttr has the kernel kill a busy process when its parent dies, however
// it dies.
func busyAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
