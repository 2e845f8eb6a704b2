package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// runStatRing makes a shared ring "orders" in a temporary directory and runs
// it in this process, for stat processes to watch: a producer "p"
// publishing about 100k events/s and a consumer "c", until the test ends.
func runStatRing(t testing.TB) (dir string) {
	dir = t.TempDir()
	r, err := dr.Create[int64]("orders", 1024, dr.WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			if _, err := c.Next(ctx); err != nil {
				return // ctx ended
			}
		}
	})
	wg.Go(func() {
		for i := int64(0); ctx.Err() == nil; i++ {
			b, err := p.ClaimN(ctx, 100)
			if err != nil {
				return
			}
			*b.At(0) = i
			p.Publish()
			time.Sleep(time.Millisecond)
		}
	})
	// The producer is not closed: r.Close leaves it as if its process had
	// ended (closing it while the consumer watches the producer table is a
	// data race in the library).
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		c.Close()
		r.Close()
	})
	return dir
}

// statJSONOf runs stat -json and decodes its document strictly.
func statJSONOf(t *testing.T, args ...string) *statDoc {
	t.Helper()
	o := disruptor(t, append([]string{"stat", "-json"}, args...)...)
	o.expect(t, 0, "", "")
	dec := json.NewDecoder(strings.NewReader(o.stdout))
	dec.DisallowUnknownFields()
	var doc statDoc
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%v:\n%s", err, o.stdout)
	}
	return &doc
}

// part finds a participant of the only ring of doc.
func (doc *statDoc) part(t *testing.T, role, name string) *statPart {
	t.Helper()
	if len(doc.Rings) != 1 {
		t.Fatalf("%d rings, want 1", len(doc.Rings))
	}
	for i, p := range doc.Rings[0].Participants {
		if p.Role == role && p.Name == name {
			return &doc.Rings[0].Participants[i]
		}
	}
	t.Fatalf("no %s %s in %+v", role, name, doc.Rings[0])
	return nil
}

func TestStatJSON(t *testing.T) {
	dir := runStatRing(t)
	// Counters rise from one snapshot to a later one (on a starved machine
	// the ring may stall for a while: a few tries are allowed).
	var first [2]int64
	for i := 0; ; i++ {
		doc := statJSONOf(t, "-dir", dir, "orders")
		p, c := doc.part(t, "producer", "p"), doc.part(t, "consumer", "c")
		if p.State != "live" || c.State != "live" || p.PID != os.Getpid() {
			t.Errorf("states %s and %s, pid %d: want live, pid %d", p.State, c.State, p.PID, os.Getpid())
		}
		if _, ok := p.Rates["events_published"]; !ok || doc.RateSeconds <= 0 {
			t.Errorf("rates over %vs: %v", doc.RateSeconds, p.Rates)
		}
		if _, ok := p.Rates["producer_position"]; ok {
			t.Error("a rate of a position")
		}
		if len(c.Counters) != 11 || len(p.Counters) != 13 {
			t.Errorf("counters %v and %v", p.Counters, c.Counters)
		}
		now := [2]int64{p.Counters["events_published"], c.Counters["events_consumed"]}
		if i == 0 {
			first = now
			continue
		}
		if now[0] < first[0] || now[1] < first[1] {
			t.Fatalf("published and consumed %v, before %v: falling", now, first)
		}
		if now[0] > first[0] && now[1] > first[1] {
			break
		}
		if i == 20 {
			t.Fatalf("published and consumed %v, first %v: not rising", now, first)
		}
	}
	// -interval 0: one reading, no rates.
	doc := statJSONOf(t, "-interval", "0", "-dir", dir)
	if p := doc.part(t, "producer", "p"); doc.RateSeconds != 0 || p.Rates != nil {
		t.Errorf("rates with -interval 0: %v %v", doc.RateSeconds, p.Rates)
	}
}

func TestStatText(t *testing.T) {
	dir := runStatRing(t)
	o := disruptor(t, "stat", "-n", "2", "-interval", "50ms", "-dir", dir)
	o.expect(t, 0, dir+"/orders: 1024 x int64", "")
	if n := strings.Count(o.stdout, "disruptor stat "); n != 2 {
		t.Errorf("%d snapshots, want 2:\n%s", n, o.stdout)
	}
	if strings.Contains(o.stdout, "\x1b[") {
		t.Error("the screen is cleared on a pipe")
	}
	second := o.stdout[strings.LastIndex(o.stdout, "disruptor stat "):]
	for _, s := range []string{"(rates over", "events/s", "live"} {
		if !strings.Contains(second, s) {
			t.Errorf("second snapshot lacks %q:\n%s", s, second)
		}
	}
	rows := 0
	for _, line := range strings.Split(second, "\n") {
		f := strings.Fields(line)
		if len(f) == 14 && (f[0] == "producer" || f[0] == "consumer") {
			rows++
			if f[5] == "-" {
				t.Errorf("no events/s: %s", line)
			}
		}
	}
	if rows != 2 {
		t.Errorf("%d participants, want 2:\n%s", rows, second)
	}

	disruptor(t, "stat", "-dir", dir, "-n", "1", "nosuch").expect(t, 1, "", "no ring "+filepath.Join(dir, "nosuch"))
	disruptor(t, "stat", "-interval", "0").expect(t, 2, "", "-interval 0s is not positive")
	disruptor(t, "stat", "-listen", ":0", "-json").expect(t, 2, "", "-listen serves metrics")
	disruptor(t, "stat", "-n", "-1").expect(t, 2, "", "-n -1 is negative")
}

// startStatListen runs stat -listen 127.0.0.1:0 with args, and returns
// the URL it serves and the process (killed after 30s at the latest).
func startStatListen(t *testing.T, args ...string) (string, *exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"stat", "-listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	stderr := new(strings.Builder)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	t.Cleanup(func() { timer.Stop(); cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "stat: serving ")
	if err != nil || !ok {
		cmd.Process.Kill()
		t.Fatalf("first line %q (%v); stderr: %s", line, err, stderr.String())
	}
	return url, cmd, stderr
}

func TestStatListen(t *testing.T) {
	dir := runStatRing(t)
	url, cmd, stderr := startStatListen(t, "-dir", dir)
	first := -1.0
	for i := 0; ; i++ {
		time.Sleep(20 * time.Millisecond)
		fams := statScrape(t, url)
		v := func(name, role, participant string) float64 {
			for _, m := range fams[name].GetMetric() {
				l := map[string]string{}
				for _, p := range m.GetLabel() {
					l[p.GetName()] = p.GetValue()
				}
				if l["ring"] == "orders" && l["role"] == role && l["participant"] == participant {
					return m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
			t.Fatalf("no %s{%s %s} in %d families", name, role, participant, len(fams))
			return 0
		}
		if v("disruptor_participant_up", "consumer", "c") != 1 || v("disruptor_participant_up", "producer", "p") != 1 {
			t.Error("the participants are not up")
		}
		for _, ct := range dr.CounterTypes() {
			v(metrics.MetricName(ct.Name), ct.Role, map[string]string{"producer": "p", "consumer": "c"}[ct.Role])
		}
		pub := v("disruptor_published_events_total", "producer", "p")
		if first < 0 {
			first = pub
		} else if pub > first {
			break
		}
		if i == 100 {
			t.Fatalf("events_published %v, first %v: not rising", pub, first)
		}
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("stat -listen after an interrupt: %v; stderr: %s", err, stderr.String())
	}
}

// Asked for OpenMetrics, stat -listen serves it, with the counters typed
// counter, and with the ring's capacity and info.
func TestStatListenOpenMetrics(t *testing.T) {
	dir := runStatRing(t)
	url, _, _ := startStatListen(t, "-dir", dir)
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Fatalf("Content-Type %q, want OpenMetrics", ct)
	}
	text := string(body)
	for _, ct := range dr.CounterTypes() {
		name := metrics.MetricName(ct.Name)
		line := "# TYPE " + name + " gauge"
		if base, ok := strings.CutSuffix(name, "_total"); ok {
			line = "# TYPE " + base + " counter"
		}
		if !strings.Contains(text, line+"\n") {
			t.Errorf("no %q in the OpenMetrics scrape", line)
		}
	}
	for _, s := range []string{"\n# TYPE disruptor_ring_scrape_errors counter\n", "\ndisruptor_ring_capacity{ring=\"orders\"} 1024.0\n",
		`disruptor_ring_info{mode="single",ring="orders",size="1024",type="int64"} 1.0`, "\n# EOF\n"} {
		if !strings.Contains(text, s) {
			t.Errorf("no %q in the OpenMetrics scrape:\n%s", s, text)
		}
	}
	if strings.Contains(text, " unknown\n") {
		t.Errorf("a family is typed unknown:\n%s", text)
	}
}

// statScrape gets url and parses the text format.
func statScrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// BenchmarkStatRefresh measures one refresh of a ring with 64 consumers:
// inspecting the file, rates against the previous snapshot, and the table.
func BenchmarkStatRefresh(b *testing.B) {
	dir := b.TempDir()
	r, err := dr.Create[int64]("wide", 1024, dr.WithDir(dir), dr.WithMaxConsumers(64))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	p, _ := r.NewProducer("p")
	defer p.Close()
	for i := range 64 {
		if _, err := r.NewConsumer(fmt.Sprintf("consumer-%02d", i)); err != nil {
			b.Fatal(err)
		}
	}
	prev, _ := statSnapshot(dir, nil)
	b.ResetTimer()
	for b.Loop() {
		doc, err := statSnapshot(dir, []string{"wide"})
		if err != nil || len(doc.Rings[0].Participants) != 65 {
			b.Fatal(err)
		}
		addRates(doc, prev)
		writeStat(io.Discard, doc, dir)
		prev = doc
	}
}
