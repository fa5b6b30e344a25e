package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"tradedash/data"
	"tradedash/templates"
)

// mustPartnersFixture imports a generated dataset: Kazakhstan's exports
// and imports with the World, Russia, China, Uzbekistan and "Areas, nes"
// in 2015–2020, each a round multiple of the year's distance from 2014
// (made up for the tests, not real trade), and a KAZ–RUS breakdown at
// three HS levels in 2020 and 2021.
func mustPartnersFixture(tb testing.TB, store *data.Store) int64 {
	tb.Helper()
	factor := map[string]float64{"WLD": 1000, "RUS": 10, "CHN": 50, "UZB": 5, "X899": 1}
	section := data.Product{Classification: data.HSSection, Code: "II", Name: "Vegetable products", ParentClassification: data.Total, ParentCode: "TOTAL"}
	chapter := data.Product{Classification: data.HS, Code: "10", Name: "Cereals", ParentClassification: data.HSSection, ParentCode: "II"}
	heading := data.Product{Classification: data.HS, Code: "1001", Name: "Wheat and meslin", ParentClassification: data.HS, ParentCode: "10"}
	d, err := store.Import(context.Background(), data.Dataset{Name: "generated partners fixture", SHA256: strings.Repeat("cd", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			var rows []data.Observation
			for y := 2015; y <= 2020; y++ {
				for p, f := range factor {
					v := f * float64(y-2014)
					rows = append(rows,
						data.Observation{Reporter: "KAZ", Partner: p, Period: data.Year(y), Flow: data.Export, Product: data.TotalProduct, ValueUSD: v},
						data.Observation{Reporter: "KAZ", Partner: p, Period: data.Year(y), Flow: data.Import, Product: data.TotalProduct, ValueUSD: v / 2})
				}
			}
			for _, x := range []struct {
				p      data.Product
				y      int
				v      float64
				isTotl bool
			}{{section, 2020, 30, false}, {section, 2021, 34, false}, {chapter, 2020, 20, false}, {chapter, 2021, 23, false}, {heading, 2020, 15, false}, {heading, 2021, 14, false}} {
				rows = append(rows, data.Observation{Reporter: "KAZ", Partner: "RUS", Period: data.Year(x.y), Flow: data.Export, Product: x.p, ValueUSD: x.v})
			}
			rows = append(rows, data.Observation{Reporter: "KAZ", Partner: "RUS", Period: data.Year(2021), Flow: data.Export, Product: data.TotalProduct, ValueUSD: 77})
			for i, o := range rows {
				o.Bound, o.SourceRef = data.Exact, fmt.Sprintf("generated row %d", i)
				if err := emit(o); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		tb.Fatal(err)
	}
	return d.ID
}

func TestPartnersSeriesScenarios(t *testing.T) {
	ts, store := mustServer(t)
	id := mustPartnersFixture(t, store)
	ds := fmt.Sprint(id)
	tests := []pageScenario{
		{"two partners over a range, with shares", "/partners?reporter=KAZ&period=2020&partner=RUS&partner=CHN&partner=&from=2016&to=2019", 200, []string{
			`<th scope="col" class="num">Russia</th><th scope="col" class="num">China</th><th scope="col" class="num">World</th>`,
			// 2016: Russia 10×2 = 20 of the World's 2,000 = 1.00%; China 100 = 5.00%.
			// Each figure is followed by its source, "generated row N".
			`<th scope="row">2016</th><td class="num">20<br><span class="muted">1.00%</span><br><span class="muted sources">generated row `,
			`</span></td><td class="num">100<br><span class="muted">5.00%</span><br><span class="muted sources">generated row `,
			`</span></td><td class="num">2,000<br><span class="muted sources">generated row `,
			`data-chart="chart-kaz-partnerlines-export-` + ds + `"`, `data-chart="chart-kaz-partnershares-export-` + ds + `"`,
			`<option value="2016-01..2016-12" selected>2016</option>`, `value="RUS"`, `value="CHN"`}},
		{"the map is on every partners page", "/partners?reporter=KAZ&period=2020", 200, []string{
			`data-chart="chart-kaz-partnersmap-export-202001202012-` + ds + `" data-map="/static/`, `/world.json"`}},
		{"turnover series are derived", "/partners?reporter=KAZ&period=2020&flow=turnover&partner=UZB&from=2020", 200, []string{
			// Derived from two figures, so two sources.
			`<th scope="row">2020</th><td class="num">45 <span class="muted">derived</span><br><span class="muted">0.50%</span><br><span class="muted sources">generated row `}},
		{"a partner with no figures says so", "/partners?reporter=KAZ&period=2020&partner=FRA", 200, []string{"This dataset states no exports of Kazakhstan with the chosen partners"}},
		{"a group is not a partner to draw", "/partners?reporter=KAZ&partner=WLD", 400, []string{"is a group of countries"}},
		{"the reporter is not its own partner", "/partners?reporter=KAZ&partner=Kazakhstan", 400, []string{"is the reporter"}},
		{"at most six partners", "/partners?reporter=KAZ&partner=RUS&partner=CHN&partner=UZB&partner=FRA&partner=DEU&partner=ITA&partner=ESP", 400, []string{"at most 6 partners"}},
		{"an unknown partner", "/partners?reporter=KAZ&partner=Narnia", 400, []string{`partner &#34;Narnia&#34; is not a known country`}},
		{"a bad range", "/partners?reporter=KAZ&partner=RUS&from=whenever", 400, []string{"(parameter from)"}},
		{"a range that ends before it starts", "/partners?reporter=KAZ&period=2020&partner=RUS&from=2019&to=2016", 400, []string{"the range ends (2016) before it starts (2019)"}},
		{"csv keeps the ranking", "/data/partners.csv?reporter=KAZ&period=2020&partner=RUS", 200, []string{"1,CHN,China,false,300,0.05"}},
	}
	runPageScenarios(t, ts.URL, tests)
}

func TestPartnersSeriesAPI(t *testing.T) {
	ts, store := mustServer(t)
	mustPartnersFixture(t, store)
	resp, body := get(t, ts.URL+"/api/v1/partners?reporter=KAZ&period=2020&partner=UZB&partner=RUS&from=2019")
	if resp.StatusCode != 200 {
		t.Fatalf("%d: %s", resp.StatusCode, body)
	}
	var got struct {
		Series struct {
			Periods []struct {
				Period string
				Kind   string `json:"period_kind"`
			}
			World    []*float64
			Partners []struct {
				Partner, Name  string
				Values, Shares []*float64
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	s := got.Series
	// 2019 to the latest period: 2021 has Russia's figure only.
	if len(s.Periods) != 3 || s.Periods[0].Period != "2019" || s.Periods[2].Kind != "calendar_year" || len(s.Partners) != 2 || s.Partners[0].Partner != "UZB" || s.Partners[1].Name != "Russia" {
		t.Fatalf("series = %+v", s)
	}
	// Uzbekistan 2020: 5×6 = 30 of the World's 6,000.
	if s.World[2] != nil || s.Partners[0].Values[2] != nil || *s.Partners[1].Values[2] != 77 || s.Partners[1].Shares[2] != nil {
		t.Errorf("2021: world %v, UZB %v, RUS %v", s.World[2], s.Partners[0].Values[2], s.Partners[1].Values[2])
	}
	if *s.World[1] != 6000 || *s.Partners[0].Values[1] != 30 || *s.Partners[0].Shares[1] != 0.005 {
		t.Errorf("2020: world %v, UZB %v, share %v", *s.World[1], *s.Partners[0].Values[1], *s.Partners[0].Shares[1])
	}
	// Without chosen partners there is no series field at all.
	_, body = get(t, ts.URL+"/api/v1/partners?reporter=KAZ&period=2020")
	if strings.Contains(body, `"series"`) {
		t.Errorf("series without partners: %.200s", body)
	}
}

// TestWorldMapAsset checks the embedded boundaries: served by the app as
// JSON, keyed by ISO3 keys that the reference list knows as countries.
func TestWorldMapAsset(t *testing.T) {
	ts, _ := mustServer(t)
	ref, err := data.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := fs.ReadFile(templates.FS, "static/world.json")
	if err != nil {
		t.Fatal(err)
	}
	var geo struct {
		Type     string
		Features []struct {
			Properties struct{ ISO3, Name string }
			Geometry   struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(raw, &geo); err != nil {
		t.Fatal(err)
	}
	if geo.Type != "FeatureCollection" || len(geo.Features) < 170 {
		t.Fatalf("world.json: %s with %d features", geo.Type, len(geo.Features))
	}
	seen := map[string]bool{}
	for _, f := range geo.Features {
		k := f.Properties.ISO3
		if strings.HasPrefix(k, "NE:") {
			continue
		}
		c, err := ref.Country(k)
		if err != nil || c.ISO3 != k || c.Aggregate {
			t.Errorf("feature %q (%s) is not a country key: %v", k, f.Properties.Name, err)
		}
		if seen[k] {
			t.Errorf("feature %s twice", k)
		}
		seen[k] = true
		var rings [][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			err = json.Unmarshal(f.Geometry.Coordinates, &rings)
		case "MultiPolygon":
			var polygons [][][][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &polygons)
			for _, p := range polygons {
				rings = append(rings, p...)
			}
		default:
			t.Errorf("%s: geometry %s", k, f.Geometry.Type)
		}
		if err != nil {
			t.Errorf("%s: %v", k, err)
		}
		// A flat map would draw a jump across the antimeridian as a line
		// across the world (Antarctica's ring runs along the map's foot).
		for _, r := range rings {
			for i := 1; i < len(r) && k != "ATA"; i++ {
				if d := r[i][0] - r[i-1][0]; d > 180 || d < -180 {
					t.Errorf("%s: a ring jumps from %v to %v", k, r[i-1], r[i])
					break
				}
			}
		}
	}
	for _, k := range []string{"RUS", "CHN", "IND", "PAK", "USA", "KAZ", "BRA"} {
		if !seen[k] {
			t.Errorf("no boundary for %s", k)
		}
	}
	_, page := get(t, ts.URL+"/partners?reporter=IND")
	i := strings.Index(page, `data-map="`)
	if i < 0 {
		t.Fatal("no data-map on the partners page")
	}
	u := page[i+len(`data-map="`):]
	u = u[:strings.IndexByte(u, '"')]
	resp, body := get(t, ts.URL+u)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || body != string(raw) {
		t.Errorf("GET %s: %d %s, %d bytes", u, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
}

func TestCompareLevelsAndWaterfall(t *testing.T) {
	ts, store := mustServer(t)
	mustPartnersFixture(t, store)
	tests := []pageScenario{
		{"the coarsest level by default, diverging bars", "/compare?reporter=KAZ&partner=RUS", 200, []string{
			"Vegetable products", `data-chart="chart-kaz-rus-compare-`, ": HS sections</h2>",
			`<option value="" selected>coarsest stated</option><option value="section">HS sections</option><option value="chapter">HS chapters</option><option value="heading">HS headings</option>`}},
		{"chapters only", "/compare?reporter=KAZ&partner=RUS&level=chapter", 200, []string{
			`<tr><th scope="row">HS 10 Cereals</th><td class="num">20</td><td class="num">23</td><td class="num">&#43;3</td><td class="num">&#43;15.0%</td></tr>`,
			`<option value="chapter" selected>`, "level=chapter"}},
		{"waterfall", "/compare?reporter=KAZ&partner=RUS&level=heading&form=waterfall", 200, []string{
			`data-chart="chart-kaz-rus-waterfall-export-kaz-`, `<option value="waterfall" selected>`, "2020: all goods", "All other goods"}},
		{"a level the pair does not state", "/compare?reporter=IND&partner=RUS&level=chapter", 200, []string{"at HS chapter level"}},
		{"a bad level", "/compare?reporter=KAZ&partner=RUS&level=subheading", 400, []string{"level must be section, chapter or heading"}},
		{"a bad form", "/compare?reporter=KAZ&partner=RUS&form=pie", 400, []string{"form must be bars or waterfall"}},
	}
	runPageScenarios(t, ts.URL, tests)
	// Sections only, through the API: one sector, 30 → 34.
	_, body := get(t, ts.URL+"/api/v1/compare?reporter=KAZ&partner=RUS&level=section")
	var got struct {
		Level       string
		Comparisons []struct {
			Sectors []struct {
				Code  string
				Delta *float64
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	_, none := get(t, ts.URL+"/api/v1/compare?reporter=IND&partner=RUS&level=chapter")
	if !strings.Contains(none, `"a":"","b":"","level":"chapter"`) || !strings.Contains(none, `"comparisons":[]`) {
		t.Errorf("nothing at chapter level: %s", none)
	}
	if got.Level != "section" || len(got.Comparisons) != 1 || len(got.Comparisons[0].Sectors) != 1 || got.Comparisons[0].Sectors[0].Code != "II" || *got.Comparisons[0].Sectors[0].Delta != 4 {
		t.Errorf("compare API at section level = %s", body)
	}
}

// TestPartnersSeriesBoundsAndSources: a lower bound in a partner series
// stays a lower bound in the JSON and the page's table, and every value
// carries its sources.
func TestPartnersSeriesBoundsAndSources(t *testing.T) {
	ts, store := mustServer(t)
	// Generated figures, not real trade.
	rows := []data.Observation{
		{Reporter: "TKM", Partner: "AFG", Period: data.Year(2019), Flow: data.Export, ValueUSD: 100, Bound: data.Exact, SourceRef: "generated AFG 2019"},
		{Reporter: "TKM", Partner: "AFG", Period: data.Year(2020), Flow: data.Export, ValueUSD: 250, Bound: data.AtLeast, SourceRef: "generated AFG 2020, at least"},
		{Reporter: "TKM", Partner: "WLD", Period: data.Year(2019), Flow: data.Export, ValueUSD: 1000, Bound: data.Exact, SourceRef: "generated WLD 2019"},
		{Reporter: "TKM", Partner: "WLD", Period: data.Year(2020), Flow: data.Export, ValueUSD: 1200, Bound: data.Exact, SourceRef: "generated WLD 2020"},
	}
	d, err := store.Import(context.Background(), data.Dataset{Name: "bounded series", SHA256: strings.Repeat("ef", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			for _, o := range rows {
				o.Product = data.TotalProduct
				if err := emit(o); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	q := "?reporter=TKM&period=2020&partner=AFG&dataset=" + strconv.FormatInt(d.ID, 10)
	_, body := get(t, ts.URL+"/api/v1/partners"+q)
	var got struct {
		Partners []struct {
			Partner string
			Bound   *string
		}
		Series struct {
			WorldBounds  []*string       `json:"world_bounds"`
			WorldSources [][]data.Source `json:"world_sources"`
			Partners     []struct {
				Values  []*float64
				Bounds  []*string
				Sources [][]data.Source
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	str := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	if len(got.Series.Partners) != 1 {
		t.Fatalf("series: %s", body)
	}
	l := got.Series.Partners[0]
	if len(l.Bounds) != 2 || str(l.Bounds[0]) != "exact" || str(l.Bounds[1]) != "at_least" || *l.Values[1] != 250 {
		t.Errorf("AFG values %v, bounds %v: an at-least figure must say so", l.Values, l.Bounds)
	}
	if len(l.Sources) != 2 || len(l.Sources[1]) != 1 || l.Sources[1][0].Ref != "generated AFG 2020, at least" {
		t.Errorf("AFG sources = %+v", l.Sources)
	}
	if len(got.Series.WorldSources) != 2 || got.Series.WorldSources[0][0].Ref != "generated WLD 2019" || str(got.Series.WorldBounds[1]) != "exact" {
		t.Errorf("world bounds %v, sources %+v", got.Series.WorldBounds, got.Series.WorldSources)
	}
	for _, p := range got.Partners {
		if p.Partner == "AFG" && str(p.Bound) != "at_least" {
			t.Errorf("ranking entry AFG bound %s", str(p.Bound))
		}
	}
	runPageScenarios(t, ts.URL, []pageScenario{{"the series table marks the bound and names sources", "/partners" + q, 200, []string{
		`<td class="num">≥ 250 <span class="muted">at least</span>`, `<span class="muted sources">generated AFG 2020, at least</span>`,
		`<span class="muted sources">generated WLD 2019</span>`}}})
}
