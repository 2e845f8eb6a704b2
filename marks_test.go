package disruptor

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func TestProducerMarkInProcess(t *testing.T) {
	ctx := context.Background()
	r, err := New[int64](8)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := p.Mark(); ok {
		t.Fatalf("a new producer has mark %d", m)
	}
	if _, ok, _ := r.ProducerMark("p"); ok {
		t.Fatal("ProducerMark of a producer that never marked: ok")
	}
	ev, _ := p.Claim(ctx)
	*ev = 1
	p.SetMark(7)
	if m, ok := p.Mark(); ok {
		t.Fatalf("a staged mark shows before its publication: %d", m)
	}
	p.Publish()
	if m, ok := p.Mark(); !ok || m != 7 {
		t.Fatalf("Mark after the marked Publish: %d, %v; want 7", m, ok)
	}
	ev, _ = p.Claim(ctx) // unmarked: the mark stays, the fast path is back
	*ev = 2
	p.Publish()
	if m, ok, err := r.ProducerMark("p"); err != nil || !ok || m != 7 {
		t.Fatalf("ProducerMark after an unmarked Publish: %d, %v, %v; want 7", m, ok, err)
	}
	p.SetMark(8)
	p.SetMark(9) // replaces 8
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if m, _ := p.Mark(); m != 9 {
		t.Fatalf("Mark after a marked Flush: %d, want 9", m)
	}
	p.SetMark(10)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if m, ok, _ := r.ProducerMark("p"); !ok || m != 10 {
		t.Fatalf("ProducerMark after a marked Close: %d, %v; want 10", m, ok)
	}
	if _, ok, _ := r.ProducerMark("q"); ok {
		t.Fatal("ProducerMark of an unknown producer: ok")
	}
}

// A shared ring keeps a producer's mark in its table entry: a producer of
// the same name made later, by another handle, takes it over; one of
// another name does not.
func TestProducerMarkShared(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create[int64](path, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := r.NewProducer("src")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ClaimN(ctx, 3); err != nil {
		t.Fatal(err)
	}
	p.SetMark(42)
	p.Publish()
	if err := p.Close(); err != nil { // a closed entry keeps its mark
		t.Fatal(err)
	}
	r2, err := Attach[int64](path)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if m, ok, err := r2.ProducerMark("src"); err != nil || !ok || m != 42 {
		t.Fatalf("ProducerMark from another handle: %d, %v, %v; want 42", m, ok, err)
	}
	p2, err := r2.NewProducer("src")
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := p2.Mark(); !ok || m != 42 {
		t.Fatalf("the producer that took the entry over has mark %d, %v; want 42", m, ok)
	}
	p2.SetMark(43)
	if err := p2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p2.Close(); err != nil {
		t.Fatal(err)
	}
	r3, err := Attach[int64](path)
	if err != nil {
		t.Fatal(err)
	}
	defer r3.Close()
	other, err := r3.NewProducer("other")
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := other.Mark(); ok {
		t.Fatalf("a producer of another name took over mark %d", m)
	}
	if m, ok, _ := r3.ProducerMark("src"); ok && m != 43 {
		t.Fatalf("ProducerMark(src) = %d, want 43 (or none once its entry was reused)", m)
	}
}

// A source copying an upstream log into a ring marks each publication with
// the upstream position it came from; after a restart it resumes right
// after the mark, so nothing is copied twice.
func ExampleProducer_SetMark() {
	ctx := context.Background()
	upstream := []int64{10, 20, 30, 40}
	r, _ := New[int64](8)
	p, _ := r.NewProducer("copier")
	for pos, v := range upstream[:2] {
		ev, _ := p.Claim(ctx)
		*ev = v
		p.SetMark(uint64(pos)) // stored with this publication
		p.Publish()
	}
	m, ok, _ := r.ProducerMark("copier")
	fmt.Println("resume after upstream position", m, ok)
	// Output: resume after upstream position 1 true
}
