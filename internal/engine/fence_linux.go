package engine

import (
	"sync"

	"golang.org/x/sys/unix"
)

const (
	membarrierGlobalExpedited          = 1 << 1
	membarrierRegisterGlobalExpedited  = 1 << 2
	membarrierPrivateExpedited         = 1 << 3
	membarrierRegisterPrivateExpedited = 1 << 4
)

// RelaxedOK is decided once, when the first in-process ring is made (not at
// package initialisation: a program that imports the package and makes no
// ring makes no system call): publishers may use release stores when the
// platform has a cheaper release store and the kernel offers the
// process-wide barrier that parking needs with them.
var RelaxedOK = sync.OnceValue(func() bool { return HaveReleaseStore && registerBarrier() })

func registerBarrier() bool {
	_, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierRegisterPrivateExpedited, 0, 0)
	return e == 0
}

// RegisterGlobal registers this process as a target of global barriers:
// other processes sharing a ring with it can then order its release stores.
// Each process that shares rings registers (see the root package's sharedBarrierOK).
func RegisterGlobal() bool {
	_, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierRegisterGlobalExpedited, 0, 0)
	return e == 0
}

// GlobalBarrier is ProcessBarrier across processes: a full barrier on every
// running thread of every process registered with RegisterGlobal.
func GlobalBarrier() {
	unix.Syscall(unix.SYS_MEMBARRIER, membarrierGlobalExpedited, 0, 0)
}

// ProcessBarrier runs a full memory barrier on every thread of this process
// (membarrier(2), private expedited). A waiter calls it after announcing
// itself and before re-checking its condition: any publisher's release store
// made before the barrier is then visible to the re-check, and any publisher
// load of the waiter count after it sees the announcement.
func ProcessBarrier() {
	unix.Syscall(unix.SYS_MEMBARRIER, membarrierPrivateExpedited, 0, 0)
}

// OSYield gives the thread's CPU to another runnable thread (sched_yield(2)).
func OSYield() { unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
