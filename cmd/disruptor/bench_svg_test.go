package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// svgParts parses an SVG document strictly and returns its rects' classes
// and its texts by class.
func svgParts(t *testing.T, doc []byte) (rects []string, texts map[string][]string) {
	t.Helper()
	texts = map[string][]string{}
	dec := xml.NewDecoder(strings.NewReader(string(doc)))
	var root string
	class := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Space + " " + tok.Name.Local
			}
			class = ""
			for _, a := range tok.Attr {
				if a.Name.Local == "class" {
					class = a.Value
				}
			}
			if tok.Name.Local == "rect" {
				rects = append(rects, class)
			}
		case xml.CharData:
			if class != "" && strings.TrimSpace(string(tok)) != "" {
				texts[class] = append(texts[class], string(tok))
			}
		case xml.EndElement:
			class = ""
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q, want svg in the SVG namespace", root)
	}
	return rects, texts
}

// TestBenchSVG: -svg writes a chart with a bar per row, a p50 bar per
// latency row, and each scenario's name.
func TestBenchSVG(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bench.svg")
	o := disruptor(t, "bench", "-json", "-svg", file, "-scenario", "unicast,pingpong", "-wait", "block,default",
		"-events", "1000", "-runs", "1")
	o.expect(t, 0, "", "")
	rs := rows(t, o.stdout)
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rects, texts := svgParts(t, doc)
	count := func(class string) int {
		n := 0
		for _, c := range rects {
			if c == class {
				n++
			}
		}
		return n
	}
	latency := 0
	for _, r := range rs {
		if r.P50 > 0 {
			latency++
		}
	}
	if len(rs) != 8 || latency != 4 {
		t.Fatalf("%d rows, %d with latencies; want 8 and 4:\n%s", len(rs), latency, o.stdout)
	}
	if n := count("bar"); n != len(rs) {
		t.Errorf("%d bars for %d rows:\n%s", n, len(rs), doc)
	}
	if n := count("p50"); n != latency {
		t.Errorf("%d p50 bars for %d latency rows:\n%s", n, latency, doc)
	}
	if got, want := texts["scenario"], []string{"unicast", "pingpong", "pingpong p50"}; !slices.Equal(got, want) {
		t.Errorf("scenario labels %q, want %q", got, want)
	}
	if labels := texts["label"]; !slices.Contains(labels, "disruptor inproc block") || !slices.Contains(labels, "floor") {
		t.Errorf("row labels %q", labels)
	}
}

// TestBenchSVGBadPath: an -svg file that cannot be made fails bench before
// it measures.
func TestBenchSVGBadPath(t *testing.T) {
	file := filepath.Join(t.TempDir(), "no", "such", "dir", "bench.svg")
	o := disruptor(t, "bench", "-svg", file, "-scenario", "unicast", "-events", "1000", "-runs", "1")
	o.expect(t, 1, "", "no such file or directory")
	if o.stdout != "" {
		t.Errorf("measured anyway: %s", o.stdout)
	}
}
