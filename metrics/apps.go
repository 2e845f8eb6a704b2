package metrics

// Application counter sets (disruptor.Ring.NewAppCounters): counters an
// application keeps in a ring's counters area, with their names, roles and
// kinds in the file. Every tally of every set is one series of
// disruptor_app_counter_total and every gauge one of disruptor_app_gauge,
// labelled ring, participant (the set's owner), role (the set's) and
// counter (its name): any application's counters are exported with no
// code of its own here, under two described metrics whose help and type
// never depend on what a file says.

import (
	"github.com/prometheus/client_golang/prometheus"

	dr "github.com/disruptor-go/disruptor"
)

var (
	appLabels      = append(labels[:len(labels):len(labels)], "counter")
	appCounterDesc = prometheus.NewDesc("disruptor_app_counter_total",
		"tallies of application counter sets kept in the ring's counters area (disruptor.Ring.NewAppCounters), by counter name",
		appLabels, nil)
	appGaugeDesc = prometheus.NewDesc("disruptor_app_gauge",
		"levels of application counter sets kept in the ring's counters area (disruptor.Ring.NewAppCounters), by counter name",
		appLabels, nil)
)

// isApp reports whether c belongs to an application counter set.
func isApp(c *dr.Counter) bool { return c.Type.Role != "producer" && c.Type.Role != "consumer" }

// emitApp sends the counters of one application counter set.
func emitApp(ch chan<- prometheus.Metric, ring, label string, p *participant) {
	for _, c := range p.counters {
		d, kind := appCounterDesc, prometheus.CounterValue
		if c.Type.Gauge {
			d, kind = appGaugeDesc, prometheus.GaugeValue
		}
		ch <- prometheus.MustNewConstMetric(d, kind, float64(c.Value), ring, label, p.role, c.Type.Name)
	}
}
