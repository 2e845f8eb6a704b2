package metrics

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	dr "github.com/disruptor-go/disruptor"
)

// upDesc is disruptor_participant_up's descriptor.
var upDesc = prometheus.NewDesc("disruptor_participant_up",
	"1 if the participant's process holds its entry (state live), else 0 (dead, detached, closed)",
	append(labels[:len(labels):len(labels)], "state"), nil)

// FileCollector is a prometheus.Collector of the shared rings found on
// disk. Each scrape lists and inspects them (disruptor.ListRings,
// disruptor.Inspect): it never joins a ring, so it works while other
// processes run them, and rings that appear or go away are followed.
//
// The exported metrics are Collector's, plus disruptor_participant_up with
// a state label, for every participant a ring's tables hold: live ones,
// consumers whose process died or detached (they still gate producers) and
// producers that closed. The ring label is the file's base name (its path
// when two rings share a base name).
type FileCollector struct {
	sources []string
}

// NewFileCollector collects the rings in sources: each is a directory,
// whose ring files are collected, or the path of one ring file. With no
// sources it collects /dev/shm.
func NewFileCollector(sources ...string) *FileCollector {
	if len(sources) == 0 {
		sources = []string{"/dev/shm"}
	}
	return &FileCollector{sources: slices.Clone(sources)}
}

// Describe implements prometheus.Collector.
func (f *FileCollector) Describe(ch chan<- *prometheus.Desc) {
	describeCounters(ch)
	ch <- upDesc
}

// Collect implements prometheus.Collector. A ring given by path that
// cannot be read (other than one not created yet) fails the scrape;
// unreadable files in a directory are passed over.
func (f *FileCollector) Collect(ch chan<- prometheus.Metric) {
	rings, errs := f.Inspect()
	for _, err := range errs {
		ch <- prometheus.NewInvalidMetric(upDesc, err)
	}
	seen := map[string]bool{}
	for _, in := range rings {
		ring := validLabel(filepath.Base(in.Path))
		if seen[ring] {
			ring = validLabel(in.Path)
		}
		seen[ring] = true
		l := labeler{}
		for _, set := range [][]dr.Participant{in.Producers, in.Consumers} {
			for i := range set {
				collectParticipant(ch, ring, l, &set[i])
			}
		}
	}
}

func collectParticipant(ch chan<- prometheus.Metric, ring string, l labeler, pt *dr.Participant) {
	ps := group(pt.Counters)
	if len(ps) != 1 {
		return
	}
	p := &ps[0]
	label := l.label(p.role, p.name)
	emit(ch, ring, label, p, pt.Lag)
	up := 0.0
	if pt.State == "live" {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, ring, label, p.role, pt.State)
}

// Inspect reads the rings of the collector's sources now, as a scrape
// does, in the order of the sources and, within a directory, of the file
// names; a ring found twice is read once. The errors are those of rings
// given by path that exist but cannot be read, and of directories that
// cannot be listed.
func (f *FileCollector) Inspect() ([]*dr.RingInfo, []error) {
	var rings []*dr.RingInfo
	var errs []error
	seen := map[string]bool{}
	read := func(path string, explicit bool) {
		if seen[path] {
			return
		}
		seen[path] = true
		in, err := dr.Inspect(path)
		switch {
		case err == nil:
			rings = append(rings, in)
		case explicit && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, dr.ErrNotInitialized):
			errs = append(errs, err)
		}
	}
	for _, src := range f.sources {
		fi, err := os.Stat(src)
		if err != nil || !fi.IsDir() {
			read(ringPath(src), true)
			continue
		}
		paths, err := dr.ListRings(src)
		if err != nil {
			errs = append(errs, err)
		}
		for _, p := range paths {
			read(p, false)
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
