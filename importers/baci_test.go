package importers

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// storedSum is the sum of a dataset's stored values, by reporter>partner.
func storedSum(tb testing.TB, s *data.Store, id int64) map[string]float64 {
	tb.Helper()
	obs, err := s.DatasetObservations(context.Background(), id, 100000)
	if err != nil {
		tb.Fatal(err)
	}
	sum := map[string]float64{}
	for _, o := range obs {
		sum[o.Reporter+">"+o.Partner+" "+string(o.Flow)] += o.ValueUSD
	}
	return sum
}

// TestImportBACI imports a small made-up BACI file (test values, not
// statistics: see testdata/NOTICE.md): thousands of US$ scaled exactly,
// lost leading zeros of HS6 codes restored, BACI's codes 699 and 586.
func TestImportBACI(t *testing.T) {
	t.Parallel()
	p := mustParseFile(t, "baci_madeup.csv", Options{})
	if p.format != "baci" || len(p.obs) != 4 || len(p.skipped) != 1 || p.skipped[0].Row != 6 || p.skipped[0].Column != "v" {
		t.Fatalf("format %s, %d observations, skipped %v", p.format, len(p.obs), p.skipped)
	}
	checks := []struct{ got, want any }{
		{p.obs[0].Reporter, "IND"},
		{p.obs[0].Partner, "RUS"},
		{p.obs[0].Flow, data.Export},
		{p.obs[0].Period, data.Year(2019)},
		{p.obs[0].Product.Key(), "HS:010121"},
		{p.obs[0].ValueUSD, 1234567.0},
		{*p.obs[0].Quantity, 12.5},
		{p.obs[0].QtyUnit, "t"},
		{p.obs[1].Quantity == nil, true},
		{p.obs[2].ValueUSD, 500.0},
		{p.obs[2].Quantity == nil, true}, // NA
		{p.obs[3].ValueUSD, 100250.0},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %v; want %v", i, c.got, c.want)
		}
	}

	s := mustStore(t)
	d := mustImport(t, s, filepath.Join("testdata", "baci_madeup.csv"), Options{})
	if d.Format != "baci" || d.RowCount != 4 {
		t.Errorf("dataset %+v", d)
	}
	sum := storedSum(t, s, d.ID)
	if got := sum["IND>RUS export"]; got != 3234567 {
		t.Errorf("IND exports to RUS = %v; want 3234567", got)
	}
	if got := sum["PAK>RUS export"]; got != 500 {
		t.Errorf("PAK exports to RUS = %v; want 500", got)
	}
}

func TestBACIErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"t,i,j,k,v,q\n2019,699,643,10121,12x,1\n", `baci.csv: row 2, column "v": "12x" is not a number`},
		{"t,i,j,k,v,q\n2019,699,643,10121,1,1\n2019,998,643,10121,1,1\n", `baci.csv: row 3, column "i": "998" is not a known BACI country code`},
		{"t,i,j,k,v,q\n2019,699,643,121,1,1\n", `baci.csv: row 2, column "k": "121" is not an HS6 product code`},
		{"t,i,j,k,v,q\n19,699,643,10121,1,1\n", `baci.csv: row 2, column "t": "19" is not a year`},
	}
	for _, tt := range tests {
		s := mustStore(t)
		_, err := Import(context.Background(), s, "baci.csv", strings.NewReader(tt.in), Options{})
		asError(t, err)
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("error = %q; want it to start %q", err, tt.want)
		}
		if empty, _ := s.Empty(context.Background()); !empty {
			t.Error("a refused file left a dataset behind")
		}
	}
}

func TestScaleDecimal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    float64
		exp  int
		want float64
	}{{1234.567, 3, 1234567}, {171.94, 6, 171940000}, {0.1, 3, 100}, {2.871228560, 9, 2871228560}, {0, 3, 0}, {-1.5, 3, -1500}, {1e300, 9, 0}} {
		got, err := scaleDecimal(c.v, c.exp)
		if c.v == 1e300 {
			if err == nil {
				t.Errorf("scaleDecimal(1e300, 9) = %v; want an error", got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("scaleDecimal(%v, %d) = %v, %v; want %v", c.v, c.exp, got, err, c.want)
		}
	}
}
