//go:build !disruptor_buggify

package disruptor

import (
	"testing"

	"go.uber.org/goleak"
)

// buggifyMain: without the buggify build, no seed to print.
func buggifyMain() []goleak.Option { return nil }

// buggifyReport: without the buggify build, no seed to print.
func buggifyReport(testing.TB) {}

// buggifySkip: without the buggify build, every test runs.
func buggifySkip(testing.TB, string) {}
