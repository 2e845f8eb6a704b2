//go:build disruptor_buggify

package disruptor

// The test binary's side of the buggify build (internal/buggify): it prints
// the seed when it starts, and again, with how often each point fired, when
// a test or the run fails, so that the failure can be replayed:
//
//	DISRUPTOR_BUGGIFY_SEED=<seed> go test -tags disruptor_buggify -run '<test>' .

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/disruptor-go/disruptor/internal/buggify"
	"go.uber.org/goleak"
)

// buggifyMain prints the seed and returns the option that prints it again,
// with the points' report, if the run fails. Children of the cross-process
// tests (which inherit the seed) print nothing: their output is the
// parent's to read.
func buggifyMain() []goleak.Option {
	if os.Getenv(envShmHelper) != "" {
		return nil
	}
	fmt.Fprintf(os.Stderr, "buggify: seed %d; replay with %s=%d go test -tags disruptor_buggify ...\n",
		buggify.Seed(), buggify.SeedEnv, buggify.Seed())
	return []goleak.Option{goleak.Cleanup(func(code int) {
		if code != 0 {
			fmt.Fprintf(os.Stderr, "buggify: the run failed; %s", buggify.Report())
		}
		os.Exit(code)
	})}
}

// buggifyWatched holds the tests that print the seed if they fail.
var buggifyWatched sync.Map

// buggifyReport makes t print the seed if it fails (once, however many
// helpers ask).
func buggifyReport(t testing.TB) {
	if _, dup := buggifyWatched.LoadOrStore(t, true); dup {
		return
	}
	t.Cleanup(func() {
		buggifyWatched.Delete(t)
		if t.Failed() {
			t.Logf("buggify: replay with %s=%d go test -tags disruptor_buggify -run '^%s$'",
				buggify.SeedEnv, buggify.Seed(), t.Name())
		}
	})
}

// buggifySkip skips a test whose expectations are stricter than the
// contract in a way the injected points break (say why): exact batch
// boundaries, say, when batches may end early.
func buggifySkip(t testing.TB, why string) {
	t.Helper()
	t.Skipf("buggify build: %s", why)
}
