package data

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// observationIndexes lists the observations table's indexes with their
// definitions.
func observationIndexes(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.read.Query(`SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'observations' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// bulkRows are n generated observations (synthetic test values).
func bulkRows(n int, emit func(Observation) error) error {
	partners := []string{"RUS", "CHN", "USA", "IND", "DEU"}
	for i := range n {
		o := obs("PAK", partners[i%len(partners)], Year(1950+i%70), Export, float64(i+1), "")
		if err := emit(o); err != nil {
			return err
		}
	}
	return nil
}

// TestImportBulkRebuildsIndexes: an import big enough to drop the
// indexes during the load stores every row and leaves the same indexes,
// used by the queries; one that fails after the drop changes nothing,
// indexes included.
func TestImportBulkRebuildsIndexes(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	s.bulkThreshold = 5 * insertBatch // 100,000 rows take minutes under -race
	before := observationIndexes(t, s)
	if len(before) < 3 {
		t.Fatalf("indexes before: %q", before)
	}
	n := int(s.bulkThreshold) + 2*insertBatch + 7

	boom := errors.New("the file ends in a bad row")
	_, err := s.Import(ctx, testDataset("fails late"), func(emit func(Observation) error) error {
		if err := bulkRows(n, emit); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	assertCounts(t, s, 0, 0)
	if after := observationIndexes(t, s); !slices.Equal(after, before) {
		t.Fatalf("after a failed bulk import the indexes are %q, want %q", after, before)
	}

	d, err := s.Import(ctx, testDataset("bulk"), func(emit func(Observation) error) error { return bulkRows(n, emit) })
	if err != nil {
		t.Fatal(err)
	}
	if d.RowCount != int64(n) {
		t.Errorf("row_count %d, want %d", d.RowCount, n)
	}
	assertCounts(t, s, 1, n)
	if after := observationIndexes(t, s); !slices.Equal(after, before) {
		t.Errorf("after a bulk import the indexes are %q, want %q", after, before)
	}
	var plan string
	if err := s.read.QueryRow(`EXPLAIN QUERY PLAN SELECT sum(value_usd) FROM observations WHERE reporter = 'PAK' AND partner = 'RUS'`).Scan(new(int), new(int), new(int), &plan); err != nil {
		t.Fatal(err)
	}
	if want := "USING INDEX observations_"; !strings.Contains(plan, want) {
		t.Errorf("query plan %q does not use the rebuilt index (%q)", plan, want)
	}
	var count int
	var total float64
	if err := s.read.QueryRow(`SELECT count(*), sum(value_usd) FROM observations WHERE reporter = 'PAK' AND partner = 'RUS'`).Scan(&count, &total); err != nil {
		t.Fatal(err)
	}
	wantCount, wantTotal := 0, 0.0
	for i := 0; i < n; i += 5 {
		wantCount++
		wantTotal += float64(i + 1)
	}
	if count != wantCount || total != wantTotal {
		t.Errorf("PAK-RUS: %d rows summing to %v, want %d summing to %v", count, total, wantCount, wantTotal)
	}
}

// TestImportInsertErrorStops: when the database refuses an INSERT in
// the inserter goroutine (here a trigger refuses one value, which no
// check in write catches), the producer's next emits return that error
// within a few batches, and nothing is stored.
func TestImportInsertErrorStops(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	if _, err := s.write.ExecContext(ctx, `CREATE TEMP TRIGGER refuse_777 BEFORE INSERT ON main.observations
		WHEN NEW.value_usd = 777 BEGIN SELECT RAISE(ABORT, 'test refusal of 777'); END`); err != nil {
		t.Fatal(err)
	}
	const bad, total = 3*insertBatch + 5, 200 * insertBatch
	emitted := 0
	_, err := s.Import(ctx, testDataset("refused"), func(emit func(Observation) error) error {
		for i := range total {
			v := float64(i + 1)
			if i == bad {
				v = 777
			}
			if err := emit(obs("PAK", "RUS", Year(2000), Export, v, "")); err != nil {
				return err
			}
			emitted++
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "test refusal of 777") {
		t.Fatalf("err = %v, want the trigger's refusal", err)
	}
	// The producer runs at most the batches in flight, the one being
	// inserted and the one being filled ahead of the inserter.
	if limit := bad + (batchesInFlight+2)*insertBatch; emitted > limit {
		t.Errorf("%d rows emitted after the refusal at row %d (at most %d expected)", emitted, bad, limit)
	}
	assertCounts(t, s, 0, 0)
}

// TestImportRestoresForeignKeys: Import turns SQLite's foreign-key checks
// off for its own transaction only; after an import that succeeds and
// one that fails, the write connection refuses an observation of a
// dataset that does not exist and deletes cascade again.
func TestImportRestoresForeignKeys(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	s.bulkThreshold = 20 // the imports below drop and rebuild the indexes
	check := func(when string) {
		t.Helper()
		var on int
		if err := s.write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil {
			t.Fatal(err)
		}
		if on != 1 {
			t.Errorf("%s: foreign_keys = %d on the write connection, want 1", when, on)
		}
		_, err := s.write.ExecContext(ctx, `INSERT INTO observations (dataset_id, reporter, partner, period_start, period_end, flow, product_id, value_usd)
			VALUES (999999, 'PAK', 'RUS', 202001, 202012, 'export', (SELECT min(id) FROM products), 1)`)
		if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Errorf("%s: an observation of no dataset was not refused (err = %v)", when, err)
		}
		checkConstraintsEnforced(t, s, when)
		sortSettingsRestored(t, s, when)
	}
	check("before any import")
	d, err := s.Import(ctx, testDataset("kept"), func(emit func(Observation) error) error { return bulkRows(50, emit) })
	if err != nil {
		t.Fatal(err)
	}
	check("after an import")
	boom := errors.New("bad row")
	if _, err := s.Import(ctx, testDataset("refused"), func(emit func(Observation) error) error {
		if err := bulkRows(50, emit); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	check("after a failed import")
	if _, err := s.write.ExecContext(ctx, `DELETE FROM datasets WHERE id = ?`, d.ID); err != nil {
		t.Fatal(err)
	}
	assertCounts(t, s, 0, 0)
}

// TestImportLeanAndFullBatches: batches whose rows all have the default
// bound, quantity and quote take the shorter statement, a batch with one
// row that does not takes the full one, and every row reads back as it
// was written, in order (synthetic values).
func TestImportLeanAndFullBatches(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	n := 2*insertBatch + insertBatch/2
	var in []Observation
	for i := range n {
		o := obs("PAK", "RUS", Year(1950+i%70), Export, float64(i)+0.5, fmt.Sprintf("f.csv, row %d", i+2))
		m := NewMonth(1950+i/12%70, 1+i%12)
		o.Period = Period{m, m}
		if i == insertBatch+7 {
			q := 12.5
			o.Quantity, o.QtyUnit, o.Bound, o.SourceQuote = &q, "kg", AtLeast, "a quote"
		}
		in = append(in, o)
	}
	d, err := importAll(ctx, s, testDataset("mixed"), in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.DatasetObservations(ctx, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d rows read back, want %d", len(got), n)
	}
	for i := range in {
		want := in[i]
		want.Product = got[i].Product // names are filled in from the products table
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Fatalf("row %d (-written +read):\n%s", i, diff)
		}
	}
}
