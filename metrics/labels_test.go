package metrics_test

import (
	"path/filepath"
	"testing"

	dr "github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/metrics"
)

// Names come from ring files, which any process may have written: a name
// (or a file name) that is not UTF-8 is exported with replacement
// characters, never a panic of the scrape.
func TestLabelsNotUTF8(t *testing.T) {
	dir := t.TempDir()
	r, err := dr.Create[int64](filepath.Join(dir, "ring\xfe"), 8)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.NewConsumer("bad\xff"); err != nil {
		t.Fatal(err)
	}
	f := scrape(t, metrics.NewFileCollector(dir))
	if _, ok := f.find("disruptor_participant_up", who("ring\ufffd", "bad\ufffd", "consumer")); !ok {
		t.Errorf("the consumer's series are missing, or not labelled with replacement characters")
	}
	c := metrics.NewCollector()
	c.Add("ring\xfe", r)
	scrape(t, c)
}
