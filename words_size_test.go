package disruptor

import (
	"testing"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// The shared structs' sizes are part of the file layout: each must be a
// whole number of 128-byte lines.
func TestSharedWordSizes(t *testing.T) {
	for name, size := range map[string]uintptr{
		"control":        unsafe.Sizeof(engine.Control{}),
		"consumerRecord": unsafe.Sizeof(engine.ConsumerRecord{}),
		"producerRecord": unsafe.Sizeof(engine.ProducerRecord{}),
		"counterRecord":  unsafe.Sizeof(engine.CounterRecord{}),
		"sharedControl":  unsafe.Sizeof(engine.SharedControl{}),
	} {
		if size%engine.LineSize != 0 {
			t.Errorf("%s is %d bytes, not a multiple of %d", name, size, engine.LineSize)
		}
	}
	if s := unsafe.Sizeof(engine.ProducerRecord{}); s != 2*engine.LineSize {
		t.Errorf("producerRecord is %d bytes, want %d", s, 2*engine.LineSize)
	}
	if s := unsafe.Sizeof(engine.ConsumerRecord{}); s != 3*engine.LineSize {
		t.Errorf("consumerRecord is %d bytes, want %d", s, 3*engine.LineSize)
	}
}
