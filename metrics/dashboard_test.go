package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// metricRef is a metric name in a PromQL expression.
var metricRef = regexp.MustCompile(`\bdisruptor_[a-zA-Z0-9_]+`)

// jsonStrings collects every string in a decoded JSON value, by its key.
func jsonStrings(v any, key string, out map[string][]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			jsonStrings(x, k, out)
		}
	case []any:
		for _, x := range v {
			jsonStrings(x, key, out)
		}
	case string:
		out[key] = append(out[key], v)
	}
}

// Every metric the dashboard's queries name is one the collectors serve,
// and the panels the dashboard promises are there.
func TestDashboard(t *testing.T) {
	b, err := os.ReadFile("dashboard/disruptor.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard/disruptor.json: %v", err)
	}
	var doc any
	json.Unmarshal(b, &doc)
	all := map[string][]string{}
	jsonStrings(doc, "", all)

	served := map[string]bool{}
	for _, reg := range exposition(t) {
		fams, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			served[f.GetName()] = true
			if f.GetType() == dto.MetricType_HISTOGRAM {
				for _, s := range []string{"_bucket", "_sum", "_count"} {
					served[f.GetName()+s] = true
				}
			}
		}
	}
	// Queries are in panels' targets (expr) and in the templating
	// variables (query, definition); every string is checked.
	refs := 0
	for key, ss := range all {
		for _, s := range ss {
			for _, name := range metricRef.FindAllString(s, -1) {
				refs++
				if !served[name] {
					t.Errorf("the dashboard's %s %q names %s, which no collector serves", key, s, name)
				}
			}
		}
	}
	exprs := map[string]bool{}
	var titles []string
	for _, p := range d.Panels {
		titles = append(titles, p.Title)
		for _, tg := range p.Targets {
			if tg.Expr == "" {
				t.Errorf("panel %q has a target without an expression", p.Title)
			}
			for _, name := range metricRef.FindAllString(tg.Expr, -1) {
				exprs[name] = true
			}
		}
	}
	for _, want := range []string{"Throughput", "Lag per consumer", "Full-ring waits", "Parks"} {
		if !slices.Contains(titles, want) {
			t.Errorf("no panel %q in %q", want, titles)
		}
	}
	for _, name := range []string{"disruptor_published_events_total", "disruptor_consumed_events_total",
		"disruptor_consumer_lag", "disruptor_producer_full_claims_total", "disruptor_parks_total"} {
		if !exprs[name] {
			t.Errorf("no panel queries %s", name)
		}
	}
	if refs < 15 {
		t.Errorf("only %d metric references in the dashboard", refs)
	}
}
