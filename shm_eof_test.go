package disruptor

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// produceRun opens the ring at path as a new handle (as a new process
// would), publishes n events and closes with EOF.
func produceRun(t *testing.T, path string, n int64, opts ...Option) {
	t.Helper()
	r, err := Create[shmEv](path, 64, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range n {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = shmEv{Seq: i, Sum: uint64(i) * 7}
		p.Publish()
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

// readToEOF reads c until io.EOF and returns the number of events.
func readToEOF(t *testing.T, c *Consumer[shmEv]) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var n int64
	for {
		_, err := c.Next(ctx)
		switch {
		case err == nil:
			n++
		case err == io.EOF:
			return n
		default:
			t.Fatalf("after %d events: %v", n, err)
		}
	}
}

// A producer that starts again after an earlier one closed makes a new
// stream: a consumer that resumed after the first EOF, or that starts after
// it, ends at the second EOF. And the producer table does not fill up with
// closed entries.
func TestSharedEOFAfterRestart(t *testing.T) {
	path := t.TempDir() + "/ring"
	for run := range 20 {
		produceRun(t, path, 5)
		r, err := Attach[shmEv](path)
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.NewConsumer("c")
		if err != nil {
			t.Fatal(err)
		}
		if n := readToEOF(t, c); n != 5 {
			t.Fatalf("run %d: %d events, want 5", run, n)
		}
		c.Detach()
		r.Close()
	}
	in, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Producers) != 1 || in.Producers[0].State != "closed" {
		t.Errorf("producers: %+v", in.Producers)
	}
}

// In a multi-producer ring, a consumer that joins after one producer's EOF
// ends at the other's, and one that reads both ends at the later one.
func TestSharedEOFMultiLateJoiner(t *testing.T) {
	path := t.TempDir() + "/ring"
	r, err := Create[shmEv](path, 64, WithMultiProducer())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	early, err := r.NewConsumer("early")
	if err != nil {
		t.Fatal(err)
	}
	p1, err := r.NewProducer("p1")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := r.NewProducer("p2")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pub := func(p *Producer[shmEv]) {
		if _, err := p.Claim(ctx); err != nil {
			t.Fatal(err)
		}
		p.Publish()
	}
	pub(p1)
	pub(p2)
	p1.Close()
	late, err := r.NewConsumer("late", StartAtLatest())
	if err != nil {
		t.Fatal(err)
	}
	pub(p2)
	pub(p2)
	p2.Close()
	if n := readToEOF(t, late); n != 2 {
		t.Errorf("late: %d events, want 2", n)
	}
	if n := readToEOF(t, early); n != 4 {
		t.Errorf("early: %d events, want 4", n)
	}
	if _, err := early.Next(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("after EOF: %v", err)
	}
}
