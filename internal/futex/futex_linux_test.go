package futex

import (
	"errors"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// wakeUntil calls Wake(addr, n) until it has woken want waiters in total,
// which proves they were asleep in the kernel on addr; a waiter not yet
// asleep is simply not counted, and the next round finds it.
func wakeUntil(t *testing.T, addr *atomic.Uint32, n, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	total := 0
	for total < want {
		got, err := Wake(addr, n)
		if err != nil {
			t.Fatal(err)
		}
		total += got
		if time.Now().After(deadline) {
			t.Fatalf("woke %d waiters in 10s, want %d", total, want)
		}
		time.Sleep(time.Millisecond)
	}
	if total != want {
		t.Fatalf("woke %d waiters, want %d", total, want)
	}
}

// TestWakeCounts wakes waiters whose word never changes, so only Wake can
// release them, and checks the counts Wake reports.
func TestWakeCounts(t *testing.T) {
	var w atomic.Uint32
	done := make(chan error, 3)
	for range 3 {
		go func() { done <- Wait(&w, 0, 20*time.Second) }()
	}
	wakeUntil(t, &w, 1, 1)
	if err := <-done; err != nil {
		t.Fatalf("woken waiter returned %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("a second waiter returned (%v) after waking one", err)
	case <-time.After(50 * time.Millisecond):
	}
	wakeUntil(t, &w, -1, 2)
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("woken waiter returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("waiter not released after Wake(-1)")
		}
	}
}

// TestWaitRetriesEINTR interrupts a timed wait with signals aimed at its
// thread. Each interruption must be retried with the remaining time: the
// wait ends by timing out, neither early nor late.
func TestWaitRetriesEINTR(t *testing.T) {
	var w atomic.Uint32
	type result struct {
		eintr   int
		err     error
		elapsed time.Duration
	}
	tids := make(chan int)
	res := make(chan result)
	const d = 300 * time.Millisecond
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- unix.Gettid()
		start := time.Now()
		n, err := wait(&w, 0, d)
		res <- result{n, err, time.Since(start)}
	}()
	tid := <-tids
	for {
		// SIGURG is the runtime's preemption signal; stray ones are ignored.
		if err := unix.Tgkill(os.Getpid(), tid, unix.SIGURG); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-res:
			if !errors.Is(r.err, ErrTimeout) || r.elapsed < d || r.elapsed > d+5*time.Second {
				t.Fatalf("interrupted wait returned %v after %v, want ErrTimeout after %v", r.err, r.elapsed, d)
			}
			if r.eintr == 0 {
				t.Fatal("no EINTR seen: the test did not exercise the retry")
			}
			t.Logf("retried %d interruptions", r.eintr)
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func TestWaitBadAddress(t *testing.T) {
	mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	// The page may not be read: the kernel answers EFAULT, not a crash.
	if err := Wait(wordAt(mem, 0), 0, time.Second); !errors.Is(err, unix.EFAULT) {
		t.Fatalf("Wait on an unreadable page = %v, want EFAULT", err)
	}
}
