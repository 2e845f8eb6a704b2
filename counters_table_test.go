package disruptor

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// reportCells parses a Report: for each participant line, role/name, its
// cells by column heading (cells are at least two spaces apart; a heading
// may hold one, as "lag max" does).
func reportCells(t *testing.T, out string) map[string]map[string]string {
	t.Helper()
	gap := regexp.MustCompile(`\s{2,}`)
	cells := map[string]map[string]string{}
	var head []string
	for _, l := range strings.Split(out, "\n") {
		f := gap.Split(strings.TrimSpace(l), -1)
		switch {
		case f[0] == "producer" || f[0] == "consumer":
			head = f
		case len(head) > 0 && len(f) > 1:
			if len(f) != len(head) {
				t.Fatalf("line %q has %d cells, its header %d: %q", l, len(f), len(head), head)
			}
			row := map[string]string{}
			for i, h := range head[1:] {
				if _, dup := row[h]; dup {
					t.Fatalf("column %q twice in %q", h, head)
				}
				row[h] = f[i+1]
			}
			cells[head[0]+"/"+f[0]] = row
		}
	}
	return cells
}

// The counter table is consistent: ids unique, a role's names, column
// headings and record indexes unique, indexes within the role's counters,
// every row of a role with its Stats field or none, positions last, a name
// both roles have of one kind.
func TestCounterTable(t *testing.T) {
	ids := map[int]bool{}
	seen := map[string]bool{}
	kind := map[string]bool{}
	last := map[string]bool{} // the role's position is passed
	for _, d := range counterTable {
		if ids[d.ID] {
			t.Errorf("type id %d twice", d.ID)
		}
		ids[d.ID] = true
		n := nProducerCounters
		hasField, otherField := d.prod != nil, d.cons != nil
		if d.Role == "consumer" {
			n, hasField, otherField = nConsumerCounters, d.cons != nil, d.prod != nil
		}
		for _, k := range []string{"name " + d.Name, "column " + d.Column, "index " + strconv.Itoa(d.idx)} {
			if k == "index -1" {
				continue
			}
			if seen[d.Role+" "+k] {
				t.Errorf("%s %s: %s twice", d.Role, d.Name, k)
			}
			seen[d.Role+" "+k] = true
		}
		switch {
		case d.Role != "producer" && d.Role != "consumer":
			t.Errorf("%s: role %q", d.Name, d.Role)
		case d.Name == "" || d.Help == "" || d.Unit == "" || d.Column == "":
			t.Errorf("%+v: a name, help, unit and column are due", d.CounterType)
		case otherField:
			t.Errorf("%s %s fills the other role's Stats", d.Role, d.Name)
		case d.idx >= n || d.idx < 0 && (!d.position || hasField):
			t.Errorf("%s %s: index %d, the role has %d counters", d.Role, d.Name, d.idx, n)
		case !d.position && !hasField:
			t.Errorf("%s %s fills no Stats field", d.Role, d.Name)
		case last[d.Role]:
			t.Errorf("%s %s is past the role's position", d.Role, d.Name)
		}
		if g, ok := kind[d.Name]; ok && g != d.Gauge {
			t.Errorf("%s: a gauge for one role, a tally for the other", d.Name)
		}
		kind[d.Name] = d.Gauge
		last[d.Role] = last[d.Role] || d.position
	}
	if len(CounterTypes())+len(PositionTypes()) != len(counterTable) || len(PositionTypes()) != 2 {
		t.Errorf("%d counter types and %d position types of %d rows", len(CounterTypes()), len(PositionTypes()), len(counterTable))
	}
}

// Every Stats field is a row's: the JSON name of each int64 field of
// ProducerStats and ConsumerStats is the name of the row that fills it.
func TestCounterTableCoversStats(t *testing.T) {
	check := func(v reflect.Value, field func(*counterDef) *int64) {
		rows := map[*int64]string{}
		for i := range counterTable {
			if p := field(&counterTable[i]); p != nil {
				rows[p] = counterTable[i].Name
			}
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Type.Kind() != reflect.Int64 {
				continue
			}
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name, ok := rows[v.Field(i).Addr().Interface().(*int64)]; !ok || name != tag {
				t.Errorf("%s.%s (JSON %q) is filled by row %q (found: %v)", v.Type().Name(), f.Name, tag, name, ok)
			}
		}
	}
	var ps ProducerStats
	var cs ConsumerStats
	check(reflect.ValueOf(&ps).Elem(), func(d *counterDef) *int64 {
		if d.prod == nil {
			return nil
		}
		return d.prod(&ps)
	})
	check(reflect.ValueOf(&cs).Elem(), func(d *counterDef) *int64 {
		if d.cons == nil {
			return nil
		}
		return d.cons(&cs)
	})
}

// Every row's value shows where the table says: each counter of a record
// holds a value of its own, and Counters, the Stats (by the counter's JSON
// name) and Report show each under its row.
func TestCounterTableDerivations(t *testing.T) {
	const pPos, cPosLive = 777, 555
	value := func(d *counterDef) int64 { return int64(10000 + d.ID) }
	pr, cr := new(engine.CounterRecord), new(engine.CounterRecord)
	pr.Open(engine.RoleProducer, 0, "p")
	cr.Open(engine.RoleConsumer, 0, "c")
	for i := range counterTable {
		d := &counterTable[i]
		rec := map[string]*engine.CounterRecord{"producer": pr, "consumer": cr}[d.Role]
		if d.idx >= 0 {
			rec.V[d.idx].Store(value(d))
		}
	}
	cs := readRecord(readRecord(nil, pr, pPos), cr, cPosLive)
	ps, cst := producerStats("p", pr), consumerStats("c", cr)
	var b strings.Builder
	if err := writeReport(&b, 8, pPos, []ProducerStats{ps}, []ConsumerStats{cst}); err != nil {
		t.Fatal(err)
	}
	report := reportCells(t, b.String())
	stats := map[string]map[string]int64{}
	for role, s := range map[string]any{"producer": ps, "consumer": cst} {
		js, _ := json.Marshal(s)
		m := map[string]any{}
		json.Unmarshal(js, &m)
		stats[role] = map[string]int64{}
		for k, v := range m {
			if f, ok := v.(float64); ok {
				stats[role][k] = int64(f)
			}
		}
	}
	if len(cs) != len(counterTable) {
		t.Errorf("Counters lists %d values for %d rows: %v", len(cs), len(counterTable), cs)
	}
	for i := range counterTable {
		d := &counterTable[i]
		want := value(d)
		live := map[string]int64{"producer": pPos, "consumer": cPosLive}[d.Role]
		if i >= len(cs) || cs[i].Type != d.CounterType || cs[i].Owner != d.Role[:1] || cs[i].Value != map[bool]int64{false: want, true: live}[d.position] {
			t.Errorf("%s %s: Counters' value %d is %+v", d.Role, d.Name, i, cs[min(i, len(cs)-1)])
		}
		if d.prod == nil && d.cons == nil {
			if got := report[d.Role+"/"+d.Role[:1]][d.Column]; got != "" {
				t.Errorf("%s %s has no Stats field, but a Report column %q", d.Role, d.Name, d.Column)
			}
			continue
		}
		if got, ok := stats[d.Role][d.Name]; !ok || got != want {
			t.Errorf("%s %s: Stats' %s = %d (found: %v), want %d", d.Role, d.Name, d.Name, got, ok, want)
		}
		if got := report[d.Role+"/"+d.Role[:1]][d.Column]; got != strconv.FormatInt(want, 10) {
			t.Errorf("%s %s: Report's column %q = %q, want %d:\n%s", d.Role, d.Name, d.Column, got, want, b.String())
		}
	}
}
