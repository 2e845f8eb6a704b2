package main

// The JSON vocabulary (docs/json.md): inspect -json, ls -json and stat
// -json name the same things the same way, counters by counter type name,
// and print 64-bit identifiers as strings.

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dr "github.com/disruptor-go/disruptor"
)

// jsonMap decodes one JSON object generically (numbers as json.Number).
func jsonMap(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return m
}

// keysOf is the sorted keys of m.
func keysOf(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// wantKeys checks that m has exactly the keys want.
func wantKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := keysOf(m); !slices.Equal(got, want) {
		t.Errorf("%s keys:\n got %v\nwant %v", what, got, want)
	}
}

// obj is m[key] as an object, arr as an array.
func obj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("%q is %T %v, want an object", key, m[key], m[key])
	}
	return o
}

func arr(t *testing.T, m map[string]any, key string, n int) []any {
	t.Helper()
	a, ok := m[key].([]any)
	if !ok || len(a) != n {
		t.Fatalf("%q is %v, want an array of %d", key, m[key], n)
	}
	return a
}

// num is m[key] as an integer: it must be a JSON number.
func num(t *testing.T, m map[string]any, key string) int64 {
	t.Helper()
	n, ok := m[key].(json.Number)
	v, err := n.Int64()
	if !ok || err != nil {
		t.Fatalf("%q is %T %v, want an integer", key, m[key], m[key])
	}
	return v
}

// id64 is m[key] as a 64-bit identifier: a JSON string of a decimal
// number, not zero.
func id64(t *testing.T, m map[string]any, key string) uint64 {
	t.Helper()
	s, ok := m[key].(string)
	v, err := strconv.ParseUint(s, 10, 64)
	if !ok || err != nil || v == 0 {
		t.Fatalf("%q is %T %v, want a string of a non-zero uint64", key, m[key], m[key])
	}
	return v
}

// counterNames are the counter type names of role, and more.
func counterNames(role string, more ...string) []string {
	for _, c := range dr.CounterTypes() {
		if c.Role == role {
			more = append(more, c.Name)
		}
	}
	return more
}

// allNumbers checks that every value of m but those named skip is an
// integer.
func allNumbers(t *testing.T, what string, m map[string]any, skip ...string) {
	t.Helper()
	for k := range m {
		if !slices.Contains(skip, k) {
			if _, ok := m[k].(json.Number); !ok {
				t.Errorf("%s: %q is %T %v, want a number", what, k, m[k], m[k])
			}
		}
	}
}

func TestJSONVocabulary(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "r")
	// A quiet ring: its producer closed after 100 events, its consumer
	// detached after 10.
	prod := jsonMap(t, disruptor(t, "produce", ring, "-size", "64", "-count", "100", "-every", "0", "-json").stdout)
	id64(t, prod, "run")
	cons := jsonMap(t, disruptor(t, "consume", "-id", "c", "-count", "10", "-every", "0", "-json", ring).stdout)
	id64(t, arr(t, cons, "runs", 1)[0].(map[string]any), "run")

	o := disruptor(t, "inspect", "-json", ring)
	o.expect(t, 0, "", "")
	in := jsonMap(t, o.stdout)
	wantKeys(t, "inspect", in, "path", "capacity", "slot_size", "multi_producer", "full_barriers", "max_consumers", "file_size",
		"type", "type_size", "type_hash", "instance", "created", "creator_pid", "cursor", "halted", "producers", "consumers", "apps")
	instance := id64(t, in, "instance")
	id64(t, in, "type_hash")
	cursor := num(t, in, "cursor")
	p := arr(t, in, "producers", 1)[0].(map[string]any)
	c := arr(t, in, "consumers", 1)[0].(map[string]any)
	wantKeys(t, "inspect producer", p, "name", "index", "pid", "state", "position", "lag", "producer")
	wantKeys(t, "inspect consumer", c, "name", "index", "pid", "state", "position", "lag", "beat", "consumer")
	ps, cs := obj(t, p, "producer"), obj(t, c, "consumer")
	wantKeys(t, "producer counters", ps, counterNames("producer", "name")...)
	wantKeys(t, "consumer counters", cs, counterNames("consumer", "name", "consumer_position")...)
	allNumbers(t, "producer counters", ps, "name")
	allNumbers(t, "consumer counters", cs, "name")
	if num(t, p, "position") != cursor || cursor < 99 || num(t, ps, "events_published") != 100 {
		t.Errorf("producer position %v, published %v; cursor %d", p["position"], ps["events_published"], cursor)
	}
	if num(t, c, "position") != num(t, cs, "consumer_position") || num(t, cs, "events_consumed") != 10 {
		t.Errorf("consumer position %v, counters %v", c["position"], cs)
	}

	// ls prints the same object for the ring.
	o = disruptor(t, "ls", "-json", "-dir", dir)
	o.expect(t, 0, "", "")
	if ls := jsonMap(t, o.stdout); !reflect.DeepEqual(ls, in) {
		t.Errorf("ls -json:\n%v\ninspect -json:\n%v", ls, in)
	}

	// stat names the counters as inspect does, with the same values and
	// positions.
	o = disruptor(t, "stat", "-json", "-interval", "0", "-dir", dir, "r")
	o.expect(t, 0, "", "")
	doc := jsonMap(t, o.stdout)
	sr := arr(t, doc, "rings", 1)[0].(map[string]any)
	wantKeys(t, "stat ring", sr, "path", "instance", "capacity", "type", "cursor", "halted", "participants")
	if id64(t, sr, "instance") != instance || num(t, sr, "cursor") != cursor {
		t.Errorf("stat ring %v; inspect instance %d cursor %d", sr, instance, cursor)
	}
	for _, x := range arr(t, sr, "participants", 2) {
		sp := x.(map[string]any)
		role, _ := sp["role"].(string)
		part, stats, pos := p, ps, "producer_position"
		if role == "consumer" {
			part, stats, pos = c, cs, "consumer_position"
		}
		counters := obj(t, sp, "counters")
		wantKeys(t, "stat "+role+" counters", counters, counterNames(role, pos)...)
		allNumbers(t, "stat "+role+" counters", counters)
		for k := range stats {
			if k != "name" && num(t, stats, k) != num(t, counters, k) {
				t.Errorf("%s %s: inspect %v, stat %v", role, k, stats[k], counters[k])
			}
		}
		if num(t, sp, "position") != num(t, part, "position") || num(t, counters, pos) != num(t, part, "position") {
			t.Errorf("%s position: stat %v (%s %v), inspect %v", role, sp["position"], pos, counters[pos], part["position"])
		}
	}
}

// TestStatMissingRing: stat on a ring that does not exist fails at once,
// unless -wait-ring, which waits for it; a directory without rings is no
// error.
func TestStatMissingRing(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Now()
	disruptor(t, "stat", "-dir", dir, "nosuch").expect(t, 1, "", "no ring "+filepath.Join(dir, "nosuch")+" (stat -wait-ring")
	disruptor(t, "stat", "-json", "-dir", dir, "nosuch").expect(t, 1, "", "no ring ")
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("failing took %v", d)
	}
	disruptor(t, "stat", "-listen", ":0", "-wait-ring").expect(t, 2, "", "-listen serves metrics")

	o := disruptor(t, "stat", "-json", "-interval", "0", "-dir", dir)
	o.expect(t, 0, "", "")
	arr(t, jsonMap(t, o.stdout), "rings", 0)
	disruptor(t, "stat", "-n", "1", "-dir", dir).expect(t, 0, "no rings in "+dir, "")

	w := start(t, "stat", "-json", "-interval", "0", "-wait-ring", "-dir", dir, "late")
	time.Sleep(300 * time.Millisecond)
	select {
	case <-w.done:
		t.Fatalf("stat -wait-ring exited before the ring was made: %s %s", w.stdout.String(), w.stderr())
	default:
	}
	disruptor(t, "produce", filepath.Join(dir, "late"), "-count", "5", "-every", "0").expect(t, 0, "published 5 events", "")
	var doc statDoc
	w.wait(t, 0, &doc)
	if len(doc.Rings) != 1 || doc.Rings[0].Error != "" || doc.Rings[0].Path != filepath.Join(dir, "late") {
		t.Errorf("stat -wait-ring: %+v", doc)
	}
}
