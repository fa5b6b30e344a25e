package charts

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// productsFixture is made-up (not statistics): HS 30 exported by Pakistan
// to four partners and the World in 2019 and FY2022-23, with one bound.
func productsFixture() (data.ProductTrade, ProductsOptions) {
	hs30 := data.Product{Classification: data.HS, Code: "30", Name: "Pharmaceutical products"}
	src := func(ref string) []data.Source {
		return []data.Source{{DatasetID: 4, Reporter: "PAK", Flow: data.Export, Ref: ref}}
	}
	f := func(v float64, ref string) data.Figure {
		return data.Figure{Known: true, Value: v, Bound: data.Exact, Sources: src(ref)}
	}
	t := data.ProductTrade{DatasetID: 4, Flow: data.Export, Products: []data.Product{hs30},
		Periods: []data.Period{data.Year(2019), data.Fiscal(2022, 7)},
		Series: []data.ProductSeries{
			{Product: hs30, Partner: "CHN", Figures: []data.Figure{f(100, "r1"), f(300, "r2")}, Sum: 400},
			{Product: hs30, Partner: "USA", Figures: []data.Figure{f(200, "r3"), {}}, Sum: 200},
			{Product: hs30, Partner: "GBR", Figures: []data.Figure{f(10, "r4"), {Known: true, Value: 20, Bound: data.AtLeast, Sources: src("r5")}}, Sum: 10},
			{Product: hs30, Partner: "DEU", Figures: []data.Figure{f(5, "r6"), f(7, "r7")}, Sum: 12},
			{Product: hs30, Partner: "WLD", Aggregate: true, Figures: []data.Figure{f(400, "r8"), {}}},
		}}
	return t, ProductsOptions{Reporter: data.Country{ISO3: "PAK", Name: "Pakistan"},
		Names:   map[string]string{"CHN": "China", "USA": "United States", "GBR": "United Kingdom", "DEU": "Germany", "WLD": "World"},
		Dataset: "test fixture", Source: "made-up figures", Top: 2}
}

func TestProductsGolden(t *testing.T) {
	pt, o := productsFixture()
	got, err := json.MarshalIndent(Products(pt, o), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "products.golden.json")
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
		t.Errorf("Products option differs from %s; run go test ./charts -update and review the diff.\ngot:\n%s", golden, got)
	}
}

func TestProductsByPartnerLines(t *testing.T) {
	pt, o := productsFixture()
	c := Products(pt, o)
	series := c.Option["series"].([]any)
	var names []string
	for _, s := range series {
		names = append(names, s.(map[string]any)["name"].(string))
	}
	if want := "China,United States," + SeriesOther + "," + SeriesWorld; strings.Join(names, ",") != want {
		t.Fatalf("series %v, want %s", names, want)
	}
	other := series[2].(map[string]any)["data"].([]any)
	// 2019: 10 + 5; FY2022-23: at least 20 + 7.
	if other[0].(map[string]any)["value"] != 15.0 || other[1].(map[string]any)["value"] != 27.0 {
		t.Errorf("other = %v", other)
	}
	if n := c.Meta.Points[1].Notes[SeriesOther]; n != "at least" {
		t.Errorf("FY2022-23 Other note = %q, want at least", n)
	}
	if usa := series[1].(map[string]any)["data"].([]any); usa[1].(map[string]any)["value"] != missing {
		t.Errorf("USA FY2022-23 = %v, want a gap", usa[1])
	}
	if c.Option["title"].(map[string]any)["text"] != "Pakistan: exports of HS 30 Pharmaceutical products by partner" {
		t.Errorf("title = %v", c.Option["title"])
	}
	for _, want := range []string{"2 periods (2019, FY2022-23)", "China; United States; Other partners (sum); World (as stated)"} {
		if !strings.Contains(c.AriaLabel, want) {
			t.Errorf("aria label %q lacks %q", c.AriaLabel, want)
		}
	}
	if c.FileName != "PAK-products-30-partners-export-2019-2023" {
		t.Errorf("file name %q", c.FileName)
	}
	js, _ := c.JSON()
	if !strings.Contains(string(js), "Source: made-up figures") || !strings.Contains(string(js), `"description":"Pakistan: exports of HS 30`) {
		t.Errorf("no source line or aria description in the option: %s", js)
	}
}

func TestProductsSideBySide(t *testing.T) {
	hs10 := data.Product{Classification: data.HS, Code: "10", Name: "Cereals"}
	sec := data.Product{Classification: data.Sector, Code: "x", Name: "</script><script>alert(1)</script>__f__"}
	pt := data.ProductTrade{DatasetID: 1, Flow: data.Import, Products: []data.Product{hs10, sec}, Periods: []data.Period{data.Year(2019)},
		Series: []data.ProductSeries{
			{Product: hs10, Partner: "WLD", Figures: []data.Figure{{Known: true, Value: 9, Bound: data.Exact}}},
			{Product: sec, Partner: "WLD", Figures: []data.Figure{{Conflict: true}}},
		}}
	o := ProductsOptions{Reporter: data.Country{ISO3: "PAK", Name: "Pakistan"}, Partner: data.Country{ISO3: "WLD", Name: "World"}}
	c := Products(pt, o)
	if o.ByPartner(pt) || c.Title != "Pakistan: imports from World, by product" {
		t.Errorf("title %q", c.Title)
	}
	js, _ := c.JSON()
	if strings.Contains(string(js), "__f__") {
		t.Error("a code marker from a product name reached the option")
	}
	if c.Meta.Points[0].Notes["</script><script>alert(1)</script>"] != "sources disagree" {
		t.Errorf("notes = %v", c.Meta.Points[0].Notes)
	}
}

func TestProductsTable(t *testing.T) {
	pt, o := productsFixture()
	tb := ProductsTable(pt, o)
	// Every stated figure, none derived: 2 + 1 + 2 + 2 + 1.
	if len(tb.Rows) != 8 || len(tb.Sources) != 8 {
		t.Fatalf("%d rows, %d sources", len(tb.Rows), len(tb.Sources))
	}
	var buf bytes.Buffer
	if err := tb.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"product_classification,product_code,product_name,partner,partner_name,aggregate,period,period_kind,period_start,period_end,export_usd,notes,dataset,source_refs",
		"HS,30,Pharmaceutical products,GBR,United Kingdom,false,FY2022-23,fiscal_year,2022-07,2023-06,20,at_least,4,r5",
		"HS,30,Pharmaceutical products,WLD,World,true,2019,calendar_year,2019-01,2019-12,400,,4,r8",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, buf.String())
		}
	}
}
