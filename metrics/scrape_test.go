package metrics_test

import (
	"maps"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// families is one scrape, parsed.
type families map[string]*dto.MetricFamily

// scrape registers cs in a fresh registry, scrapes it over its HTTP handler
// in the text format and parses what it served.
func scrape(t *testing.T, cs ...prometheus.Collector) families {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			t.Fatal(err)
		}
	}
	return scrapeRegistry(t, reg)
}

// scrapeRegistry scrapes reg over its HTTP handler in the text format and
// parses what it served.
func scrapeRegistry(t *testing.T, reg *prometheus.Registry) families {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: HTTP %d: %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parsing the scrape: %v", err)
	}
	return fams
}

// labelsOf returns m's labels as a map.
func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// find returns the metric of family name whose labels include want.
func (f families) find(name string, want map[string]string) (*dto.Metric, bool) {
	for _, m := range f[name].GetMetric() {
		got := labelsOf(m)
		match := true
		for k, v := range want {
			if got[k] != v {
				match = false
			}
		}
		if match {
			return m, true
		}
	}
	return nil, false
}

// value is the counter's or gauge's value of family name with labels want.
func (f families) value(name string, want map[string]string) (float64, bool) {
	m, ok := f.find(name, want)
	if !ok {
		return 0, false
	}
	if c := m.GetCounter(); c != nil {
		return c.GetValue(), true
	}
	return m.GetGauge().GetValue(), true
}

// who makes the labels of a participant.
func who(ring, participant, role string) map[string]string {
	return map[string]string{"ring": ring, "participant": participant, "role": role}
}

// with adds labels to m.
func with(m map[string]string, kv ...string) map[string]string {
	m = maps.Clone(m)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
