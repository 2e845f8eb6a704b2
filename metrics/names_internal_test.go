package metrics

import (
	"strings"
	"testing"
)

// Every counter type's metric is a tally's (with _total) or a gauge's (as
// it is), as the type's Gauge says, and every rename is of a type that
// exists.
func TestEveryCounterTypeNamed(t *testing.T) {
	known := map[string]bool{}
	for _, ct := range allTypes() {
		known[ct.Name] = true
		n := MetricName(ct.Name)
		if total := strings.HasSuffix(n, "_total"); total == ct.Gauge {
			t.Errorf("%s %s is exported as %s (a gauge: %v)", ct.Role, ct.Name, n, ct.Gauge)
		}
		if isGauge(ct.Name) != ct.Gauge {
			t.Errorf("%s %s: isGauge %v, the type's Gauge %v", ct.Role, ct.Name, isGauge(ct.Name), ct.Gauge)
		}
	}
	for name := range promNames {
		if !known[name] {
			t.Errorf("promNames renames %q, which is no counter type", name)
		}
	}
	for name, want := range map[string]string{
		"bytes_published":   "disruptor_published_bytes_total",
		"claims":            "disruptor_claims_total",
		"consumer_lag_max":  "disruptor_consumer_lag_max",
		"producer_position": "disruptor_producer_position",
		"some_new_tally":    "disruptor_some_new_tally_total",
	} {
		if got := MetricName(name); got != want {
			t.Errorf("MetricName(%q) = %q, want %q", name, got, want)
		}
	}
}
