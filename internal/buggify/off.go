//go:build !disruptor_buggify

package buggify

import "time"

// Enabled reports whether the points fire: the build has the tag
// disruptor_buggify. Without it, the constant false lets the compiler
// remove every `if buggify.Enabled` block.
const Enabled = false

// Seed is the seed of this run: 0, nothing fires.
func Seed() uint64 { return 0 }

// Fire reports whether point p fires this time: never.
func Fire(Point) bool { return false }

// Pause, when point p fires, lets other goroutines run: it never does.
func Pause(Point) {}

// Delay, when point p fires, sleeps: it never does.
func Delay(Point) {}

// Cut is n: how many of n things to take.
func Cut(_ Point, n int64) int64 { return n }

// Shorter is d: how long to wait.
func Shorter(_ Point, d time.Duration) time.Duration { return d }

// Report describes the seed and the points: none fire.
func Report() string { return "buggify: off (build with -tags disruptor_buggify)\n" }
