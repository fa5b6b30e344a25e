package importers

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// TestImportWITS reads the WITS "Download data" fixture, as CSV and as
// LibreOffice saved it: the figures are UN Comtrade's India 2019 totals
// (see testdata/NOTICE.md), in US$ thousand, so each is scaled by 1000;
// the partner-share rows are left out with one warning per indicator,
// and the empty, ".." and "-" cells are missing, not zero.
func TestImportWITS(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"wits_india_2019.csv", filepath.Join("xlsx", "lo_wits_india_2019.xlsx")} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			rep := mustCheck(t, filepath.Join("testdata", file), Options{SampleRows: 100})
			if rep.Layout != "wits" || rep.Reason != "WITS: 5 of 5 key columns (Reporter Name, Partner Name, Trade Flow, Product Group, Indicator) and 3 period columns (2018 … 2020)" {
				t.Errorf("layout %s, reason %q", rep.Layout, rep.Reason)
			}
			if rep.HeaderRow != 1 || rep.Unit != "thousand US$" || rep.UnitFrom != `per row, from the "Indicator" column: row 2 "Export (US$ Thousand)"` {
				t.Errorf("header row %d, unit %q from %q", rep.HeaderRow, rep.Unit, rep.UnitFrom)
			}
			want := []string{
				"Export Partner share(%): 3 rows not stored: not a value in US$",
				"Import Partner share(%): 3 rows not stored: not a value in US$",
				`16 rows or cells state no value (empty, "..", "-") and were left out`,
			}
			if strings.Join(rep.Warnings, "\n") != strings.Join(want, "\n") {
				t.Errorf("warnings\n%s\nwant\n%s", strings.Join(rep.Warnings, "\n"), strings.Join(want, "\n"))
			}
			if rep.Rows != 8 || rep.NoValue != 16 || strings.Join(rep.Pairs, ",") != "IND-CHN,IND-PAK,IND-RUS,IND-WLD" {
				t.Errorf("%d rows, %d missing cells, pairs %v", rep.Rows, rep.NoValue, rep.Pairs)
			}
			flows := map[data.Flow]int{}
			for _, o := range rep.Sample {
				flows[o.Flow]++
				if o.Product != data.TotalProduct || o.Period != data.Year(2019) {
					t.Errorf("observation %+v", o)
				}
			}
			if flows[data.Export] != 4 || flows[data.Import] != 4 {
				t.Errorf("flows %v; want 4 exports and 4 imports, each as its row's Trade Flow says", flows)
			}

			s := mustStore(t)
			d := mustImport(t, s, filepath.Join("testdata", file), Options{})
			if d.Format != "wits" || d.RowCount != 8 || !strings.Contains(d.Description, `values read in thousand US$, per row from the "Indicator" column`) {
				t.Errorf("dataset %+v", d)
			}
			for _, c := range []struct {
				partner string
				flow    data.Flow
				want    float64
			}{
				{"RUS", data.Export, 2871228560}, // "2871228.56" thousand
				{"RUS", data.Import, 6226189464},
				{"WLD", data.Import, 478883729111},
				{"PAK", data.Import, 67312849},
			} {
				if got := figure(t, s, "IND", c.partner, 2019, c.flow); got != c.want {
					t.Errorf("IND %s %s 2019 = %.0f; want %.0f", c.flow, c.partner, got, c.want)
				}
			}
		})
	}
}

// TestImportIMF reads the IMF DOTS fixture: countries by name (India's
// IMF code 534 is UN M49's Sint Maarten), values in millions of US$ as
// --unit says (the file's "US Dollars" states no magnitude, so without
// --unit it is refused), the Status rows, the FOB imports and the balance
// left out with a warning each.
func TestImportIMF(t *testing.T) {
	t.Parallel()
	_, err := Check(context.Background(), mustReference(t), "imf_dots_india_2019.csv",
		bytes.NewReader(mustReadTestdata(t, "imf_dots_india_2019.csv")), Options{})
	if want := `imf_dots_india_2019.csv: row 2, column "Indicator Name": the indicator says "US Dollars" but not in what magnitude: the IMF's Direction of Trade Statistics publishes its figures in millions of US$`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("without --unit: %v; want an error starting %q", err, want)
	}
	millions := Options{Unit: "million US$", SampleRows: 100}
	rep := mustCheck(t, "imf_dots_india_2019.csv", millions)
	if rep.Layout != "imf-dots" || !strings.HasPrefix(rep.Reason, "IMF DOTS: 7 of 7 key columns") || !strings.HasSuffix(rep.Reason, "and 4 period columns (2018 … 2019M01)") {
		t.Errorf("layout %s, reason %q", rep.Layout, rep.Reason)
	}
	want := []string{
		`Goods, Value of Exports, Free on board (FOB), US Dollars (Attribute "Status"): 1 row not stored: flags, not figures`,
		`Goods, Value of Imports, Cost, Insurance, Freight (CIF), US Dollars (Attribute "Status"): 1 row not stored: flags, not figures`,
		`Goods, Value of Imports, Free on board (FOB), US Dollars: 1 row not stored: imports valued FOB; the same file's CIF imports are the import figures stored`,
		`Goods, Value of Trade Balance, US Dollars: 1 row not stored: a trade balance (exports minus imports), not a flow`,
		`18 rows or cells state no value (empty, "..", "-") and were left out`,
	}
	if strings.Join(rep.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(rep.Warnings, "\n"), strings.Join(want, "\n"))
	}
	if rep.Rows != 6 || strings.Join(rep.Pairs, ",") != "IND-PAK,IND-RUS,IND-WLD" || rep.Unit != "million US$" ||
		!strings.Contains(rep.UnitFrom, `(which says no magnitude: --unit gives it)`) {
		t.Errorf("%d rows, pairs %v, unit %q from %q", rep.Rows, rep.Pairs, rep.Unit, rep.UnitFrom)
	}
	s := mustStore(t)
	d := mustImport(t, s, filepath.Join("testdata", "imf_dots_india_2019.csv"), Options{Unit: "million US$"})
	if d.Format != "imf-dots" || d.RowCount != 6 {
		t.Errorf("dataset %+v", d)
	}
	if got := figure(t, s, "IND", "RUS", 2019, data.Export); got != 2871228560 {
		t.Errorf("IND exports to RUS 2019 = %.0f", got)
	}
	if got := figure(t, s, "IND", "WLD", 2019, data.Import); got != 478883729111 {
		t.Errorf("IND imports from WLD 2019 = %.0f", got)
	}
}

// witsHeader and imfHeader start the synthetic tables below, whose
// figures are made up in the tests (small round numbers), not statistics.
const (
	witsHeader = "Reporter Name,Partner Name,Trade Flow,Product Group,Indicator,2020,2021\n"
	imfHeader  = `"Country Name","Country Code","Indicator Name","Indicator Code","Counterpart Country Name","Counterpart Country Code","Attribute",`
	imfExports = `"Goods, Value of Exports, Free on board (FOB), US Dollars","TXG_FOB_USD"`
)

// TestWITSRows: flow, unit and product per row; a flag that contradicts
// a row is an error at that row and column. Made-up figures.
func TestWITSRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref := mustReference(t)
	good := witsHeader +
		"Pakistan,China,Export,All Products,Export (US$ Thousand),1,2\n" +
		"Pakistan,China,Import,All Products,Import (US$ Million),3,\n" +
		"Pakistan,China,Export,Chemicals,Export (US$ Thousand),0.5,..\n" +
		"Pakistan,World,Export,All Products,No Of exporting HS6 products,10,11\n" +
		"Pakistan,World,Export,All Products,Export product growth (%),1.5,2\n"
	rep, err := Check(ctx, ref, "w.csv", strings.NewReader(good), Options{SampleRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range rep.Sample {
		got = append(got, fmt.Sprintf("%s %s %s %s %.0f", o.Partner, o.Flow, o.Product.Key(), o.Period.Label(), o.ValueUSD))
	}
	want := "CHN export TOTAL:TOTAL 2020 1000|CHN export TOTAL:TOTAL 2021 2000|CHN import TOTAL:TOTAL 2020 3000000|CHN export sector:Chemicals 2020 500"
	if strings.Join(got, "|") != want {
		t.Errorf("observations\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if len(rep.Warnings) != 3 || rep.Warnings[0] != "No Of exporting HS6 products: 1 row not stored: not a value in US$" ||
		rep.Warnings[1] != "Export product growth (%): 1 row not stored: not a value in US$" {
		t.Errorf("warnings %q", rep.Warnings)
	}
	if rep.Unit != "thousand US$, million US$" {
		t.Errorf("unit %q", rep.Unit)
	}

	tests := []struct {
		name, in string
		o        Options
		want     string
	}{
		{"--flow against the row's Trade Flow", good, Options{Flow: "export"},
			`w.csv: row 3, column "Trade Flow": the row's flow is import, but --flow says export: a flag cannot override the file's own column (leave --flow out)`},
		{"--reporter against the row", good, Options{Reporter: "India"},
			`w.csv: row 2, column "Reporter Name": the row names "Pakistan" (PAK), but --reporter says IND: a flag cannot override the file's own column (leave --reporter out)`},
		{"--partner against the row", good, Options{Partner: "Russia"},
			`w.csv: row 2, column "Partner Name": the row names "China" (CHN), but --partner says RUS`},
		{"--unit against the indicator", good, Options{Unit: "US$ million"},
			`w.csv: row 2, column "Indicator": the indicator states values in thousand US$, but --unit says million US$`},
		{"Trade Flow against the indicator", witsHeader + "Pakistan,China,Import,All Products,Export (US$ Thousand),1,2\n", Options{},
			`w.csv: row 2, column "Trade Flow": the row's flow is import, but its Indicator "Export (US$ Thousand)" states export`},
		{"not a flow", witsHeader + "Pakistan,China,Sideways,All Products,Export (US$ Thousand),1,2\n", Options{},
			`w.csv: row 2, column "Trade Flow": "Sideways" is not a trade flow`},
		{"text in a value cell", witsHeader + "Pakistan,China,Export,All Products,Export (US$ Thousand),1,12x\n", Options{},
			`w.csv: row 2, column "2021": `},
		{"an income group", witsHeader + "Pakistan,High income,Export,All Products,Export (US$ Thousand),1,2\n", Options{},
			`w.csv: row 2, column "Partner Name": "High income" is not a known country or area (expected a country's name in English, or World; UN M49 and World Bank regions are known, but income groups`},
		{"only shares", witsHeader + "Pakistan,China,Export,All Products,Export Partner share(%),1,2\n", Options{},
			`w.csv: no row states a trade value in US$ (expected an "Indicator" such as "Export (US$ Thousand)"); nothing to import`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Check(ctx, ref, "w.csv", strings.NewReader(tt.in), tt.o)
			asError(t, err)
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n%v\nwant it to start\n%s", err, tt.want)
			}
		})
	}
}

// TestIMFRows: quarterly and monthly columns, names not codes, and the
// flags. Made-up figures.
func TestIMFRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref := mustReference(t)
	row := func(country, code, partner, attr, values string) string {
		return fmt.Sprintf(`"%s","%s",%s,"%s","000","%s",%s,`+"\n", country, code, imfExports, partner, attr, values)
	}
	in := imfHeader + `"2020","2020Q2","2020M03",` + "\n" +
		row("Pakistan", "564", "Russian Federation", "Value", `"10","4","1.5"`) +
		row("Pakistan", "564", "Russian Federation", "Status", `"","e",""`)
	rep, err := Check(ctx, ref, "imf.csv", strings.NewReader(in), Options{SampleRows: 10, Unit: "US$"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range rep.Sample {
		got = append(got, fmt.Sprintf("%s-%s %s %s %s", o.Reporter, o.Partner, o.Flow, o.Period.Label(), fmt.Sprint(o.ValueUSD)))
	}
	q2 := data.Period{Start: data.NewMonth(2020, 4), End: data.NewMonth(2020, 6)}
	m3 := data.Period{Start: data.NewMonth(2020, 3), End: data.NewMonth(2020, 3)}
	want := "PAK-RUS export 2020 10|PAK-RUS export " + q2.Label() + " 4|PAK-RUS export " + m3.Label() + " 1.5"
	if strings.Join(got, "|") != want {
		t.Errorf("observations %q; want %q", strings.Join(got, "|"), want)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], `(Attribute "Status"): 1 row not stored: flags, not figures`) {
		t.Errorf("warnings %q", rep.Warnings)
	}

	for _, tt := range []struct{ name, in, want string }{
		{"a code as the name", imfHeader + `"2020",` + "\n" + row("534", "534", "World", "Value", `"1"`),
			`imf.csv: row 2, column "Country Name": "534" is a code, not a name: IMF DOTS countries are read by name, as its codes are not UN M49`},
		{"an IMF group", imfHeader + `"2020",` + "\n" + row("Pakistan", "564", "Advanced Economies", "Value", `"1"`),
			`imf.csv: row 2, column "Counterpart Country Name": "Advanced Economies" is not a known country or area`},
		{"an IMF group named as a UN region", imfHeader + `"2020",` + "\n" + row("Pakistan", "564", "Europe", "Value", `"1"`),
			`imf.csv: row 2, column "Counterpart Country Name": "Europe" is one of the IMF's own country groups, whose members differ from the UN or World Bank region of that name (M150): not imported`},
	} {
		_, err := Check(ctx, ref, "imf.csv", strings.NewReader(tt.in), Options{Unit: "million US$"})
		asError(t, err)
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: error\n%v\nwant it to start\n%s", tt.name, err, tt.want)
		}
	}
}

// TestWITSIndicators classifies indicator texts as WITS and the IMF
// write them.
func TestWITSIndicators(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text  string
		spec  *keyedSpec
		ok    bool
		flow  data.Flow
		scale int
	}{
		{"Export (US$ Thousand)", witsSpec, true, data.Export, 3},
		{"Import (US$ Thousand)", witsSpec, true, data.Import, 3},
		{"Export (US$ Mil)", witsSpec, false, "", 0}, // "Mil" is not a unit parseUnit knows: left out, not guessed
		{"Export Product share(%)", witsSpec, false, "", 0},
		{"Import Partner share(%)", witsSpec, false, "", 0},
		{"No Of exporting HS6 products", witsSpec, false, "", 0},
		{"Export product growth (%)", witsSpec, false, "", 0},
		{"Trade Balance (US$ Thousand)", witsSpec, false, "", 0},
		{"Goods, Value of Exports, Free on board (FOB), US Dollars", imfSpec, true, data.Export, 0},
		{"Goods, Value of Imports, Cost, Insurance, Freight (CIF), US Dollars", imfSpec, true, data.Import, 0},
		{"Goods, Value of Imports, Free on board (FOB), US Dollars", imfSpec, false, "", 0},
		{"Goods, Value of Imports, Free on board (FOB), US Dollars", witsSpec, true, data.Import, 0},
		{"Goods, Value of Trade Balance, US Dollars", imfSpec, false, "", 0},
		{"Goods, Value of Exports, Free on board (FOB), Domestic currency", imfSpec, false, "", 0},
		{"", witsSpec, false, "", 0},
	} {
		got := readIndicator(tt.text, tt.spec)
		if got.ok != tt.ok || got.flow != tt.flow || got.scale != tt.scale || !got.ok && got.why == "" {
			t.Errorf("%s %q: %+v; want ok %v, flow %q, scale %d", tt.spec.name, tt.text, got, tt.ok, tt.flow, tt.scale)
		}
	}
}

// TestDetectWITSIMF: each fixture is its own layout and no other layout
// scores as high; a wide statistics-office table is neither.
func TestDetectWITSIMF(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file, want string
		o          Options
	}{
		{"wits_india_2019.csv", "wits", Options{}},
		{"xlsx/lo_wits_india_2019.xlsx", "wits", Options{}},
		{"imf_dots_india_2019.csv", "imf-dots", Options{Unit: "million US$"}},
	} {
		if p := mustParseFile(t, tt.file, tt.o); p.format != tt.want {
			t.Errorf("%s: detected %s; want %s", tt.file, p.format, tt.want)
		}
	}
	ref := mustReference(t)
	head := splitHead("Pakistan: exports to selected countries\n(value in thousand US$)\nCountry,2020-21,2021-22\n")
	for _, spec := range []*keyedSpec{witsSpec, imfSpec} {
		if sc, why := newKeyed(spec, ref, "", Options{}).Detect(head); sc != 0 || !strings.HasPrefix(why, "not "+spec.title+": 0 of its") {
			t.Errorf("%s on a statistics-office table: %d %q", spec.name, sc, why)
		}
	}
}
