package importers

import (
	"context"
	"path/filepath"
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
			if p.format != "wide" || len(p.obs) != 2 || len(p.skipped) != 7 {
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
		{"fiscal year without start month", good, Options{}, `w.csv: row 3, column "2020-21": "2020-21" is a fiscal year, but its start month is not known (give --fiscal-start-month`},
		{"bad cell", strings.Replace(good, `"171,940"`, "17x", 1), Options{FiscalStartMonth: 7}, `w.csv: row 4, column "2020-21": "17x" is not a number`},
		{"unknown country", strings.Replace(good, "Russia", "Atlantis", 1), Options{FiscalStartMonth: 7}, `w.csv: row 4, column "Country": "Atlantis" is not a known country`},
		{"no unit", strings.Replace(good, "(value in thousand US$)\n", "", 1), Options{FiscalStartMonth: 7}, `w.csv: row 2: no unit is stated`},
		{"no reporter", strings.Replace(good, "Pakistan: exports to selected countries\n", "", 1), Options{FiscalStartMonth: 7}, `w.csv: row 2: a wide table needs its reporter and flow`},
		{"rupees", strings.Replace(good, "thousand US$", "million Rs.", 1), Options{FiscalStartMonth: 7}, `w.csv: row 3: "(value in million Rs.)" states values in a currency other than US dollars`},
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
}
