package importers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectLayouts: each layout's own files are detected as it, and the
// files of the other layouts keep theirs.
func TestDetectLayouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, want string
		o          Options
	}{
		{"comtrade_plus_india_2019.csv", "comtrade-plus", Options{}},
		{"comtrade_plus_monthly.csv", "comtrade-plus", Options{}},
		{"baci_madeup.csv", "baci", Options{}},
		{"wide_pakistan_fy.csv", "wide", Options{FiscalStartMonth: 7}},
		{"xlsx/lo_wide_pakistan_fy.xlsx", "wide", Options{FiscalStartMonth: 7}},
		{"long_mixed.csv", "long", Options{}},
		{"semicolon_cp1252.csv", "long", Options{}},
		{"tab_cr_bom.tsv", "long", Options{FiscalStartMonth: 7}}, // some Comtrade Plus names, not its header
		{"xlsx/lo_long.xlsx", "long", Options{}},
		{"xlsx/gnumeric_long.xlsx", "long", Options{}},
		{"../../data/demo/comtrade_2019_india_partners.csv", "tradedash-long", Options{}},
		{"../../../shared/data/ictd/Ind_Ex_Im_Countrywise_2019-20.csv", "comtrade-legacy", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			p := mustParseFile(t, tt.file, tt.o)
			if p.format != tt.want {
				t.Errorf("detected %s; want %s", p.format, tt.want)
			}
		})
	}
}

func TestDetectReasons(t *testing.T) {
	t.Parallel()
	ref := mustReference(t)
	head := func(file string) [][]string {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]string
		for _, l := range strings.Split(strings.ReplaceAll(string(b), "\r", ""), "\n") {
			rows = append(rows, strings.Split(l, ","))
		}
		return rows[:min(len(rows), headRows)]
	}
	if sc, why := newComtradePlus(ref, "", Options{}).Detect(head("comtrade_plus_india_2019.csv")); sc != 30 || why != "Comtrade Plus: 47 of 47 headers matched" {
		t.Errorf("Comtrade Plus: %d %q", sc, why)
	}
	if sc, why := newComtradePlus(ref, "", Options{}).Detect(head("tab_cr_bom.tsv")); sc != 0 || !strings.HasPrefix(why, "not Comtrade Plus") {
		t.Errorf("tab_cr_bom.tsv as Comtrade Plus: %d %q", sc, why)
	}
	if sc, why := newBACI(ref, "", Options{}).Detect(head("baci_madeup.csv")); sc != 30 || why != "CEPII BACI: header t,i,j,k,v,q" {
		t.Errorf("BACI: %d %q", sc, why)
	}
	if sc, _ := newBACI(ref, "", Options{}).Detect([][]string{{"t", "i", "j", "k", "v"}}); sc != 0 {
		t.Errorf("t,i,j,k,v is BACI: %d", sc)
	}
	w := newWide(ref, "", Options{FiscalStartMonth: 7})
	if sc, why := w.Detect(head("wide_pakistan_fy.csv")); sc != 5 || !strings.HasPrefix(why, "wide table: 3 period columns") {
		t.Errorf("wide: %d %q", sc, why)
	}
	if got := w.Description(); got != `Wide table; values read in thousand US$ (row 3 "(value in thousand US$)").` {
		t.Errorf("Description = %q", got)
	}
}

// TestFormatOption forces a layout by name; an unknown name lists them.
func TestFormatOption(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "long_mixed.csv"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := parse(t, "long_mixed.csv", b, Options{Format: "long"})
	if err != nil || p.format != "long" {
		t.Errorf("--format long: %v, %s", err, p.format)
	}
	if _, err := parse(t, "long_mixed.csv", b, Options{Format: "baci"}); err == nil || !strings.Contains(err.Error(), "expected t,i,j,k,v,q") {
		t.Errorf("--format baci on a long table: %v", err)
	}
	_, err = parse(t, "long_mixed.csv", b, Options{Format: "nope"})
	if err == nil || !strings.Contains(err.Error(), `unknown format "nope" (expected one of tradedash-long, comtrade-legacy, comtrade-plus, baci, wits, imf-dots, long, wide)`) {
		t.Errorf("--format nope: %v", err)
	}
}
