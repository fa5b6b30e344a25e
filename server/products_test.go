package server

import (
	"context"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"tradedash/data"
)

// mustProductsFixture adds made-up test figures (not statistics):
// Kazakhstan's exports of HS 30 to eight partners in 2019 and 2020, partner
// i (1–8) worth i×100 in 2019 and i×100+1 in 2020, the World 10,000 in
// 2019, and a sector whose name is hostile.
func mustProductsFixture(tb testing.TB, store *data.Store) int64 {
	tb.Helper()
	hs30 := data.Product{Classification: data.HS, Code: "30", Name: "Pharmaceutical products"}
	evil := data.Product{Classification: data.Sector, Code: "evil", Name: hostile}
	d, err := store.Import(context.Background(), data.Dataset{Name: "products fixture", SHA256: strings.Repeat("cd", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			var all []data.Observation
			for i, p := range []string{"AFG", "IRN", "TJK", "KGZ", "TKM", "UZB", "RUS", "CHN"} {
				all = append(all,
					data.Observation{Reporter: "KAZ", Partner: p, Period: data.Year(2019), Flow: data.Export, Product: hs30, ValueUSD: float64(100 * (i + 1)), SourceRef: "fixture " + p + " 2019"},
					data.Observation{Reporter: "KAZ", Partner: p, Period: data.Year(2020), Flow: data.Export, Product: hs30, ValueUSD: float64(100*(i+1) + 1), SourceRef: "fixture " + p + " 2020"})
			}
			all = append(all,
				data.Observation{Reporter: "KAZ", Partner: "WLD", Period: data.Year(2019), Flow: data.Export, Product: hs30, ValueUSD: 10000, SourceRef: "fixture WLD"},
				data.Observation{Reporter: "KAZ", Partner: "WLD", Period: data.Year(2019), Flow: data.Export, Product: evil, ValueUSD: 7, SourceRef: hostile})
			for _, o := range all {
				o.Bound = data.Exact
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

func TestProductsScenarios(t *testing.T) {
	ts, store := mustServer(t)
	mustProductsFixture(t, store)
	tests := []pageScenario{
		// Pakistan's 2019 exports of HS 30 and HS 10 to the World: UN Comtrade, in the demo data.
		{"demo: one chapter, the World as stated", "/products?reporter=PAK&product=30", 200,
			[]string{"Pakistan: exports of HS 30 Pharmaceutical products by partner", "217,037,075", "line 4770", `data-chart="chart-pak-products-partners-export-30-2"`, "(group)"}},
		{"demo: two chapters side by side", "/products?reporter=PAK&product=30&product=10", 200,
			[]string{"Pakistan: exports to World, by product", "217,037,075", "2,369,631,826", "HS 10 Cereals"}},
		{"by name and section code", "/products?reporter=Pakistan&product=hs:30&flow=export&from=2019&to=2019", 200, []string{"217,037,075"}},
		{"fixture: six lines and Other", "/products?reporter=KAZ&product=30", 200,
			[]string{`<td title="derived: the sum of the 2 smaller partners&#39; figures above">300</td>`,
				`<td title="derived: the sum of the 2 smaller partners&#39; figures above">302</td>`, `id="derived-note"`,
				`data-period="2020-01..2020-12">2020</th>`, `<li id="psrc-2" value="2">fixture CHN 2020</li>`}},
		{"hostile sector name is escaped", "/products?reporter=KAZ&product=sector:evil&partner=WLD", 200, []string{"&lt;/script&gt;&lt;script&gt;alert(1)"}},
		{"no figures: what is missing", "/products?reporter=PAK&product=30&flow=import", 404, []string{"no import figures of PAK for HS 30 in any dataset"}},
		{"unknown heading", "/products?reporter=PAK&product=3004", 404, []string{"no product HS 3004 is known"}},
		{"no product", "/products?reporter=PAK", 400, []string{"product is required"}},
		{"bad year", "/products?reporter=PAK&product=30&from=last", 400, []string{"from must be a year"}},
		{"bad flow", "/products?reporter=PAK&product=30&flow=turnover", 400, []string{"flow must be export or import"}},
		{"unknown dataset", "/products?reporter=PAK&product=30&dataset=99", 404, []string{"there is no dataset 99"}},
		{"csv", "/data/products.csv?reporter=PAK&product=30&product=10", 200,
			[]string{"product_classification,product_code,product_name,partner,partner_name,aggregate,period,period_kind,period_start,period_end,export_usd,notes,dataset,source_refs",
				"HS,30,Pharmaceutical products,WLD,World,true,2019,calendar_year,2019-01,2019-12,217037075,,2,"}},
		{"nav links to it", "/", 200, []string{`href="/products?reporter=PAK&amp;product=30"`}},
	}
	runPageScenarios(t, ts.URL, tests)
	resp, body := get(t, ts.URL+"/data/products.xlsx?reporter=PAK&product=30")
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
		t.Errorf("xlsx: %d, %.20q", resp.StatusCode, body)
	}
}

// TestProductsGridSources checks the page's partner × period table keeps
// every figure traceable: each cell's footnote numbers point to an item of
// the sources list, that item is one of the figure's own source references
// (as the API gives them), and each reference is listed once.
func TestProductsGridSources(t *testing.T) {
	ts, store := mustServer(t)
	mustProductsFixture(t, store)
	for _, u := range []string{"reporter=KAZ&product=30", "reporter=PAK&product=30&product=10"} {
		_, page := get(t, ts.URL+"/products?"+u)
		_, body := get(t, ts.URL+"/api/v1/products?"+u)
		var api struct {
			Series []struct {
				Product, Partner string
				Points           []struct {
					Start   string `json:"period_start"`
					Sources []struct{ Ref string }
				}
			}
		}
		if err := json.Unmarshal([]byte(body), &api); err != nil {
			t.Fatal(err)
		}
		items := regexp.MustCompile(`<li id="psrc-(\d+)" value="\d+">([^<]*)</li>`).FindAllStringSubmatch(page, -1)
		refs := map[string]string{}
		seen := map[string]bool{}
		for _, m := range items {
			ref := html.UnescapeString(m[2])
			if seen[ref] {
				t.Errorf("%s: source %q listed twice", u, ref)
			}
			seen[ref], refs[m[1]] = true, ref
		}
		// Every figure's sources, by product, partner and period start.
		want := map[string][]string{}
		for _, s := range api.Series {
			for _, p := range s.Points {
				for _, src := range p.Sources {
					want[s.Product+" "+s.Partner+" "+p.Start] = append(want[s.Product+" "+s.Partner+" "+p.Start], src.Ref)
				}
			}
		}
		for k := range want {
			for _, r := range want[k] {
				if !seen[r] {
					t.Errorf("%s: %s: source %q is not listed", u, k, r)
				}
			}
		}
		head := regexp.MustCompile(`data-period="(\d{4}-\d{2})\.\.`).FindAllStringSubmatch(page, -1)
		rows := regexp.MustCompile(`(?s)<tr[^>]* data-product="([^"]*)" data-partner="([^"]*)">(.*?)</tr>`).FindAllStringSubmatch(page, -1)
		cellRe := regexp.MustCompile(`<td(?: title="[^"]*")?>(.*?)</td>`)
		rowHeadRe := regexp.MustCompile(`(?s)<th scope="row">(.*?)</th>`)
		linkRe := regexp.MustCompile(`href="#psrc-(\d+)"`)
		cells := 0
		for _, r := range rows {
			// A footnote on the partner stands for every figure of the row.
			rowRefs := linkRe.FindAllStringSubmatch(rowHeadRe.FindStringSubmatch(r[3])[1], -1)
			for j, c := range cellRe.FindAllStringSubmatch(r[3], -1) {
				var got []string
				links := linkRe.FindAllStringSubmatch(c[1], -1)
				if len(links) == 0 && c[1] != "" {
					links = rowRefs
				} else if len(links) > 0 && len(rowRefs) > 0 {
					t.Errorf("%s: a row with footnotes on its partner has them in a cell too: %s", u, r[3])
				}
				for _, l := range links {
					ref, ok := refs[l[1]]
					if !ok {
						t.Errorf("%s: footnote %s points to no listed source", u, l[1])
					}
					got = append(got, ref)
				}
				k := r[1] + " " + r[2] + " " + head[j][1]
				if r[2] != "" && !slices.Equal(got, slices.Compact(slices.Clone(want[k]))) {
					t.Errorf("%s: cell %s cites %q, its figure's sources are %q", u, k, got, want[k])
				}
				cells++
			}
		}
		if len(rows) == 0 || cells != len(rows)*len(head) {
			t.Errorf("%s: %d rows, %d cells, %d periods: not a partner × period grid", u, len(rows), cells, len(head))
		}
	}
}

func TestProductsAPI(t *testing.T) {
	ts, store := mustServer(t)
	id := mustProductsFixture(t, store)
	type series struct {
		Product, Partner string
		Aggregate        bool
		Points           []struct {
			Period  string
			Value   *float64
			Sources []data.Source
		}
	}
	var got struct {
		Reporter string
		Partner  *string
		Dataset  int64
		Periods  []struct{ Period string }
		Series   []series
		Other    *series
	}
	_, body := get(t, ts.URL+"/api/v1/products?reporter=KAZ&product=30")
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Dataset != id || got.Partner != nil || len(got.Periods) != 2 || len(got.Series) != 9 {
		t.Fatalf("dataset %d, partner %v, %d periods, %d series: %s", got.Dataset, got.Partner, len(got.Periods), len(got.Series), body)
	}
	if s := got.Series[0]; s.Partner != "CHN" || *s.Points[1].Value != 801 || s.Points[1].Sources[0].Ref != "fixture CHN 2020" {
		t.Errorf("first series = %+v", s)
	}
	if s := got.Series[8]; s.Partner != "WLD" || !s.Aggregate || len(s.Points) != 1 {
		t.Errorf("last series = %+v", s)
	}
	// Other: the two smallest, AFG and IRN: 100 + 200, then 101 + 201.
	if o := got.Other; o == nil || *o.Points[0].Value != 300 || *o.Points[1].Value != 302 || len(o.Points[1].Sources) != 2 {
		t.Errorf("other = %+v", got.Other)
	}

	got.Other = nil
	_, body = get(t, ts.URL+"/api/v1/products?reporter=PAK&product=10&product=30")
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Partner == nil || *got.Partner != "WLD" || got.Other != nil || len(got.Series) != 2 || got.Series[0].Product != "HS:10" || *got.Series[0].Points[0].Value != 2369631826 {
		t.Errorf("two chapters: %s", body)
	}
	resp, body := get(t, ts.URL+"/api/v1/products?reporter=PAK&product=77")
	if resp.StatusCode != 404 || !strings.Contains(body, `"error"`) {
		t.Errorf("unknown chapter: %d %s", resp.StatusCode, body)
	}
}

func TestReferenceAPIs(t *testing.T) {
	ts, _ := mustServer(t)
	_, body := get(t, ts.URL+"/api/v1/countries")
	var countries struct {
		Countries []struct {
			ISO3, ISO2, Name string
			M49              *int
			ComtradeCode     int `json:"comtrade_code"`
			Aggregate        bool
			Aliases          []string
		}
	}
	if err := json.Unmarshal([]byte(body), &countries); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, c := range countries.Countries {
		switch c.ISO3 {
		case "IND":
			if c.M49 == nil || *c.M49 != 356 || c.ComtradeCode != 699 || c.Aggregate {
				t.Errorf("India = %+v", c)
			}
			found++
		case "X097":
			if c.M49 != nil || !c.Aggregate || c.Name != "European Union" {
				t.Errorf("EU = %+v", c)
			}
			found++
		}
	}
	if found != 2 || len(countries.Countries) < 200 {
		t.Errorf("%d countries, India and the EU found: %d", len(countries.Countries), found)
	}

	_, body = get(t, ts.URL+"/api/v1/product-codes")
	var products struct {
		Products []struct {
			Classification, Code, Param, Name string
			ParentCode                        string `json:"parent_code"`
			Reference                         bool
		}
	}
	if err := json.Unmarshal([]byte(body), &products); err != nil {
		t.Fatal(err)
	}
	byParam := map[string]int{}
	for i, p := range products.Products {
		byParam[p.Param] = i
	}
	for param, want := range map[string]string{"30": "HS/VI/true", "XI": "HS-section/TOTAL/true", "sector:cotton": "sector//false"} {
		i, ok := byParam[param]
		if !ok {
			t.Errorf("no product %s in %d", param, len(products.Products))
			continue
		}
		p := products.Products[i]
		if got := p.Classification + "/" + p.ParentCode + "/" + map[bool]string{true: "true", false: "false"}[p.Reference]; got != want {
			t.Errorf("%s = %s, want %s", param, got, want)
		}
	}
	if _, ok := byParam["TOTAL"]; ok {
		t.Error("all goods is not a product of the products view")
	}
}

// TestProductsOneKindOfPeriod: the demo's Indian statements (dataset 1)
// give all-goods exports to Russia for calendar 2019 and for fiscal
// years; /products shows one kind, says which, and links to the other.
func TestProductsOneKindOfPeriod(t *testing.T) {
	ts, _ := mustServer(t)
	var got struct {
		PeriodKind string `json:"period_kind"`
		Periods    []struct {
			Period string
			Kind   string `json:"period_kind"`
		}
		Omitted []struct{ Period string } `json:"omitted_periods"`
	}
	_, body := get(t, ts.URL+"/api/v1/products?reporter=IND&product=TOTAL&dataset=1")
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	var omitted []string
	for _, p := range got.Omitted {
		omitted = append(omitted, p.Period)
	}
	if got.PeriodKind != "fiscal_year" || len(got.Periods) < 2 || !slices.Contains(omitted, "2019") {
		t.Errorf("kind %q, periods %v, omitted %v: %.600s", got.PeriodKind, got.Periods, omitted, body)
	}
	for _, p := range got.Periods {
		if p.Kind != got.PeriodKind {
			t.Errorf("period %s is a %s among %ss", p.Period, p.Kind, got.PeriodKind)
		}
	}
	runPageScenarios(t, ts.URL, []pageScenario{
		{"the kind shown, and the others linked", "/products?reporter=IND&product=TOTAL&dataset=1", 200, []string{
			"Periods shown: fiscal years only.", `period_kind=calendar_year&amp;product=TOTAL&amp;reporter=IND">calendar years</a> (2019`,
			"FY2021-22", `<option value="" selected>most stated</option>`}},
		{"calendar years chosen", "/products?reporter=IND&product=TOTAL&dataset=1&period_kind=calendar_year", 200, []string{
			"Periods shown: calendar years only.", `<option value="calendar_year" selected>calendar years</option>`, `">fiscal years</a> (FY`}},
		{"a bad kind", "/products?reporter=IND&product=TOTAL&period_kind=decade", 400, []string{"period_kind must be calendar_year, fiscal_year or months"}},
	})
}
