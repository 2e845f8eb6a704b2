package disruptor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSharedProcTruncated shortens (to half, to nothing) or replaces the
// file of a ring under a running producer process and consumer process,
// both running their loops under Ring.Guard: each must exit normally (not
// killed by SIGBUS) within a few seconds, reporting ErrTruncated, having
// delivered nothing but valid events.
func TestSharedProcTruncated(t *testing.T) {
	const detectWithin = 5 * time.Second
	for _, tc := range []struct {
		name   string
		damage func(x *xt) error
	}{
		{"half", func(x *xt) error {
			fi, err := os.Stat(x.path)
			if err != nil {
				return err
			}
			return os.Truncate(x.path, fi.Size()/2)
		}},
		{"zero", func(x *xt) error { return os.Truncate(x.path, 0) }},
		{"replaced", func(x *xt) error {
			if err := os.Remove(x.path); err != nil {
				return err
			}
			x.createAt(x.path, 64) // a new ring where the old one was
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newXT(t, 30*time.Second)
			x.create(64).Close() // the children keep the file mapped
			c := x.child("c", helperSpec{Role: "consumer", Guard: true, Progress: true})
			c.next("ready")
			p := x.child("p", helperSpec{Role: "producer", Guard: true, N: 1 << 40, Batch: 4, GapUs: 200})
			c.count("got", 300+x.rng.IntN(300))
			if err := tc.damage(x); err != nil {
				x.Fatal(err)
			}
			t0 := time.Now()
			for _, ch := range []*xchild{c, p} {
				m := ch.next("error")
				if d := time.Since(t0); !m.Trunc || d > detectWithin {
					x.Errorf("%s: after the damage, error %q after %v; want ErrTruncated within %v", ch.name, m.Err, d, detectWithin)
				}
				if m.Check != nil && m.Check.Err != "" {
					x.Errorf("%s: read a bad event before the error: %s", ch.name, m.Check.Err)
				}
				if st := ch.waitExit(); st != "exit status 1" {
					x.Errorf("%s: %s; want a normal exit with status 1", ch.name, st)
				}
				t.Logf("%s: %v after the damage: %s", ch.name, time.Since(t0).Round(time.Millisecond), m.Err)
			}
		})
	}
}

// TestSharedTruncatedHandle truncates the file of a ring this process
// uses: a waiting consumer's watch notices and returns ErrTruncated, and so
// does every later call of the handle; a goroutine's loop under Guard that
// touches a slot past the file's end gets ErrTruncated instead of SIGBUS.
func TestSharedTruncatedHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create[int64](path, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, c := pair(t, r)
	o, err := r.NewObserver(false)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	done := make(chan error, 1)
	go func() { // parks waiting for an event; its watch must notice
		_, err := c.Next(ctx)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("waiting Next after truncation = %v, want ErrTruncated", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a waiting consumer did not notice the truncation within 5s")
	}
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("%s on a truncated ring = %v, want ErrTruncated", what, err)
		}
	}
	// The producer still has room by its own reckoning: its fast path
	// writes the replacement memory, harmlessly; its slow path says so.
	err = r.Guard(func() error {
		for {
			ev, err := p.Claim(ctx)
			if err != nil {
				return err
			}
			*ev = 1
			p.Publish()
		}
	})
	check("Claim", err)
	_, err = p.TryClaim()
	check("TryClaim", err)
	_, err = c.TryNext()
	check("TryNext", err)
	var x int64
	_, err = o.Next(ctx, &x)
	check("Observer.Next", err)
	_, err = r.NewConsumer("c2")
	check("NewConsumer", err)
	check("WaitForConsumers", r.WaitForConsumers(ctx, 5))
	if _, err := Inspect(path); err == nil {
		t.Error("Inspect of a file truncated to nothing succeeded")
	}
	p.Stats()
	r.Counters()

	// A second ring, truncated while nobody waits: the first touch of a
	// slot past the end, under Guard, is the one that finds out.
	path2 := filepath.Join(t.TempDir(), "ring2")
	r2, err := Create[int64](path2, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	p2, err := r2.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path2)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path2, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	go func() {
		done <- r2.Guard(func() error {
			for i := 0; i < 1<<20; i++ {
				ev, err := p2.Claim(ctx)
				if err != nil {
					return err
				}
				*ev = int64(i)
				p2.Publish()
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		check("a guarded producer's loop", err)
	case <-time.After(5 * time.Second):
		t.Fatal("the guarded loop did not end within 5s")
	}
	_, err = p2.Claim(ctx)
	check("Claim after the fault", err)
	// Faults that are not the ring's are not Guard's business.
	defer func() {
		if v := recover(); v == nil {
			t.Error("a nil dereference under Guard did not panic")
		}
	}()
	r2.Guard(func() error {
		var np *int64
		*np = 1
		return nil
	})
}
