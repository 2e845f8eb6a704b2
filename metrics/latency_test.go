package metrics_test

import (
	"context"
	"testing"
	"time"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

func TestLatency(t *testing.T) {
	ctx := context.Background()
	r, _ := dr.New[int64](64, dr.WithPublishTimes())
	lat := metrics.NewLatency("orders", "c")
	var _ dr.LatencyRecorder = lat
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c", dr.RecordLatency(lat))
	const n = 5000
	done := make(chan struct{})
	go func() { // scrapes while the consumer records
		defer close(done)
		for range 20 {
			scrape(t, lat)
		}
	}()
	for i := range n {
		ev, _ := p.Claim(ctx)
		*ev = int64(i)
		p.Publish()
		if _, err := c.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	f := scrape(t, lat)
	m, ok := f.find("disruptor_latency_seconds", map[string]string{"ring": "orders", "participant": "c"})
	if !ok {
		t.Fatalf("no latency histogram: %v", f)
	}
	h := m.GetHistogram()
	if h.GetSampleCount() != n || lat.Count() != n {
		t.Errorf("histogram count %d, Count %d, want %d events", h.GetSampleCount(), lat.Count(), n)
	}
	if mean := h.GetSampleSum() / n; mean <= 0 || mean > 1 {
		t.Errorf("mean latency %vs", mean)
	}
	var last uint64
	bounds := metrics.LatencyBounds()
	for i, b := range h.GetBucket()[:len(bounds)] { // then +Inf
		if b.GetUpperBound() != bounds[i] || b.GetCumulativeCount() < last {
			t.Errorf("bucket %d: le %v count %d after %d", i, b.GetUpperBound(), b.GetCumulativeCount(), last)
		}
		last = b.GetCumulativeCount()
	}
	if last == 0 || last > n {
		t.Errorf("%d latencies under %vs of %d", last, bounds[len(bounds)-1], n)
	}
	p50, p99, p100 := lat.Quantile(0.5), lat.Quantile(0.99), lat.Quantile(1)
	if p50 <= 0 || p50 > p99 || p99 > p100 || p100 > 10*time.Second {
		t.Errorf("quantiles p50 %v p99 %v max %v", p50, p99, p100)
	}
	if got := lat.Histogram().TotalCount(); got != n {
		t.Errorf("Histogram holds %d values", got)
	}
}

func TestLatencyBuckets(t *testing.T) {
	lat := metrics.NewLatency("r", "c")
	for _, v := range []int64{1, 64, 65, 1000, 2048, 1 << 20, int64(2 * time.Minute), -5} {
		lat.RecordValue(v)
	}
	h := scrape(t, lat)["disruptor_latency_seconds"].GetMetric()[0].GetHistogram()
	want := map[float64]uint64{64e-9: 3, 128e-9: 4, 1024e-9: 5, 2048e-9: 6, float64(1<<20) / 1e9: 7, metrics.LatencyBounds()[29]: 7}
	for _, b := range h.GetBucket() {
		if w, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != w {
			t.Errorf("le %v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), w)
		}
	}
	// Out of range values are clamped: 2 minutes count as 60s, -5 as 0.
	sum := float64(1+64+65+1000+2048+1<<20)/1e9 + 60
	if h.GetSampleCount() != 8 || h.GetSampleSum() < sum-1e-6 || h.GetSampleSum() > sum+1e-6 {
		t.Errorf("count %d sum %v, want 8 and %v", h.GetSampleCount(), h.GetSampleSum(), sum)
	}
}

func TestLatencyRecordDoesNotAllocate(t *testing.T) {
	lat := metrics.NewLatency("r", "c")
	if a := testing.AllocsPerRun(1000, func() { lat.RecordValue(12345) }); a != 0 {
		t.Errorf("RecordValue allocates %v times", a)
	}
}

func BenchmarkLatencyRecord(b *testing.B) {
	lat := metrics.NewLatency("r", "c")
	for i := range b.N {
		lat.RecordValue(int64(i & 0xffff))
	}
}
