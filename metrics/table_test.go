package metrics_test

import (
	"testing"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// tableSource is a ring with one producer "p" and one consumer "c" whose
// every counter, of every type the library has, holds a value of its own.
type tableSource struct{ cs []dr.Counter }

func (s *tableSource) Counters() []dr.Counter { return s.cs }
func (s *tableSource) Cursor() int64          { return 0 }

func newTableSource() *tableSource {
	s := &tableSource{}
	for _, role := range []string{"producer", "consumer"} {
		owner := role[:1]
		for _, set := range [][]dr.CounterType{dr.CounterTypes(), dr.PositionTypes()} { // a participant's position ends its counters
			for _, ct := range set {
				if ct.Role == role {
					s.cs = append(s.cs, dr.Counter{Type: ct, Owner: owner, Value: value(ct)})
				}
			}
		}
	}
	return s
}

// Every counter type the library has is in the collector's output, under
// its metric, with the participant's labels, the Prometheus type its kind
// calls for and its own value (a pedantic registry checks the rest).
func TestCollectorExportsEveryCounterType(t *testing.T) {
	src := newTableSource()
	col := metrics.NewCollector()
	col.Add("t", src)
	f := scrape(t, col)
	for _, c := range src.cs {
		name := metrics.MetricName(c.Type.Name)
		m, ok := f.find(name, who("t", c.Owner, c.Type.Role))
		if !ok {
			t.Errorf("%s %s: no %s in the scrape", c.Type.Role, c.Type.Name, name)
			continue
		}
		got := m.GetCounter().GetValue()
		if c.Type.Gauge {
			got = m.GetGauge().GetValue()
		}
		if (m.GetGauge() != nil) != c.Type.Gauge || got != float64(c.Value) {
			t.Errorf("%s %s: %s = %v (a gauge: %v), want %d (a gauge: %v)",
				c.Type.Role, c.Type.Name, name, got, m.GetGauge() != nil, c.Value, c.Type.Gauge)
		}
	}
	var pos [2]int64
	for _, ct := range dr.PositionTypes() {
		i := map[string]int{"producer": 0, "consumer": 1}[ct.Role]
		pos[i] = value(ct)
	}
	if v, _ := f.value("disruptor_consumer_lag", who("t", "c", "consumer")); v != float64(pos[0]-pos[1]) {
		t.Errorf("consumer_lag %v, want producer_position - consumer_position = %d", v, pos[0]-pos[1])
	}
}

// value is the counter's value in a tableSource: its own, and a producer's
// position past its consumer's.
func value(ct dr.CounterType) int64 { return int64(100000 - ct.ID) }
