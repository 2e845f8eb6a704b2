//go:build !disruptor_buggify

package buggify

import (
	"testing"
	"time"
)

// TestOff: without the tag nothing fires and every value passes through.
func TestOff(t *testing.T) {
	if Enabled {
		t.Fatal("Enabled without the tag")
	}
	for p := range NumPoints {
		if Fire(p) {
			t.Fatalf("%v fired", p)
		}
		Pause(p)
		if Cut(p, 10) != 10 || Shorter(p, time.Second) != time.Second {
			t.Fatalf("%v changed a value", p)
		}
	}
	if Seed() != 0 {
		t.Errorf("seed %d", Seed())
	}
}
