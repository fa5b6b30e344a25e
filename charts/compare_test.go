package charts

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"tradedash/data"
)

// generatedComparison is made up for the test: three chapters and a total
// that covers more than the chapters.
func generatedComparison(totalKnown bool) data.Comparison {
	ch := func(code, name string, a, b float64) data.SectorChange {
		return data.SectorChange{Product: data.Product{Classification: data.HS, Code: code, Name: name}, A: fig(a, data.Exact, false), B: fig(b, data.Exact, false),
			Known: true, Delta: b - a, Pct: 100 * (b - a) / a}
	}
	c := data.Comparison{DatasetID: 2, ReportedBy: "IND", Flow: data.Export, A: data.Year(2020), B: data.Year(2021),
		Sectors: []data.SectorChange{ch("30", "Pharmaceutical products", 500, 560), ch("09", "Coffee, tea", 100, 110), ch("10", "Cereals", 80, 50),
			{Product: data.Product{Classification: data.HS, Code: "27", Name: "Mineral fuels"}, B: fig(9, data.Exact, false), Pct: math.NaN()}}}
	if totalKnown {
		c.Total = data.SectorChange{Product: data.TotalProduct, A: fig(1000, data.Exact, false), B: fig(1100, data.Exact, false), Known: true, Delta: 100}
	}
	return c
}

func TestCompareWaterfall(t *testing.T) {
	o := CompareOptions{Reporter: data.Country{ISO3: "IND", Name: "India"}, Partner: data.Country{ISO3: "RUS", Name: "Russia"}, ReportedBy: "India", Source: "a test"}
	for _, tt := range []struct {
		name         string
		totalKnown   bool
		labels       []string
		base, up, dn []any
		total        []any
	}{
		{"from the stated total, with the goods no sector covers", true,
			[]string{"2020: all goods", "HS 30 Pharmaceutical products", "HS 09 Coffee, tea", "HS 10 Cereals", "All other goods", "2021: all goods"},
			[]any{0.0, 1000.0, 1060.0, 1040.0, 1040.0, 0.0},
			[]any{"-", 60.0, 10.0, "-", 60.0, "-"},
			[]any{"-", "-", "-", 30.0, "-", "-"},
			[]any{1000.0, "-", "-", "-", "-", 1100.0}},
		{"from the listed sectors' sum when no total is stated", false,
			[]string{"2020: listed sectors", "HS 30 Pharmaceutical products", "HS 09 Coffee, tea", "HS 10 Cereals", "2021: listed sectors"},
			[]any{0.0, 680.0, 740.0, 720.0, 0.0},
			[]any{"-", 60.0, 10.0, "-", "-"},
			[]any{"-", "-", "-", 30.0, "-"},
			[]any{680.0, "-", "-", "-", 720.0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := CompareWaterfall(generatedComparison(tt.totalKnown), o)
			ss := seriesOf(t, c)
			if len(ss) != 4 || ss[0]["name"] != "base" || ss[0]["stack"] != "waterfall" || ss[3]["stack"] != "waterfall" {
				t.Fatalf("series = %v", ss)
			}
			if st := ss[0]["itemStyle"].(map[string]any); st["color"] != "transparent" || ss[0]["silent"] != true {
				t.Errorf("the base must be invisible and silent: %v", ss[0])
			}
			var labels []string
			for _, p := range c.Meta.Points {
				labels = append(labels, p.Label)
			}
			for what, pair := range map[string][2][]any{"base": {tt.base, values(ss[0])}, "rise": {tt.up, values(ss[1])}, "fall": {tt.dn, values(ss[2])}, "total": {tt.total, values(ss[3])}} {
				if diff := cmp.Diff(pair[0], pair[1]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", what, diff)
				}
			}
			if diff := cmp.Diff(tt.labels, labels); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if c.Meta.Kind != "waterfall" || c.Meta.Points[1].Detail != "2020 → 2021: +12.0%" {
				t.Errorf("meta = %+v", c.Meta)
			}
		})
	}
}

func TestCompareBarsStayDiverging(t *testing.T) {
	c := Compare(generatedComparison(true), CompareOptions{Reporter: data.Country{ISO3: "IND", Name: "India"}, Partner: data.Country{ISO3: "RUS", Name: "Russia"}})
	ss := seriesOf(t, c)
	if len(ss) != 1 || c.Meta.Kind != "compare" {
		t.Fatalf("series = %v", ss)
	}
	if diff := cmp.Diff([]any{60.0, 10.0, -30.0}, values(ss[0])); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}
