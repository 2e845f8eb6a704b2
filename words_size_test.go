package disruptor

import (
	"testing"
	"unsafe"
)

// The shared structs' sizes are part of the file layout: each must be a
// whole number of 128-byte lines.
func TestSharedWordSizes(t *testing.T) {
	for name, size := range map[string]uintptr{
		"control":        unsafe.Sizeof(control{}),
		"consumerRecord": unsafe.Sizeof(consumerRecord{}),
		"producerRecord": unsafe.Sizeof(producerRecord{}),
		"counterRecord":  unsafe.Sizeof(counterRecord{}),
		"sharedControl":  unsafe.Sizeof(sharedControl{}),
	} {
		if size%lineSize != 0 {
			t.Errorf("%s is %d bytes, not a multiple of %d", name, size, lineSize)
		}
	}
	if s := unsafe.Sizeof(producerRecord{}); s != 2*lineSize {
		t.Errorf("producerRecord is %d bytes, want %d", s, 2*lineSize)
	}
	if s := unsafe.Sizeof(consumerRecord{}); s != 3*lineSize {
		t.Errorf("consumerRecord is %d bytes, want %d", s, 3*lineSize)
	}
}
