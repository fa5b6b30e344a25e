package charts

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func fig(v float64, b data.Bound, derived bool) data.Figure {
	return data.Figure{Known: true, Value: v, Bound: b, Derived: derived}
}

// fixture mirrors the demo's Pakistan–Russia figures: a mirror year, a
// fiscal year with both flows, a lower bound, a conflict and a gap.
func fixture() ([]data.PeriodTotals, BilateralOptions) {
	pak := data.Country{ISO3: "PAK", Name: "Pakistan"}
	rus := data.Country{ISO3: "RUS", Name: "Russia"}
	rows := []data.PeriodTotals{
		{DatasetID: 1, Period: data.Year(2012), ReportedBy: "RUS", Exports: fig(332e6, data.Exact, false), Imports: fig(210e6, data.Exact, false),
			Turnover: fig(542e6, data.Exact, true), Balance: fig(122e6, data.Exact, true)},
		{DatasetID: 1, Period: data.Year(2015), ReportedBy: "PAK", Exports: data.Figure{Conflict: true}},
		{DatasetID: 1, Period: data.Fiscal(2022, 7), ReportedBy: "PAK", Exports: fig(74e6, data.Exact, false), Imports: fig(846e6, data.Exact, false),
			Turnover: fig(920e6, data.Exact, true), Balance: fig(-772e6, data.Exact, true)},
		{DatasetID: 1, Period: data.Year(2023), ReportedBy: "RUS", Turnover: fig(1e9, data.AtLeast, false)},
	}
	return rows, BilateralOptions{Reporter: pak, Partner: rus, DatasetID: 1, Dataset: "Official statements", Source: "APP, TASS"}
}

func TestBilateralGolden(t *testing.T) {
	rows, o := fixture()
	c := Bilateral(rows, o)
	got, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "bilateral.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./charts -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
		t.Errorf("Bilateral option differs from %s; run go test ./charts -update and review the diff.\ngot:\n%s", golden, got)
	}
}

func TestBilateralLabelsAndNotes(t *testing.T) {
	rows, o := fixture()
	c := Bilateral(rows, o)
	var labels []string
	for _, p := range c.Meta.Points {
		labels = append(labels, p.Label)
	}
	want := "2012\n(RUS data)|2015|FY2022-23|2023\n(RUS data)"
	if got := strings.Join(labels, "|"); got != want {
		t.Errorf("labels = %q, want %q", got, want)
	}
	if n := c.Meta.Points[3].Notes[SeriesTurnover]; n != "at least" {
		t.Errorf("2023 turnover note = %q", n)
	}
	if n := c.Meta.Points[1].Notes[SeriesExports]; n != "sources disagree" {
		t.Errorf("2015 exports note = %q", n)
	}
	series := c.Option["series"].([]any)
	exports := series[0].(map[string]any)["data"].([]any)
	if v := exports[1].(map[string]any)["value"]; v != missing {
		t.Errorf("a conflicting figure is drawn as %v, want the missing marker", v)
	}
	if !c.Meta.Points[0].Mirror || c.Meta.Points[2].Mirror {
		t.Error("mirror flags wrong")
	}
}

func TestCleanStripsCodeMarkers(t *testing.T) {
	rows, o := fixture()
	o.Dataset = "__f__function(){alert(1)}__f__"
	o.Reporter.Name = "</script><script>alert(1)</script>"
	c := Bilateral(rows, o)
	b, _ := c.JSON()
	if bytes.Contains(b, []byte("__f__")) {
		t.Errorf("option carries a __f__ marker: %s", b)
	}
	// The name is kept as text; escaping is the template's job, and
	// json.Marshal escapes < and > anyway.
	if !bytes.Contains(b, []byte(`\u003c/script\u003e`)) {
		t.Errorf("the reporter name was lost or not escaped: %s", b)
	}
}

func TestNonFiniteValuesAreNeverDrawn(t *testing.T) {
	for _, v := range []float64{nan(), inf(1), inf(-1)} {
		if got := finite(v); got != missing {
			t.Errorf("finite(%v) = %v", v, got)
		}
	}
}

func nan() float64      { var z float64; return z / z }
func inf(s int) float64 { var z float64; return float64(s) / z }
