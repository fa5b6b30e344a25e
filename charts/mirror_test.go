package charts

import (
	"math"
	"strings"
	"testing"

	"tradedash/data"
)

// TestSourceComparison uses made-up figures (not statistics).
func TestSourceComparison(t *testing.T) {
	exact := func(v float64) data.Figure { return data.Figure{Known: true, Value: v, Bound: data.Exact} }
	rows := []data.SourceRow{
		{Period: data.Year(2019), ReportedBy: "PAK", Flow: data.Export, A: exact(100), B: exact(110), Gap: 10, GapPct: 10},
		{Period: data.Year(2019), ReportedBy: "RUS", Flow: data.Export, A: exact(0), B: exact(5), Gap: 5, GapPct: math.NaN()},
	}
	o := SourcesOptions{Reporter: data.Country{ISO3: "PAK", Name: "Pakistan"}, Partner: data.Country{ISO3: "RUS", Name: "Russia"},
		NameA: "National release", NameB: "</script><script>alert(1)</script>__f__", Source: "[1] ministry [2] UN Comtrade", Names: map[string]string{"RUS": "Russia"}}
	c := SourceComparison(rows, o)
	series := c.Option["series"].([]any)
	if len(series) != 2 || series[0].(map[string]any)["name"] != "A: National release" {
		t.Fatalf("series = %v", series)
	}
	b := series[1].(map[string]any)
	if !strings.HasPrefix(b["name"].(string), "B: </script>") || strings.Contains(b["name"].(string), "__f__") {
		t.Errorf("B series name = %q", b["name"])
	}
	if v := b["data"].([]any)[0].(map[string]any)["value"]; v != 110.0 {
		t.Errorf("B 2019 = %v", v)
	}
	if c.Meta.Points[0].Detail != "gap +10.0% (B minus A, of A)" || c.Meta.Points[1].Detail != "" || !c.Meta.Points[1].Mirror {
		t.Errorf("points = %+v", c.Meta.Points)
	}
	if !strings.Contains(c.Meta.Points[1].Label, "(Russia's statistics)") || c.ID != "chart-pak-rus-sources" {
		t.Errorf("label %q, id %q", c.Meta.Points[1].Label, c.ID)
	}
	js, _ := c.JSON()
	if !strings.Contains(string(js), `"description":"Pakistan – Russia: two sources compared. Bars, US dollars, 2 comparisons`) {
		t.Errorf("no aria description: %s", js)
	}
}
