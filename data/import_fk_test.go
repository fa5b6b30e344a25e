package data

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// fkOn reads foreign_keys on the write connection.
func fkOn(t *testing.T, s *Store) int {
	t.Helper()
	var on int
	if err := s.write.QueryRowContext(context.Background(), `PRAGMA foreign_keys`).Scan(&on); err != nil {
		t.Fatal(err)
	}
	return on
}

// TestImportCancelRestoresForeignKeys: an import whose context ends
// mid-load (shutdown, a closed request) rolls back; foreign keys must be
// on afterwards, every time.
func TestImportCancelRestoresForeignKeys(t *testing.T) {
	s, _ := mustOpenStore(t)
	for i := range 200 {
		ctx, cancel := context.WithCancel(context.Background())
		_, err := s.Import(ctx, testDataset("cancelled"), func(emit func(Observation) error) error {
			if err := bulkRows(10, emit); err != nil {
				return err
			}
			cancel()
			return ctx.Err()
		})
		if err == nil {
			t.Fatal("import with a cancelled context succeeded")
		}
		if on := fkOn(t, s); on != 1 {
			t.Fatalf("run %d: after a cancelled import foreign_keys = %d on the write connection, want 1", i, on)
		}
		checkConstraintsEnforced(t, s, fmt.Sprintf("run %d, after a cancelled import", i))
	}
}

// TestDeleteAfterCancelledImportCascades: after an import cut short
// by its context, deleting a dataset must still delete its observations
// (ON DELETE CASCADE needs foreign_keys on).
func TestDeleteAfterCancelledImportCascades(t *testing.T) {
	s, _ := mustOpenStore(t)
	bg := context.Background()
	d, err := s.Import(bg, testDataset("kept"), func(emit func(Observation) error) error { return bulkRows(20, emit) })
	if err != nil {
		t.Fatal(err)
	}
	// A few cancelled imports: whether one leaves the checks off depends
	// on a race with database/sql's own rollback of the cancelled Tx.
	for range 200 {
		ctx, cancel := context.WithCancel(bg)
		_, _ = s.Import(ctx, testDataset("cancelled"), func(emit func(Observation) error) error {
			if err := bulkRows(10, emit); err != nil {
				return err
			}
			cancel()
			return ctx.Err()
		})
		if fkOn(t, s) == 0 {
			break
		}
	}
	t.Logf("foreign_keys before the delete: %d", fkOn(t, s))
	if _, err := s.DeleteDataset(bg, d.ID); err != nil {
		t.Fatal(err)
	}
	assertCounts(t, s, 0, 0)
}

// TestImportTxRestoresSortSettings: an import whose transaction ends
// while restoreIndexes has the sorter's settings on (a cancel during the
// rebuild: the deferred restore then runs on a finished transaction and
// does nothing) leaves the write connection as it was, through
// inImportTx's own clean-up.
func TestImportTxRestoresSortSettings(t *testing.T) {
	s, _ := mustOpenStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := s.inImportTx(ctx, func(tx *sql.Tx) error {
		if _, err := sortInFiles(ctx, tx, importCacheKiB); err != nil {
			return err
		}
		cancel()
		return ctx.Err()
	})
	if err == nil {
		t.Fatal("the cancelled transaction succeeded")
	}
	sortSettingsRestored(t, s, "after a cancel during the rebuild")
	checkConstraintsEnforced(t, s, "after a cancel during the rebuild")
}

// sortSettingsRestored fails unless the write connection has its own
// settings back after restoreIndexes's (sortInFiles): temporary files in
// memory for the inserts' statement journals, no sorter threads, and the
// write connection's page cache.
func sortSettingsRestored(t *testing.T, s *Store, when string) {
	t.Helper()
	var temp, threads, cache int
	if err := s.write.QueryRowContext(context.Background(), `SELECT temp_store, threads, cache_size FROM pragma_temp_store, pragma_threads, pragma_cache_size`).Scan(&temp, &threads, &cache); err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	if temp != 2 || threads != 0 || cache != -writeCacheKiB {
		t.Errorf("%s: temp_store %d, threads %d, cache_size %d on the write connection; want 2 (MEMORY), 0, %d", when, temp, threads, cache, -writeCacheKiB)
	}
}
