package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"tradedash/data"
)

// mustSectionsFixture adds made-up test figures (not statistics) for
// Kazakhstan's 2020 exports to Uzbekistan, stated at two HS levels:
// all goods 10,000; section XI 4,000 with its chapters 52 (1,500) and
// 61 (1,000.5); section VI 2,500 with chapter 30 (2,000); section II
// only as a bound, at least 300. Each figure has its own source ref.
func mustSectionsFixture(tb testing.TB, store *data.Store) int64 {
	tb.Helper()
	type fig struct {
		class data.ProductClassification
		code  string
		value float64
		bound data.Bound
	}
	figs := []fig{
		{data.Total, "TOTAL", 10000, data.Exact},
		{data.HSSection, "XI", 4000, data.Exact},
		{data.HSSection, "VI", 2500, data.Exact},
		{data.HSSection, "II", 300, data.AtLeast},
		{data.HS, "52", 1500, data.Exact},
		{data.HS, "61", 1000.5, data.Exact},
		{data.HS, "30", 2000, data.Exact},
	}
	d, err := store.Import(context.Background(), data.Dataset{Name: "sections fixture", Source: "Synthetic test figures", SHA256: strings.Repeat("cd", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			for _, f := range figs {
				o := data.Observation{Reporter: "KAZ", Partner: "UZB", Period: data.Year(2020), Flow: data.Export, ValueUSD: f.value, Bound: f.bound,
					Product: data.Product{Classification: f.class, Code: f.code}, SourceRef: "fixture.csv#" + f.code}
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

func TestSectorBreakdownViews(t *testing.T) {
	ts, store := mustExportServer(t)
	mustSectionsFixture(t, store)
	base := "/bilateral?reporter=KAZ&partner=UZB&dataset=all"
	runPageScenarios(t, ts.URL, []pageScenario{
		{"sections by default, as bars, drilling into chapters", base, http.StatusOK, []string{
			`data-chart="chart-kaz-uzb-sectors-export-kaz-202001202012-`,
			`<strong aria-current="page">bars</strong>`,
			`section=XI`, `section=VI`, // both sections have chapters
			"Listed sectors add up to 6,500; the stated all-goods figure is 10,000", // 4,000 + 2,500; the bound is not added
			"/api/v1/sectors?", "/data/sectors.csv?",
			`<th scope="row">HS section XI Textiles and textile articles <a class="drill"`, // a section is no HS code
		}},
		{"a treemap", base + "&form=treemap", http.StatusOK, []string{
			`data-chart="chart-kaz-uzb-treemap-export-kaz-202001202012-`, `"type":"treemap"`,
			`<strong aria-current="page">treemap</strong>`,
		}},
		{"chapters of section XI", base + "&section=xi&form=treemap", http.StatusOK, []string{
			"chapters of HS section XI Textiles",
			"Listed sectors add up to 2,500.5", // 1,500 + 1,000.5
			"back to every section",
			`-xi"`, `"type":"treemap"`,
		}},
		{"the chapter level", base + "&level=chapter", http.StatusOK, []string{"Listed sectors add up to 4,500.5", // 1,500 + 1,000.5 + 2,000
			`<th scope="row">HS 52 Cotton</th>`}},
		{"not a form", base + "&form=pie", http.StatusBadRequest, []string{"form must be bars or treemap"}},
		{"not a section", base + "&section=XXV", http.StatusBadRequest, []string{"HS section, I to XXI"}},
		{"a section without chapters", base + "&section=XXI", http.StatusNotFound, []string{"no chapter figures of HS section XXI"}},
		{"a section at another level", base + "&section=XI&level=section", http.StatusBadRequest, []string{"level=chapter"}},
	})
	// The chapter page offers no further drill, and the sections page
	// links only sections with chapters: II has none.
	_, body := get(t, ts.URL+base)
	if strings.Contains(body, "section=II") {
		t.Error("section II links to chapters it has none of")
	}
	if strings.Contains(body, "HS XI") || strings.Contains(body, "HS VI") {
		t.Error("a section is labelled as if it were an HS code")
	}

	// The JSON: hand-computed from the fixture.
	_, body = get(t, ts.URL+"/api/v1/sectors?reporter=KAZ&partner=UZB&dataset=all&section=XI")
	var got sectorsJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Period != "2020" || got.Section != "XI" || len(got.Breakdowns) != 1 {
		t.Fatalf("sectors API = %s", body)
	}
	b := got.Breakdowns[0]
	if b.Total == nil || *b.Total != 10000 || b.Sum != 2500.5 || len(b.Sectors) != 2 {
		t.Fatalf("breakdown = %+v", b)
	}
	if s := b.Sectors[0]; s.Code != "52" || *s.Value != 1500 || *s.Share != 0.15 || s.Section != "XI" || len(s.Sources) != 1 || s.Sources[0].Ref != "fixture.csv#52" {
		t.Errorf("first sector = %+v", s)
	}
	_, body = get(t, ts.URL+"/api/v1/sectors?reporter=KAZ&partner=UZB&dataset=all")
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if bd := got.Breakdowns[0]; len(bd.Sectors) != 3 || bd.Sectors[2].Code != "II" || bd.Sectors[2].Bound != "at_least" || *bd.Sectors[2].Value != 300 {
		t.Errorf("sections = %+v", bd.Sectors)
	}

	// The CSV comes from the same query: one row per figure, with sources.
	resp, body := get(t, ts.URL+"/data/sectors.csv?reporter=KAZ&partner=UZB&dataset=all&section=XI")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CSV: %d %s", resp.StatusCode, body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if len(recs) != 3 {
		t.Fatalf("CSV has %d lines, want a header and 2 chapters:\n%s", len(recs), body)
	}
	r := recs[2]
	if r[col["code"]] != "61" || r[col["value_usd"]] != "1000.5" || r[col["stated_total_usd"]] != "10000" ||
		r[col["sum_of_listed_usd"]] != "2500.5" || r[col["source_refs"]] != "fixture.csv#61" || r[col["hs_section"]] != "XI" {
		t.Errorf("CSV row = %v", r)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "KAZ-UZB-sectors-2020-section-XI.csv") {
		t.Errorf("Content-Disposition = %q", cd)
	}

	// The treemap as an image, drawn on the server.
	resp, body = get(t, ts.URL+"/charts/sectors.svg?reporter=KAZ&partner=UZB&dataset=all&form=treemap")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SVG: %d %s", resp.StatusCode, body)
	}
	mustParseXML(t, body)
	for _, want := range []string{"HS section XI Textiles", "parts drawn add up to US$ 6.50 K", "stated all-goods total US$ 10.00 K", "1 not drawn"} {
		if !strings.Contains(body, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}
