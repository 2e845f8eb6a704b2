package metrics_test

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// badCopy writes a copy of the ring file src, changed by mutate, to dir/name.
func badCopy(t *testing.T, src, dir, name string, mutate func([]byte) []byte) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, mutate(b), 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// badRings makes, beside the ring at good, copies that cannot be read, and
// returns their names: a damaged header (checksum), another layout
// version, a truncated file, and (as root, who can give it away) a file of
// another user.
func badRings(t *testing.T, good string) []string {
	t.Helper()
	dir := filepath.Dir(good)
	badCopy(t, good, dir, "damaged", func(b []byte) []byte { b[80] ^= 1; return b })
	badCopy(t, good, dir, "future", func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[8:], binary.LittleEndian.Uint32(b[8:])+1)
		return b
	})
	badCopy(t, good, dir, "short", func(b []byte) []byte { return b[:len(b)/2] })
	names := []string{"damaged", "future", "short"}
	if os.Geteuid() == 0 {
		p := badCopy(t, good, dir, "foreign", func(b []byte) []byte { return b })
		if err := os.Chown(p, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		names = append(names, "foreign")
	}
	return names
}

// TestFileCollectorBadRings: rings that cannot be read, beside a good one,
// never fail a scrape nor hide the good ring: each is down and counted.
func TestFileCollectorBadRings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r, err := dr.Create[int64]("orders", 8, dr.WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	for i := range 3 {
		ev, _ := p.Claim(ctx)
		*ev = int64(i)
		p.Publish()
	}
	p.Flush(ctx)
	good := filepath.Join(dir, "orders")
	bad := badRings(t, good)
	slices.Sort(bad) // the order of a directory's scan

	col := metrics.NewFileCollector(dir)
	for round := 1; round <= 2; round++ {
		f := scrape(t, col) // fails the test unless HTTP 200
		ring := map[string]string{"ring": "orders"}
		if v, ok := f.value("disruptor_ring_up", ring); !ok || v != 1 {
			t.Errorf("round %d: orders: up %v (found %v), want 1", round, v, ok)
		}
		if v, ok := f.value("disruptor_ring_scrape_errors_total", ring); !ok || v != 0 {
			t.Errorf("round %d: orders: %v errors (found %v), want 0", round, v, ok)
		}
		if v, ok := f.value("disruptor_published_events_total", who("orders", "p", "producer")); !ok || v != 3 {
			t.Errorf("round %d: orders' producer: %v published (found %v), want 3", round, v, ok)
		}
		if v, ok := f.value("disruptor_participant_up", with(who("orders", "c", "consumer"), "state", "live")); !ok || v != 1 {
			t.Errorf("round %d: orders' consumer: up %v (found %v), want 1", round, v, ok)
		}
		for _, name := range bad {
			ring := map[string]string{"ring": name}
			if v, ok := f.value("disruptor_ring_up", ring); !ok || v != 0 {
				t.Errorf("round %d: %s: up %v (found %v), want 0", round, name, v, ok)
			}
			if v, ok := f.value("disruptor_ring_scrape_errors_total", ring); !ok || v != float64(round) {
				t.Errorf("round %d: %s: %v errors (found %v), want %d", round, name, v, ok, round)
			}
		}
		if n := len(f["disruptor_ring_up"].GetMetric()); n != 1+len(bad) {
			t.Errorf("round %d: %d rings, want %d", round, n, 1+len(bad))
		}
	}
	rings, errs := col.Inspect()
	if len(rings) != 1 || rings[0].Path != good || len(errs) != len(bad) {
		t.Errorf("Inspect: %d rings, errors %v; want orders and %d errors", len(rings), errs, len(bad))
	}
	for i, err := range errs {
		if !strings.Contains(err.Error(), filepath.Join(dir, bad[i])) {
			t.Errorf("error %d does not name %s: %v", i, bad[i], err)
		}
	}

	// Given by path, too: a missing ring is down but no error.
	col = metrics.NewFileCollector(good, filepath.Join(dir, "damaged"), filepath.Join(dir, "later"))
	f := scrape(t, col)
	for ring, want := range map[string][2]float64{"orders": {1, 0}, "damaged": {0, 1}, "later": {0, 0}} {
		l := map[string]string{"ring": ring}
		up, _ := f.value("disruptor_ring_up", l)
		errs, ok := f.value("disruptor_ring_scrape_errors_total", l)
		if !ok || [2]float64{up, errs} != want {
			t.Errorf("%s: up %v, errors %v (found %v); want %v", ring, up, errs, ok, want)
		}
	}

	// The new metrics pass promlint.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(metrics.NewFileCollector(dir))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "disruptor_ring_") || strings.Contains(p.Metric, "heartbeat") {
			t.Errorf("promlint: %s: %s", p.Metric, p.Text)
		}
	}
	c.Close()
}

// TestFileCollectorStalled: a consumer that stops reading (here, one that
// never calls Next) while its process lives is reported stalled once its
// heartbeat is older than StallAfter, with its heartbeat's age.
func TestFileCollectorStalled(t *testing.T) {
	dir := t.TempDir()
	r, err := dr.Create[int64]("orders", 8, dr.WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, _ := r.NewConsumer("idle")
	defer c.Close()
	col := metrics.NewFileCollector(dir)
	l := who("orders", "idle", "consumer")
	if v, ok := scrape(t, col).value("disruptor_participant_up", with(l, "state", "live")); !ok || v != 1 {
		t.Fatalf("a new consumer: up %v (found %v), want live", v, ok)
	}
	t0 := time.Now()
	f := waitFor(t, "the consumer to stall", func() families { return scrape(t, col) }, func(f families) bool {
		_, ok := f.find("disruptor_participant_up", with(l, "state", "stalled"))
		return ok
	})
	if d := time.Since(t0); d > 2*dr.StallAfter {
		t.Errorf("reported stalled after %v, want within %v", d, 2*dr.StallAfter)
	}
	if v, _ := f.value("disruptor_participant_up", with(l, "state", "stalled")); v != 0 {
		t.Errorf("a stalled consumer is up (%v)", v)
	}
	if age, ok := f.value("disruptor_consumer_heartbeat_age_seconds", l); !ok || age <= dr.StallAfter.Seconds() {
		t.Errorf("heartbeat age %v (found %v), want more than %v", age, ok, dr.StallAfter)
	}
}
