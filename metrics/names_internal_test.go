package metrics

import (
	"strings"
	"testing"

	dr "github.com/disruptor-go/disruptor"
)

// Every counter type has a name chosen for it, not the fallback for types
// newer than this package, and tallies and gauges are told apart by it.
func TestEveryCounterTypeNamed(t *testing.T) {
	for _, ct := range dr.CounterTypes() {
		n, ok := promNames[ct.Name]
		if !ok {
			t.Errorf("counter type %s has no Prometheus name in promNames", ct.Name)
			continue
		}
		if total := strings.HasSuffix(n, "_total"); total == isGauge(ct.Name) {
			t.Errorf("%s is exported as %s (a gauge: %v)", ct.Name, n, isGauge(ct.Name))
		}
	}
	for name, want := range map[string]string{
		"bytes_published":  "disruptor_published_bytes_total",
		"consumer_lag_max": "disruptor_consumer_lag_max",
		"some_new_tally":   "disruptor_some_new_tally_total",
	} {
		if got := MetricName(name); got != want {
			t.Errorf("MetricName(%q) = %q, want %q", name, got, want)
		}
	}
}
