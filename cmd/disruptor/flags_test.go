//go:build linux

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Bad flag values and empty names are usage errors of produce and consume:
// exit 2, the reason on stderr, nothing on stdout, and no ring made.
func TestShmFlagErrors(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "r")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"produce", ""}, "the ring NAME or PATH is empty"},
		{[]string{"produce", "", "-dir", dir}, "the ring NAME or PATH is empty"},
		{[]string{"consume", ""}, "the ring NAME or PATH is empty"},
		{[]string{"produce", ring, "-rate", "+Inf"}, "-rate +Inf is not a finite number"},
		{[]string{"produce", ring, "-rate", "-Inf"}, "-rate -Inf is not a finite number"},
		{[]string{"produce", ring, "-rate", "NaN"}, "-rate NaN is not a finite number"},
		{[]string{"produce", ring, "-rate", "-1"}, "-rate -1 may not be negative"},
		{[]string{"produce", ring, "-rate", "1e-300"}, "-rate 1e-300: want 1e-06 to 1e+12 events per second"},
		{[]string{"produce", ring, "-rate", "1e300"}, "-rate 1e+300: want 1e-06 to 1e+12 events per second"},
		{[]string{"produce", ring, "-count", "-5"}, "-count -5 may not be negative"},
		{[]string{"produce", ring, "-consumers", "-1"}, "-consumers -1 may not be negative"},
		{[]string{"produce", ring, "-size", "0"}, "-size 0 is not a power of two"},
		{[]string{"produce", ring, "-size", "-4"}, "-size -4 is not a power of two"},
		{[]string{"produce", ring, "-every", "-1s"}, "-every -1s may not be negative"},
		{[]string{"produce", ring, "-name", ""}, "-name may not be empty"},
		{[]string{"consume", ring, "-count", "-1"}, "-count -1 may not be negative"},
		{[]string{"consume", ring, "-wait", "-1s"}, "-wait -1s may not be negative"},
		{[]string{"consume", ring, "-every", "-2s"}, "-every -2s may not be negative"},
		{[]string{"consume", ring, "-id", ""}, "-id may not be empty"},
		{[]string{"consume", ring, "-after", "a,,b"}, `-after "a,,b" names an empty consumer`},
	} {
		o := disruptor(t, c.args...)
		o.expect(t, 2, "", c.want)
		if o.stdout != "" {
			t.Errorf("%q: stdout: %s", c.args, o.stdout)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("%q left %v in the ring directory", c.args, ents)
		}
	}
	// A ring larger than the machine's memory is refused by Create, at once.
	disruptor(t, "produce", ring, "-size", "1099511627776").expect(t, 1, "", "invalid ring size: 1099511627776 slots")
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("a refused size left %v in the ring directory", ents)
	}
	// Waiting for more consumers than the ring has room for would never end.
	disruptor(t, "produce", ring, "-consumers", "65").expect(t, 2, "", "-consumers 65: the ring has room for 64 consumers")
	// A rate of 0 is documented: as fast as possible.
	disruptor(t, "produce", ring, "-rate", "0", "-count", "10", "-every", "0").expect(t, 0, "published 10 events", "")
}

// produce and consume on a FIFO fail and leave it as it was: Create never
// removes or replaces what is not a ring.
func TestShmOnFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	before, err := os.Lstat(fifo)
	if err != nil {
		t.Fatal(err)
	}
	disruptor(t, "produce", fifo, "-count", "1", "-every", "0").expect(t, 1, "", "is a FIFO")
	disruptor(t, "consume", fifo, "-wait", "0", "-every", "0").expect(t, 1, "", "is a FIFO")
	after, err := os.Lstat(fifo)
	if err != nil {
		t.Fatalf("the FIFO is gone: %v", err)
	}
	bs, as := before.Sys().(*syscall.Stat_t), after.Sys().(*syscall.Stat_t)
	if !os.SameFile(before, after) || after.Mode() != before.Mode() || as.Ino != bs.Ino {
		t.Fatalf("the FIFO was replaced: %v (inode %d), was %v (inode %d)", after.Mode(), as.Ino, before.Mode(), bs.Ino)
	}
}
