package disruptor

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// A ManualRelease consumer reads ahead; the producer is gated by what it
// released, not by what it read.
func TestReleaseThroughGates(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := New[int64](4)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.NewProducer("p")
	c, err := r.NewConsumer("c", ManualRelease())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		ev, _ := p.Claim(ctx)
		*ev = int64(i)
		p.Publish()
	}
	for i := range 4 {
		ev, err := c.Next(ctx)
		if err != nil || *ev != int64(i) {
			t.Fatalf("Next %d: %v, %v", i, ev, err)
		}
	}
	if c.Passed() != 3 {
		t.Fatalf("Passed = %d, want 3", c.Passed())
	}
	if _, err := p.TryClaim(); !errors.Is(err, ErrFull) {
		t.Fatalf("TryClaim after reading everything, releasing nothing: %v, want ErrFull", err)
	}
	if _, err := c.TryNext(); !errors.Is(err, ErrEmpty) { // the acquire releases nothing either
		t.Fatalf("TryNext: %v, want ErrEmpty", err)
	}
	if _, err := p.TryClaim(); !errors.Is(err, ErrFull) {
		t.Fatalf("TryClaim after a read that found nothing: %v, want ErrFull", err)
	}
	if err := c.ReleaseThrough(1); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // two slots came back, no more
		if _, err := p.TryClaim(); err != nil {
			t.Fatalf("TryClaim %d after ReleaseThrough(1): %v", i, err)
		}
		p.Publish()
	}
	if _, err := p.TryClaim(); !errors.Is(err, ErrFull) {
		t.Fatalf("third TryClaim after ReleaseThrough(1): %v, want ErrFull", err)
	}
	if err := c.ReleaseThrough(0); err != nil { // below what was released: no-op
		t.Fatal(err)
	}
	if err := c.ReleaseThrough(4); !errors.Is(err, ErrNotRead) {
		t.Fatalf("ReleaseThrough(4) having read through 3: %v, want ErrNotRead", err)
	}
	if got := c.Stats().Position; got != 1 {
		t.Fatalf("the consumer's position is %d, want 1", got)
	}
}

// A detached ManualRelease consumer of a shared ring resumes right after
// what it released, reading again what it had read but not released.
func TestReleaseThroughResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create[int64](path, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, err := r.NewConsumer("c", ManualRelease())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.NewProducer("p")
	b, _ := p.ClaimN(ctx, 6)
	for i := range b.Len() {
		*b.At(i) = int64(i)
	}
	p.Publish()
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for got := 0; got < 6; { // Batch takes a part of the ring at a time
		n, err := c.Batch(ctx, func(*int64, int64, bool) error { return nil })
		if n == 0 || err != nil {
			t.Fatalf("Batch after %d: %d, %v", got, n, err)
		}
		got += n
	}
	if _, err := p.TryClaimN(3); !errors.Is(err, ErrFull) { // 7 used of 8: Batch released nothing
		t.Fatalf("TryClaimN(3) after Batch read everything: %v, want ErrFull", err)
	}
	if _, err := c.Next(ctx); !errors.Is(err, ErrFlush) {
		t.Fatalf("Next: %v, want ErrFlush", err)
	}
	if c.Passed() != 6 {
		t.Fatalf("Passed after the flush: %d, want 6", c.Passed())
	}
	if err := c.ReleaseThrough(3); err != nil {
		t.Fatal(err)
	}
	if err := c.Detach(); err != nil {
		t.Fatal(err)
	}
	r2, err := Attach[int64](path)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	c2, err := r2.NewConsumer("c", ManualRelease())
	if err != nil {
		t.Fatal(err)
	}
	ev, err := c2.Next(ctx)
	if err != nil || *ev != 4 || c2.Sequence() != 4 {
		t.Fatalf("the resumed consumer read %v at %d (%v), want 4 at 4", ev, c2.Sequence(), err)
	}
}

func TestReleaseThroughRefused(t *testing.T) {
	r, _ := New[int64](8)
	if _, err := r.NewWorkGroup("g", 2, ManualRelease()); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("NewWorkGroup with ManualRelease: %v, want ErrNotSupported", err)
	}
	g, err := r.NewWorkGroup("g", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Member(0).ReleaseThrough(0); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("ReleaseThrough on a member: %v, want ErrNotSupported", err)
	}
	c, _ := r.NewConsumer("c", ManualRelease())
	c.Close()
	if err := c.ReleaseThrough(-1); !errors.Is(err, ErrClosed) {
		t.Fatalf("ReleaseThrough after Close: %v, want ErrClosed", err)
	}
}

// A consumer that forwards events and learns later, in order, that they
// arrived retires each slot as its acknowledgement comes, while the events
// read after it stay held.
func ExampleConsumer_ReleaseThrough() {
	ctx := context.Background()
	r, _ := New[int64](8)
	c, _ := r.NewConsumer("forwarder", ManualRelease())
	p, _ := r.NewProducer("p")
	b, _ := p.ClaimN(ctx, 4)
	for i := range b.Len() {
		*b.At(i) = int64(i * 10)
	}
	p.Publish()
	var sent []int64
	for range 4 {
		ev, _ := c.Next(ctx)
		sent = append(sent, c.Sequence()) // forwarded, not yet acknowledged
		_ = ev
	}
	c.ReleaseThrough(sent[1]) // the first two were acknowledged
	fmt.Println("read through", c.Passed(), "released through", c.Stats().Position)
	// Output: read through 3 released through 1
}
