package metrics

// Prometheus names of the counter types. The library's counter type names
// (disruptor.CounterTypes) stay as they are, for Counters, Report, the
// JSON of ProducerStats and ConsumerStats and every `disruptor ... -json`
// (docs/json.md, which tabulates both names); the exported names follow Prometheus's
// conventions: counters end in _total, with the unit before it
// (published_bytes_total), and gauges carry no _total.
var promNames = map[string]string{
	"events_published":     "published_events_total",
	"bytes_published":      "published_bytes_total",
	"producer_full_events": "producer_full_claims_total",
	"claims":               "claims_total",
	"batches":              "batches_total",
	"skips":                "skips_total",
	"flushes":              "flushes_total",
	"eofs":                 "eofs_total",
	"parks":                "parks_total",
	"unparks":              "unparks_total",
	"yields":               "yields_total",
	"producer_full_spins":  "producer_full_spins_total",
	"events_consumed":      "consumed_events_total",
	"consumer_empty_spins": "consumer_empty_spins_total",
	"holes":                "holes_total",
	consumerLagMax:         consumerLagMax,
	producerPosition:       producerPosition,
	consumerPosition:       consumerPosition,
}

// isGauge reports whether the counter type named name is exported as a
// gauge: a high-water mark or a position, not a tally.
func isGauge(name string) bool {
	return name == producerPosition || name == consumerPosition || name == consumerLagMax
}

// MetricName is the Prometheus metric a counter type (by its
// disruptor.CounterType Name, e.g. "bytes_published") is exported as, e.g.
// "disruptor_published_bytes_total". A type this package does not list
// (newer than it) gets its name, with _total for a tally.
func MetricName(counterType string) string {
	if n, ok := promNames[counterType]; ok {
		return "disruptor_" + n
	}
	if isGauge(counterType) {
		return "disruptor_" + counterType
	}
	return "disruptor_" + counterType + "_total"
}
