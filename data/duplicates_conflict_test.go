package data

import (
	"context"
	"testing"
)

// TestRepeatAfterConflictStoredOnce: rows 2 (5), 3 (6) and 4 (6)
// of one file for one key: row 4 repeats row 3's figure and should be
// stored once, as any other repeat is; only the 5 against 6 is a
// conflict. Figures are synthetic.
func TestRepeatAfterConflictStoredOnce(t *testing.T) {
	s, _ := mustOpenStore(t)
	d := testDataset("conflict then repeat")
	d.CheckDuplicates = true
	got, err := importAll(context.Background(), s, d, []Observation{
		obs("PAK", "RUS", Year(2001), Export, 5, "f.csv, row 2"),
		obs("PAK", "RUS", Year(2001), Export, 6, "f.csv, row 3"),
		obs("PAK", "RUS", Year(2001), Export, 6, "f.csv, row 4"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("duplicates reported: %v", got.Duplicates)
	if got.RowCount != 2 {
		t.Errorf("RowCount %d, want 2: row 4 repeats row 3's figure", got.RowCount)
	}
}
