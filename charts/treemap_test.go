package charts

import (
	"errors"
	"strings"
	"testing"

	"tradedash/data"
)

// treemapFixture is a synthetic breakdown (figures made up for the test)
// of three HS sections, one of them only a bound.
func treemapFixture() (data.SectorBreakdown, SectorsOptions) {
	fig := func(v float64) data.Figure { return data.Figure{Known: true, Value: v, Bound: data.Exact} }
	b := data.SectorBreakdown{
		DatasetID: 7, Period: data.Year(2021), ReportedBy: "PAK", Flow: data.Export,
		Total: fig(2_500_000_000.5),
		Sectors: []data.SectorFigure{
			{Product: data.Product{Classification: data.HSSection, Code: "XI", Name: "Textiles and textile articles"}, Figure: fig(1_200_000_000.25), Share: 0.48},
			{Product: data.Product{Classification: data.HSSection, Code: "II", Name: "Vegetable products"}, Figure: fig(300_000_000)},
			{Product: data.Product{Classification: data.HSSection, Code: "VI", Name: "Products of the chemical or allied industries"}, Figure: data.Figure{Known: true, Value: 50_000_000, Bound: data.AtLeast}},
		},
		Sum: 1_500_000_000.25,
	}
	o := SectorsOptions{Reporter: data.Country{ISO3: "PAK", Name: "Pakistan"}, Partner: data.Country{ISO3: "RUS", Name: "Russia"},
		ReportedBy: "Pakistan", Source: "Synthetic test figures"}
	return b, o
}

func TestSectorTreemap(t *testing.T) {
	b, o := treemapFixture()
	o.Drill = func(p data.Product) string {
		if p.Classification == data.HSSection {
			return "/bilateral?section=" + p.Code
		}
		return ""
	}
	c, err := SectorTreemap(b, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta.Kind != "treemap" || !strings.Contains(c.FileName, "sectors-export-2021") {
		t.Errorf("kind %q, file %q", c.Meta.Kind, c.FileName)
	}
	s := c.Option["series"].([]any)[0].(map[string]any)
	if s["type"] != "treemap" || s["nodeClick"] != false {
		t.Errorf("series = %v, want a treemap that does not zoom", s)
	}
	points := s["data"].([]any)
	if len(points) != 2 {
		t.Fatalf("%d nodes, want 2: the bound (≥ 50 M) has no honest area", len(points))
	}
	first := points[0].(map[string]any)
	// The exact figure, cents and all, not go-echarts' int.
	if first["value"] != 1_200_000_000.25 || first["link"] != "/bilateral?section=XI" || first["point"] != 0 {
		t.Errorf("first node = %v", first)
	}
	if len(c.Meta.Points) != 2 || !strings.Contains(c.Meta.Points[0].Detail, "48.0% of the stated all-goods total") {
		t.Errorf("points = %+v", c.Meta.Points)
	}
	title := c.Option["title"].(map[string]any)
	sub, _ := title["subtext"].(string)
	// 1.2 B + 0.3 B drawn; the stated total is 2.5 B; one part left out.
	for _, want := range []string{"parts drawn add up to US$ 1.50 B", "stated all-goods total US$ 2.50 B", "1 not drawn"} {
		if !strings.Contains(sub, want) {
			t.Errorf("subtitle %q lacks %q", sub, want)
		}
	}

	b.Total = data.Figure{}
	c, _ = SectorTreemap(b, o)
	if sub := c.Option["title"].(map[string]any)["subtext"].(string); !strings.Contains(sub, "no all-goods total stated") {
		t.Errorf("subtitle without a total = %q", sub)
	}

	b.Sectors = append(b.Sectors, data.SectorFigure{Product: data.Product{Classification: data.HS, Code: "52", Name: "Cotton"}, Figure: data.Figure{Known: true, Value: 1, Bound: data.Exact}})
	if _, err := SectorTreemap(b, o); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a section beside a chapter: err = %v, want ErrInvalid", err)
	}
}

func TestSectorBarsDrillLinks(t *testing.T) {
	b, o := treemapFixture()
	o.Section = "XI"
	o.Drill = func(p data.Product) string {
		if p.Code == "II" {
			return "/x?section=II"
		}
		return ""
	}
	c := Sectors(b, o)
	if !strings.HasSuffix(c.ID, "-xi") || !strings.HasSuffix(c.FileName, "-section-XI") {
		t.Errorf("id %q, file %q: want the section in both", c.ID, c.FileName)
	}
	points := c.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
	var links []any
	for _, p := range points {
		links = append(links, p.(map[string]any)["link"])
	}
	if links[0] != nil || links[1] != "/x?section=II" || links[2] != nil {
		t.Errorf("links = %v, want only section II's", links)
	}
	// The bars name sections as the treemap does: a section is no HS code.
	if len(c.Meta.Points) != 3 || c.Meta.Points[0].Label != "HS section XI Textiles and textile articles" ||
		c.Meta.Points[2].Label != "HS section VI Products of the chemical or allie…" {
		t.Errorf("points %+v; want each section labelled HS section, cut at 48 characters", c.Meta.Points)
	}
}

func TestRenderTreemapSVG(t *testing.T) {
	b, o := treemapFixture()
	c, err := SectorTreemap(b, o)
	if err != nil {
		t.Fatal(err)
	}
	f := parseSVG(t, mustSVG(t, testRenderer(), c, ImageOptions{}))
	// Labels through format.js's treemapLabel: name, then scaled value.
	for _, want := range []string{"HS section XI Textiles and textile articles", "1.20 B", "HS section II Vegetable products", "300.0 M",
		"Source: Synthetic test figures", "stated all-goods total US$ 2.50 B"} {
		if !strings.Contains(f.text, want) {
			t.Errorf("SVG text lacks %q", want)
		}
	}
	if strings.Contains(f.text, "chemical") {
		t.Error("the bound was drawn")
	}
}
