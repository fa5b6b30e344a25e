package charts

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tradedash/data"
)

// namedChart is one view's chart, as its export draws it.
type namedChart struct {
	view  string
	chart Chart
}

// everyView has one chart of every kind a page exports, built from the
// package's test fixtures (the demo's Pakistan–Russia figures, or figures
// made up in the tests).
func everyView() []namedChart {
	rows, bo := fixture()
	series, po := generatedSeries()
	pt, pro := productsFixture()
	cmp := generatedComparison(true)
	co := CompareOptions{Reporter: data.Country{ISO3: "IND", Name: "India"}, Partner: data.Country{ISO3: "RUS", Name: "Russia"}, ReportedBy: "India", Source: "figures made up in the test"}
	exact := func(v float64) data.Figure { return data.Figure{Known: true, Value: v, Bound: data.Exact} }
	mirror := []data.MirrorRow{
		{Period: data.Year(2019), Flow: data.Export, Reported: exact(100e6), Mirror: exact(120e6), AdjustedReported: 100e6, AdjustedMirror: 120e6, Gap: 20e6, GapPct: 20},
		{Period: data.Year(2019), Flow: data.Import, Reported: exact(300e6), Mirror: exact(280e6), AdjustedReported: 300e6, AdjustedMirror: 280e6, Gap: -20e6, GapPct: -6.7},
	}
	mo := MirrorOptions{Reporter: bo.Reporter, Partner: bo.Partner, Source: "figures made up in the test"}
	sources := []data.SourceRow{
		{Period: data.Year(2019), ReportedBy: "PAK", Flow: data.Export, A: exact(100e6), B: exact(110e6), Gap: 10e6, GapPct: 10},
		{Period: data.Year(2019), ReportedBy: "RUS", Flow: data.Export, A: exact(90e6), B: exact(95e6), Gap: 5e6, GapPct: 5.6},
	}
	so := SourcesOptions{Reporter: bo.Reporter, Partner: bo.Partner, NameA: "National release", NameB: "UN Comtrade", Source: "figures made up in the test",
		Names: map[string]string{"PAK": "Pakistan", "RUS": "Russia"}}
	ranking := data.PartnerRanking{DatasetID: 7, Period: data.Year(2021), Flow: data.Export, ShareOf: "World", World: exact(2000)}
	for i, iso := range []string{"RUS", "CHN", "DEU"} {
		ranking.Partners = append(ranking.Partners, data.PartnerTotal{Partner: iso, Figure: exact(float64(300 - 100*i)), Share: float64(300-100*i) / 2000, HasShare: true})
	}
	po.Names["DEU"] = "Germany"
	sectors := data.SectorBreakdown{DatasetID: 2, Period: data.Year(2021), ReportedBy: "IND", Flow: data.Export, Total: exact(1100),
		Sectors: []data.SectorFigure{{Product: data.Product{Classification: data.HS, Code: "30", Name: "Pharmaceutical products"}, Figure: exact(560), Share: 560.0 / 1100}}}
	return []namedChart{
		{"bilateral", Bilateral(rows, bo)},
		{"partners", Partners(ranking, po)},
		{"partners-map", PartnersMap(ranking, po)},
		{"partner-lines", PartnerLines(series, po)},
		{"partner-shares", PartnerShares(series, po)},
		{"products", Products(pt, pro)},
		{"mirror", Mirror(mirror, mo)},
		{"sources", SourceComparison(sources, so)},
		{"compare", Compare(cmp, co)},
		{"compare-waterfall", CompareWaterfall(cmp, co)},
		{"sectors", Sectors(sectors, SectorsOptions{Reporter: co.Reporter, Partner: co.Partner, ReportedBy: "India", Source: "figures made up in the test"})},
	}
}

// textBox is where a drawn <text> lies, by its anchor, its font size and
// the width ECharts measures for it.
type textBox struct {
	text           string
	x0, y0, x1, y1 float64
}

var fontSizeRe = regexp.MustCompile(`font-size:([0-9.]+)px`)

// textBoxes lists the boxes of the SVG's <text> elements placed by a
// translate (all of ours but rotated labels, which are skipped).
func textBoxes(tb testing.TB, svg []byte) []textBox {
	tb.Helper()
	var out []textBox
	d := xml.NewDecoder(bytes.NewReader(svg))
	type open struct {
		x, y, size              float64
		anchor, baseline, style string
		text                    string
	}
	var cur *open
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local != "text" {
				continue
			}
			tr, ok := strings.CutPrefix(attr(el, "transform"), "translate(")
			if !ok {
				continue
			}
			f := strings.Fields(strings.TrimSuffix(tr, ")"))
			if len(f) != 2 {
				continue
			}
			x, _ := strconv.ParseFloat(f[0], 64)
			y, _ := strconv.ParseFloat(f[1], 64)
			if dy, err := strconv.ParseFloat(attr(el, "y"), 64); err == nil {
				y += dy
			}
			if dx, err := strconv.ParseFloat(attr(el, "x"), 64); err == nil {
				x += dx
			}
			size := 12.0
			if m := fontSizeRe.FindStringSubmatch(attr(el, "style")); m != nil {
				size, _ = strconv.ParseFloat(m[1], 64)
			}
			cur = &open{x: x, y: y, size: size, anchor: attr(el, "text-anchor"), baseline: attr(el, "dominant-baseline"), style: attr(el, "style")}
		case xml.CharData:
			if cur != nil {
				cur.text += string(el)
			}
		case xml.EndElement:
			if cur == nil || el.Name.Local != "text" {
				continue
			}
			w := measureText(cur.text, cur.style)
			x0 := cur.x
			switch cur.anchor {
			case "end":
				x0 -= w
			case "middle":
				x0 -= w / 2
			}
			// Glyphs fill about 0.9 em of a line.
			h := 0.9 * cur.size
			y0 := cur.y - h/2
			switch cur.baseline {
			case "alphabetic", "":
				y0 = cur.y - 0.72*cur.size
			case "hanging", "text-before-edge":
				y0 = cur.y
			}
			out = append(out, textBox{text: cur.text, x0: x0, y0: y0, x1: x0 + w, y1: y0 + h})
			cur = nil
		}
	}
}

func (a textBox) overlaps(b textBox) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

// TestNoTextOverlapsInSmallImages draws every view at the smallest size
// a slide uses, 800×450, and at the page's default size: no two texts of
// an image may overlap (the y axis's unit ran into the subtitle at 800×450).
func TestNoTextOverlapsInSmallImages(t *testing.T) {
	r := NewRenderer(RendererOptions{Timeout: 2 * time.Minute})
	for _, v := range everyView() {
		for _, size := range [][2]int{{800, 450}, {DefaultWidth, DefaultHeight}} {
			svg := mustSVG(t, r, v.chart, ImageOptions{Width: size[0], Height: size[1]})
			boxes := textBoxes(t, svg)
			if len(boxes) < 3 {
				t.Errorf("%s %dx%d: only %d texts", v.view, size[0], size[1], len(boxes))
			}
			for i, a := range boxes {
				for _, b := range boxes[i+1:] {
					if a.overlaps(b) {
						t.Errorf("%s %dx%d: %q %.0f,%.0f–%.0f,%.0f overlaps %q %.0f,%.0f–%.0f,%.0f", v.view, size[0], size[1],
							a.text, a.x0, a.y0, a.x1, a.y1, b.text, b.x0, b.y0, b.x1, b.y1)
					}
				}
			}
		}
	}
}

// TestEveryViewImageSaysWhatAndWhence draws every view's chart as its
// export does and checks the image carries, as text, its title, its unit
// (US$ or %, the chart's currency) and a source line, and that no text
// runs off the image at 800×450: an image pasted into a brief must say
// what it shows and where the figures come from.
func TestEveryViewImageSaysWhatAndWhence(t *testing.T) {
	r := NewRenderer(RendererOptions{Timeout: 2 * time.Minute})
	units := map[string]string{"USD": "US$", "%": "%"}
	for _, v := range everyView() {
		t.Run(v.view, func(t *testing.T) {
			unit := units[v.chart.Meta.Currency]
			if unit == "" {
				t.Fatalf("chart %s has currency %q: which unit should its image state?", v.chart.ID, v.chart.Meta.Currency)
			}
			const w, h = 800, 450
			boxes := textBoxes(t, mustSVG(t, r, v.chart, ImageOptions{Width: w, Height: h}))
			var title, units, source bool
			for _, b := range boxes {
				title = title || b.text == v.chart.Title
				units = units || strings.Contains(b.text, unit)
				if rest, ok := strings.CutPrefix(b.text, "Source: "); ok && strings.TrimSpace(rest) != "" {
					source = true
					if b.y0 < h/2 {
						t.Errorf("source line %q at y=%.0f, not at the foot", b.text, b.y0)
					}
				}
				if b.x0 < -1 || b.x1 > w+1 || b.y0 < -1 || b.y1 > h+1 {
					t.Errorf("%q (%.0f,%.0f–%.0f,%.0f) runs off the %dx%d image", b.text, b.x0, b.y0, b.x1, b.y1, w, h)
				}
			}
			if !title {
				t.Errorf("no title %q among the image's texts", v.chart.Title)
			}
			if !units {
				t.Errorf("no text states the unit %q", unit)
			}
			if !source {
				t.Error("no source line")
			}
		})
	}
}
