//go:build linux

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	dr "github.com/disruptor-go/disruptor"
)

// damage writes a copy of the ring file dir/orders with a damaged header
// (its checksum no longer matches) to dir/damaged.
func damage(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	b[80] ^= 1 // the instance id
	p := filepath.Join(dir, "damaged")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStatBadRing: a ring that cannot be read beside a good one is shown
// as bad with its error, in the live view, in -json and to Prometheus;
// the good one is shown as ever.
func TestStatBadRing(t *testing.T) {
	dir := runStatRing(t)
	bad := damage(t, dir)

	check := func(doc *statDoc) {
		t.Helper()
		if len(doc.Rings) != 2 {
			t.Fatalf("%d rings, want orders and damaged: %+v", len(doc.Rings), doc.Rings)
		}
		d, o := doc.Rings[0], doc.Rings[1]
		if d.Path != bad || !strings.Contains(d.Error, "checksum") || len(d.Participants) != 0 {
			t.Errorf("the damaged ring: %+v", d)
		}
		if o.Error != "" || o.Capacity != 1024 || len(o.Participants) != 2 {
			t.Errorf("the good ring: %+v", o)
		}
		if len(doc.Errors) != 1 || doc.Errors[0] != d.Error {
			t.Errorf("errors %q, want the damaged ring's", doc.Errors)
		}
	}
	// Found in -dir: shown, no failure.
	check(statJSONOf(t, "-interval", "0", "-dir", dir))
	// Named: shown, and stat fails.
	o := disruptor(t, "stat", "-json", "-interval", "0", "-dir", dir, "damaged", "orders")
	o.expect(t, 1, `"error"`, "checksum")
	var doc statDoc
	decodeStrict(t, o.stdout, &doc)
	check(&doc)

	o = disruptor(t, "stat", "-n", "1", "-dir", dir)
	o.expect(t, 0, bad+": UNREADABLE", "")
	for _, s := range []string{"checksum", dir + "/orders: 1024 x int64", "producer", "consumer"} {
		if !strings.Contains(o.stdout, s) {
			t.Errorf("stat lacks %q:\n%s", s, o.stdout)
		}
	}

	url, _, _ := startStatListen(t, "-dir", dir)
	fams := statScrape(t, url) // fails the test unless HTTP 200
	up := map[string]float64{}
	for _, m := range fams["disruptor_ring_up"].GetMetric() {
		up[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	if up["orders"] != 1 || up["damaged"] != 0 || len(up) != 2 {
		t.Errorf("disruptor_ring_up %v, want orders 1, damaged 0", up)
	}
	if len(fams["disruptor_published_events_total"].GetMetric()) != 1 {
		t.Errorf("the good ring's producer is not exported: %v", fams["disruptor_published_events_total"])
	}
}

// inspectWait polls the ring at path until ok accepts what Inspect says.
func inspectWait(t *testing.T, path, what string, limit time.Duration, ok func(*dr.RingInfo) bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		in, err := dr.Inspect(path)
		if err == nil && ok(in) {
			return
		}
		if time.Now().After(deadline) {
			b, _ := json.Marshal(in)
			t.Fatalf("no %s after %v (%v): %s", what, limit, err, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func consumerState(in *dr.RingInfo, name string) string {
	for _, c := range in.Consumers {
		if c.Name == name {
			return c.State
		}
	}
	return ""
}

// TestRmConsumer: removing a detached consumer lets the producer it held
// back go on; a live one is refused, an unknown one is an error.
func TestRmConsumer(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "ring")
	disruptor(t, "produce", ring, "-size", "16", "-count", "10", "-every", "0").expect(t, 0, "published 10 events", "")
	disruptor(t, "consume", "-id", "d", "-count", "3", ring).expect(t, 0, `read 3 events`, "")
	// It starts past the first stream's EOF: -follow waits for the next.
	live := start(t, "consume", "-id", "live", "-from", "latest", "-follow", "-count", "100", "-every", "0", "-json", ring)
	inspectWait(t, ring, "live consumer", 10*time.Second, func(in *dr.RingInfo) bool { return consumerState(in, "live") == "live" })
	p := start(t, "produce", ring, "-size", "16", "-count", "100", "-every", "0", "-json")
	inspectWait(t, ring, "full ring", 10*time.Second, func(in *dr.RingInfo) bool { return in.Cursor == 2+16 })
	time.Sleep(100 * time.Millisecond)
	if in, _ := dr.Inspect(ring); in.Cursor != 2+16 {
		t.Fatalf("cursor %d: the producer passed the detached consumer at 2", in.Cursor)
	}

	disruptor(t, "rm", "-consumer", "live", ring).expect(t, 1, "", "consumer is live")
	disruptor(t, "rm", "-consumer", "nobody", ring).expect(t, 1, "", `no such consumer: "nobody"`)
	disruptor(t, "rm", "-consumer", "d", ring).expect(t, 0, `removed consumer "d" (detached) from `+ring, "")
	var ps produceSummary
	p.wait(t, 0, &ps)
	if ps.Published != 100 {
		t.Errorf("produce: %+v", ps)
	}
	var ls consumeSummary
	live.wait(t, 0, &ls)
	if ls.Events != 100 {
		t.Errorf("the live consumer: %+v", ls)
	}
	if st := consumerState(mustInspect(t, ring), "d"); st != "" {
		t.Errorf("the removed consumer is still there, %s", st)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rm", "-consumer", "d"}, "-consumer: want one ring NAME or PATH, have 0 arguments"},
		{[]string{"rm", "-consumer", "d", ring, ring}, "have 2 arguments"},
		{[]string{"rm", "-consumer", "d", "-f", ring}, "with -consumer use -force"},
		{[]string{"rm", "-force", ring}, "-force goes with -consumer"},
	} {
		disruptor(t, c.args...).expect(t, 2, "", c.want)
	}
	disruptor(t, "rm", "-h").expect(t, 0, "-consumer name", "")
}

func mustInspect(t *testing.T, path string) *dr.RingInfo {
	t.Helper()
	in, err := dr.Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestRmConsumerStopped: a consumer process stopped (SIGSTOP) is shown
// stalled by ls, inspect and stat; removed with -force, it no longer holds
// the producer back, and resumed (SIGCONT) it fails: it was left behind.
func TestRmConsumerStopped(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "ring")
	c := start(t, "consume", "-id", "s", "-every", "0", "-json", ring)
	p := start(t, "produce", ring, "-size", "16", "-rate", "50", "-consumers", "1", "-every", "0", "-json")
	inspectWait(t, ring, "events read", 10*time.Second, func(in *dr.RingInfo) bool {
		return len(in.Consumers) == 1 && in.Consumers[0].Position >= 3
	})
	if err := c.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer c.cmd.Process.Signal(syscall.SIGCONT)
	t0 := time.Now()
	inspectWait(t, ring, "stalled consumer", 2*dr.StallAfter, func(in *dr.RingInfo) bool { return consumerState(in, "s") == "stalled" })
	t.Logf("stalled after %v", time.Since(t0))
	disruptor(t, "ls", "-dir", dir).expect(t, 0, "stalled", "")
	disruptor(t, "inspect", ring).expect(t, 0, "stalled", "")
	doc := statJSONOf(t, "-interval", "0", ring)
	if s := doc.part(t, "consumer", "s"); s.State != "stalled" || s.BeatAge <= dr.StallAfter.Seconds() {
		t.Errorf("stat: %+v", s)
	}
	in := mustInspect(t, ring)
	if in.Cursor != in.Consumers[0].Position+16 {
		t.Fatalf("cursor %d, consumer at %d: the producer should wait for it", in.Cursor, in.Consumers[0].Position)
	}

	disruptor(t, "rm", "-consumer", "s", "-force", ring).expect(t, 0, `removed consumer "s" (stalled)`, "")
	stuck := in.Cursor
	inspectWait(t, ring, "the producer going on", 10*time.Second, func(in *dr.RingInfo) bool { return in.Cursor > stuck+3 })
	disruptor(t, "inspect", ring).expect(t, 0, "evicted", "")
	if err := c.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	var cs consumeSummary
	c.wait(t, 1, &cs)
	if !strings.Contains(cs.Error, "consumer was left behind") || !strings.Contains(c.stderr(), "left behind") {
		t.Errorf("the evicted consumer after SIGCONT: %+v\n%s", cs, c.stderr())
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	var ps produceSummary
	p.wait(t, 0, &ps)
	// Leaving (it detaches), it freed the record: nothing is left of it.
	if n := len(mustInspect(t, ring).Consumers); n != 0 {
		t.Errorf("%d consumers left", n)
	}
	disruptor(t, "rm", "-consumer", "s", ring).expect(t, 1, "", "no such consumer")
}
