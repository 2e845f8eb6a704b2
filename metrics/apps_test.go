package metrics_test

import (
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// An application counter set is exported by both collectors (a pedantic
// registry: every metric described), its tallies as counters and its
// gauges as gauges, beside the ring's participants.
func TestAppCounters(t *testing.T) {
	dir := t.TempDir()
	r, err := dr.Create[int64]("orders", 8, dr.WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.NewConsumer("c"); err != nil {
		t.Fatal(err)
	}
	a, err := r.NewAppCounters("bridge", "out-s", dr.CounterType{ID: 1001, Name: "frames"},
		dr.CounterType{ID: 1002, Name: "frames_in_flight", Gauge: true})
	if err != nil {
		t.Fatal(err)
	}
	a.At(0).Add(12)
	a.At(1).Store(3)
	col := metrics.NewCollector()
	col.Add("orders", r)
	for name, c := range map[string]prometheus.Collector{"FileCollector": metrics.NewFileCollector(filepath.Join(dir, "orders")), "Collector": col} {
		f := scrape(t, c)
		al := with(who("orders", "out-s", "bridge"), "counter", "frames")
		if v, ok := f.value("disruptor_app_counter_total", al); !ok || v != 12 {
			t.Errorf("%s: frames %v (found %v), want 12", name, v, ok)
		}
		if ty := f["disruptor_app_counter_total"].GetType().String(); ty != "COUNTER" {
			t.Errorf("%s: disruptor_app_counter_total is a %s", name, ty)
		}
		gl := with(who("orders", "out-s", "bridge"), "counter", "frames_in_flight")
		if v, ok := f.value("disruptor_app_gauge", gl); !ok || v != 3 {
			t.Errorf("%s: frames_in_flight %v (found %v), want 3", name, v, ok)
		}
		if ty := f["disruptor_app_gauge"].GetType().String(); ty != "GAUGE" {
			t.Errorf("%s: disruptor_app_gauge is a %s", name, ty)
		}
		if _, ok := f.find("disruptor_consumer_position", who("orders", "c", "consumer")); !ok {
			t.Errorf("%s: the consumer is no longer exported beside the set", name)
		}
	}
	a.Close()
	if _, ok := scrape(t, col).find("disruptor_app_counter_total", nil); ok {
		t.Error("a closed set is still exported")
	}
}
