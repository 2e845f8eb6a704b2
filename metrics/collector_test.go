package metrics_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// checkTypes asserts that every counter type of the participant is in the
// scrape with the right labels and the Prometheus type its kind calls for.
func checkTypes(t *testing.T, f families, labels map[string]string) {
	t.Helper()
	role := labels["role"]
	names := []string{role + "_position"}
	for _, ct := range dr.CounterTypes() {
		if ct.Role == role {
			names = append(names, ct.Name)
		}
	}
	if role == "consumer" {
		names = append(names, "consumer_lag")
	}
	for _, n := range names {
		name := metrics.MetricName(n)
		if n == "consumer_lag" {
			name = "disruptor_consumer_lag"
		}
		if _, ok := f.find(name, labels); !ok {
			t.Errorf("%s%v is missing", name, labels)
			continue
		}
		want := dto.MetricType_COUNTER
		if n == "consumer_lag_max" || n == "consumer_lag" || n == role+"_position" {
			want = dto.MetricType_GAUGE
		}
		if got := f[name].GetType(); got != want {
			t.Errorf("%s is a %v, want a %v", name, got, want)
		}
		if f[name].GetHelp() == "" {
			t.Errorf("%s has no help", name)
		}
	}
}

// waitFor scrapes until ok says the scrape is what the test waits for.
func waitFor(t *testing.T, what string, sc func() families, ok func(families) bool) families {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f := sc()
		if ok(f) {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCollector(t *testing.T) {
	ctx := context.Background()
	r, err := dr.New[int64](4) // tiny: the producer finds it full
	if err != nil {
		t.Fatal(err)
	}
	col := metrics.NewCollector()
	col.Add("orders", r)
	sc := func() families { return scrape(t, col) }
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	gone, _ := r.NewConsumer("gone")
	if _, ok := sc().find("disruptor_consumed_events_total", who("orders", "gone", "consumer")); !ok {
		t.Fatal("an open consumer is not exported")
	}
	gone.Close()
	if _, ok := sc().find("disruptor_consumed_events_total", who("orders", "gone", "consumer")); ok {
		t.Error("a departed consumer's series are still exported")
	}

	const n = 1000
	delivered := make(chan int, 1)
	go func() {
		k := 0
		for {
			_, err := c.Next(ctx)
			switch {
			case errors.Is(err, dr.ErrFlush):
				delivered <- k
			case err == io.EOF:
				return
			case err == nil:
				k++
			}
		}
	}()
	for i := range n {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = int64(i)
		p.Publish()
	}
	p.Flush(ctx) // publishes the producer's tallies
	got := <-delivered
	pl, cl := who("orders", "p", "producer"), who("orders", "c", "consumer")
	// The consumer publishes its tallies when it waits for more.
	f := waitFor(t, "the consumer's counters", sc, func(f families) bool {
		v, _ := f.value("disruptor_consumed_events_total", cl)
		lag, _ := f.value("disruptor_consumer_lag", cl)
		return v == float64(got) && lag == 0
	})
	checkTypes(t, f, pl)
	checkTypes(t, f, cl)
	if got != n {
		t.Errorf("delivered %d events, want %d", got, n)
	}
	for name, want := range map[string]float64{
		"disruptor_published_events_total": n,
		"disruptor_published_bytes_total":  8 * n,
		"disruptor_flushes_total":          1,
		"disruptor_producer_position":      float64(r.Cursor()),
	} {
		if v, _ := f.value(name, pl); v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
	if v, _ := f.value("disruptor_producer_full_claims_total", pl); v <= 0 {
		t.Errorf("producer_full_events = %v on a ring of 4", v)
	}
	if v, _ := f.value("disruptor_consumer_position", cl); v != float64(r.Cursor()) {
		t.Errorf("consumer_position = %v, cursor %d", v, r.Cursor())
	}
	if v, _ := f.value("disruptor_flushes_total", cl); v != 1 {
		t.Errorf("consumer flushes = %v, want 1", v)
	}

	p.Close()
	if _, ok := sc().find("disruptor_published_events_total", pl); ok {
		t.Error("a closed producer's series are still exported")
	}
	col.Remove("orders")
	if f := sc(); len(f) != 0 {
		t.Errorf("a removed ring is still exported: %v", f)
	}
}

// Scrapes run while the ring runs and while rings come and go (run with
// -race).
func TestCollectorConcurrentScrapes(t *testing.T) {
	ctx := context.Background()
	r, _ := dr.New[int64](64)
	col := metrics.NewCollector()
	col.Add("a", r)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	// Two participants of one name are told apart.
	c2, _ := r.NewConsumer("c")
	var wg sync.WaitGroup
	for _, c := range []*dr.Consumer[int64]{c, c2} {
		wg.Go(func() {
			for {
				if _, err := c.Next(ctx); err != nil {
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	for i := range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				f := scrape(t, col)
				if i == 0 {
					col.Add("b", r)
					col.Remove("b")
				}
				if _, ok := f.find("disruptor_consumed_events_total", who("a", "c#2", "consumer")); !ok {
					t.Error("the second consumer named c is not c#2")
					return
				}
			}
		})
	}
	for i := range 20000 {
		ev, _ := p.Claim(ctx)
		*ev = int64(i)
		p.Publish()
	}
	time.Sleep(10 * time.Millisecond)
	close(stop)
	p.Close()
	wg.Wait()
}
