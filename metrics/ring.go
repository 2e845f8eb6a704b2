package metrics

import (
	"reflect"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/disruptor-go/disruptor/internal/typecheck"
)

// Descriptors of the per-ring metrics both counter collectors export.
var (
	capacityDesc = prometheus.NewDesc("disruptor_ring_capacity",
		"slots in the ring", []string{"ring"}, nil)
	infoDesc = prometheus.NewDesc("disruptor_ring_info",
		"the ring's shape, always 1: the event type, the producer mode (single or multi) and the size in slots",
		[]string{"ring", "type", "mode", "size"}, nil)
)

// shape is what a ring says about itself: its event type's name, its
// producer mode and its size (0 when unknown).
type shape struct {
	typ, mode string
	size      int
}

// emitShape sends the ring's capacity (when known) and info.
func emitShape(ch chan<- prometheus.Metric, ring string, s shape) {
	size := ""
	if s.size > 0 {
		ch <- prometheus.MustNewConstMetric(capacityDesc, prometheus.GaugeValue, float64(s.size), ring)
		size = strconv.Itoa(s.size)
	}
	ch <- prometheus.MustNewConstMetric(infoDesc, prometheus.GaugeValue, 1, ring, validLabel(s.typ), s.mode, size)
}

// modeName is the mode label of a ring.
func modeName(multi bool) string {
	if multi {
		return "multi"
	}
	return "single"
}

// shapeOf reads the shape of a ring added to a Collector. A
// *disruptor.Ring[E] reports its size and mode, and its event type is E,
// as its producers' Claim returns it (named as a shared ring's header
// names it); a CounterSource of another kind reports what it implements.
func shapeOf(r CounterSource) shape {
	var s shape
	if v, ok := r.(interface{ Size() int }); ok {
		s.size = v.Size()
	}
	if v, ok := r.(interface{ MultiProducer() bool }); ok {
		s.mode = modeName(v.MultiProducer())
	}
	if t := eventType(reflect.TypeOf(r)); t != nil {
		s.typ, _, _, _ = typecheck.Identity(t)
	}
	return s
}

// eventType is E for t = *disruptor.Ring[E]: what the Claim method of
// what NewProducer returns points to; nil for other types.
func eventType(t reflect.Type) reflect.Type {
	np, ok := t.MethodByName("NewProducer")
	if !ok || np.Type.NumOut() == 0 {
		return nil
	}
	claim, ok := np.Type.Out(0).MethodByName("Claim")
	if !ok || claim.Type.NumOut() == 0 {
		return nil
	}
	if ev := claim.Type.Out(0); ev.Kind() == reflect.Pointer {
		return ev.Elem()
	}
	return nil
}
