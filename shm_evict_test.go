//go:build linux

package disruptor

// Stalled consumers and their eviction, across processes; Inspect of a
// file truncated under it.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// waitState polls Inspect until consumer name is in state want, and
// returns how long that took; it fails the test after limit.
func (x *xt) waitState(name, want string, limit time.Duration) time.Duration {
	x.Helper()
	t0 := time.Now()
	for {
		ci, ok := consumerInfo(x.inspect(), name)
		if ok && ci.State == want {
			return time.Since(t0)
		}
		if time.Since(t0) > limit {
			x.Fatalf("consumer %s: %+v after %v, want state %s", name, ci, time.Since(t0), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stopChild sends SIGSTOP to c and waits until the kernel shows it stopped.
func (x *xt) stopChild(c *xchild) {
	x.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		x.Fatal(err)
	}
	stat := fmt.Sprintf("/proc/%d/stat", c.pid())
	for t0 := time.Now(); ; time.Sleep(time.Millisecond) {
		b, err := os.ReadFile(stat)
		if err != nil {
			x.Fatal(err)
		}
		// pid (comm) state ...: the state follows the last ')'.
		if f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:])); len(f) > 0 && f[0] == "T" {
			return
		}
		if time.Since(t0) > 5*time.Second {
			x.Fatalf("child %s: not stopped 5s after SIGSTOP: %s", c.name, b)
		}
	}
}

// TestSharedProcStalled: a consumer process that waits idle, parking for
// as long as a shared ring lets it (BlockTimeout(1h)), is live however long
// it waits; stopped (SIGSTOP), it is reported stalled within twice
// StallAfter, and live again after SIGCONT; killed, it is dead, never
// stalled.
func TestSharedProcStalled(t *testing.T) {
	x := newXT(t, 40*time.Second)
	r := x.create(64)
	stop := x.child("stop", helperSpec{Role: "consumer", Block1h: true, Progress: true})
	kill := x.child("kill", helperSpec{Role: "consumer", Block1h: true, Progress: true})
	stop.next("ready")
	kill.next("ready")
	p, err := r.NewProducer("p")
	if err != nil {
		x.Fatal(err)
	}
	if err := xproduce(x.ctx, p, 0, 0, 10, xprodOpts{}); err != nil {
		x.Fatal(err)
	}
	stop.count("got", 10)
	kill.count("got", 10)

	// Idle and healthy: live for longer than StallAfter.
	for end := time.Now().Add(StallAfter + engine.WatchPark/2); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		in := x.inspect()
		for _, name := range []string{"stop", "kill"} {
			if ci, _ := consumerInfo(in, name); ci.State != StateLive {
				x.Fatalf("idle consumer %s: %+v, want live (last beat %v ago)", name, ci, time.Since(ci.Beat))
			}
		}
	}

	defer stop.cmd.Process.Signal(syscall.SIGCONT)
	x.stopChild(stop)
	kill.kill()
	d := x.waitState("stop", StateStalled, 2*StallAfter)
	t.Logf("stopped consumer reported stalled after %v (StallAfter %v)", d, StallAfter)
	if ci, _ := consumerInfo(x.inspect(), "kill"); ci.State != StateDead {
		x.Errorf("killed consumer: %+v, want dead", ci)
	}

	if err := stop.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		x.Fatal(err)
	}
	d = x.waitState("stop", StateLive, engine.WatchPark+time.Second)
	t.Logf("live again %v after SIGCONT", d)
	if err := xproduce(x.ctx, p, 0, 10, 20, xprodOpts{}); err != nil {
		x.Fatal(err)
	}
	stop.count("got", 20) // and it goes on reading
	if ci, _ := consumerInfo(x.inspect(), "kill"); ci.State != StateDead {
		x.Errorf("killed consumer: %+v, want dead", ci)
	}
}

// TestSharedProcEvictConsumer frees consumers that hold a producer back:
// a detached one, and one whose process is stopped (forced), which learns
// on SIGCONT that it was left behind (ErrUntethered) instead of reading
// overwritten slots. A live consumer is refused unless forced.
func TestSharedProcEvictConsumer(t *testing.T) {
	const size = 16
	t.Run("detached", func(t *testing.T) {
		x := newXT(t, 20*time.Second)
		r := x.create(size)
		d := x.child("d", helperSpec{Role: "consumer", Stall: 5})
		live := x.child("live", helperSpec{Role: "consumer"})
		d.next("ready")
		live.next("ready")
		p, err := r.NewProducer("p")
		if err != nil {
			x.Fatal(err)
		}
		const n = 200
		done := x.goDo("producer", func() error {
			if err := xproduce(x.ctx, p, 0, 0, n, xprodOpts{}); err != nil {
				return err
			}
			return p.Close()
		})
		d.next("stalled") // it read 5 events and stopped reading
		d.send("detach")
		det := d.next("detached")
		d.waitExit()
		x.waitCursor(r, det.Seq+size) // the ring is full: d gates it
		if _, err := EvictConsumer(x.path, "live", false); !errors.Is(err, ErrConsumerLive) {
			x.Errorf("evicting a live consumer: %v, want ErrConsumerLive", err)
		}
		if _, err := EvictConsumer(x.path, "nobody", true); !errors.Is(err, ErrUnknownConsumer) {
			x.Errorf("evicting an unknown consumer: %v, want ErrUnknownConsumer", err)
		}
		if c := r.Cursor(); c > det.Seq+size {
			x.Fatalf("cursor %d passed the detached consumer at %d", c, det.Seq)
		}
		st, err := EvictConsumer(x.path, "d", false)
		if err != nil || st != StateDetached {
			x.Fatalf("EvictConsumer: %q, %v; want detached, nil", st, err)
		}
		if err := x.recv("producer", done); err != nil {
			x.Fatal(err)
		}
		x.checkAll("live", live.next("done").Check, 0, n-1)
		if ci, found := consumerInfo(x.inspect(), "d"); found {
			x.Errorf("the evicted consumer is still registered: %+v", ci)
		}
	})
	t.Run("stopped", func(t *testing.T) {
		x := newXT(t, 20*time.Second)
		r := x.create(size)
		s := x.child("s", helperSpec{Role: "consumer", Progress: true})
		s.next("ready")
		p, err := r.NewProducer("p")
		if err != nil {
			x.Fatal(err)
		}
		if err := xproduce(x.ctx, p, 0, 0, 5, xprodOpts{}); err != nil {
			x.Fatal(err)
		}
		s.count("got", 5)
		time.Sleep(50 * time.Millisecond) // it waits for more
		defer s.cmd.Process.Signal(syscall.SIGCONT)
		x.stopChild(s)
		const n = 200
		done := x.goDo("producer", func() error { return xproduce(x.ctx, p, 0, 5, n, xprodOpts{}) })
		x.waitCursor(r, 4+size) // full: the stopped consumer gates it
		st, err := EvictConsumer(x.path, "s", true)
		if err != nil || (st != StateLive && st != StateStalled) {
			x.Fatalf("EvictConsumer(force): %q, %v; want live or stalled, nil", st, err)
		}
		if err := x.recv("producer", done); err != nil {
			x.Fatal(err)
		}
		if ci, _ := consumerInfo(x.inspect(), "s"); ci.State != StateEvicted {
			x.Errorf("the stopped consumer after eviction: %+v, want evicted", ci)
		}
		if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			x.Fatal(err)
		}
		m := s.next("error")
		if !m.Untethered || m.Check.Count != 5 || m.Check.Err != "" {
			x.Fatalf("after SIGCONT the evicted consumer said %q having read %d events (%s); want ErrUntethered after 5",
				m.Err, m.Check.Count, m.Check.Err)
		}
		s.waitExit()
		// Its process gone, nothing is left of it; its name is free.
		if _, err := EvictConsumer(x.path, "s", false); err != nil {
			x.Errorf("freeing the record the evicted consumer left: %v", err)
		}
		if _, found := consumerInfo(x.inspect(), "s"); found {
			x.Errorf("the evicted consumer is still in the table: %s", x.describe())
		}
		again, err := r.NewConsumer("s")
		if err != nil {
			x.Fatal(err)
		}
		again.Close()
	})
}

// TestInspectTruncated: a ring file truncated after Inspect mapped it gives
// ErrTruncated, not a crash (SIGBUS).
func TestInspectTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create[int64](path, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close() // after the truncation, r must not touch its mapping
	sh, err := openFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.close()
	if _, err := guarded(sh, sh.info); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	in, err := guarded(sh, sh.info)
	if !errors.Is(err, ErrTruncated) || in != nil {
		t.Fatalf("Inspect of a truncated file: %v, %v; want ErrTruncated", in, err)
	}
}
