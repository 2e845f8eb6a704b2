package futex

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Environment of the helper process.
const (
	envRole = "FUTEX_HELPER_ROLE"
	envFile = "FUTEX_HELPER_FILE"
)

// Words of the shared page used by the cross-process test.
const (
	offChildWaits  = 0  // the child waits here, the parent wakes it
	offParentWaits = 64 // the parent waits here, the child wakes it
	offChildReady  = 128
)

// wordAt returns the 32-bit word at off in mem.
func wordAt(mem []byte, off int) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&mem[off]))
}

// mapShared maps the first page of path, shared with every process mapping it.
func mapShared(t testing.TB, path string) []byte {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err := unix.Mmap(int(f.Fd()), 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	return mem
}

// TestCrossProcess runs a waiter and a waker in two processes sharing one
// file mapping. Neither word ever changes, so each Wait can only end by a
// Wake from the other process, and each Wake reports that it found the
// other process's waiter: the shared (non-private) futex works both ways.
func TestCrossProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "futex")
	if err := os.WriteFile(path, make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	mem := mapShared(t, path)

	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envRole+"=waiter", envFile+"="+path)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if t.Failed() {
			cmd.Process.Kill()
			<-exited
			t.Logf("helper output:\n%s", out.String())
		}
	}()

	deadline := time.Now().Add(10 * time.Second)
	for wordAt(mem, offChildReady).Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("helper did not map the file within 10s")
		}
		time.Sleep(time.Millisecond)
	}
	// Parent wakes child.
	wakeUntil(t, wordAt(mem, offChildWaits), 1, 1)
	// Child wakes parent.
	if err := Wait(wordAt(mem, offParentWaits), 0, 10*time.Second); err != nil {
		t.Fatalf("parent's wait ended with %v, want a wake from the child", err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("helper failed: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("helper did not exit")
	}
	for _, want := range []string{"child woken: <nil>", "child woke parent"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("helper output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestHelperProcess is the child of TestCrossProcess; it does nothing in a
// normal run.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(envRole) != "waiter" {
		t.Skip("helper for TestCrossProcess")
	}
	mem := mapShared(t, os.Getenv(envFile))
	wordAt(mem, offChildReady).Store(1)
	err := Wait(wordAt(mem, offChildWaits), 0, 10*time.Second)
	fmt.Printf("child woken: %v\n", err)
	if err != nil {
		t.Fatal(errors.Join(errors.New("child was not woken"), err))
	}
	wakeUntil(t, wordAt(mem, offParentWaits), 1, 1)
	fmt.Println("child woke parent")
}
