package importers

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// TestImportDuplicateRows: a CSV and an .xlsx that state one figure twice
// with the same value (kept once) and another twice with different values
// (both kept, a conflict), warned about with both rows named. Figures are
// synthetic.
func TestImportDuplicateRows(t *testing.T) {
	t.Parallel()
	rows := [][]string{
		{"reporter", "partner", "year", "flow", "value"},
		{"PAK", "RUS", "2001", "export", "5"},
		{"PAK", "RUS", "2002", "export", "7"},
		{"Pakistan", "Russia", "2001", "Exports", "5"}, // row 2 again, in other words
		{"PAK", "RUS", "2002", "export", "8"},          // row 3 with another value
		{"PAK", "RUS", "2003", "export", "9"},
	}
	var csv strings.Builder
	for _, r := range rows {
		csv.WriteString(strings.Join(r, ",") + "\n")
	}
	f := excelize.NewFile()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var xlsx bytes.Buffer
	if err := f.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, place string
		body        []byte
	}{
		{"dups.csv", "dups.csv", []byte(csv.String())},
		{"dups.xlsx", "dups.xlsx, sheet Sheet1", xlsx.Bytes()},
	} {
		s := mustStore(t)
		d, rep, err := ImportReport(context.Background(), s, filepath.Join("in", c.name), bytes.NewReader(c.body), Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d.RowCount != 4 || rep.Rows != 4 {
			t.Errorf("%s: %d rows stored (report %d), want 4", c.name, d.RowCount, rep.Rows)
		}
		var got []string
		for _, w := range rep.Warnings {
			if strings.Contains(w, "more than once") || strings.Contains(w, "row ") {
				got = append(got, w)
			}
		}
		want := []string{
			c.name + " states 2 figures more than once (same reporter, partner, period, flow and product)",
			c.place + ", row 4 repeats " + c.place + ", row 2 (same figure); stored once",
			c.place + ", row 3 and " + c.place + ", row 5 state different figures for the same reporter, partner, period, flow and product; both are stored and shown as a conflict",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: warnings (-want +got):\n%s", c.name, diff)
		}
	}
}
