// Package metrics exports disruptor rings to Prometheus.
//
// Three collectors cover the ways a ring is watched:
//
//   - Collector reads the counters of in-process rings (or shared rings this
//     process has open) on every scrape: NewCollector, then Add each ring.
//   - FileCollector finds shared rings on disk and inspects them on every
//     scrape, without joining them, while other processes run them: a
//     sidecar's view (see also `disruptor stat -listen`).
//   - Latency is a disruptor.LatencyRecorder for one consumer that is also a
//     collector of its publish-to-consume latency histogram.
//
// Every counter type (disruptor.CounterTypes) becomes a metric (see
// MetricName), with the labels ring, participant and role ("producer" or
// "consumer"): a Prometheus counter, named with the suffix _total, for
// tallies, and a gauge for disruptor_consumer_lag_max and for the
// positions disruptor_producer_position and disruptor_consumer_position.
// Both counter collectors add the gauge disruptor_consumer_lag, producer
// position minus consumer position, per consumer, and per ring
// disruptor_ring_capacity (slots) and disruptor_ring_info{ring, type,
// mode, size} 1 (the event type, "single" or "multi" producer mode, the
// size). FileCollector adds disruptor_participant_up (with a state label:
// live, stalled, detached, dead, evicted, closed) per participant,
// disruptor_consumer_heartbeat_age_seconds per consumer, and per ring
// disruptor_ring_up and disruptor_ring_scrape_errors_total: a ring that
// cannot be read is counted, never a failed scrape. The names pass
// client_golang's promlint, and served with
// promhttp.HandlerOpts{EnableOpenMetrics: true} every counter is typed
// counter in OpenMetrics.
//
// Application counter sets (disruptor.Ring.NewAppCounters, such as the
// bridge package's) are exported by both counter collectors as
// disruptor_app_counter_total (tallies) and disruptor_app_gauge (levels),
// with the labels ring, participant (the set's owner), role (the set's) and
// counter (the counter's name).
//
// Names that producers and consumers share (batches, flushes, eofs, parks,
// unparks, yields) are one metric whose help describes both; the role label
// tells them apart.
//
// The directory dashboard holds a Grafana dashboard of these metrics.
//
// Renamed metrics: before the _total suffix, the tallies had the counter
// types' names. Old name, new name (all with the prefix disruptor_):
//
//	events_published      published_events_total
//	bytes_published       published_bytes_total
//	producer_full_events  producer_full_claims_total
//	producer_full_spins   producer_full_spins_total
//	events_consumed       consumed_events_total
//	consumer_empty_spins  consumer_empty_spins_total
//	claims, batches, skips, flushes, eofs, holes, parks, unparks, yields:
//	                      the same name with _total
//
// The counter types themselves (Counters, Report, `disruptor stat -json`)
// keep their names.
package metrics

import (
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	dr "github.com/disruptor-go/disruptor"
)

// labels are the variable labels of every counter metric.
var labels = []string{"ring", "participant", "role"}

// consumerLag is the name of the metric that is not a counter type.
const consumerLag = "consumer_lag"

// metric is the descriptor of one counter name and how it is exported.
type metric struct {
	desc *prometheus.Desc
	kind prometheus.ValueType
}

// counterMetrics maps counter names to their metrics, and lagDesc is
// disruptor_consumer_lag's.
var counterMetrics, lagDesc = buildMetrics()

// allTypes are the library's counter types: the tallies, then the
// positions.
func allTypes() []dr.CounterType { return append(dr.CounterTypes(), dr.PositionTypes()...) }

// buildMetrics makes a metric of every counter type, by name: a name both
// roles have is one metric whose help describes both.
func buildMetrics() (map[string]metric, *prometheus.Desc) {
	help := map[string]string{}
	var order []string
	for _, t := range allTypes() {
		if old, ok := help[t.Name]; ok {
			help[t.Name] = old + "; " + t.Role + "s: " + t.Help
			continue
		}
		order = append(order, t.Name)
		help[t.Name] = t.Role + "s: " + t.Help
	}
	out := make(map[string]metric, len(order))
	for _, name := range order {
		kind := prometheus.CounterValue
		if isGauge(name) {
			kind = prometheus.GaugeValue
		}
		out[name] = metric{prometheus.NewDesc(MetricName(name), help[name], labels, nil), kind}
	}
	lag := prometheus.NewDesc("disruptor_"+consumerLag,
		"consumers: events published but not yet released (producer_position - consumer_position)", labels, nil)
	return out, lag
}

// describeCounters sends the descriptors of every counter metric and of
// the ring's capacity and info.
func describeCounters(ch chan<- *prometheus.Desc) {
	for _, m := range counterMetrics {
		ch <- m.desc
	}
	ch <- lagDesc
	ch <- appCounterDesc
	ch <- appGaugeDesc
	ch <- capacityDesc
	ch <- infoDesc
}

// participant is one producer's or consumer's counters, as a ring lists
// them.
type participant struct {
	name, role string
	counters   []dr.Counter
	position   int64
	app        bool // an application counter set: no position
}

// group splits a ring's counters into participants: each participant's
// counters come together and end with its position; an application
// counter set's are a run of one role and owner, each name once.
func group(cs []dr.Counter) []participant {
	var out []participant
	start := 0
	for i, c := range cs {
		if isApp(&c) {
			if k := len(out) - 1; k >= 0 && start == i && out[k].app && out[k].role == c.Type.Role && out[k].name == c.Owner && !hasName(out[k].counters, c.Type.Name) {
				out[k].counters = cs[i-len(out[k].counters) : i+1]
			} else {
				out = append(out, participant{name: c.Owner, role: c.Type.Role, counters: cs[i : i+1], app: true})
			}
			start = i + 1
			continue
		}
		if positions[c.Type.Name] {
			out = append(out, participant{name: c.Owner, role: c.Type.Role, counters: cs[start : i+1], position: c.Value})
			start = i + 1
		}
	}
	return out
}

// labeler gives each participant of a ring a unique participant label:
// its name, or name#2, name#3... for the second and later participants of
// the same role and name (in-process rings do not require unique names).
type labeler map[[2]string]int

func (l labeler) label(role, name string) string {
	name = validLabel(name)
	k := [2]string{role, name}
	l[k]++
	if n := l[k]; n > 1 {
		return name + "#" + strconv.Itoa(n)
	}
	return name
}

// validLabel makes s a valid label value: names and ring files come from
// the rings' files, which any process may have written, and a label that is
// not UTF-8 fails the whole scrape.
func validLabel(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// emit sends p's counters and, for a consumer, its lag behind cursor.
// Counters of unknown types (newer than this package) are left out.
func emit(ch chan<- prometheus.Metric, ring, label string, p *participant, lag int64) {
	if p.app {
		emitApp(ch, ring, label, p)
		return
	}
	for _, c := range p.counters {
		m, ok := counterMetrics[c.Type.Name]
		if !ok {
			continue
		}
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, float64(c.Value), ring, label, p.role)
	}
	if p.role == "consumer" {
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(max(0, lag)), ring, label, p.role)
	}
}

// hasName reports whether cs holds a counter named name.
func hasName(cs []dr.Counter, name string) bool {
	for _, c := range cs {
		if c.Type.Name == name {
			return true
		}
	}
	return false
}
