package bridge

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCollector(t *testing.T) {
	s := Stats{Frames: 3, Events: 700, FramesInFlight: 2, AckedSeq: 3, RingSeq: 701, Resyncs: 1}
	c := NewCollector("out", "S", func() Stats { return s })
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	want := `# HELP disruptor_bridge_events_total Events acknowledged by the stream (out) or written into the ring (in).
# TYPE disruptor_bridge_events_total counter
disruptor_bridge_events_total{direction="out",stream="S"} 700
# HELP disruptor_bridge_frames_in_flight Frames published and not yet acknowledged.
# TYPE disruptor_bridge_frames_in_flight gauge
disruptor_bridge_frames_in_flight{direction="out",stream="S"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "disruptor_bridge_events_total", "disruptor_bridge_frames_in_flight"); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %v", problems, err)
	}
	if n := testutil.CollectAndCount(c); n != len(bridgeDescs) {
		t.Errorf("%d metrics, want %d", n, len(bridgeDescs))
	}
}
