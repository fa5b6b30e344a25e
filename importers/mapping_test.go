package importers

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"tradedash/data"
)

// mappingFigures are the six UN Comtrade figures of mapping_india_2019
// (India's 2019 all-goods trade, as comtrade_plus_india_2019.csv cites
// them), by partner and flow, in US$.
var mappingFigures = map[[2]string]float64{
	{"RUS", "import"}: 6226189464, {"RUS", "export"}: 2871228560,
	{"CHN", "import"}: 68402092562, {"CHN", "export"}: 17278832680,
	{"PAK", "import"}: 67312849, {"PAK", "export"}: 1186205288,
}

// TestMapOverridesDetection: the LibreOffice workbook (and its CSV
// source) heads the partner "Country" and has two value columns, so
// detection refuses it; a column mapping by header text or by letter
// reads it, and the report says which column each role came from.
func TestMapOverridesDetection(t *testing.T) {
	t.Parallel()
	ref := mustReference(t)
	for _, file := range []string{"mapping_india_2019.xlsx", "mapping_india_2019.csv"} {
		b := mustRead(t, file)
		_, err := Check(context.Background(), ref, file, bytes.NewReader(b), Options{})
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, "both mean trade value usd") {
			t.Fatalf("%s without a mapping: %v; want the two value columns refused as ambiguous", file, err)
		}
		for _, tt := range []struct {
			name string
			m    map[string]string
			unit string
			cols []ColumnUse
		}{
			{"by header and letter", map[string]string{"partner": "Country", "value": "E"}, "US$", []ColumnUse{
				{"reporter", "A", "Reporter", false}, {"partner", "B", "Country", true}, {"period", "C", "Year", false},
				{"flow", "D", "Trade Flow", false}, {"value", "E", "Trade Value (US$)", true}}},
			{"the thousands column, lower-case letter", map[string]string{"partner": "b", "value": "trade value (us$ thousand)"}, "thousand US$", []ColumnUse{
				{"reporter", "A", "Reporter", false}, {"partner", "B", "Country", true}, {"period", "C", "Year", false},
				{"flow", "D", "Trade Flow", false}, {"value", "F", "Trade Value (US$ thousand)", true}}},
		} {
			t.Run(file+"/"+tt.name, func(t *testing.T) {
				rep, err := Check(context.Background(), ref, file, bytes.NewReader(b), Options{Map: tt.m, SampleRows: 10})
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				if diff := cmp.Diff(tt.cols, rep.Columns); diff != "" {
					t.Errorf("Columns (-want +got):\n%s", diff)
				}
				if rep.Unit != tt.unit || rep.Rows != 6 || rep.HeaderRow != 1 || len(rep.Header) != 6 {
					t.Errorf("unit %q, %d rows, header row %d, header %q; want %s, 6, 1 and 6 cells", rep.Unit, rep.Rows, rep.HeaderRow, rep.Header, tt.unit)
				}
				got := map[[2]string]float64{}
				for _, o := range rep.Sample {
					if o.Reporter != "IND" || o.Period != data.Year(2019) {
						t.Errorf("observation %+v: want reporter IND, period 2019", o)
					}
					got[[2]string{o.Partner, string(o.Flow)}] = o.ValueUSD
				}
				if diff := cmp.Diff(mappingFigures, got); diff != "" {
					t.Errorf("figures (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestMapStoresTheFigures: an import with a mapping stores what the
// file states, all of it.
func TestMapStoresTheFigures(t *testing.T) {
	t.Parallel()
	s := mustStore(t)
	d := mustImport(t, s, xlsxDir+"/mapping_india_2019.xlsx", Options{Map: map[string]string{"partner": "Country", "value": "Trade Value (US$)"}})
	if d.RowCount != 6 || d.Format != "long" {
		t.Fatalf("dataset %+v: want 6 rows, format long", d)
	}
	rows, err := s.DatasetObservations(context.Background(), d.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]float64{}
	for _, o := range rows {
		got[[2]string{o.Partner, string(o.Flow)}] = o.ValueUSD
	}
	if diff := cmp.Diff(mappingFigures, got); diff != "" {
		t.Errorf("stored figures (-want +got):\n%s", diff)
	}
}

// TestMapRefusals: a mapping that names no column, gives one column to
// two roles, names an unknown role or meets a layout without such columns
// is refused with a located, clear error, before anything is stored.
func TestMapRefusals(t *testing.T) {
	t.Parallel()
	ref := mustReference(t)
	for _, tt := range []struct {
		name, file string
		o          Options
		row        int
		sheet      string
		want       []string
	}{
		{"no such header", "mapping_india_2019.xlsx", Options{Map: map[string]string{"partner": "Destination", "value": "E"}}, 1, "mapping_india_2019",
			[]string{`the column mapping partner=Destination names no column: no column is headed "Destination"`, `B "Country"`, `F "Trade Value (US$ thousand)"`}},
		{"letter beyond the header", "mapping_india_2019.csv", Options{Map: map[string]string{"partner": "Country", "value": "Z"}}, 1, "",
			[]string{"value=Z names no column", "column Z is beyond the header's last column, F"}},
		{"one column, two roles", "mapping_india_2019.csv", Options{Map: map[string]string{"partner": "B", "reporter": "Country", "value": "E"}}, 1, "",
			[]string{`gives column B "Country" to two roles`}},
		{"unknown role", "mapping_india_2019.csv", Options{Map: map[string]string{"importer": "B"}}, 0, "",
			[]string{`the role "importer"`, "reporter, partner, period, flow, product, value"}},
		{"a wide table", "lo_wide_pakistan_fy.xlsx", Options{Map: map[string]string{"partner": "A"}, FiscalStartMonth: 7}, 1, "lo_wide_pakistan_fy",
			[]string{"the header has no column for"}},
		{"a forced wide layout", "mapping_india_2019.csv", Options{Map: map[string]string{"partner": "B"}, Format: "wide"}, 0, "",
			[]string{`a column mapping applies to long tables, not to the layout "wide"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(context.Background(), ref, tt.file, bytes.NewReader(mustRead(t, tt.file)), tt.o)
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, data.ErrInvalid) {
				t.Fatalf("err = %v; want an *Error wrapping ErrInvalid", err)
			}
			if e.File != tt.file || e.Row != tt.row || e.Sheet != tt.sheet {
				t.Errorf("located at file %q sheet %q row %d; want %q, %q, %d (%v)", e.File, e.Sheet, e.Row, tt.file, tt.sheet, tt.row, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("error %q lacks %q", e.Error(), w)
				}
			}
		})
	}
}

// TestColumnLetters: letters round-trip as a spreadsheet names columns.
func TestColumnLetters(t *testing.T) {
	t.Parallel()
	for i, want := range map[int]string{0: "A", 3: "D", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := ColumnLetter(i); got != want {
			t.Errorf("ColumnLetter(%d) = %q, want %q", i, got, want)
		}
		if got, ok := letterIndex(strings.ToLower(want)); !ok || got != i {
			t.Errorf("letterIndex(%q) = %d, %v; want %d", want, got, ok, i)
		}
	}
	for _, bad := range []string{"", "A1", "ABCD", "É"} {
		if _, ok := letterIndex(bad); ok {
			t.Errorf("letterIndex(%q) accepted", bad)
		}
	}
}

// TestRefusalGuessesTheHeader: a file whose layout is not found still
// reports the row most likely to be its header, for choosing a mapping.
func TestRefusalGuessesTheHeader(t *testing.T) {
	t.Parallel()
	rep, err := Check(context.Background(), mustReference(t), "mapping_india_2019.xlsx", bytes.NewReader(mustRead(t, "mapping_india_2019.xlsx")), Options{})
	if err == nil || rep == nil {
		t.Fatalf("Check = %v, %v; want a refusal with a report", rep, err)
	}
	want := []string{"Reporter", "Country", "Year", "Trade Flow", "Trade Value (US$)", "Trade Value (US$ thousand)"}
	if diff := cmp.Diff(want, rep.Header); diff != "" || rep.Sheet != "mapping_india_2019" || rep.Layout != "" {
		t.Errorf("header (-want +got):\n%s\nsheet %q, layout %q", diff, rep.Sheet, rep.Layout)
	}
}

// TestFindColumnLetterFirst: a capital letter within the header is a
// column letter even when another column is headed by that letter in
// lower case (the upload page's lists send letters); lower case finds the
// header first.
func TestFindColumnLetterFirst(t *testing.T) {
	names := []string{"Reporter", "Partner", "b", "Value"}
	for _, tt := range []struct {
		want string
		i    int
	}{{"B", 1}, {"b", 2}, {"Partner", 1}, {"value", 3}, {"D", 3}} {
		if i, msg := findColumn(names, tt.want); i != tt.i || msg != "" {
			t.Errorf("findColumn(%q) = %d %q; want %d", tt.want, i, msg, tt.i)
		}
	}
}
