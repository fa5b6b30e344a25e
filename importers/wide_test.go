package importers

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tradedash/data"
)

// TestImportWide imports a statistics-office table (title rows, a unit
// row, fiscal-year columns, a Total row and footnotes) whose two figures
// are Pakistan's Ministry of Commerce statements, and checks them.
func TestImportWide(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"wide_pakistan_fy.csv", filepath.Join("xlsx", "lo_wide_pakistan_fy.xlsx")} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			p := mustParseFile(t, file, Options{FiscalStartMonth: 7})
			// Skipped: Russia's and China's ".." cells; the Total row is
			// the sum of the partners listed, not stored at all.
			if p.format != "wide" || len(p.obs) != 2 || len(p.skipped) != 4 {
				t.Fatalf("format %s, %d observations, skipped %v", p.format, len(p.obs), p.skipped)
			}
			if e := p.skipped[0]; e.Row != 6 || e.Column != "2021-22" || e.Value != ".." {
				t.Errorf("first skipped cell: %+v", e)
			}
			s := mustStore(t)
			d := mustImport(t, s, filepath.Join("testdata", file), Options{FiscalStartMonth: 7})
			if d.Format != "wide" || d.RowCount != 2 || !strings.Contains(d.Description, `thousand US$ (row 3 "(value in thousand US$)")`) {
				t.Errorf("dataset %+v", d)
			}
			rows, err := s.Bilateral(context.Background(), data.BilateralQuery{Reporter: "PAK", Partner: "RUS"})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, r := range rows {
				if r.Exports.Known {
					got[r.Period.Label()] = r.Exports.Value
				}
			}
			if got["FY2020-21"] != 171940000 || got["FY2022-23"] != 74000000 || len(got) != 2 {
				t.Errorf("PAK exports to RUS = %v; want FY2020-21 171940000, FY2022-23 74000000", got)
			}
		})
	}
}

func TestWideErrors(t *testing.T) {
	t.Parallel()
	good := "Pakistan: exports to selected countries\n(value in thousand US$)\nCountry,2020-21,2021-22\nRussia,\"171,940\",..\n"
	tests := []struct {
		name, in string
		o        Options
		want     string
	}{
		{"fiscal year without start month", good, Options{}, `w.csv: row 3, column "2020-21": "2020-21" is a fiscal year, but its start month is not known: no title row states the fiscal year's months`},
		{"bad cell", strings.Replace(good, `"171,940"`, "17x", 1), Options{FiscalStartMonth: 7}, `w.csv: row 4, column "2020-21": "17x" is not a number`},
		{"unknown country", strings.Replace(good, "Russia", "Atlantis", 1), Options{FiscalStartMonth: 7}, `w.csv: row 4, column "Country": "Atlantis" is not a known country`},
		{"no unit", strings.Replace(good, "(value in thousand US$)\n", "", 1), Options{FiscalStartMonth: 7}, `w.csv: row 2: no unit is stated`},
		{"no reporter", strings.Replace(good, "Pakistan: exports to selected countries\n", "", 1), Options{FiscalStartMonth: 7}, `w.csv: row 2: a wide table needs its reporter and flow`},
		{"rupees", strings.Replace(good, "thousand US$", "million Rs.", 1), Options{FiscalStartMonth: 7}, `w.csv: row 2: "(value in million Rs.)" states values in a currency other than US dollars`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustStore(t)
			_, err := Import(context.Background(), s, "w.csv", strings.NewReader(tt.in), tt.o)
			asError(t, err)
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q; want it to start %q", err, tt.want)
			}
			if empty, _ := s.Empty(context.Background()); !empty {
				t.Error("a refused file left a dataset behind")
			}
		})
	}
}

// TestWideShapes reads other wide shapes: IMF-style months, a product
// column, a unit in the header, a Total row, options instead of a title.
// The figures are made-up test values.
func TestWideShapes(t *testing.T) {
	t.Parallel()
	t.Run("imf months, partner codes, unit in header", func(t *testing.T) {
		t.Parallel()
		in := "Partner (US$ million),2020M01,Feb 2020\nRUS,1.5,-\nWorld,10.25,11\nNote: made up\nRUS,99,99\n"
		p, err := parse(t, "m.csv", []byte(in), Options{Reporter: "PAK", Flow: "imports"})
		if err != nil {
			t.Fatal(err)
		}
		if p.format != "wide" || len(p.obs) != 3 || len(p.skipped) != 1 {
			t.Fatalf("format %s, obs %+v, skipped %v", p.format, p.obs, p.skipped)
		}
		jan := data.NewMonth(2020, 1)
		o := p.obs[0]
		if o.Reporter != "PAK" || o.Partner != "RUS" || o.Flow != data.Import || o.Period != (data.Period{Start: jan, End: jan}) || o.ValueUSD != 1500000 {
			t.Errorf("obs[0] = %+v", o)
		}
		if o := p.obs[2]; o.Partner != "WLD" || o.Period.Label() != "Feb 2020" || o.ValueUSD != 11000000 {
			t.Errorf("Total row: %+v", o)
		}
	})
	t.Run("products, years", func(t *testing.T) {
		t.Parallel()
		in := "India: imports from Russia\nValue in US$ billion\nS.No.,HS Code,Commodity,2019,2020,% Share\n1,27,Mineral fuels,1.25,2,50\n2,8,Edible fruit,0.001,..,1\n,Total,,3,4,100\n"
		p, err := parse(t, "p.csv", []byte(in), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.obs) != 5 {
			t.Fatalf("obs %+v, skipped %v", p.obs, p.skipped)
		}
		want := []string{"IND RUS import HS:27 2019 1250000000", "IND RUS import HS:27 2020 2000000000", "IND RUS import HS:08 2019 1000000",
			"IND RUS import TOTAL:TOTAL 2019 3000000000", "IND RUS import TOTAL:TOTAL 2020 4000000000"}
		for i, o := range p.obs {
			got := strings.Join([]string{o.Reporter, o.Partner, string(o.Flow), o.Product.Key(), o.Period.Label(), strconv.FormatFloat(o.ValueUSD, 'f', -1, 64)}, " ")
			if got != want[i] {
				t.Errorf("obs[%d] = %s; want %s", i, got, want[i])
			}
		}
	})
	t.Run("HS sections written out as row labels", func(t *testing.T) {
		t.Parallel()
		in := "Pakistan: exports to Russia\nValue in US$ million\nSector,2021,2022\nSection XI: Textiles and textile articles,5,6\nHS section VI,1,2\nSection 11,3,4\n"
		p, err := parse(t, "s.csv", []byte(in), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range p.obs {
			got = append(got, o.Product.Key()+" "+o.Period.Label())
		}
		// "Section 11" stays a sector of its own: an arabic number could be
		// SITC's section, not HS's.
		want := "HS-section:XI 2021|HS-section:XI 2022|HS-section:VI 2021|HS-section:VI 2022|sector:Section 11 2021|sector:Section 11 2022"
		if strings.Join(got, "|") != want {
			t.Errorf("products %q; want %q", strings.Join(got, "|"), want)
		}
	})
}

// TestWideTotalRow: a Total row under partner rows is the sum of the
// partners listed, not trade with the World, so it is not stored as World
// (it only checks the rows above it, and the report says so); a World row
// is; a title that names the World as partner makes the Total row World;
// in a product table the Total row is product TOTAL with the title's
// partner, even when the label column's header does not say products.
// The figures are made-up test values.
func TestWideTotalRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref := mustReference(t)
	check := func(t *testing.T, in string, o Options) *Report {
		t.Helper()
		rep, err := Check(ctx, ref, "t.csv", strings.NewReader(in), o)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	keys := func(rep *Report) []string {
		var out []string
		for _, o := range rep.Sample {
			out = append(out, strings.Join([]string{o.Partner, o.Product.Key(), o.Period.Label(), strconv.FormatFloat(o.ValueUSD, 'f', -1, 64)}, " "))
		}
		return out
	}

	t.Run("selected partners: Total is not World", func(t *testing.T) {
		t.Parallel()
		rep := mustCheck(t, "wide_months_2023.csv", Options{SampleRows: 100})
		if rep.Rows != 12 || rep.NumPairs != 2 || strings.Join(rep.Pairs, ",") != "PAK-CHN,PAK-RUS" {
			t.Errorf("%d rows, pairs %v; want 12 rows of PAK-CHN and PAK-RUS only", rep.Rows, rep.Pairs)
		}
		for _, o := range rep.Sample {
			if o.Partner == "WLD" {
				t.Errorf("the Total row was stored as World: %+v", o)
			}
		}
		if d := strings.Join(rep.Details, "\n"); !strings.Contains(d, `row 7 "Total" is the sum of the partners listed above it, not trade with the World: not stored`) {
			t.Errorf("details do not say the Total row was left out: %q", rep.Details)
		}
		// Jun: China 4 + Russia 5.5 = 9.5 million, the Total row says 10.
		want := "PAK export TOTAL, Jun 2023: the Total row (row 7, the sum of the partners listed; not stored) states 10,000,000 US$ but the 2 partners listed add up to 9,500,000 US$ (difference 500,000 US$, 5.00% of the total)"
		if len(rep.Warnings) != 1 || !strings.HasPrefix(rep.Warnings[0], want) {
			t.Errorf("warnings %q; want one starting %q", rep.Warnings, want)
		}
	})
	t.Run("a World row is World", func(t *testing.T) {
		t.Parallel()
		rep := check(t, "Pakistan: imports from selected countries\nUS$ million\nCountry,2021,2022\nChina,1,2\nWorld,10,20\n", Options{})
		if got := strings.Join(keys(rep), "|"); got != "CHN TOTAL:TOTAL 2021 1000000|CHN TOTAL:TOTAL 2022 2000000|WLD TOTAL:TOTAL 2021 10000000|WLD TOTAL:TOTAL 2022 20000000" {
			t.Errorf("observations %s", got)
		}
		if len(rep.Warnings) != 0 {
			t.Errorf("a World row above its selected partners warns: %q", rep.Warnings)
		}
	})
	t.Run("a title with the World as partner makes Total World", func(t *testing.T) {
		t.Parallel()
		rep := check(t, "Pakistan: exports to World\nUS$ million\nCountry,2021\nChina,1\nRussia,2\nTotal,3\n", Options{})
		if got := strings.Join(keys(rep), "|"); got != "CHN TOTAL:TOTAL 2021 1000000|RUS TOTAL:TOTAL 2021 2000000|WLD TOTAL:TOTAL 2021 3000000" {
			t.Errorf("observations %s", got)
		}
	})
	t.Run("products: Total stays with the title's partner", func(t *testing.T) {
		t.Parallel()
		for _, header := range []string{"Commodity", "Goods"} {
			rep := check(t, "Pakistan's exports to Russia\n(US$ thousand)\n"+header+",2021,2022\nRice,10,20\nCotton yarn,1,2\nTotal,11,22\n", Options{})
			got := keys(rep)
			if len(got) != 6 || got[4] != "RUS TOTAL:TOTAL 2021 11000" || got[5] != "RUS TOTAL:TOTAL 2022 22000" {
				t.Errorf("header %q: observations %q; want the Total row as RUS TOTAL", header, got)
			}
			if len(rep.Warnings) != 0 {
				t.Errorf("header %q: warnings %q", header, rep.Warnings)
			}
		}
	})
}

// TestWideReportRows: the report's row numbers are the file's, blank
// lines included, which the CSV reader skips. Made-up figures.
func TestWideReportRows(t *testing.T) {
	t.Parallel()
	in := "\nPakistan: exports to selected countries\n\n(value in thousand US$)\n\nCountry,2021\nChina,1\n"
	rep, err := Check(context.Background(), mustReference(t), "t.csv", strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.HeaderRow != 6 || rep.UnitFrom != `row 4 "(value in thousand US$)"` ||
		!strings.Contains(strings.Join(rep.Details, "\n"), `from the title in row 2 "Pakistan: exports to selected countries"`) {
		t.Errorf("header row %d, unit from %q, details %q; want rows 6, 4 and 2", rep.HeaderRow, rep.UnitFrom, rep.Details)
	}
}

// TestWideFiscalSpanFromTitle: a title row that states the fiscal year's
// months ("Fiscal years (July-June)") gives the fiscal years' start month,
// so --fiscal-start-month is not needed; a flag that contradicts it is an
// error, and a title that names half a year is not a fiscal year.
func TestWideFiscalSpanFromTitle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref := mustReference(t)
	fy := mustReadTestdata(t, "wide_pakistan_fy.csv")
	rep, err := Check(ctx, ref, "wide_pakistan_fy.csv", bytes.NewReader(fy), Options{})
	if err != nil {
		t.Fatalf("without --fiscal-start-month: %v", err)
	}
	if want := `fiscal years start in July, from the title in row 2 "Fiscal years (July-June)"`; !slices.Contains(rep.Details, want) {
		t.Errorf("details %q lack %q", rep.Details, want)
	}
	withFlag, err := Check(ctx, ref, "wide_pakistan_fy.csv", bytes.NewReader(fy), Options{FiscalStartMonth: 7})
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, p := range rep.Periods {
		got = append(got, fmt.Sprint(p))
	}
	for _, p := range withFlag.Periods {
		want = append(want, fmt.Sprint(p))
	}
	if len(got) == 0 || strings.Join(got, "|") != strings.Join(want, "|") || rep.Rows != withFlag.Rows {
		t.Errorf("periods %v, %d rows; with --fiscal-start-month 7: %v, %d rows", got, rep.Rows, want, withFlag.Rows)
	}
	if first := rep.Periods[0]; first != data.Fiscal(2020, 7) {
		t.Errorf("first period %v; want FY2020-21 from July", first)
	}

	_, err = Check(ctx, ref, "wide_pakistan_fy.csv", bytes.NewReader(fy), Options{FiscalStartMonth: 4})
	if want := `wide_pakistan_fy.csv: row 2: the title says fiscal years start in July, but --fiscal-start-month says April`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("a contradicting flag: %v; want %q", err, want)
	}

	// Made-up figures: half a year in the title, fiscal years as columns.
	half := "Pakistan: exports, January-June\n(US$ million)\nCountry,2020-21,2021-22\nChina,1,2\n"
	if _, err := Check(ctx, ref, "half.csv", strings.NewReader(half), Options{}); err == nil || !strings.Contains(err.Error(), "is a fiscal year, but its start month is not known") {
		t.Errorf("a half-year title read as a fiscal span: %v", err)
	}
	india := "India: exports to selected countries\nFinancial year April to March, value in US$ million\nCountry,2020-21\nRussia,2\n"
	got2, err := Check(ctx, ref, "in.csv", strings.NewReader(india), Options{SampleRows: 1})
	if err != nil || len(got2.Sample) != 1 || got2.Sample[0].Period != data.Fiscal(2020, 4) {
		t.Errorf("India's April-March from the title: %v %+v", err, got2)
	}
}
