package metrics_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// show writes the families of reg whose names are in names, in the text
// format.
func show(reg *prometheus.Registry, names ...string) {
	fams, err := reg.Gather()
	if err != nil {
		fmt.Println(err)
	}
	for _, f := range fams {
		for _, n := range names {
			if f.GetName() == n {
				expfmt.MetricFamilyToText(os.Stdout, f)
			}
		}
	}
}

// An in-process ring's counters, read on every scrape. Serve the registry
// with promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}).
func ExampleCollector() {
	ctx := context.Background()
	r, _ := dr.New[int64](16)
	col := metrics.NewCollector()
	col.Add("orders", r)
	reg := prometheus.NewRegistry()
	reg.MustRegister(col)

	p, _ := r.NewProducer("entry")
	c, _ := r.NewConsumer("journal")
	for i := range 3 {
		ev, _ := p.Claim(ctx)
		*ev = int64(i)
		p.Publish()
	}
	p.Flush(ctx) // publishes the producer's tallies at once
	for range 4 {
		c.Next(ctx) // 3 events, then ErrFlush
	}
	c.TryNext() // finds nothing: publishes the consumer's tallies
	show(reg, "disruptor_published_events_total", "disruptor_consumed_events_total", "disruptor_consumer_lag",
		"disruptor_ring_capacity", "disruptor_ring_info")
	// Output:
	// # HELP disruptor_consumed_events_total consumers: data events delivered
	// # TYPE disruptor_consumed_events_total counter
	// disruptor_consumed_events_total{participant="journal",ring="orders",role="consumer"} 3
	// # HELP disruptor_consumer_lag consumers: events published but not yet released (producer_position - consumer_position)
	// # TYPE disruptor_consumer_lag gauge
	// disruptor_consumer_lag{participant="journal",ring="orders",role="consumer"} 0
	// # HELP disruptor_published_events_total producers: data events published
	// # TYPE disruptor_published_events_total counter
	// disruptor_published_events_total{participant="entry",ring="orders",role="producer"} 3
	// # HELP disruptor_ring_capacity slots in the ring
	// # TYPE disruptor_ring_capacity gauge
	// disruptor_ring_capacity{ring="orders"} 16
	// # HELP disruptor_ring_info the ring's shape, always 1: the event type, the producer mode (single or multi) and the size in slots
	// # TYPE disruptor_ring_info gauge
	// disruptor_ring_info{mode="single",ring="orders",size="16",type="int64"} 1
}

// Shared rings on disk, read without joining them; here a directory that
// holds one ring whose consumer detached, and a copy of it with a damaged
// header: the scrape reports the good ring and counts the bad one.
func ExampleFileCollector() {
	dir, _ := os.MkdirTemp("", "rings")
	defer os.RemoveAll(dir)
	r, _ := dr.Create[int64]("orders", 16, dr.WithDir(dir))
	defer r.Close()
	c, _ := r.NewConsumer("journal")
	c.Detach()
	b, _ := os.ReadFile(filepath.Join(dir, "orders"))
	b[80] ^= 1 // the instance id: the checksum no longer matches
	os.WriteFile(filepath.Join(dir, "damaged"), b, 0o600)

	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewFileCollector(dir))
	show(reg, "disruptor_participant_up", "disruptor_ring_info", "disruptor_ring_up", "disruptor_ring_scrape_errors_total")
	// Output:
	// # HELP disruptor_participant_up 1 if the participant is live (its process holds its entry and, for a consumer, beats its heartbeat), else 0 (stalled, detached, dead, evicted, closed: see the state label)
	// # TYPE disruptor_participant_up gauge
	// disruptor_participant_up{participant="journal",ring="orders",role="consumer",state="detached"} 0
	// # HELP disruptor_ring_info the ring's shape, always 1: the event type, the producer mode (single or multi) and the size in slots
	// # TYPE disruptor_ring_info gauge
	// disruptor_ring_info{mode="single",ring="orders",size="16",type="int64"} 1
	// # HELP disruptor_ring_scrape_errors_total scrapes in which the ring file (or a directory of rings) existed but could not be read
	// # TYPE disruptor_ring_scrape_errors_total counter
	// disruptor_ring_scrape_errors_total{ring="damaged"} 1
	// disruptor_ring_scrape_errors_total{ring="orders"} 0
	// # HELP disruptor_ring_up 1 if the ring file could be read in this scrape, else 0 (see disruptor_ring_scrape_errors_total)
	// # TYPE disruptor_ring_up gauge
	// disruptor_ring_up{ring="damaged"} 0
	// disruptor_ring_up{ring="orders"} 1
}

// A consumer's latency histogram: give the Latency to RecordLatency on a
// ring made WithPublishTimes. Here it records three values by hand.
func ExampleLatency() {
	lat := metrics.NewLatency("orders", "journal")
	for _, ns := range []int64{100, 1500, 40_000} {
		lat.RecordValue(ns)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(lat)
	fams, _ := reg.Gather()
	var b strings.Builder
	expfmt.MetricFamilyToText(&b, fams[0])
	for _, line := range strings.Split(b.String(), "\n") {
		// A few of the buckets, and the sum and count.
		for _, s := range []string{`le="6.4e-08"`, `le="1.28e-07"`, `le="2.048e-06"`, `le="6.5536e-05"`, "_sum", "_count"} {
			if strings.Contains(line, s) {
				fmt.Println(line)
			}
		}
	}
	fmt.Println("median", lat.Quantile(0.5))
	// Output:
	// disruptor_latency_seconds_bucket{participant="journal",ring="orders",le="6.4e-08"} 0
	// disruptor_latency_seconds_bucket{participant="journal",ring="orders",le="1.28e-07"} 1
	// disruptor_latency_seconds_bucket{participant="journal",ring="orders",le="2.048e-06"} 2
	// disruptor_latency_seconds_bucket{participant="journal",ring="orders",le="6.5536e-05"} 3
	// disruptor_latency_seconds_sum{participant="journal",ring="orders"} 4.16e-05
	// disruptor_latency_seconds_count{participant="journal",ring="orders"} 3
	// median 1.5µs
}

// MetricName maps a counter type to the metric it is exported as: tallies
// end in _total, with the unit first; gauges keep their name.
func ExampleMetricName() {
	for _, t := range dr.CounterTypes()[:3] {
		fmt.Println(t.Name, "->", metrics.MetricName(t.Name))
	}
	fmt.Println("consumer_lag_max ->", metrics.MetricName("consumer_lag_max"))
	// Output:
	// events_published -> disruptor_published_events_total
	// bytes_published -> disruptor_published_bytes_total
	// producer_full_events -> disruptor_producer_full_claims_total
	// consumer_lag_max -> disruptor_consumer_lag_max
}
