package data

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestImportDuplicates: a file that states a figure twice with the same
// value keeps it once and names both rows; one that states two values
// keeps both (a conflict in the views) and names both rows. Small and
// bulk imports (where the indexes are dropped during the load) behave
// alike, and the aggregates still equal a GROUP BY over what is stored.
// Figures are synthetic.
func TestImportDuplicates(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprint("bulk=", bulk), func(t *testing.T) {
			ctx := context.Background()
			s, _ := mustOpenStore(t)
			filler := 0
			if bulk {
				s.bulkThreshold = 2 * insertBatch
				filler = 5 * insertBatch
			}
			chapter := Product{Classification: HS, Code: "09"}
			var rows []Observation
			add := func(o Observation) { rows = append(rows, o) }
			add(obs("PAK", "RUS", Year(2001), Export, 5, "f.csv, row 2"))
			add(obs("PAK", "RUS", Year(2002), Export, 7, "f.csv, row 3"))
			others := []string{"CHN", "USA", "IND", "DEU", "FRA"}
			for i := range filler { // distinct keys
				add(obs("PAK", others[i%5], Year(1950+i/5), Export, float64(i+1), fmt.Sprintf("f.csv, row %d", 4+i)))
			}
			n := 4 + filler
			same := obs("PAK", "RUS", Year(2001), Export, 5, fmt.Sprintf("f.csv, row %d", n))
			add(same)
			differs := obs("PAK", "RUS", Year(2002), Export, 8, fmt.Sprintf("f.csv, row %d", n+1))
			add(differs)
			tea := obs("PAK", "RUS", Year(2001), Export, 3, fmt.Sprintf("f.csv, row %d", n+2))
			tea.Product = chapter // another product: no duplicate
			add(tea)
			again := same
			again.SourceRef = fmt.Sprintf("f.csv, row %d", n+3) // a third time
			add(again)
			// One figure from two sources the file names (a source
			// column): no repeat, both kept, so neither source is lost.
			add(obs("PAK", "RUS", Year(2003), Export, 9, "https://a.example/report"))
			add(obs("PAK", "RUS", Year(2003), Export, 9, "https://b.example/statement"))

			d := testDataset("dups")
			d.CheckDuplicates = true
			got, err := importAll(ctx, s, d, rows)
			if err != nil {
				t.Fatal(err)
			}
			want := []Duplicate{
				{First: "f.csv, row 2", Again: fmt.Sprintf("f.csv, row %d", n), Same: true},
				{First: "f.csv, row 3", Again: fmt.Sprintf("f.csv, row %d", n+1)},
				{First: "f.csv, row 2", Again: fmt.Sprintf("f.csv, row %d", n+3), Same: true},
			}
			if diff := cmp.Diff(want, got.Duplicates); diff != "" {
				t.Errorf("duplicates (-want +got):\n%s", diff)
			}
			if got.DuplicatesFound != 3 || got.RowCount != int64(len(rows)-2) {
				t.Errorf("DuplicatesFound %d, RowCount %d; want 3 and %d", got.DuplicatesFound, got.RowCount, len(rows)-2)
			}
			assertCounts(t, s, 1, len(rows)-2)
			assertAggregatesMatch(t, s.read)
			var refs []string
			r, err := s.read.Query(`SELECT source_ref || ' ' || value_usd FROM observations WHERE partner = 'RUS' ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
				var ref string
				if err := r.Scan(&ref); err != nil {
					t.Fatal(err)
				}
				refs = append(refs, ref)
			}
			r.Close()
			wantRefs := []string{"f.csv, row 2 5.0", "f.csv, row 3 7.0", fmt.Sprintf("f.csv, row %d 8.0", n+1), fmt.Sprintf("f.csv, row %d 3.0", n+2),
				"https://a.example/report 9.0", "https://b.example/statement 9.0"}
			if diff := cmp.Diff(wantRefs, refs); diff != "" {
				t.Errorf("stored PAK-RUS rows (-want +got):\n%s", diff)
			}
			if got := want[0].String(); got != fmt.Sprintf("f.csv, row %d repeats f.csv, row 2 (same figure); stored once", n) {
				t.Errorf("message %q", got)
			}
		})
	}
}

// TestImportDuplicatesOff: without CheckDuplicates (curated statements,
// the demo data), two rows with one key are both stored and nothing is
// reported: several sources stating one figure.
func TestImportDuplicatesOff(t *testing.T) {
	s, _ := mustOpenStore(t)
	d, err := importAll(context.Background(), s, testDataset("sources"), []Observation{
		obs("PAK", "RUS", Year(2001), Export, 5, "https://a.example/1"),
		obs("PAK", "RUS", Year(2001), Export, 5, "https://b.example/2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.RowCount != 2 || d.DuplicatesFound != 0 {
		t.Errorf("RowCount %d, DuplicatesFound %d; want 2 and 0", d.RowCount, d.DuplicatesFound)
	}
}

// TestImportHugeValuesAggregate: two values whose sum passes the largest
// float64 (both finite, both valid) import, and abs_value is what SQLite's
// sum() gives for them (+Inf), not NaN, which SQLite would store as NULL.
func TestImportHugeValuesAggregate(t *testing.T) {
	s, _ := mustOpenStore(t)
	if _, err := importAll(context.Background(), s, testDataset("huge"), []Observation{
		obs("PAK", "RUS", Year(2001), Export, 1e308, "a"),
		obs("PAK", "RUS", Year(2002), Export, 1.7976931348623157e308, "b"),
	}); err != nil {
		t.Fatal(err)
	}
	assertAggregatesMatch(t, s.read)
}
