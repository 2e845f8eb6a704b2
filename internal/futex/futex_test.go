package futex

import (
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"
)

// waitFuncs are the implementations every platform can test: Wait itself
// and the polling fallback.
var waitFuncs = map[string]func(*atomic.Uint32, uint32, time.Duration) error{
	"Wait":     Wait,
	"pollWait": pollWait,
}

func TestWaitReturnsWhenValueDiffers(t *testing.T) {
	for name, wait := range waitFuncs {
		var w atomic.Uint32
		w.Store(5)
		for _, timeout := range []time.Duration{-1, 0, time.Hour} {
			start := time.Now()
			if err := wait(&w, 4, timeout); err != nil {
				t.Errorf("%s(5 != 4, %v) = %v, want nil", name, timeout, err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("%s(5 != 4, %v) took %v", name, timeout, d)
			}
		}
	}
}

func TestWaitTimeout(t *testing.T) {
	for name, wait := range waitFuncs {
		var w atomic.Uint32
		if err := wait(&w, 0, 0); !errors.Is(err, ErrTimeout) {
			t.Errorf("%s with zero timeout = %v, want ErrTimeout", name, err)
		}
		const d = 50 * time.Millisecond
		start := time.Now()
		err := wait(&w, 0, d)
		elapsed := time.Since(start)
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%s = %v, want ErrTimeout", name, err)
		}
		if elapsed < d || elapsed > 5*time.Second {
			t.Errorf("%s with timeout %v returned after %v", name, d, elapsed)
		}
	}
}

// TestWaitSeesChange is the protocol callers follow: change the word, then
// wake. The waiter must return promptly on every platform.
func TestWaitSeesChange(t *testing.T) {
	for name, wait := range waitFuncs {
		var w atomic.Uint32
		done := make(chan error, 1)
		go func() {
			var err error
			for w.Load() == 0 && err == nil {
				err = wait(&w, 0, -1)
			}
			done <- err
		}()
		time.Sleep(10 * time.Millisecond) // let it block, most likely
		w.Store(1)
		if _, err := Wake(&w, 1); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s = %v", name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: waiter not released 5s after the change and wake", name)
		}
	}
}

func TestWakeNobody(t *testing.T) {
	var w atomic.Uint32
	for _, n := range []int{-1, 0, 1, math.MaxInt} {
		if got, err := Wake(&w, n); got != 0 || err != nil {
			t.Errorf("Wake(%d) with no waiters = %d, %v", n, got, err)
		}
	}
}
