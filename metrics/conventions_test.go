package metrics_test

import (
	"bufio"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// runRing moves n events from every producer to every consumer, then
// flushes, so that every participant has published its tallies.
func runRing(t *testing.T, ps []*dr.Producer[int64], cs []*dr.Consumer[int64], n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range n {
		for _, p := range ps {
			ev, err := p.Claim(ctx)
			if err != nil {
				t.Fatal(err)
			}
			*ev = int64(i)
			p.Publish()
		}
		for _, c := range cs {
			for range ps {
				if _, err := c.Next(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, p := range ps {
		p.Flush(ctx)
	}
	for _, c := range cs {
		for range ps {
			c.Next(ctx) // ErrFlush
		}
		c.TryNext() // finds nothing: publishes the consumer's tallies
	}
}

// exposition makes an in-process multi-producer ring "mem" (two producers,
// a consumer) in a Collector with a latency histogram, and a shared ring
// "disk" (a producer, two consumers) in t.TempDir() in a FileCollector,
// runs events through both rings, and returns a registry serving each
// (the two collectors share descriptors: one registry takes one of them).
func exposition(t *testing.T) map[string]*prometheus.Registry {
	t.Helper()
	mem, err := dr.New[int64](8, dr.WithMultiProducer())
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := mem.NewProducer("p1")
	p2, _ := mem.NewProducer("p2")
	mc, _ := mem.NewConsumer("c")
	runRing(t, []*dr.Producer[int64]{p1, p2}, []*dr.Consumer[int64]{mc}, 50)

	dir := t.TempDir()
	disk, err := dr.Create[int64]("disk", 16, dr.WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { disk.Close() })
	dp, _ := disk.NewProducer("p")
	d1, _ := disk.NewConsumer("c1")
	d2, _ := disk.NewConsumer("c2")
	runRing(t, []*dr.Producer[int64]{dp}, []*dr.Consumer[int64]{d1, d2}, 50)

	col := metrics.NewCollector()
	col.Add("mem", mem)
	lat := metrics.NewLatency("mem", "c")
	lat.RecordValue(1500)
	regs := map[string]*prometheus.Registry{"Collector": prometheus.NewPedanticRegistry(), "FileCollector": prometheus.NewPedanticRegistry()}
	regs["Collector"].MustRegister(col, lat)
	regs["FileCollector"].MustRegister(metrics.NewFileCollector(dir))
	return regs
}

// serve scrapes reg over its HTTP handler, OpenMetrics enabled, with the
// Accept header accept, and returns the body and content type.
func serve(t *testing.T, reg *prometheus.Registry, accept string) (body, contentType string) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}).ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("scrape: HTTP %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String(), rec.Header().Get("Content-Type")
}

// The served text passes client_golang's linter: counters end in _total,
// units are base units, every metric has help.
func TestExpositionLint(t *testing.T) {
	got := map[string]dto.MetricType{}
	for which, reg := range exposition(t) {
		body, _ := serve(t, reg, "")
		problems, err := promlint.New(strings.NewReader(body)).Lint()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("promlint, %s: %s: %s", which, p.Metric, p.Text)
		}
		fams, _ := reg.Gather()
		for _, f := range fams {
			got[f.GetName()] = f.GetType()
		}
	}
	// The scrape is the whole exposition, not a part that lints clean.
	for name, want := range map[string]dto.MetricType{
		"disruptor_published_events_total":     dto.MetricType_COUNTER,
		"disruptor_published_bytes_total":      dto.MetricType_COUNTER,
		"disruptor_consumed_events_total":      dto.MetricType_COUNTER,
		"disruptor_producer_full_claims_total": dto.MetricType_COUNTER,
		"disruptor_parks_total":                dto.MetricType_COUNTER,
		"disruptor_ring_scrape_errors_total":   dto.MetricType_COUNTER,
		"disruptor_consumer_lag":               dto.MetricType_GAUGE,
		"disruptor_consumer_lag_max":           dto.MetricType_GAUGE,
		"disruptor_producer_position":          dto.MetricType_GAUGE,
		"disruptor_ring_capacity":              dto.MetricType_GAUGE,
		"disruptor_ring_info":                  dto.MetricType_GAUGE,
		"disruptor_participant_up":             dto.MetricType_GAUGE,
		"disruptor_latency_seconds":            dto.MetricType_HISTOGRAM,
	} {
		if g, ok := got[name]; !ok || g != want {
			t.Errorf("%s: %v (served %v), want a %v", name, g, ok, want)
		}
	}
	for _, ct := range dr.CounterTypes() {
		if _, ok := got[metrics.MetricName(ct.Name)]; !ok {
			t.Errorf("counter type %s: no %s in the scrape", ct.Name, metrics.MetricName(ct.Name))
		}
	}
}

// Asked for OpenMetrics, the handler serves it, and every counter is typed
// counter (a counter whose name lacks _total would be "unknown").
func TestExpositionOpenMetrics(t *testing.T) {
	for which, reg := range exposition(t) {
		counters := checkOpenMetrics(t, which, reg)
		if counters < 15 {
			t.Errorf("%s: %d counter families in the scrape", which, counters)
		}
	}
}

// checkOpenMetrics scrapes reg as OpenMetrics and checks each family's
// # TYPE line; it returns the number of counter families.
func checkOpenMetrics(t *testing.T, which string, reg *prometheus.Registry) (counters int) {
	body, ct := serve(t, reg, "application/openmetrics-text; version=1.0.0")
	if !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Fatalf("%s: Content-Type %q, want OpenMetrics", which, ct)
	}
	if !strings.HasSuffix(body, "# EOF\n") {
		t.Errorf("%s: the OpenMetrics exposition does not end in # EOF", which)
	}
	types := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			types[f[2]] = f[3]
		}
	}
	fams, _ := reg.Gather()
	for _, f := range fams {
		want := strings.ToLower(f.GetType().String())
		name := f.GetName()
		if f.GetType() == dto.MetricType_COUNTER {
			name = strings.TrimSuffix(name, "_total") // OpenMetrics names the family without it
			counters++
		}
		if got := types[name]; got != want {
			t.Errorf("%s: # TYPE %s %s, want %s", which, name, got, want)
		}
	}
	for name, typ := range types {
		if typ == "unknown" {
			t.Errorf("%s: # TYPE %s unknown", which, name)
		}
	}
	return counters
}

// Both collectors export the ring's capacity and shape.
func TestRingInfo(t *testing.T) {
	regs := exposition(t)
	for _, x := range []struct {
		which, ring, mode, size string
	}{{"Collector", "mem", "multi", "8"}, {"FileCollector", "disk", "single", "16"}} {
		f := scrapeRegistry(t, regs[x.which])
		info := map[string]string{"ring": x.ring, "type": "int64", "mode": x.mode, "size": x.size}
		if v, ok := f.value("disruptor_ring_info", info); !ok || v != 1 {
			t.Errorf("disruptor_ring_info%v = %v (found %v), want 1", info, v, ok)
		}
		want := map[string]float64{"8": 8, "16": 16}[x.size]
		if v, ok := f.value("disruptor_ring_capacity", map[string]string{"ring": x.ring}); !ok || v != want {
			t.Errorf("disruptor_ring_capacity{ring=%q} = %v (found %v), want %v", x.ring, v, ok, want)
		}
		if n := len(f["disruptor_ring_info"].GetMetric()); n != 1 {
			t.Errorf("%s: %d ring_info series, want 1", x.which, n)
		}
	}
}
