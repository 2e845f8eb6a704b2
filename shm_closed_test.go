package disruptor

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSharedClosedHandle closes a shared ring's handle under an open
// producer (holding a claim), a consumer holding acquired events, a work
// group and an observer: every method of each then returns ErrClosed, and
// none touches the unmapped memory (which would crash the test binary).
// The producer's entry is left for takeover and the consumer's record
// detached, as if the process had ended.
func TestSharedClosedHandle(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, attached := range []bool{false, true} {
			name := map[bool]string{false: "single", true: "multi"}[multi] + map[bool]string{false: "-creator", true: "-attached"}[attached]
			t.Run(name, func(t *testing.T) { testSharedClosedHandle(t, multi, attached) })
		}
	}
}

func testSharedClosedHandle(t *testing.T, multi, attached bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "ring")
	var opts []Option
	if multi {
		opts = append(opts, WithMultiProducer())
	}
	r, err := Create[int64](path, 16, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if attached {
		creator := r
		if r, err = Attach[int64](path); err != nil {
			t.Fatal(err)
		}
		defer creator.Close()
	}
	p, c := pair(t, r)
	g, err := r.NewWorkGroup("g", 2)
	if err != nil {
		t.Fatal(err)
	}
	o, err := r.NewObserver(false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(3) {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = i
		p.Publish()
	}
	if ev, err := c.Next(ctx); err != nil || *ev != 0 { // acquires all three
		t.Fatalf("Next = %v, %v; want 0", ev, err)
	}
	if _, err := p.Claim(ctx); err != nil { // held over Close
		t.Fatal(err)
	}
	lc, err := r.NewConsumer("leaser")
	if err != nil {
		t.Fatal(err)
	}
	lease, err := lc.Lease(ctx, 2) // held over Close
	if err != nil || lease.Len() != 2 {
		t.Fatalf("Lease = %d events, %v; want 2", lease.Len(), err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after the ring's Close = %v, want ErrClosed", what, err)
		}
	}
	mustPanic := func(what, want string, f func()) {
		t.Helper()
		defer func() {
			t.Helper()
			if v := recover(); v == nil || !strings.Contains(v.(string), want) {
				t.Errorf("%s after the ring's Close: panic %v, want one saying %q", what, v, want)
			}
		}()
		f()
	}
	_, err = p.Claim(ctx)
	check("Claim", err)
	_, err = p.TryClaim()
	check("TryClaim", err)
	_, err = p.ClaimN(ctx, 2)
	check("ClaimN", err)
	_, err = p.TryClaimN(2)
	check("TryClaimN", err)
	check("Flush", p.Flush(ctx))
	mustPanic("Publish", "without a claim", p.Publish)
	mustPanic("Skip", "without a claim", p.Skip)
	check("Producer.Close", p.Close())
	check("Producer.Close again", p.Close())

	_, err = c.Next(ctx)
	check("Next", err)
	_, err = c.TryNext()
	check("TryNext", err)
	n, err := c.Batch(ctx, func(*int64, int64, bool) error { t.Error("Batch called its handler"); return nil })
	check("Batch", err)
	if n != 0 {
		t.Errorf("Batch handed %d events", n)
	}
	_, err = c.Lease(ctx, 4)
	check("Lease", err)
	for range c.Events(ctx) {
		t.Error("Events yielded an event")
	}
	check("Events (Err)", c.Err())
	check("Consumer.Close", c.Close())
	for range lease.All() {
		t.Error("a lease held over Close yielded an event")
	}
	lease.Release()
	for i := range g.Len() {
		_, err = g.Member(i).Next(ctx)
		check("work group member's Next", err)
		_, err = g.Member(i).TryNext()
		check("work group member's TryNext", err)
	}
	var x int64
	_, err = o.Next(ctx, &x)
	check("Observer.Next", err)

	_, err = r.NewProducer("p2")
	check("NewProducer", err)
	_, err = r.NewConsumer("c2")
	check("NewConsumer", err)
	_, err = r.NewWorkGroup("g2", 2)
	check("NewWorkGroup", err)
	_, err = r.NewObserver(true)
	check("NewObserver", err)
	check("WaitForConsumers", r.WaitForConsumers(ctx, 1))
	check("Report", r.Report(io.Discard))

	// Readers of the handle's own memory go on, over the last values.
	if got := p.Stats().Published; got != 3 {
		t.Errorf("producer's Stats after Close: %d published, want 3", got)
	}
	if got := c.Stats().Events; got != 1 {
		t.Errorf("consumer's Stats after Close: %d events, want 1", got)
	}
	want := int64(2) // single-producer: the highest published
	if multi {
		want = 3 // the highest claimed
	}
	if got := r.Cursor(); got != want {
		t.Errorf("Cursor after Close = %d, want %d (the last seen)", got, want)
	}
	if got := r.Counters(); len(got) != 0 {
		t.Errorf("Counters after Close: %d counters, want none", len(got))
	}
	if got := r.Consumers(); got != 0 {
		t.Errorf("Consumers after Close = %d, want 0", got)
	}
	r.Halt()
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	// The file shows the producer as if its process had died, and the
	// consumer detached; both can be taken over.
	in, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if pi, ok := producerInfo(in, "p"); !ok || pi.State != "dead" {
		t.Errorf("Inspect shows producer p as %+v, want dead", pi)
	}
	ci, ok := consumerInfo(in, "c")
	if !ok || ci.State != "detached" || ci.Position != 0 {
		t.Errorf("Inspect shows consumer c as %+v, want detached at 0", ci)
	}
	r2, err := Attach[int64](path)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if _, err := r2.NewProducer("p"); err != nil {
		t.Errorf("taking the producer's entry over: %v", err)
	}
	c2, err := r2.NewConsumer("c")
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := c2.Next(ctx); err != nil || *ev != 1 {
		t.Errorf("resumed consumer's Next = %v, %v; want 1", ev, err)
	}
}
