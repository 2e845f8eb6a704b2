package disruptor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"
)

// endsAtOnce asserts that next returns io.EOF well within a second.
func endsAtOnce(t *testing.T, what string, next func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t0 := time.Now()
	if err := next(ctx); err != io.EOF {
		t.Fatalf("%s: %v after %v, want io.EOF at once", what, err, time.Since(t0))
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("%s: io.EOF after %v, want it at once", what, d)
	}
}

func nextErr[E any](c *Consumer[E]) func(context.Context) error {
	return func(ctx context.Context) error { _, err := c.Next(ctx); return err }
}

// TestLateConsumerEOF: in-process, a consumer or a group that starts at
// the latest event after every producer closed returns io.EOF at once (Next,
// TryNext, Batch), in both producer modes; one made before the last Close,
// past an earlier producer's EOF, ends at the last one.
func TestLateConsumerEOF(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run(fmt.Sprint("multi=", multi), func(t *testing.T) {
			var opts []Option
			if multi {
				opts = append(opts, WithMultiProducer())
			}
			r, err := New[int](8, opts...)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := r.NewProducer("p")
			for range 3 {
				p.TryClaim()
				p.Publish()
			}
			p.Close()
			c, err := r.NewConsumer("late", StartAtLatest())
			if err != nil {
				t.Fatal(err)
			}
			endsAtOnce(t, "Next", nextErr(c))
			endsAtOnce(t, "Next again", nextErr(c))
			c2, _ := r.NewConsumer("late2", StartAtLatest())
			if _, err := c2.TryNext(); err != io.EOF {
				t.Errorf("TryNext: %v, want io.EOF", err)
			}
			c3, _ := r.NewConsumer("late3", StartAtLatest())
			endsAtOnce(t, "Batch", func(ctx context.Context) error {
				_, err := c3.Batch(ctx, func(*int, int64, bool) error { return nil })
				return err
			})
			wg, err := r.NewWorkGroup("wg", 2, StartAtLatest())
			if err != nil {
				t.Fatal(err)
			}
			endsAtOnce(t, "member 0", nextErr(wg.Member(0)))
			endsAtOnce(t, "member 1", nextErr(wg.Member(1)))
		})
	}
}

// TestLateConsumerEOFWhileWaiting: a consumer that started past one
// producer's EOF reads only the other's, so it never counts an EOF from
// every producer: it ends because every producer has closed, while it
// waits.
func TestLateConsumerEOFWhileWaiting(t *testing.T) {
	// The safety timeout of an hour: only a wake-up from the last Close can
	// end the wait within the test's limit.
	r, err := New[int](8, WithMultiProducer(), WithWaitStrategy(BlockTimeout(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	watch(t, testDeadline(), r)
	p0, _ := r.NewProducer("p0")
	p1, _ := r.NewProducer("p1")
	p0.Close()
	c, _ := r.NewConsumer("late", StartAtLatest()) // past p0's EOF: it never counts it
	done := make(chan error, 1)
	go func() { _, err := c.Next(context.Background()); done <- err }()
	time.Sleep(20 * time.Millisecond)
	p1.Close()
	select {
	case err := <-done:
		if err != io.EOF {
			t.Fatalf("Next: %v, want io.EOF", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no io.EOF 2s after the last producer closed")
	}
}

// TestFollowStreams: a following consumer made after the final EOF waits,
// then reads the next producer's events; in-process and on a shared ring,
// where one that read the EOF and resumes returns io.EOF at once unless it
// follows.
func TestFollowStreams(t *testing.T) {
	t.Run("in-process", func(t *testing.T) {
		r, err := New[int](8, WithMultiProducer())
		if err != nil {
			t.Fatal(err)
		}
		ctx := watch(t, testDeadline(), r)
		p, _ := r.NewProducer("p")
		p.Close()
		f, _ := r.NewConsumer("f", StartAtLatest(), FollowStreams())
		if _, err := f.TryNext(); err != ErrEmpty {
			t.Fatalf("TryNext: %v, want ErrEmpty", err)
		}
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		if _, err := f.Next(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Next: %v, want it to wait", err)
		}
		p2, _ := r.NewProducer("p2")
		ev, _ := p2.TryClaim()
		*ev = 42
		p2.Publish()
		if ev, err := f.Next(ctx); err != nil || *ev != 42 {
			t.Fatalf("Next: %v, %v, want 42", ev, err)
		}
	})
	t.Run("shared", func(t *testing.T) {
		path := t.TempDir() + "/ring"
		produceRun(t, path, 5)
		r, err := Attach[shmEv](path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		c, _ := r.NewConsumer("c")
		if n := readToEOF(t, c); n != 5 {
			t.Fatalf("%d events, want 5", n)
		}
		c.Detach()
		c, err = r.NewConsumer("c") // resumes right after the EOF
		if err != nil {
			t.Fatal(err)
		}
		endsAtOnce(t, "resumed after the EOF", nextErr(c))
		endsAtOnce(t, "again", nextErr(c))
		c.Detach()
		late, _ := r.NewConsumer("late", StartAtLatest())
		endsAtOnce(t, "latest after the EOF", nextErr(late))
		late.Close()
		f, err := r.NewConsumer("c", FollowStreams())
		if err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := f.Next(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("following: %v, want it to wait", err)
		}
		produceRun(t, path, 3) // the next stream
		if n := readToEOF(t, f); n != 3 {
			t.Fatalf("following: %d events of the next stream, want 3", n)
		}
		if _, err := f.Next(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("following, after the next stream's EOF: %v, want it to wait", err)
		}
	})
}
