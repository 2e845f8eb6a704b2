package main

// The data and the rendering of the stat command: snapshots of shared
// rings, rates between successive snapshots, a table for people and a JSON
// document for scripts.

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// statDoc is one snapshot of the rings: what stat -json prints.
type statDoc struct {
	Time        time.Time  `json:"time"`
	RateSeconds float64    `json:"rate_seconds,omitempty"` // the window of rates; absent: no rates
	Rings       []statRing `json:"rings"`
	Errors      []string   `json:"errors,omitempty"` // the errors of the rings that could not be read
}

// statRing is one ring in a snapshot.
type statRing struct {
	Path         string     `json:"path"`
	Error        string     `json:"error,omitempty"` // why the ring could not be read; then only Path is set
	Instance     uint64     `json:"instance,string"` // a JSON string: 64 bits
	Capacity     int        `json:"capacity"`
	Type         string     `json:"type"`
	Cursor       int64      `json:"cursor"`
	Halted       bool       `json:"halted"`
	Participants []statPart `json:"participants"`
}

// statPart is one producer or consumer of a ring.
type statPart struct {
	Role     string `json:"role"` // producer or consumer
	Name     string `json:"name"`
	Index    int    `json:"index"` // table entry
	PID      int    `json:"pid"`
	State    string `json:"state"` // live, stalled, detached, dead, evicted or closed
	Position int64  `json:"position"`
	Lag      int64  `json:"lag"` // consumers: cursor - position
	// BeatAge is, for consumers, the seconds since their last heartbeat.
	BeatAge float64 `json:"beat_age_seconds,omitempty"`
	// Counters are every counter by type name (disruptor.CounterTypes).
	Counters map[string]int64 `json:"counters"`
	// Rates are the tallies' increase per second since the previous
	// snapshot; absent in the first.
	Rates map[string]float64 `json:"rates,omitempty"`

	order   []string          // the counters' names, in the record's order
	gauges  map[string]bool   // the counters that are levels, not tallies: no rates
	columns map[string]string // the counters' names by column heading (CounterType.Column)
}

// key identifies a participant across snapshots.
func (p *statPart) key(r *statRing) string {
	return fmt.Sprintf("%s\x00%d\x00%s\x00%d\x00%s", r.Path, r.Instance, p.Role, p.Index, p.Name)
}

// statSnapshot inspects the rings named (NAME or PATH, see dr.RingPath),
// or all those in dir if none are. A ring that cannot be read is in the
// snapshot with its error, beside the others; the error returned is that
// of the rings named that could not be read, or of dir if it cannot be
// listed.
func statSnapshot(dir string, names []string) (*statDoc, error) {
	doc := &statDoc{Time: time.Now(), Rings: []statRing{}}
	var errs []error
	for _, s := range metrics.NewFileCollector(statSources(dir, names)...).Scan() {
		if s.Err != nil {
			doc.Rings = append(doc.Rings, statRing{Path: s.Path, Error: s.Err.Error(), Participants: []statPart{}})
			doc.Errors = append(doc.Errors, s.Err.Error())
			if len(names) > 0 || s.Path == dir {
				errs = append(errs, s.Err)
			}
			continue
		}
		doc.Rings = append(doc.Rings, statRingOf(s.Info, doc.Time))
	}
	return doc, errors.Join(errs...)
}

// statSources are the paths of the rings named, or dir if none are.
func statSources(dir string, names []string) []string {
	if len(names) == 0 {
		return []string{dir}
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, dr.RingPath(n, dr.WithDir(dir)))
	}
	return out
}

func statRingOf(in *dr.RingInfo, now time.Time) statRing {
	r := statRing{Path: in.Path, Instance: in.Instance, Capacity: in.Capacity, Type: in.Type,
		Cursor: in.Cursor, Halted: in.Halted, Participants: make([]statPart, 0, len(in.Producers)+len(in.Consumers))}
	for _, set := range [][]dr.Participant{in.Producers, in.Consumers, in.Apps} {
		for _, p := range set {
			sp := statPart{Name: p.Name, Index: p.Index, PID: p.PID, State: p.State, Position: p.Position,
				Lag: p.Lag, Counters: make(map[string]int64, len(p.Counters)), gauges: map[string]bool{}, columns: map[string]string{}}
			for _, c := range p.Counters {
				sp.Role = c.Type.Role
				sp.Counters[c.Type.Name] = c.Value
				sp.order = append(sp.order, c.Type.Name)
				sp.gauges[c.Type.Name] = c.Type.Gauge
				if c.Type.Column != "" {
					sp.columns[c.Type.Column] = c.Type.Name
				}
			}
			if sp.Role == "consumer" && !p.Beat.IsZero() {
				sp.BeatAge = max(0, now.Sub(p.Beat).Seconds())
			}
			r.Participants = append(r.Participants, sp)
		}
	}
	return r
}

// addRates sets the rates of doc's participants from prev, an earlier
// snapshot (nil: none).
func addRates(doc, prev *statDoc) {
	if prev == nil {
		return
	}
	dt := doc.Time.Sub(prev.Time).Seconds()
	if dt <= 0 {
		return
	}
	doc.RateSeconds = dt
	before := map[string]map[string]int64{}
	for i := range prev.Rings {
		r := &prev.Rings[i]
		for j := range r.Participants {
			before[r.Participants[j].key(r)] = r.Participants[j].Counters
		}
	}
	for i := range doc.Rings {
		r := &doc.Rings[i]
		for j := range r.Participants {
			p := &r.Participants[j]
			old, ok := before[p.key(r)]
			if !ok {
				continue
			}
			p.Rates = map[string]float64{}
			for name, v := range p.Counters {
				if o, ok := old[name]; ok && !p.gauges[name] && v >= o {
					p.Rates[name] = float64(v-o) / dt
				}
			}
		}
	}
}

// writeStat prints a snapshot for people: per ring, a line and a table of
// its participants.
func writeStat(w io.Writer, doc *statDoc, dir string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "disruptor stat  %s", doc.Time.Format("2006-01-02 15:04:05"))
	if doc.RateSeconds > 0 {
		fmt.Fprintf(&b, "  (rates over %.1fs)", doc.RateSeconds)
	}
	b.WriteString("\n")
	if len(doc.Rings) == 0 && len(doc.Errors) == 0 {
		fmt.Fprintf(&b, "\nno rings in %s\n", dir)
	}
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', tabwriter.AlignRight)
	for i := range doc.Rings {
		r := &doc.Rings[i]
		if r.Error != "" {
			fmt.Fprintf(&b, "\n%s: UNREADABLE\n%s\n", r.Path, r.Error)
			continue
		}
		state := ""
		if r.Halted {
			state = ", halted"
		}
		fmt.Fprintf(&b, "\n%s: %d x %s, cursor %d%s\n", r.Path, r.Capacity, r.Type, r.Cursor, state)
		if len(r.Participants) == 0 {
			b.WriteString("no participants\n")
			continue
		}
		var apps []*statPart
		header := false
		for j := range r.Participants {
			p := &r.Participants[j]
			if p.Role != "producer" && p.Role != "consumer" {
				apps = append(apps, p)
				continue
			}
			if !header {
				fmt.Fprintf(tw, "role\tname\tstate\tpid\tevents\tevents/s\tposition\tlag\t%s\t\n", strings.Join(statColumns, "\t"))
				header = true
			}
			writeStatRow(tw, p)
		}
		tw.Flush()
		for _, p := range apps {
			writeAppRow(&b, p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// statColumns are the counters the table shows after the events, their
// rate, the position and the lag, by column heading (CounterType.Column):
// each participant's counter under that heading, or "-" if its role has
// none.
var statColumns = []string{"lag max", "batches", "full", "idle", "parks", "unparks"}

// writeStatRow prints one participant: its events (a producer's published,
// a consumer's consumed) and their rate, its position and lag (a
// consumer's), then statColumns.
func writeStatRow(w io.Writer, p *statPart) {
	cell := func(col string) string {
		if name, ok := p.columns[col]; ok {
			return fmt.Sprint(p.Counters[name])
		}
		return "-"
	}
	rate, lag := "-", "-"
	if r, ok := p.Rates[p.columns["events"]]; ok {
		rate = si(r)
	}
	if p.Role == "consumer" {
		lag = fmt.Sprint(p.Lag)
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s", p.Role, p.Name, p.State, p.PID, cell("events"), rate, p.Position, lag)
	for _, col := range statColumns {
		fmt.Fprintf(w, "\t%s", cell(col))
	}
	fmt.Fprint(w, "\t\n")
}

// writeAppRow prints an application counter set: its role, name, state
// and process, then each counter (with its rate, for a tally).
func writeAppRow(b *strings.Builder, p *statPart) {
	fmt.Fprintf(b, "%s %s (%s, pid %d):", p.Role, p.Name, p.State, p.PID)
	for _, name := range p.order {
		fmt.Fprintf(b, " %s %d", name, p.Counters[name])
		if r, ok := p.Rates[name]; ok {
			fmt.Fprintf(b, " (%s/s)", si(r))
		}
	}
	b.WriteString("\n")
}
