package disruptor

import (
	"context"
	"testing"
)

type countingRecorder struct {
	n   int
	max int64
}

func (r *countingRecorder) RecordValue(v int64) error {
	r.n++
	r.max = max(r.max, v)
	return nil
}

func TestRecordLatency(t *testing.T) {
	ctx := context.Background()
	for _, shared := range []bool{false, true} {
		var r *Ring[int64]
		var err error
		if shared {
			r, err = Create[int64]("lat", 16, WithDir(t.TempDir()), WithPublishTimes())
		} else {
			r, err = New[int64](16, WithPublishTimes())
		}
		if err != nil {
			t.Fatal(err)
		}
		rec, plain := &countingRecorder{}, &countingRecorder{}
		p, _ := r.NewProducer("p")
		c, _ := r.NewConsumer("c", RecordLatency(rec))
		d, _ := r.NewConsumer("d", RecordLatency(plain))
		for i := range 10 {
			ev, _ := p.Claim(ctx)
			*ev = int64(i)
			p.Publish()
		}
		for range 10 {
			if _, err := c.Next(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for got := 0; got < 10; {
			n, err := d.Batch(ctx, func(*int64, int64, bool) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
		if rec.n != 10 || rec.max <= 0 || rec.max > 10e9 {
			t.Errorf("shared=%v: Next recorded %d latencies, max %dns; want 10 in (0, 10s]", shared, rec.n, rec.max)
		}
		if plain.n != 10 {
			t.Errorf("shared=%v: Batch recorded %d latencies, want 10", shared, plain.n)
		}
		r.Close()
	}
	r, _ := New[int64](16) // no stamps: the recorder is never called
	rec := &countingRecorder{}
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c", RecordLatency(rec))
	p.Claim(ctx)
	p.Publish()
	c.Next(ctx)
	if rec.n != 0 {
		t.Errorf("recorded %d latencies without WithPublishTimes", rec.n)
	}
}
