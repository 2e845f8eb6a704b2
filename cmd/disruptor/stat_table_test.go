package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	dr "github.com/disruptor-go/disruptor"
)

// tableInfo is a ring with a producer "p" and a consumer "c" whose every
// counter, of every type the library has, holds a value of its own.
func tableInfo() *dr.RingInfo {
	in := &dr.RingInfo{Path: "/x/t", Capacity: 8, Type: "int64", Producers: []dr.Participant{{Name: "p", State: "live"}},
		Consumers: []dr.Participant{{Name: "c", State: "live", Lag: 3}}}
	for _, set := range [][]dr.CounterType{dr.CounterTypes(), dr.PositionTypes()} { // positions last
		for _, ct := range set {
			p := &in.Producers[0]
			if ct.Role == "consumer" {
				p = &in.Consumers[0]
			}
			p.Counters = append(p.Counters, dr.Counter{Type: ct, Owner: p.Name, Value: int64(10000 + ct.ID)})
		}
	}
	return in
}

// Every counter type the library has is in stat's JSON document, under
// its name, with its value, and the table shows each column's counter of
// the participant's role (or "-": its role has none) with rates of the
// tallies only.
func TestStatShowsEveryCounterType(t *testing.T) {
	now := time.Now()
	prev := &statDoc{Time: now.Add(-time.Second), Rings: []statRing{statRingOf(tableInfo(), now)}}
	doc := &statDoc{Time: now, Rings: []statRing{statRingOf(tableInfo(), now)}}
	for i := range doc.Rings[0].Participants {
		for k := range doc.Rings[0].Participants[i].Counters {
			doc.Rings[0].Participants[i].Counters[k] += 10 // 10 a second
		}
	}
	addRates(doc, prev)
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var back statDoc
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := writeStat(&b, doc, "/x"); err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(b.String(), "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "producer" || f[0] == "consumer") {
			rows[f[0]] = f
		}
	}
	parts := back.Rings[0].Participants
	if len(parts) != 2 {
		t.Fatalf("%d participants in %s", len(parts), js)
	}
	for _, p := range parts {
		var want []dr.CounterType
		for _, ct := range append(dr.CounterTypes(), dr.PositionTypes()...) {
			if ct.Role == p.Role {
				want = append(want, ct)
			}
		}
		if len(p.Counters) != len(want) {
			t.Errorf("%s: %d counters in the JSON, the library has %d: %v", p.Role, len(p.Counters), len(want), p.Counters)
		}
		for _, ct := range want {
			if v, ok := p.Counters[ct.Name]; !ok || v != int64(10010+ct.ID) {
				t.Errorf("%s %s: %d in the JSON (found: %v), want %d", p.Role, ct.Name, v, ok, 10010+ct.ID)
			}
			if r, ok := p.Rates[ct.Name]; ok == ct.Gauge || ok && r != 10 {
				t.Errorf("%s %s: rate %v (given: %v), a gauge: %v", p.Role, ct.Name, r, ok, ct.Gauge)
			}
		}
		// role name state pid events events/s position lag, then statColumns.
		f := rows[p.Role]
		if len(f) != 8+len(statColumns) {
			t.Fatalf("%s's row %q: %d cells, want %d", p.Role, f, len(f), 8+len(statColumns))
		}
		cols := append([]string{"events"}, statColumns...)
		cells := append([]string{f[4]}, f[8:]...)
		for i, col := range cols {
			want := "-"
			if name, ok := statShows[p.Role][col]; ok {
				want = strconv.FormatInt(p.Counters[name], 10)
			}
			if cells[i] != want {
				t.Errorf("%s's %q is %q, want %q:\n%s", p.Role, col, cells[i], want, b.String())
			}
		}
		if f[5] != "10" {
			t.Errorf("%s's events/s %q, want 10", p.Role, f[5])
		}
	}
}

// statShows are the counters stat's table shows, by role and column, as
// 'disruptor help stat' describes them; the other columns show "-".
var statShows = map[string]map[string]string{
	"producer": {"events": "events_published", "batches": "batches", "full": "producer_full_events",
		"idle": "producer_full_spins", "parks": "parks", "unparks": "unparks"},
	"consumer": {"events": "events_consumed", "lag max": "consumer_lag_max", "batches": "batches",
		"idle": "consumer_empty_spins", "parks": "parks", "unparks": "unparks"},
}
