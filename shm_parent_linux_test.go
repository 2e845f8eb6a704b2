package disruptor

import "syscall"

// childAttr makes a child test process die with its parent.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
