package importers

import (
	"fmt"
	"strings"
	"testing"

	"tradedash/data"
)

func TestNormalizeHeader(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Trade Value (US$)":      "trade value usd",
		"value_usd":              "value usd",
		"Value (USD)":            "value usd",
		"  VALUE  US$ ":          "value usd",
		"\ufeffReporter ISO":     "reporter iso",
		"reporterISO":            "reporter iso",
		"primaryValue":           "primary value",
		"qtyUnitAbbr":            "qty unit abbr",
		"Period Desc.":           "period desc",
		"2nd Partner ISO":        "2nd partner iso",
		"product_classification": "product classification",
		"Ref-Year":               "ref year",
	}
	for in, want := range tests {
		if got := normalizeHeader(in); got != want {
			t.Errorf("normalizeHeader(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestGolden parses each hand-written sample file and compares every
// observation with its golden rendering.
func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		o    Options
	}{
		{"long_mixed.csv", Options{}},
		{"semicolon_cp1252.csv", Options{}},
		{"tab_cr_bom.tsv", Options{FiscalStartMonth: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			checkGolden(t, tt.file+".txt", render(mustParseFile(t, tt.file, tt.o)))
		})
	}
}

// TestSampleFiles states the key facts the golden files hold, so that an
// -update cannot quietly bless a wrong reading.
func TestSampleFiles(t *testing.T) {
	t.Parallel()
	p := mustParseFile(t, "long_mixed.csv", Options{})
	if p.format != "long" || len(p.obs) != 5 || len(p.skipped) != 1 || p.skipped[0].Row != 7 {
		t.Fatalf("long_mixed.csv: format %s, %d observations, skipped %v", p.format, len(p.obs), p.skipped)
	}
	checks := []struct {
		got, want any
	}{
		{p.obs[0].ValueUSD, 1234567.0},
		{p.obs[0].Partner, "RUS"},         // ISO preferred
		{p.obs[1].Partner, "TWN"},         // empty ISO: code 490
		{p.obs[1].Flow, data.ReExport},    //
		{p.obs[1].Product.Key(), "HS:08"}, // "8" is chapter 08
		{p.obs[1].ValueUSD, 2871228560.0}, // footnote mark dropped
		{p.obs[2].Partner, "VNM"},         // no ISO, no code: the name
		{p.obs[2].Bound, data.AtLeast},    //
		{*p.obs[2].Quantity, 1200.0},      //
		{p.obs[3].Partner, "X899"},        // Areas, nes
		{p.obs[3].Product.Key(), "sector:Tea and spices"},
		{p.obs[3].ValueUSD, 1234.5},
		{p.obs[3].SourceRef, "long_mixed.csv, row 6"}, // the blank line is row 5
		{p.obs[4].Reporter, "IND"},                    // Comtrade code 699
		{p.obs[4].Partner, "USA"},
		{p.obs[4].Flow, data.ReImport},
		{p.obs[4].Product.Key(), "HS:080111"},
		{p.obs[4].Product.ParentCode, "0801"},
		{p.obs[4].Quantity == nil, true}, // 0 "No Quantity"
	}
	for i, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("long_mixed.csv check %d: got %v, want %v", i, c.got, c.want)
		}
	}

	p = mustParseFile(t, "semicolon_cp1252.csv", Options{})
	if len(p.obs) != 3 || len(p.skipped) != 1 {
		t.Fatalf("semicolon_cp1252.csv: %d observations, %d skipped", len(p.obs), len(p.skipped))
	}
	if o := p.obs[0]; o.Partner != "CIV" || o.ValueUSD != 1234567.89 || o.Product.Code != "Textiles – cotton" {
		t.Errorf("semicolon_cp1252.csv row 2 = %+v", o)
	}
	if o := p.obs[1]; o.Partner != "TUR" || o.ValueUSD != 12345.5 || o.Product.Key() != "HS:08" {
		t.Errorf("semicolon_cp1252.csv row 3 = %+v", o)
	}
	if o := p.obs[2]; o.Partner != "CUW" || o.ValueUSD != 0.5 || o.Flow != data.Export {
		t.Errorf("semicolon_cp1252.csv row 5 = %+v", o)
	}

	p = mustParseFile(t, "tab_cr_bom.tsv", Options{FiscalStartMonth: 7})
	if len(p.obs) != 3 {
		t.Fatalf("tab_cr_bom.tsv: %d observations", len(p.obs))
	}
	if o := p.obs[0]; o.Period.Label() != "FY2022-23" || o.Partner != "RUS" || o.SourceQuote != "exports \"totaled US$ 74 million\",\nsaid the ministry" {
		t.Errorf("tab_cr_bom.tsv row 2 = %+v", o)
	}
	if o := p.obs[2]; o.Flow != data.ReExport || o.ValueUSD != 1234 || o.Product.Key() != "HS:27" || o.SourceRef != "tab_cr_bom.tsv, row 4" {
		t.Errorf("tab_cr_bom.tsv row 4 = %+v", o)
	}
}

func TestFlows(t *testing.T) {
	t.Parallel()
	tests := map[string]data.Flow{
		"Export": data.Export, "exports": data.Export, "X": data.Export, "2": data.Export,
		"Import": data.Import, "IMPORTS": data.Import, "m": data.Import, "1": data.Import,
		"Re-Export": data.ReExport, "re-exports": data.ReExport, "RX": data.ReExport, "3": data.ReExport,
		"Re-Import": data.ReImport, "Re import": data.ReImport, "RM": data.ReImport, "4": data.ReImport,
		"turnover": data.Turnover, "Total trade": data.Turnover,
	}
	var b strings.Builder
	b.WriteString("reporter,partner,year,trade flow,value\n")
	var want []data.Flow
	for in, f := range tests {
		fmt.Fprintf(&b, "PAK,RUS,2020,%s,1\n", in)
		want = append(want, f)
	}
	p, err := parse(t, "flows.csv", []byte(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range p.obs {
		if o.Flow != want[i] {
			t.Errorf("row %d: flow %s; want %s", i+2, o.Flow, want[i])
		}
	}
}

func TestProducts(t *testing.T) {
	t.Parallel()
	tests := []struct{ code, key string }{
		{"TOTAL", "TOTAL:TOTAL"},
		{"All Commodities", "TOTAL:TOTAL"},
		{"total", "TOTAL:TOTAL"},
		{"8", "HS:08"},
		{"08", "HS:08"},
		{"27", "HS:27"},
		{"801", "HS:0801"},
		{"0801", "HS:0801"},
		{"80111", "HS:080111"},
		{"271019", "HS:271019"},
		{"Textiles  and clothing", "sector:Textiles and clothing"},
		// HS sections written out; bare or arabic numerals and ranges
		// stay free text (see sectionForm).
		{"Section XI", "HS-section:XI"},
		{"HS section XI", "HS-section:XI"},
		{"Section XI: Textiles and textile articles", "HS-section:XI"},
		{"SECTION xvi - Machinery", "HS-section:XVI"},
		{"Section XXII", "sector:Section XXII"},
		{"XI", "sector:XI"},
		{"Section 11", "sector:Section 11"},
		{"Section XVI-XVII", "sector:Section XVI-XVII"},
	}
	var b strings.Builder
	b.WriteString("reporter,partner,year,flow,commodity code,value\n")
	for _, tt := range tests {
		fmt.Fprintf(&b, "PAK,RUS,2020,export,%s,1\n", tt.code)
	}
	p, err := parse(t, "products.csv", []byte(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range p.obs {
		if o.Product.Key() != tests[i].key {
			t.Errorf("code %q: product %s; want %s", tests[i].code, o.Product.Key(), tests[i].key)
		}
	}
	if p.obs[3].Product.Name == "" || p.obs[3].Product.Name == "08" {
		t.Errorf("chapter 08 has no name from the reference lists: %+v", p.obs[3].Product)
	}
	// Without a product column every row is all goods.
	p, err = parse(t, "noproduct.csv", []byte("reporter,partner,year,flow,value\nPAK,RUS,2020,export,1\n"), Options{})
	if err != nil || p.obs[0].Product.Key() != "TOTAL:TOTAL" {
		t.Errorf("no product column: %v, %+v", err, p.obs)
	}
}

func TestSectionForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Section XI", "XI", true},
		{"  section xi  ", "XI", true},
		{"Section I", "I", true},
		{"Section XXI", "XXI", true},
		{"HS section XI", "XI", true},
		{"HS-section XI", "XI", true},
		{"hs Section V", "V", true},
		{"Section XI: Textiles and textile articles", "XI", true},
		{"Section XI - Textiles", "XI", true},
		{"Section XI – Textiles", "XI", true},
		{"Section XI.", "XI", true},
		{"Section V Mineral products", "V", true},
		{"Section II Vegetable products", "II", true},
		{"Section XI (Textiles)", "XI", true},
		{"Section XI", "XI", true},
		{"Section XXV", "XXV", true}, // read here; the reference list refuses it
		// Not one HS section, or not surely one.
		{"XI", "", false},
		{"Section 11", "", false},
		{"Section 0: Food and live animals", "", false},
		{"SectionXI", "", false},
		{"Sections XI", "", false},
		{"Section XVI-XVII", "", false},
		{"Section XVI – XVII", "", false},
		{"Section I to IV", "", false},
		{"Section XI and XII", "", false},
		{"Section XI & XII", "", false},
		{"Section Xylophones", "", false},
		{"Section", "", false},
		{"Section ", "", false},
		{"Cross-section XI", "", false},
		{"HS 61", "", false},
		{"Textiles", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := sectionForm(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("sectionForm(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDefaultsAndTitleRows(t *testing.T) {
	t.Parallel()
	in := "Pakistan's trade with Russia,,\n\nYear,Flow,Value (US$)\n2021,Export,\"1,000\"\n2022,Import,2000\n"
	p, err := parse(t, "pak.csv", []byte(in), Options{Reporter: "Pakistan", Partner: "Russian Federation"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.obs) != 2 || p.obs[0].Reporter != "PAK" || p.obs[0].Partner != "RUS" || p.obs[1].ValueUSD != 2000 || p.obs[1].SourceRef != "pak.csv, row 5" {
		t.Errorf("observations = %+v", p.obs)
	}
	if _, err := parse(t, "pak.csv", []byte(in), Options{Reporter: "Atlantis"}); err == nil || !strings.Contains(err.Error(), "Atlantis") {
		t.Errorf("unknown default reporter: error %v", err)
	}
	_, err = parse(t, "pak.csv", []byte(in), Options{Reporter: "PAK"})
	if e := asError(t, err); e.Row != 1 || !strings.Contains(e.Msg, "no column for the partner") {
		t.Errorf("missing partner column: %v", err)
	}
}

// TestLongErrors checks that each kind of bad content is refused with its
// row, column and what was expected.
func TestLongErrors(t *testing.T) {
	t.Parallel()
	const head = "Reporter,Partner,Year,Flow,Product,Value\n"
	tests := []struct {
		name, in string
		o        Options
		row      int
		column   string
		want     string
	}{
		{"value", head + "PAK,RUS,2020,export,TOTAL,1\nPAK,RUS,2020,import,TOTAL,12x\n", Options{}, 3, "Value", `"12x" is not a number (expected`},
		{"NaN", head + "PAK,RUS,2020,export,TOTAL,NaN\n", Options{}, 2, "Value", `"NaN" is not a number`},
		{"country", head + "PAK,Atlantis,2020,export,TOTAL,1\n", Options{}, 2, "Partner", `"Atlantis" is not a known country or area`},
		{"empty country", head + ",RUS,2020,export,TOTAL,1\n", Options{}, 2, "Reporter", "the reporter is empty"},
		{"same country", head + "PAK,Pakistan,2020,export,TOTAL,1\n", Options{}, 2, "", "reporter and partner are both PAK"},
		{"flow", head + "PAK,RUS,2020,transit,TOTAL,1\n", Options{}, 2, "Flow", `"transit" is not a trade flow (expected`},
		{"period", head + "PAK,RUS,20X0,export,TOTAL,1\n", Options{}, 2, "Year", `"20X0" is not a period`},
		{"fiscal", head + "PAK,RUS,2022-23,export,TOTAL,1\n", Options{}, 2, "Year", "--fiscal-start-month"},
		{"tariff line", head + "PAK,RUS,2020,export,84713010,1\n", Options{}, 2, "Product", "not an HS code"},
		{"empty product", head + "PAK,RUS,2020,export,,1\n", Options{}, 2, "Product", "the product is empty"},
		{"classification", "reporter,partner,period,flow,product_classification,product_code,value_usd\nPAK,RUS,2020,export,SITC,0,1\n", Options{}, 2, "product_classification", `"SITC" is not a product classification`},
		{"bound", "reporter,partner,period,flow,value,bound\nPAK,RUS,2020,export,1,roughly\n", Options{}, 2, "bound", `"roughly" is not a bound`},
		{"quantity unit", "reporter,partner,period,flow,value,quantity\nPAK,RUS,2020,export,1,5\n", Options{}, 2, "quantity", "has no unit"},
		{"extra cells", head + "PAK,RUS,2020,export,TOTAL,1,oops\n", Options{}, 2, "", "7 cells but the header only 6"},
		{"no header", "a,b,c\n1,2,3\n", Options{}, 1, "", `no column for the reporter (a column named "reporter", "reporter iso"`},
		{"two value columns", "reporter,partner,year,flow,Value,value\n", Options{}, 1, "", `columns "Value" and "value" both mean value`},
		{"header only", head, Options{}, 0, "", "no row under the header states a value"},
		{"no values", head + "PAK,RUS,2020,export,TOTAL,..\n", Options{}, 0, "", "no row under the header states a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parse(t, "bad.csv", []byte(tt.in), tt.o)
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			e := asError(t, err)
			if e.File != "bad.csv" || e.Row != tt.row || e.Column != tt.column || !strings.Contains(e.Msg, tt.want) {
				t.Errorf("error %q = %+v; want row %d, column %q, message containing %q", err, *e, tt.row, tt.column, tt.want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	e := &Error{File: "india.csv", Row: 12, Column: "Trade Value (US$)", Value: "12x", Msg: `"12x" is not a number`}
	if got, want := e.Error(), `india.csv: row 12, column "Trade Value (US$)": "12x" is not a number`; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	e = &Error{File: "book.xlsx", Sheet: "Data", Row: 3, Msg: "bad"}
	if got, want := e.Error(), `book.xlsx: sheet "Data", row 3: bad`; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	if got, want := (&Error{Msg: "the file is empty"}).Error(), "the file is empty"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}
