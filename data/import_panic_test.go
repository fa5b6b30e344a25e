package data

import (
	"context"
	"testing"
	"time"
)

// TestImportPanicRestoresForeignKeys: a producer that panics (an
// importer bug, a malformed file a library chokes on) must neither hang
// the import nor leave the write connection without foreign-key checks.
func TestImportPanicRestoresForeignKeys(t *testing.T) {
	s, _ := mustOpenStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan any, 1)
	go func() {
		defer func() { returned <- recover() }()
		_, _ = s.Import(ctx, testDataset("panics"), func(emit func(Observation) error) error {
			if err := bulkRows(50, emit); err != nil {
				return err
			}
			panic("importer bug")
		})
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Errorf("Import did not return within 5 s of its producer's panic (ctx still live); cancelling ctx")
		cancel()
		<-returned
	}
	if on := fkOn(t, s); on != 1 {
		t.Errorf("after a panicking import: foreign_keys = %d on the write connection, want 1", on)
	}
	checkConstraintsEnforced(t, s, "after a panicking import")
}
