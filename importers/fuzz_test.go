package importers

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// csvSeeds are the CSV files of testdata: seeds for the fuzz targets here.
var csvSeeds = []string{"baci_madeup.csv", "comtrade_plus_india_2019.csv", "comtrade_plus_monthly.csv", "long_mixed.csv",
	"semicolon_cp1252.csv", "tab_cr_bom.tsv", "wide_pakistan_fy.csv", "bad_value.csv", "web_page.csv", "comtrade_result_too_large.csv",
	"wits_india_2019.csv", "imf_dots_india_2019.csv"}

// splitHead cuts text into the header rows a layout's Detect sees: lines,
// then cells at commas, semicolons or tabs, at most headRows rows.
func splitHead(s string) [][]string {
	var head [][]string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n") {
		if len(head) == headRows {
			break
		}
		head = append(head, strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' || r == '\t' }))
	}
	return head
}

// FuzzDetect runs every layout's Detect on arbitrary header rows: none
// may panic, score below zero or give a different answer twice, and a
// layout that declines must say why, since Import shows the reason.
func FuzzDetect(f *testing.F) {
	for _, name := range csvSeeds {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), 0)
		f.Add(string(b), 7)
	}
	f.Add("Year,Reporter,Partner,Flow,2019,2020,2021\n,,,,,\nUS$ million", 0)
	f.Add("t,i,j,k,v,q\n2019,4,156,010121,1.5,NA", 0)
	// Key-column headers with one key missing, and IMF's quarter and month columns.
	f.Add("Reporter Name,Partner Name,Trade Flow,Indicator,1988,2022\nIndia,World,Export,Export (US$ Thousand),1,2", 0)
	f.Add("Country Name\tCountry Code\tIndicator Name\tIndicator Code\tCounterpart Country Name\tCounterpart Country Code\tAttribute\t2019Q4\t2019M13\t2019Q5", 0)
	ref := mustReference(f)
	f.Fuzz(func(t *testing.T, s string, fiscalStartMonth int) {
		head := splitHead(s)
		for _, l := range layouts(ref, "fuzz.csv", Options{FiscalStartMonth: fiscalStartMonth}) {
			score, why := l.Detect(head)
			again, whyAgain := l.Detect(head)
			switch {
			case score < 0:
				t.Fatalf("%s: score %d (%q)", l.Name(), score, why)
			case again != score || whyAgain != why:
				t.Fatalf("%s: %d %q, then %d %q", l.Name(), score, why, again, whyAgain)
			case score == 0 && why == "" && l.Name() == "long":
				t.Fatalf("%s declined without a reason", l.Name())
			}
		}
	})
}

// FuzzImport imports arbitrary bytes into a throwaway store, detected or
// forced to each layout (so the BACI and Comtrade parsers see every
// input): a refusal is a located *Error, a duplicate or an ErrInvalid and
// leaves the store as it was; an import stores exactly the rows it counts.
func FuzzImport(f *testing.F) {
	formats := append([]string{""}, LayoutNames()...)
	for _, name := range csvSeeds {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		for i := range formats {
			f.Add(b, uint8(i))
		}
	}
	ctx := context.Background()
	s := mustStore(f)
	total := func(t *testing.T) (sets int, rows int64) {
		ds, err := s.Datasets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			rows += d.RowCount
		}
		return len(ds), rows
	}
	f.Fuzz(func(t *testing.T, b []byte, format uint8) {
		o := Options{Format: formats[int(format)%len(formats)], FiscalStartMonth: 7, Reporter: "PAK", Source: "fuzz"}
		sets, rows := total(t)
		d, err := Import(ctx, s, "fuzz.csv", bytes.NewReader(b), o)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, data.ErrInvalid) && !errors.Is(err, data.ErrDuplicate) {
				t.Fatalf("format %q: error %v (%T) is neither located nor invalid", o.Format, err, err)
			}
			if s2, r2 := total(t); s2 != sets || r2 != rows {
				t.Fatalf("format %q: a refused import changed the store: %d datasets, %d rows; were %d, %d", o.Format, s2, r2, sets, rows)
			}
			return
		}
		obs, err := s.DatasetObservations(ctx, d.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(obs)) != d.RowCount || d.RowCount == 0 {
			t.Fatalf("format %q: dataset %d counts %d rows and holds %d", o.Format, d.ID, d.RowCount, len(obs))
		}
		for _, ob := range obs {
			if err := ob.Validate(); err != nil {
				t.Fatalf("format %q: stored an invalid observation %+v: %v", o.Format, ob, err)
			}
		}
		// Away again, so that the store stays small and the same bytes
		// import again rather than meet their duplicate.
		if _, err := s.DeleteDataset(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
	})
}
