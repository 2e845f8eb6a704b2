package metrics

import (
	"slices"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
)

// Range and precision of a Latency's histogram.
const (
	latencyMin    = 1                       // ns
	latencyMax    = int64(60 * time.Second) // ns; longer latencies count as 60s
	latencyDigits = 3                       // significant digits
)

// LatencyBounds returns the upper bounds, in seconds, of the buckets a
// Latency exports: powers of two nanoseconds from 64ns to about 34s (and
// +Inf), which fall on the HDR histogram's own bucket boundaries.
func LatencyBounds() []float64 { return slices.Clone(latencyBounds) }

var latencyBounds = func() []float64 {
	var b []float64
	for k := boundMin; k <= boundMax; k++ {
		b = append(b, float64(int64(1)<<k)/1e9)
	}
	return b
}()

// The bounds are 1<<boundMin .. 1<<boundMax ns.
const boundMin, boundMax = 6, 35

// Latency records one consumer's publish-to-consume latencies (give it to
// disruptor.RecordLatency) in an HDR histogram of 1ns to 60s with 3
// significant digits, and is a prometheus.Collector exporting them as the
// histogram disruptor_latency_seconds{ring, participant}: cumulative
// buckets at LatencyBounds() derived from the HDR histogram, and the exact
// sum and count.
//
// RecordValue takes a mutex that readers hold only to swap buffers: it
// records into one of two HDR histograms, and a scrape (or a query) swaps
// in the empty one and merges the full one into the running total. It does
// not allocate.
type Latency struct {
	mu  sync.Mutex // guards cur
	cur *latencyBuf

	read  sync.Mutex // guards the rest: scrapes and queries
	spare *latencyBuf
	total *latencyBuf
	desc  *prometheus.Desc
}

// latencyBuf is a histogram and the exact sum of its values.
type latencyBuf struct {
	h   *hdrhistogram.Histogram
	sum int64 // ns
}

func newBuf() *latencyBuf {
	return &latencyBuf{h: hdrhistogram.New(latencyMin, latencyMax, latencyDigits)}
}

// NewLatency returns a latency recorder exporting with the labels
// ring=ring and participant=participant (the consumer's name).
func NewLatency(ring, participant string) *Latency {
	return &Latency{
		cur: newBuf(), spare: newBuf(), total: newBuf(),
		desc: prometheus.NewDesc("disruptor_latency_seconds",
			"publish-to-consume latency of the events a consumer read (rings made WithPublishTimes)",
			nil, prometheus.Labels{"ring": ring, "participant": participant}),
	}
}

// RecordValue records a latency of v nanoseconds, clamped to the range
// 0..60s, and returns nil. It implements disruptor.LatencyRecorder.
func (l *Latency) RecordValue(v int64) error {
	v = min(max(v, 0), latencyMax)
	l.mu.Lock()
	b := l.cur
	b.h.RecordValue(v)
	b.sum += v
	l.mu.Unlock()
	return nil
}

// fold moves what was recorded since the last fold into the total; l.read
// is held.
func (l *Latency) fold() {
	l.mu.Lock()
	b := l.cur
	l.cur = l.spare
	l.mu.Unlock()
	if b.h.TotalCount() > 0 {
		l.total.h.Merge(b.h)
		l.total.sum += b.sum
		b.h.Reset()
		b.sum = 0
	}
	l.spare = b
}

// Count is the number of latencies recorded.
func (l *Latency) Count() int64 {
	l.read.Lock()
	defer l.read.Unlock()
	l.fold()
	return l.total.h.TotalCount()
}

// Quantile is the latency at quantile q (0.5 for the median) of those
// recorded, within the histogram's precision, or 0 if none were.
func (l *Latency) Quantile(q float64) time.Duration {
	l.read.Lock()
	defer l.read.Unlock()
	l.fold()
	return time.Duration(l.total.h.ValueAtQuantile(q * 100))
}

// Histogram returns a copy of everything recorded so far.
func (l *Latency) Histogram() *hdrhistogram.Histogram {
	l.read.Lock()
	defer l.read.Unlock()
	l.fold()
	return l.total.h.Clone()
}

// Describe implements prometheus.Collector.
func (l *Latency) Describe(ch chan<- *prometheus.Desc) { ch <- l.desc }

// Collect implements prometheus.Collector. A bucket counts every value up
// to its bound, and the values the HDR histogram does not tell from the
// bound (above 2048ns, those less than 0.1% over it).
func (l *Latency) Collect(ch chan<- prometheus.Metric) {
	l.read.Lock()
	l.fold()
	h := l.total.h
	count, sum := h.TotalCount(), float64(l.total.sum)/1e9
	buckets := make(map[float64]uint64, len(latencyBounds))
	var cum uint64
	i := 0
	for _, bar := range h.Distribution() {
		for i < len(latencyBounds) && bar.From > int64(1)<<(boundMin+i) {
			buckets[latencyBounds[i]] = cum
			i++
		}
		cum += uint64(bar.Count)
	}
	for ; i < len(latencyBounds); i++ {
		buckets[latencyBounds[i]] = cum
	}
	l.read.Unlock()
	ch <- prometheus.MustNewConstHistogram(l.desc, uint64(count), sum, buckets)
}
