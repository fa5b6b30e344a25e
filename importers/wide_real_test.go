package importers

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// India's Department of Commerce workbooks (aidatabases/ICTD, via the data
// team's shared folder) have no licence, so they are read in place, never
// copied into testdata; their absence is a failure. They state no unit,
// reporter, flow or partner, so those are given as options, as a user
// would give them. The figures checked are the workbooks' own cells, in
// million US$, scaled to US$.
var ictdWorkbooks = filepath.Join("..", "..", "shared", "data", "ictd")

// TestWideRealStatisticsOffice imports both workbooks. The exports one
// ends with "India's Total Export" in the Commodity column and an empty
// HSCode: a stated total, kept as product TOTAL, against which the 98
// chapters are checked.
func TestWideRealStatisticsOffice(t *testing.T) {
	t.Parallel()
	type cell struct {
		product data.Product
		month   int // of the fiscal year's calendar: 4 = Apr 2019, 1 = Jan 2020
		want    float64
	}
	hs := func(code string) data.Product { return data.Product{Classification: data.HS, Code: code} }
	month := func(m int) data.Period {
		y := 2019
		if m < 4 {
			y = 2020
		}
		return data.Period{Start: data.NewMonth(y, m), End: data.NewMonth(y, m)}
	}
	tests := []struct {
		file  string
		flow  string
		rows  int64
		cells []cell
		total bool
	}{
		{"Indexports2019-20.xlsx", "export", 98*12 + 12, []cell{
			{data.TotalProduct, 4, 26032220000}, // row 100 "India's Total Export", Apr 2019: 26032.22
			{data.TotalProduct, 3, 21405960000}, // Mar 2020 (P): 21405.96
			{hs("02"), 5, 282070000},            // row 3 MEAT AND EDIBLE MEAT OFFAL, May 2019: 282.07
		}, true},
		{"Indimports2019-20.xlsx", "import", 98 * 12, []cell{
			{hs("01"), 4, 200000},    // row 2 LIVE ANIMALS, Apr 2019: 0.2
			{hs("98"), 1, 429850000}, // PROJECT GOODS, Jan 2020: 429.85
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(ictdWorkbooks, tt.file)
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the ICTD workbook must be in the shared folder: %v", err)
			}
			o := Options{Unit: "million US$", Reporter: "India", Flow: tt.flow, Partner: "World", SampleRows: 2000}
			rep := mustCheck(t, path, o)
			if rep.Layout != "wide" || rep.Rows != tt.rows || len(rep.Periods) != 12 || strings.Join(rep.Pairs, ",") != "IND-WLD" {
				t.Fatalf("layout %s, %d rows, %d periods, pairs %v; want wide, %d rows, 12 months of IND-WLD", rep.Layout, rep.Rows, len(rep.Periods), rep.Pairs, tt.rows)
			}
			// The chapters add up to the stated total within the check's
			// 0.1% rounding tolerance: no warning.
			if len(rep.Warnings) != 0 {
				t.Errorf("warnings %q", rep.Warnings)
			}
			got := map[string]float64{}
			sums := map[data.Period]float64{}
			for _, ob := range rep.Sample {
				if ob.Flow != data.Flow(tt.flow) || ob.Reporter != "IND" || ob.Partner != "WLD" {
					t.Fatalf("observation %+v", ob)
				}
				got[ob.Product.Key()+" "+ob.Period.Label()] = ob.ValueUSD
				if ob.Product.Classification == data.HS {
					sums[ob.Period] += ob.ValueUSD
				}
			}
			for _, c := range tt.cells {
				k := c.product.Key() + " " + month(c.month).Label()
				if v, ok := got[k]; !ok || v != c.want {
					t.Errorf("%s = %v (found %v); want %v", k, v, ok, c.want)
				}
			}
			_, hasTotal := got[data.TotalProduct.Key()+" "+month(4).Label()]
			if hasTotal != tt.total {
				t.Errorf("a TOTAL row found: %v; want %v", hasTotal, tt.total)
			}
			if tt.total {
				// What the totals check compared: the 98 chapters against row 100.
				tot, sum := got[data.TotalProduct.Key()+" "+month(4).Label()], sums[month(4)]
				if math.Abs(tot-sum) > tot*partsTolerance || sum == 0 {
					t.Errorf("Apr 2019: chapters add up to %.0f, the total row says %.0f", sum, tot)
				}
			}
			s := mustStore(t)
			d := mustImport(t, s, path, o)
			if d.RowCount != tt.rows || d.Format != "wide" {
				t.Errorf("dataset %+v", d)
			}
		})
	}
}

// TestWideTotalInNameColumn: a total label in the name column beside an
// empty code column is a stated total; the totals check compares the
// rows with it, and a flow it states must be the table's. Made-up figures.
func TestWideTotalInNameColumn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref := mustReference(t)
	in := "S.No.,HSCode,Commodity,2021,2022\n1,1,LIVE ANIMALS,1,2\n2,2,MEAT,3,4\n,,Pakistan's Total Exports,4,7\n"
	o := Options{Unit: "million US$", Reporter: "PAK", Flow: "export", Partner: "World", SampleRows: 10}
	rep, err := Check(ctx, ref, "t.csv", strings.NewReader(in), o)
	if err != nil {
		t.Fatal(err)
	}
	var totals []string
	for _, ob := range rep.Sample {
		if ob.Product == data.TotalProduct {
			totals = append(totals, ob.Period.Label())
			if ob.SourceRef != "t.csv, row 4, column "+ob.Period.Label() {
				t.Errorf("source %q", ob.SourceRef)
			}
		}
	}
	if rep.Rows != 6 || strings.Join(totals, ",") != "2021,2022" {
		t.Errorf("%d rows, totals in %v; want 6 rows, totals in 2021 and 2022", rep.Rows, totals)
	}
	// 2022: 2 + 4 = 6 million, the total row says 7.
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "2022") || !strings.Contains(rep.Warnings[0], "1,000,000 US$") {
		t.Errorf("warnings %q; want one about 2022, 1,000,000 US$ short", rep.Warnings)
	}

	o.Flow = "import"
	_, err = Check(ctx, ref, "t.csv", strings.NewReader(in), o)
	e := asError(t, err)
	if e.Row != 4 || e.Column != "Commodity" || e.Value != "Pakistan's Total Exports" || !strings.Contains(e.Msg, "says export, but the table's flow is import") {
		t.Errorf("error %v", err)
	}
	// Total trade is exports and imports together, not the exports; and a
	// total of another country's is not the reporter's.
	o.Flow = "export"
	for _, tt := range []struct{ label, want string }{
		{"Pakistan's Total Trade", "the total row says turnover, but the table's flow is export"},
		{"Total trade", "the total row says turnover, but the table's flow is export"},
		{"India's Total Exports", "the total row is IND's, but the table's reporter is PAK"},
	} {
		_, err = Check(ctx, ref, "t.csv", strings.NewReader(strings.Replace(in, "Pakistan's Total Exports", tt.label, 1)), o)
		if err == nil {
			t.Errorf("%s: imported", tt.label)
			continue
		}
		if e := asError(t, err); e.Row != 4 || e.Value != tt.label || !strings.Contains(e.Msg, tt.want) {
			t.Errorf("%s: error %v; want %q", tt.label, err, tt.want)
		}
	}
	// Text that is not a country's total stays a product with no code.
	in = strings.Replace(in, "Pakistan's Total Exports", "Other goods", 1)
	o.Flow = "export"
	_, err = Check(ctx, ref, "t.csv", strings.NewReader(in), o)
	if e := asError(t, err); e.Row != 4 || e.Column != "HSCode" || !strings.Contains(e.Msg, "no partner or product") {
		t.Errorf("error %v", err)
	}
}
