package metrics

import dr "github.com/disruptor-go/disruptor"

// Prometheus names of the counter types whose exported name is not the
// rule's (see MetricName). The library's counter type names
// (disruptor.CounterTypes) stay as they are, for Counters, Report, the
// JSON of ProducerStats and ConsumerStats and every `disruptor ... -json`
// (docs/json.md, which tabulates both names); the exported names follow
// Prometheus's conventions: counters end in _total, with the unit before it
// (published_bytes_total), and gauges carry no _total. A new counter type
// whose name already reads so needs no entry here.
var promNames = map[string]string{
	"events_published":     "published_events_total",
	"bytes_published":      "published_bytes_total",
	"producer_full_events": "producer_full_claims_total",
	"events_consumed":      "consumed_events_total",
}

// gauges and positions are the names of the counter types that are levels
// (CounterType.Gauge), and of those that are positions, which end each
// participant's counters.
var gauges, positions = typeSets()

func typeSets() (gauges, positions map[string]bool) {
	gauges, positions = map[string]bool{}, map[string]bool{}
	for _, t := range dr.CounterTypes() {
		gauges[t.Name] = gauges[t.Name] || t.Gauge
	}
	for _, t := range dr.PositionTypes() {
		gauges[t.Name] = gauges[t.Name] || t.Gauge
		positions[t.Name] = true
	}
	return gauges, positions
}

// isGauge reports whether the counter type named name is exported as a
// gauge: a high-water mark or a position, not a tally.
func isGauge(name string) bool { return gauges[name] }

// MetricName is the Prometheus metric a counter type (by its
// disruptor.CounterType Name, e.g. "bytes_published") is exported as, e.g.
// "disruptor_published_bytes_total": a tally's name with _total, a gauge's
// as it is, unless the package renames it. A name this package does not
// know is taken for a tally's.
func MetricName(counterType string) string {
	if n, ok := promNames[counterType]; ok {
		return "disruptor_" + n
	}
	if isGauge(counterType) {
		return "disruptor_" + counterType
	}
	return "disruptor_" + counterType + "_total"
}
