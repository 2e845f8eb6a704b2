//go:build linux

package disruptor

// The chaos driver's self-test (shm_chaos_test.go).

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// envChaosFail names a chaos consumer that fails on purpose once it has
// released chaosFailAt (see TestChaosDriverNamesFailedChild).
const (
	envChaosFail = "DISRUPTOR_CHAOS_FAIL"
	chaosFailAt  = 2000
)

// TestChaosDriverNamesFailedChild: when a consumer of the chaos test fails
// mid-run, the test fails at once and names it. (A consumer that stops
// reading keeps gating, the ring fills, and the driver used to wait out
// its four-minute deadline for the next producer told to hang, reporting
// "child pN.M never sent [claimed]": a restarted producer that never
// claimed, whatever the cause.) It runs the chaos test in a child test
// process with consumer c2 told to fail.
func TestChaosDriverNamesFailedChild(t *testing.T) {
	if os.Getenv(envChaosFail) != "" {
		t.Skip("runs the chaos test with a failing consumer; this is that run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSharedProcChaos$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChaosFail+"=c2", "DISRUPTOR_CHAOS_FAULTS=1000", "DISRUPTOR_SOAK=")
	cmd.SysProcAttr = childAttr()
	out, err := cmd.CombinedOutput()
	took := time.Since(t0)
	if ctx.Err() != nil {
		t.Fatalf("the chaos test with consumer c2 failing ran past %v; output:\n%s", time.Minute, out)
	}
	if err == nil {
		t.Fatalf("the chaos test passed although consumer c2 failed at sequence %d; output:\n%s", chaosFailAt, out)
	}
	var first string // the first failure the chaos test reported
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "shm_chaos_test.go:") && !strings.Contains(l, "seed: repeat") {
			first = strings.TrimSpace(l)
			break
		}
	}
	if !strings.Contains(first, "child c2.") || !strings.Contains(first, "failing at sequence") {
		t.Errorf("the chaos test's first failure is %q; want one naming child c2 and its error (took %v); output:\n%s", first, took, out)
	}
	if took > 30*time.Second {
		t.Errorf("the chaos test took %v to report consumer c2's failure; want well under its deadline", took)
	}
	if !strings.Contains(string(out), "the faults injected, in order:") {
		t.Errorf("the failure report lacks the fault history; output:\n%s", out)
	}
}
