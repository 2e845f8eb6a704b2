package disruptor

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// hardDeadline fails the test binary, with every goroutine's stack, if the
// test runs for longer than d: the calls tested with it must neither
// block nor loop.
func hardDeadline(t *testing.T, d time.Duration) {
	t.Helper()
	name := t.Name()
	tm := time.AfterFunc(d, func() { panic(name + ": still running after " + d.String()) })
	t.Cleanup(func() { tm.Stop() })
}

// huge is a ring size no machine here has the memory for: 2^40 (2^28 where
// an int has 32 bits, which no process can address at 16 bytes a slot).
const huge = 1 << min(40, bits.UintSize-4)

// Sizes whose memory no machine here has, or that overflow the arithmetic,
// are refused with ErrInvalidSize at once: no allocation is attempted, and
// nothing crashes.
func TestHugeSizesRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		opts []Option
	}{
		{"huge", huge, nil},
		{"huge multi", huge, []Option{WithMultiProducer()}},
		{"largest power of two", maxPow2, nil}, // 2^62: its bytes overflow
		{"largest multi stamps", maxPow2, []Option{WithMultiProducer(), WithPublishTimes()}},
		{"MaxInt", math.MaxInt, nil},
		{"MaxInt-1", math.MaxInt - 1, nil},
		{"consumers", 1024, []Option{WithMaxConsumers(maxPow2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hardDeadline(t, 20*time.Second)
			check := func(what string, try func() error) {
				t.Helper()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				start := time.Now()
				err := try()
				took := time.Since(start)
				runtime.ReadMemStats(&after)
				if !errors.Is(err, ErrInvalidSize) {
					t.Fatalf("%s: %v, want ErrInvalidSize", what, err)
				}
				if tc.size != math.MaxInt && !strings.Contains(err.Error(), strconv.Itoa(tc.size)) {
					t.Errorf("%s: %q does not name the size %d", what, err, tc.size)
				}
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
					t.Errorf("%s: allocated %d bytes before refusing", what, grew)
				}
				if took > time.Second {
					t.Errorf("%s: took %v to refuse", what, took)
				}
			}
			check("New", func() error {
				r, err := New[int64](tc.size, tc.opts...)
				if r != nil {
					t.Errorf("New returned a ring")
				}
				return err
			})
			if !sharedSupported {
				return
			}
			path := filepath.Join(t.TempDir(), "ring")
			check("Create", func() error {
				r, err := Create[int64](path, tc.size, tc.opts...)
				if r != nil {
					r.Close()
					t.Errorf("Create returned a ring")
				}
				return err
			})
			if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused Create left %s behind: %v", path, err)
			}
		})
	}
}

// The memory a refused size would take is named, and a size that fits is
// still accepted.
func TestHugeSizeMessage(t *testing.T) {
	_, err := New[int64](huge)
	// Slots of the event and its marker word, and the default 64 consumer records.
	slotSize := uint64(unsafe.Sizeof(int64(0))) + uint64(unsafe.Sizeof(engine.MarkWord{}))
	want := fmt.Sprintf("%d slots of %d bytes and 64 consumer records would take %d bytes",
		huge, slotSize, uint64(huge)*slotSize+64*uint64(unsafe.Sizeof(engine.ConsumerRecord{})))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("New(%d): %v; want it to say %q", huge, err, want)
	}
	r, err := New[int64](1 << 10)
	if err != nil || r.Size() != 1<<10 {
		t.Fatalf("New(1<<10): %v", err)
	}
}
