package bridge

import "github.com/prometheus/client_golang/prometheus"

// Collector exports a bridge's Stats to Prometheus, read on every scrape:
// disruptor_bridge_frames_total, disruptor_bridge_events_total,
// disruptor_bridge_resyncs_total, disruptor_bridge_precondition_failures_total
// and disruptor_bridge_redeliveries_total (counters), and
// disruptor_bridge_frames_in_flight, disruptor_bridge_events_in_flight,
// disruptor_bridge_acked_sequence and disruptor_bridge_ring_sequence
// (gauges), each with the labels direction ("out" or "in") and stream.
type Collector struct {
	direction, stream string
	stats             func() Stats
}

// NewCollector returns the collector of the bridge whose Stats method is
// stats (Out.Stats or In.Stats).
func NewCollector(direction, stream string, stats func() Stats) *Collector {
	return &Collector{direction: direction, stream: stream, stats: stats}
}

var bridgeDescs = []struct {
	d     *prometheus.Desc
	kind  prometheus.ValueType
	value func(Stats) float64
}{
	{desc("frames_total", "Frames acknowledged by the stream (out) or written into the ring (in)."), prometheus.CounterValue, func(s Stats) float64 { return float64(s.Frames) }},
	{desc("events_total", "Events acknowledged by the stream (out) or written into the ring (in)."), prometheus.CounterValue, func(s Stats) float64 { return float64(s.Events) }},
	{desc("frames_in_flight", "Frames published and not yet acknowledged."), prometheus.GaugeValue, func(s Stats) float64 { return float64(s.FramesInFlight) }},
	{desc("events_in_flight", "Events in frames published and not yet acknowledged."), prometheus.GaugeValue, func(s Stats) float64 { return float64(s.EventsInFlight) }},
	{desc("acked_sequence", "Stream sequence of the last frame acknowledged (out) or written into the ring (in)."), prometheus.GaugeValue, func(s Stats) float64 { return float64(s.AckedSeq) }},
	{desc("ring_sequence", "Last ring sequence of that frame, in the ring it came from."), prometheus.GaugeValue, func(s Stats) float64 { return float64(s.RingSeq) }},
	{desc("resyncs_total", "Resynchronisations from the stream's tail."), prometheus.CounterValue, func(s Stats) float64 { return float64(s.Resyncs) }},
	{desc("precondition_failures_total", "Publications refused: the stream's last sequence was not the expected one."), prometheus.CounterValue, func(s Stats) float64 { return float64(s.PreconditionFailures) }},
	{desc("redeliveries_total", "Frames published again after a resync (out), or read again and passed over (in)."), prometheus.CounterValue, func(s Stats) float64 { return float64(s.Redeliveries) }},
}

func desc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("disruptor_bridge_"+name, help, []string{"direction", "stream"}, nil)
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range bridgeDescs {
		ch <- d.d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for _, d := range bridgeDescs {
		ch <- prometheus.MustNewConstMetric(d.d, d.kind, d.value(s), c.direction, c.stream)
	}
}
