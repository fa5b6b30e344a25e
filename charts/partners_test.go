package charts

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"tradedash/data"
)

// seriesOf returns the option's series as plain maps.
func seriesOf(t *testing.T, c Chart) []map[string]any {
	t.Helper()
	raw, _ := c.Option["series"].([]any)
	var out []map[string]any
	for _, s := range raw {
		out = append(out, s.(map[string]any))
	}
	if len(out) == 0 {
		t.Fatalf("%s: no series in %v", c.ID, c.Option)
	}
	return out
}

// values returns a series' data values ("-" for a gap).
func values(s map[string]any) []any {
	var out []any
	for _, d := range s["data"].([]any) {
		if m, ok := d.(map[string]any); ok {
			out = append(out, m["value"])
		} else {
			out = append(out, d)
		}
	}
	return out
}

// generatedSeries is made up for the test: two partners over three years,
// with a gap, a lower bound and a year without a World figure.
func generatedSeries() (data.PartnerSeries, PartnersOptions) {
	s := data.PartnerSeries{DatasetID: 7, Flow: data.Export, Periods: []data.Period{data.Year(2019), data.Year(2020), data.Year(2021)},
		World: []data.Figure{fig(1000, data.Exact, false), {}, fig(2000, data.Exact, false)},
		Lines: []data.PartnerLine{
			{Partner: "RUS", Figures: []data.Figure{fig(100, data.Exact, false), fig(150, data.AtLeast, false), fig(300, data.Exact, false)}, Shares: []float64{0.1, math.NaN(), 0.15}},
			{Partner: "CHN", Figures: []data.Figure{{}, fig(40, data.Exact, false), fig(50, data.Exact, false)}, Shares: []float64{math.NaN(), math.NaN(), 0.025}},
		}}
	o := PartnersOptions{Reporter: data.Country{ISO3: "KAZ", Name: "Kazakhstan"}, Names: map[string]string{"RUS": "Russia", "CHN": "China __f__x"}, Dataset: "generated", Source: "a test"}
	return s, o
}

func TestPartnerLines(t *testing.T) {
	s, o := generatedSeries()
	c := PartnerLines(s, o)
	ss := seriesOf(t, c)
	var names []string
	for _, x := range ss {
		names = append(names, x["name"].(string))
		if x["type"] != "line" {
			t.Errorf("series %v is %v, want line", x["name"], x["type"])
		}
	}
	if diff := cmp.Diff([]string{"Russia", "China x"}, names); diff != "" {
		t.Errorf("series names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{100.0, 150.0, 300.0}, values(ss[0])); diff != "" {
		t.Errorf("Russia (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"-", 40.0, 50.0}, values(ss[1])); diff != "" {
		t.Errorf("China: a gap stays a gap (-want +got):\n%s", diff)
	}
	if c.Meta.Points[1].Notes["Russia"] != "at least" || c.Meta.Points[0].Label != "2019" {
		t.Errorf("points = %+v", c.Meta.Points)
	}
	if c.Meta.Currency != "USD" || !strings.Contains(c.AriaLabel, "2 partners over 3 periods") {
		t.Errorf("meta %+v, aria %q", c.Meta, c.AriaLabel)
	}
}

func TestPartnerShares(t *testing.T) {
	s, o := generatedSeries()
	c := PartnerShares(s, o)
	ss := seriesOf(t, c)
	if diff := cmp.Diff([]any{10.0, "-", 15.0}, values(ss[0])); diff != "" {
		t.Errorf("Russia's shares in percent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"-", "-", 2.5}, values(ss[1])); diff != "" {
		t.Errorf("China's shares (-want +got):\n%s", diff)
	}
	if c.Meta.Currency != "%" {
		t.Errorf("currency %q: the page formats the axis by it", c.Meta.Currency)
	}
	if _, err := c.JSON(); err != nil {
		t.Fatal(err)
	}
}

func TestPartnersMap(t *testing.T) {
	r := data.PartnerRanking{DatasetID: 3, Period: data.Year(2019), Flow: data.Import, ShareOf: "World",
		Partners: []data.PartnerTotal{
			{Partner: "CHN", Figure: fig(70e9, data.Exact, false), Share: 0.7, HasShare: true},
			{Partner: "RUS", Figure: fig(6.2e9, data.Exact, false), Share: 0.062, HasShare: true},
			{Partner: "NPL", Figure: fig(5e5, data.AtLeast, false), Share: 0.000005, HasShare: true},
			{Partner: "PAK", Figure: data.Figure{Conflict: true}},
			{Partner: "X899", Aggregate: true, Figure: fig(2e9, data.Exact, false)},
		}}
	o := PartnersOptions{Reporter: data.Country{ISO3: "IND", Name: "India"}, Names: map[string]string{"CHN": "China", "RUS": "Russia", "NPL": "Nepal </script>"}}
	c := PartnersMap(r, o)
	s := seriesOf(t, c)[0]
	if s["type"] != "map" || s["map"] != MapName || s["nameProperty"] != "iso3" {
		t.Errorf("series = %v", s)
	}
	var names []string
	for _, d := range s["data"].([]any) {
		names = append(names, d.(map[string]any)["name"].(string))
	}
	if diff := cmp.Diff([]string{"CHN", "RUS", "NPL"}, names); diff != "" {
		t.Errorf("countries on the map: no aggregate, no disputed figure (-want +got):\n%s", diff)
	}
	if c.Meta.Points[2].Notes["Value"] != "at least" || c.Meta.Points[0].Detail != "70.00% of trade with the World as stated by the same source" {
		t.Errorf("points = %+v", c.Meta.Points)
	}
	// One band per power of ten from Nepal's 500 K to China's 70 B.
	pieces := c.Option["visualMap"].(map[string]any)["pieces"].([]any)
	var labels []string
	for _, p := range pieces {
		labels = append(labels, p.(map[string]any)["label"].(string))
	}
	if diff := cmp.Diff([]string{"100 K – 1 M", "1 M – 10 M", "10 M – 100 M", "100 M – 1 B", "1 B – 10 B", "10 B – 100 B"}, labels); diff != "" {
		t.Errorf("bands (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "</script>") {
		t.Error("a name with </script> must be escaped in the JSON")
	}
	// Nothing to draw still makes a valid option with empty data.
	empty := PartnersMap(data.PartnerRanking{Period: data.Year(2019), Flow: data.Export}, o)
	if d := seriesOf(t, empty)[0]["data"].([]any); len(d) != 0 {
		t.Errorf("empty map data = %v", d)
	}
}
