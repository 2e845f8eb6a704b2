package disruptor_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor"
)

// AttachContext waits for a ring created after it started.
func TestAttachContextWaitsForCreator(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created := make(chan error, 1)
	go func() {
		time.Sleep(30 * time.Millisecond)
		r, err := disruptor.Create[int64]("late", 8, disruptor.WithDir(dir))
		if err == nil {
			r.Close()
		}
		created <- err
	}()
	start := time.Now()
	r, err := disruptor.AttachContext[int64](ctx, "late", disruptor.WithDir(dir))
	if err != nil {
		t.Fatalf("AttachContext: %v", err)
	}
	defer r.Close()
	if err := <-created; err != nil {
		t.Fatalf("Create: %v", err)
	}
	if d := time.Since(start); d < 25*time.Millisecond {
		t.Fatalf("attached after %v, before the ring was created", d)
	}
	if r.Path() != filepath.Join(dir, "late") {
		t.Fatalf("Path %q", r.Path())
	}
}

// When ctx ends first, the error names both the deadline and the last
// attempt's error.
func TestAttachContextDeadline(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := disruptor.AttachContext[int64](ctx, "never", disruptor.WithDir(dir))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err %v: want DeadlineExceeded and ErrNotExist", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
	// A blank file (a creator at work) is retried too.
	if err := os.WriteFile(filepath.Join(dir, "blank"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	_, err = disruptor.AttachContext[int64](ctx2, "blank", disruptor.WithDir(dir))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, disruptor.ErrNotInitialized) {
		t.Fatalf("err %v: want DeadlineExceeded and ErrNotInitialized", err)
	}
}

// Other errors return at once, not after ctx ends.
func TestAttachContextOtherErrorsAtOnce(t *testing.T) {
	dir := t.TempDir()
	r, err := disruptor.Create[int64]("typed", 8, disruptor.WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := disruptor.AttachContext[[2]int32](ctx, "typed", disruptor.WithDir(dir))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, disruptor.ErrTypeMismatch) || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v: want ErrTypeMismatch alone", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("AttachContext kept retrying a type mismatch")
	}
	// A ctx already done still gets one attempt.
	done2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	r2, err := disruptor.AttachContext[int64](done2, "typed", disruptor.WithDir(dir))
	if err != nil {
		t.Fatalf("AttachContext with a done ctx on an existing ring: %v", err)
	}
	r2.Close()
}
