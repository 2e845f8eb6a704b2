package metrics_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

func TestFileCollector(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r, err := dr.Create[int64]("orders", 8, dr.WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Not a ring: passed over.
	os.WriteFile(filepath.Join(dir, "notes"), []byte("not a ring at all"), 0o600)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	d, _ := r.NewConsumer("d")
	const n = 100
	for i := range n {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = int64(i)
		p.Publish()
		for _, c := range []*dr.Consumer[int64]{c, d} {
			if _, err := c.Next(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.Flush(ctx)
	for _, c := range []*dr.Consumer[int64]{c, d} {
		if _, err := c.Next(ctx); !errors.Is(err, dr.ErrFlush) {
			t.Fatalf("Next: %v, want ErrFlush", err)
		}
		if _, err := c.TryNext(); err == nil {
			t.Fatal("TryNext read an event past the end")
		}
	}
	col := metrics.NewFileCollector(dir)
	f := waitFor(t, "the consumers' counters", func() families { return scrape(t, col) }, func(f families) bool {
		v, _ := f.value("disruptor_consumed_events_total", who("orders", "d", "consumer"))
		return v == n
	})
	pl, cl := who("orders", "p", "producer"), who("orders", "c", "consumer")
	checkTypes(t, f, pl)
	checkTypes(t, f, cl)
	for _, x := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"disruptor_published_events_total", pl, n},
		{"disruptor_producer_position", pl, float64(r.Cursor())},
		{"disruptor_consumer_position", cl, float64(r.Cursor())},
		{"disruptor_consumer_lag", cl, 0},
		{"disruptor_participant_up", with(pl, "state", "live"), 1},
		{"disruptor_participant_up", with(cl, "state", "live"), 1},
	} {
		if v, ok := f.value(x.name, x.labels); !ok || v != x.want {
			t.Errorf("%s%v = %v (found %v), want %v", x.name, x.labels, v, ok, x.want)
		}
	}

	// Detached, d still gates: its series stay, it is no longer up.
	d.Detach()
	c.Close()
	f = scrape(t, metrics.NewFileCollector(filepath.Join(dir, "orders")))
	if v, ok := f.value("disruptor_participant_up", with(who("orders", "d", "consumer"), "state", "detached")); !ok || v != 0 {
		t.Errorf("detached consumer: up %v (found %v), want 0", v, ok)
	}
	if _, ok := f.find("disruptor_consumed_events_total", cl); ok {
		t.Error("a departed consumer's series are still exported")
	}

	// A ring not created yet is no error; an unreadable one is.
	scrape(t, metrics.NewFileCollector(filepath.Join(dir, "later")))
	_, errs := metrics.NewFileCollector(filepath.Join(dir, "notes")).Inspect()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "notes") {
		t.Errorf("inspecting a file that is no ring: %v", errs)
	}
}
