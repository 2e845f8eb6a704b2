package disruptor

import (
	"context"
	"io"
	"testing"
)

func TestSmoke(t *testing.T) {
	for _, multi := range []bool{false, true} {
		var opts []Option
		if multi {
			opts = append(opts, WithMultiProducer())
		}
		r, err := New[int64](8, opts...)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := r.NewProducer("p")
		c, _ := r.NewConsumer("c")
		d, _ := r.NewConsumer("d", After(c))
		const N = 100000
		done := make(chan int64, 2)
		for _, cc := range []*Consumer[int64]{c, d} {
			go func() {
				var sum, want int64
				for {
					ev, err := cc.Next(context.Background())
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Error(err)
						break
					}
					if *ev != want {
						t.Errorf("got %d want %d", *ev, want)
						break
					}
					want++
					sum += *ev
				}
				done <- sum
			}()
		}
		for i := int64(0); i < N; i++ {
			ev, err := p.Claim(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			*ev = i
			p.Publish()
		}
		p.Close()
		for range 2 {
			if s := <-done; s != N*(N-1)/2 {
				t.Fatalf("sum %d", s)
			}
		}
		var b []byte
		w := &sliceWriter{&b}
		r.Report(w)
		t.Logf("\n%s", b)
	}
}

type sliceWriter struct{ b *[]byte }

func (w *sliceWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }
