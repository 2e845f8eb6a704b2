package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProduceConsumeTruncated truncates the ring file under a running
// produce and consume: each exits 1 with a message naming the truncation,
// within seconds, rather than dying of SIGBUS.
func TestProduceConsumeTruncated(t *testing.T) {
	for _, size := range []string{"zero", "half"} {
		t.Run(size, func(t *testing.T) {
			ring := filepath.Join(t.TempDir(), "ring")
			p := start(t, "produce", ring, "-size", "256", "-rate", "20000", "-every", "20ms")
			c := start(t, "consume", ring, "-every", "20ms")
			c.waitFor(t, "100 events read", func(l string) bool { return progressEvents(l) >= 100 })
			fi, err := os.Stat(ring)
			if err != nil {
				t.Fatal(err)
			}
			to := int64(0)
			if size == "half" {
				to = fi.Size() / 2
			}
			if err := os.Truncate(ring, to); err != nil {
				t.Fatal(err)
			}
			for _, pr := range []*proc{p, c} {
				timer := time.AfterFunc(10*time.Second, func() { pr.cmd.Process.Kill() })
				<-pr.done
				pr.cmd.Wait()
				timer.Stop()
				st := pr.cmd.ProcessState
				if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					t.Fatalf("%v: killed by %v after the truncation\nstderr:\n%s", pr.cmd.Args[1:], ws.Signal(), pr.stderr())
				}
				if st.ExitCode() != 1 || !strings.Contains(pr.stderr(), "ring file truncated or replaced") {
					t.Errorf("%v: exit %d after the truncation, want 1 and ErrTruncated\nstderr:\n%s", pr.cmd.Args[1:], st.ExitCode(), pr.stderr())
				}
			}
		})
	}
}
