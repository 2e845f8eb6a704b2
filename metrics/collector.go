package metrics

import (
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	dr "github.com/disruptor-go/disruptor"
)

// CounterSource is a ring whose counters a Collector reads: any
// *disruptor.Ring[E].
type CounterSource interface {
	// Counters reads every open participant's counters.
	Counters() []dr.Counter
	// Cursor is the highest sequence claimed.
	Cursor() int64
}

// Collector is a prometheus.Collector of in-process rings' counters. Each
// scrape reads the rings' live counter records (values trail a busy
// participant by a few events; see disruptor's stats); nothing is cached.
// Participants that close leave the next scrape. Add, Remove and Collect
// are safe for concurrent use.
type Collector struct {
	mu    sync.Mutex
	rings map[string]added
}

// added is a ring of a Collector, with its shape read when it was added.
type added struct {
	r     CounterSource
	shape shape
}

// NewCollector returns a collector with no rings.
func NewCollector() *Collector { return &Collector{rings: map[string]added{}} }

// Add exports the counters of r with the label ring=name, replacing any ring
// added under the same name, and its shape: disruptor_ring_capacity and
// disruptor_ring_info (for a *disruptor.Ring[E], its event type, producer
// mode and size).
func (c *Collector) Add(name string, r CounterSource) {
	s := shapeOf(r)
	c.mu.Lock()
	c.rings[name] = added{r, s}
	c.mu.Unlock()
}

// Remove stops exporting the ring added under name.
func (c *Collector) Remove(name string) {
	c.mu.Lock()
	delete(c.rings, name)
	c.mu.Unlock()
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) { describeCounters(ch) }

// Collect implements prometheus.Collector: it reads every ring's counters
// now.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	type entry struct {
		name string
		added
	}
	c.mu.Lock()
	rings := make([]entry, 0, len(c.rings))
	for name, a := range c.rings {
		rings = append(rings, entry{name, a})
	}
	c.mu.Unlock()
	slices.SortFunc(rings, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	for _, e := range rings {
		collectRing(ch, e.name, e.r, e.shape)
	}
}

// collectRing sends one ring's counters. A consumer's lag is measured
// against the producers' position read in the same pass (Counters reads it
// before the consumers'), or against the cursor when no producer is open.
func collectRing(ch chan<- prometheus.Metric, ring string, r CounterSource, s shape) {
	ring = validLabel(ring)
	emitShape(ch, ring, s)
	cursor := r.Cursor()
	ps := group(r.Counters())
	for _, p := range ps {
		if p.role == "producer" {
			cursor = p.position
		}
	}
	l := labeler{}
	for i := range ps {
		p := &ps[i]
		emit(ch, ring, l.label(p.role, p.name), p, cursor-p.position)
	}
}
