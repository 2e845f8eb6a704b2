package metrics

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	dr "github.com/disruptor-go/disruptor"
)

// Descriptors of the metrics only FileCollector exports.
var (
	upDesc = prometheus.NewDesc("disruptor_participant_up",
		"1 if the participant is live (its process holds its entry and, for a consumer, beats its heartbeat), "+
			"else 0 (stalled, detached, dead, evicted, closed: see the state label)",
		append(labels[:len(labels):len(labels)], "state"), nil)
	beatAgeDesc = prometheus.NewDesc("disruptor_consumer_heartbeat_age_seconds",
		"consumers: seconds since the consumer's last heartbeat (a live one past disruptor.StallAfter is stalled)",
		labels, nil)
	ringUpDesc = prometheus.NewDesc("disruptor_ring_up",
		"1 if the ring file could be read in this scrape, else 0 (see disruptor_ring_scrape_errors_total)",
		[]string{"ring"}, nil)
	ringErrorsDesc = prometheus.NewDesc("disruptor_ring_scrape_errors_total",
		"scrapes in which the ring file (or a directory of rings) existed but could not be read",
		[]string{"ring"}, nil)
)

// FileCollector is a prometheus.Collector of the shared rings found on
// disk. Each scrape lists and inspects them (disruptor.ListRings,
// disruptor.Inspect): it never joins a ring, so it works while other
// processes run them, and rings that appear or go away are followed.
//
// The exported metrics are Collector's, plus, for every participant a
// ring's tables hold (live ones, stalled ones, consumers whose process died
// or detached, evicted ones, producers that closed),
// disruptor_participant_up with a state label, and for consumers
// disruptor_consumer_heartbeat_age_seconds. Every ring, readable or not,
// has disruptor_ring_up (1 or 0) and disruptor_ring_scrape_errors_total:
// a ring that cannot be read (corrupt, truncated, another layout version,
// another owner's...) is counted there and never fails the scrape, nor
// hides the other rings. The ring label is the file's base name (its path
// when two rings share a base name).
type FileCollector struct {
	sources []string

	mu     sync.Mutex
	errors map[string]float64 // scrape errors by ring label, since the collector was made
}

// NewFileCollector collects the rings in sources: each is a directory,
// whose ring files are collected, or the path of one ring file. With no
// sources it collects /dev/shm.
func NewFileCollector(sources ...string) *FileCollector {
	if len(sources) == 0 {
		sources = []string{"/dev/shm"}
	}
	return &FileCollector{sources: slices.Clone(sources), errors: map[string]float64{}}
}

// Describe implements prometheus.Collector.
func (f *FileCollector) Describe(ch chan<- *prometheus.Desc) {
	describeCounters(ch)
	ch <- upDesc
	ch <- beatAgeDesc
	ch <- ringUpDesc
	ch <- ringErrorsDesc
}

// Collect implements prometheus.Collector. It never fails: a ring that
// cannot be read is reported by disruptor_ring_up 0 and counted in
// disruptor_ring_scrape_errors_total (a ring given by path that does not
// exist yet, or whose creator is still at work, is down but no error).
func (f *FileCollector) Collect(ch chan<- prometheus.Metric) {
	scan := f.Scan()
	now := time.Now()
	f.mu.Lock()
	for _, s := range scan {
		if s.Err != nil && !pending(s.Err) {
			f.errors[s.Label]++
		}
		ch <- prometheus.MustNewConstMetric(ringErrorsDesc, prometheus.CounterValue, f.errors[s.Label], s.Label)
	}
	f.mu.Unlock()
	for _, s := range scan {
		up := 0.0
		if s.Info != nil {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(ringUpDesc, prometheus.GaugeValue, up, s.Label)
		if s.Info == nil {
			continue
		}
		emitShape(ch, s.Label, shape{typ: s.Info.Type, mode: modeName(s.Info.MultiProducer), size: s.Info.Capacity})
		l := labeler{}
		for _, set := range [][]dr.Participant{s.Info.Producers, s.Info.Consumers} {
			for i := range set {
				collectParticipant(ch, s.Label, l, &set[i], now)
			}
		}
		for i := range s.Info.Apps {
			collectParticipant(ch, s.Label, l, &s.Info.Apps[i], now)
		}
	}
}

// pending reports whether err is that of a ring not created yet, or whose
// creator is still at work: no fault of the ring's.
func pending(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, dr.ErrNotInitialized)
}

func collectParticipant(ch chan<- prometheus.Metric, ring string, l labeler, pt *dr.Participant, now time.Time) {
	ps := group(pt.Counters)
	if len(ps) != 1 {
		return
	}
	p := &ps[0]
	label := l.label(p.role, p.name)
	emit(ch, ring, label, p, pt.Lag)
	up := 0.0
	if pt.State == dr.StateLive {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, ring, label, p.role, pt.State)
	if p.role == "consumer" && !pt.Beat.IsZero() {
		age := max(0, now.Sub(pt.Beat).Seconds())
		ch <- prometheus.MustNewConstMetric(beatAgeDesc, prometheus.GaugeValue, age, ring, label, p.role)
	}
}

// RingScan is what a scan found at one ring path: the ring, or why it
// could not be read.
type RingScan struct {
	Path  string       // the ring file, or a directory that could not be listed
	Label string       // its ring label: the base name, or Path when two rings share one
	Info  *dr.RingInfo // nil when Err is set
	Err   error
}

// Scan reads the rings of the collector's sources now, as a scrape does,
// in the order of the sources and, within a directory, of the file names;
// a ring found twice is read once. Every ring given by path is in the
// result, read or not; so is every file of a directory that begins with a
// ring header (files that vanish between the listing and the reading are
// left out), and every directory that cannot be listed, with its error.
func (f *FileCollector) Scan() []RingScan {
	var out []RingScan
	seen, labels := map[string]bool{}, map[string]bool{}
	add := func(path string, in *dr.RingInfo, err error) {
		label := validLabel(filepath.Base(path))
		if labels[label] {
			label = validLabel(path)
		}
		labels[label] = true
		out = append(out, RingScan{Path: path, Label: label, Info: in, Err: err})
	}
	read := func(path string, listed bool) {
		if seen[path] {
			return
		}
		seen[path] = true
		in, err := dr.Inspect(path)
		if listed && errors.Is(err, fs.ErrNotExist) {
			return
		}
		add(path, in, err)
	}
	for _, src := range f.sources {
		fi, err := os.Stat(src)
		if err != nil || !fi.IsDir() {
			read(ringPath(src), false)
			continue
		}
		paths, err := dr.ListRings(src)
		if err != nil {
			add(src, nil, err)
		}
		for _, p := range paths {
			read(p, true)
		}
	}
	return out
}

// Inspect is Scan split in two: the rings read, and the errors of those
// that exist but could not be read.
func (f *FileCollector) Inspect() ([]*dr.RingInfo, []error) {
	var rings []*dr.RingInfo
	var errs []error
	for _, s := range f.Scan() {
		switch {
		case s.Err == nil:
			rings = append(rings, s.Info)
		case !pending(s.Err):
			errs = append(errs, s.Err)
		}
	}
	return rings, errs
}

// ringPath makes a path Inspect reads as a path: "ring" is the file in the
// working directory, not in /dev/shm.
func ringPath(p string) string {
	if filepath.Base(p) == p {
		return "./" + p
	}
	return p
}
