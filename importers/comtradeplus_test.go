package importers

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// TestImportComtradePlus imports an annual Comtrade Plus file whose figures
// are UN Comtrade's (India 2019, as in data/demo) and checks the totals.
func TestImportComtradePlus(t *testing.T) {
	t.Parallel()
	s := mustStore(t)
	d := mustImport(t, s, filepath.Join("testdata", "comtrade_plus_india_2019.csv"), Options{Source: "UN Comtrade"})
	if d.Format != "comtrade-plus" || d.RowCount != 8 {
		t.Errorf("dataset = %+v; want format comtrade-plus, 8 rows", d)
	}
	for _, c := range []struct {
		partner string
		flow    data.Flow
		want    float64
	}{
		{"RUS", data.Import, 6226189464}, // refMonth 99
		{"RUS", data.Export, 2871228560},
		{"WLD", data.Import, 478883729111}, // partnerISO W00, code 0; refMonth 52
		{"WLD", data.Export, 323250726424},
		{"PAK", data.Export, 1186205288},
	} {
		if got := figure(t, s, "IND", c.partner, 2019, c.flow); got != c.want {
			t.Errorf("IND %s %s 2019 = %.0f; want %.0f", c.flow, c.partner, got, c.want)
		}
	}
}

func TestComtradePlusMonthly(t *testing.T) {
	t.Parallel()
	p := mustParseFile(t, "comtrade_plus_monthly.csv", Options{})
	if p.format != "comtrade-plus" || len(p.obs) != 3 || len(p.skipped) != 1 || p.skipped[0].Row != 5 {
		t.Fatalf("format %s, %d observations, skipped %v", p.format, len(p.obs), p.skipped)
	}
	jan, feb := data.NewMonth(2023, 1), data.NewMonth(2023, 2)
	checks := []struct{ got, want any }{
		{p.obs[0].Period, data.Period{Start: jan, End: jan}},
		{p.obs[0].ValueUSD, 1000000.0},
		{p.obs[0].Flow, data.Import},
		{p.obs[0].Quantity == nil, true}, // qty 0, unit N/A
		{p.obs[1].Period, data.Period{Start: feb, End: feb}},
		{p.obs[1].ValueUSD, 2000000.5},
		{p.obs[2].Product.Key(), "HS:2709"},
		{p.obs[2].Partner, "RUS"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %v; want %v", i, c.got, c.want)
		}
	}
}

func TestComtradePlusErrors(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "comtrade_plus_india_2019.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\r\n")
	mutate := func(line int, from, to string) []byte {
		l := append([]string(nil), lines...)
		l[line-1] = strings.Replace(l[line-1], from, to, 1)
		return []byte(strings.Join(l, "\r\n"))
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"bad value", mutate(4, ",6226189464,0,", ",6226x89464,0,"), `plus.csv: row 4, column "primaryValue": "6226x89464" is not a number`},
		{"annual row with a month", mutate(3, ",2019,699,", ",201903,699,"), `plus.csv: row 3, column "freqCode": an annual row (freqCode A) has the period Mar 2019`},
		{"bad refMonth", mutate(2, ",52,2019,", ",7,2019,"), `plus.csv: row 2, column "refMonth": an annual row has refMonth "7"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustStore(t)
			_, err := Import(context.Background(), s, "plus.csv", strings.NewReader(string(tt.in)), Options{})
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
