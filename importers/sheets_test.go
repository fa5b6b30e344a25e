package importers

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSheets(t *testing.T) {
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		file string
		want []Sheet
	}{
		{"xlsx/lo_long.xlsx", []Sheet{{Name: "lo_long"}}},
		{"long_mixed.csv", nil},
	} {
		b := read(tc.file)
		got, err := Sheets(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: sheets (-want +got):\n%s", tc.file, diff)
		}
	}
	// A hidden sheet is listed, and marked.
	b := read("xlsx/sheetjs_sheet_visibility.xlsx")
	got, err := Sheets(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	hidden := 0
	for _, s := range got {
		if s.Hidden {
			hidden++
		}
	}
	if len(got) < 2 || hidden == 0 {
		t.Errorf("sheetjs_sheet_visibility.xlsx: sheets %+v, want several with a hidden one", got)
	}
	// A damaged workbook is an *Error.
	lo := read("xlsx/lo_long.xlsx")
	if _, err := Sheets(bytes.NewReader(lo[:len(lo)/2]), int64(len(lo)/2)); err == nil {
		t.Error("half a workbook: no error")
	} else if _, ok := err.(*Error); !ok {
		t.Errorf("half a workbook: %T %v, want *Error", err, err)
	}
}
