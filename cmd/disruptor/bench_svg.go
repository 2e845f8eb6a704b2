package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/disruptor-go/disruptor/internal/bench"
)

// The chart's geometry, in SVG user units (pixels).
const (
	svgWidth  = 900
	svgLabelW = 300 // the rows' labels, right-aligned before the bars
	svgBarW   = 380 // the longest bar of a group
	svgRowH   = 18
	svgBarH   = 12
	svgGap    = 10 // between groups
	svgFont   = 12
)

// svgColors are the bars' colors by implementation.
var svgColors = map[bench.Impl]string{bench.Disruptor: "#3b6fb6", bench.Channel: "#e08a2c", bench.Floor: "#8c8c8c"}

// svgChart builds an SVG document line by line, keeping track of the height.
type svgChart struct {
	b strings.Builder
	y int // the top of the next line
}

// text writes a line of text at x, y (the baseline) with the given class and
// anchor; s is escaped.
func (c *svgChart) text(x, y int, class, anchor, s string) {
	fmt.Fprintf(&c.b, `<text x="%d" y="%d" class="%s" text-anchor="%s">`, x, y, class, anchor)
	xml.EscapeText(&c.b, []byte(s))
	c.b.WriteString("</text>\n")
}

// bar writes one row: its label, a bar of v over top (the group's largest
// value) and what the bar means in words.
func (c *svgChart) bar(class string, x bench.Result, v, top float64, value string) {
	w := 1.0
	if top > 0 {
		w = max(v/top*svgBarW, 1)
	}
	mid := c.y + svgRowH/2
	c.text(svgLabelW, mid+svgFont/3, "label", "end", rowLabel(x))
	fmt.Fprintf(&c.b, `<rect class="%s" x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>`,
		class, svgLabelW+8, mid-svgBarH/2, w, svgBarH, svgColors[x.Impl])
	xml.EscapeText(&c.b, []byte(rowLabel(x)+": "+value))
	c.b.WriteString("</title></rect>\n")
	c.text(svgLabelW+8+int(w)+6, mid+svgFont/3, "value", "start", value)
	c.y += svgRowH
}

// rowLabel names a row within its scenario: impl, and for the disruptor its
// transport and wait strategy.
func rowLabel(x bench.Result) string {
	if x.Impl != bench.Disruptor {
		return string(x.Impl)
	}
	return fmt.Sprintf("%s %s %s", x.Impl, x.Transport, x.Wait)
}

// groups splits results into runs of the same scenario, in order.
func groups(results []bench.Result) [][]bench.Result {
	var out [][]bench.Result
	for i, x := range results {
		if i == 0 || x.Scenario != results[i-1].Scenario {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], x)
	}
	return out
}

// writeSVG writes results as an SVG bar chart: ns/event, a bar per row,
// grouped and scaled by scenario; then, for the latency scenarios, a panel
// of round-trip p50s, a bar per row.
func writeSVG(w io.Writer, runs int, results []bench.Result) error {
	c := &svgChart{y: 8}
	if len(results) > 0 {
		c.text(8, c.y+14, "title", "start", header(results, runs))
	}
	c.y += 22
	c.text(8, c.y+14, "note", "start", "ns/event, shorter is faster; the bars of each scenario are scaled to its slowest row")
	c.y += 22
	x := 8
	for _, impl := range []bench.Impl{bench.Disruptor, bench.Channel, bench.Floor} {
		fmt.Fprintf(&c.b, `<rect class="legend" x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n", x, c.y+4, svgBarH, svgBarH, svgColors[impl])
		c.text(x+svgBarH+4, c.y+4+svgBarH-2, "legend", "start", string(impl))
		x += 110
	}
	c.y += svgRowH + svgGap

	var latency []bench.Result
	for _, g := range groups(results) {
		c.text(8, c.y+14, "scenario", "start", g[0].Scenario)
		c.y += svgRowH + 2
		top := 0.0
		for _, x := range g {
			top = max(top, x.NsPerEvent)
		}
		for _, x := range g {
			value := fmt.Sprintf("%.1f ns", x.NsPerEvent)
			if r := times(x.RatioToChannel); r != "" {
				value += ", " + r + " channel"
			}
			c.bar("bar", x, x.NsPerEvent, top, value)
			if x.P50 > 0 {
				latency = append(latency, x)
			}
		}
		c.y += svgGap
	}

	if len(latency) > 0 {
		c.y += svgGap
		c.text(8, c.y+14, "note", "start", "round-trip latency, p50 (p99 in words); shorter is faster")
		c.y += 22
		for _, g := range groups(latency) {
			c.text(8, c.y+14, "scenario", "start", g[0].Scenario+" p50")
			c.y += svgRowH + 2
			top := int64(0)
			for _, x := range g {
				top = max(top, x.P50)
			}
			for _, x := range g {
				c.bar("p50", x, float64(x.P50), float64(top), fmt.Sprintf("p50 %s, p99 %s", ns(x.P50), ns(x.P99)))
			}
			c.y += svgGap
		}
	}

	_, err := fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="%d">
<style>.title{font-weight:bold}.scenario{font-weight:bold}.note,.value{fill:#444}</style>
<rect width="100%%" height="100%%" fill="white"/>
%s</svg>
`, svgWidth, c.y+8, svgWidth, c.y+8, svgFont, c.b.String())
	return err
}
