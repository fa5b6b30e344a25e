package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"tradedash/data"
)

// TestImportRecordsTheCLIUser: a dataset imported by the import command
// says it came from the CLI and which user ran it.
func TestImportRecordsTheCLIUser(t *testing.T) {
	t.Setenv("USER", "analyst7")
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "t.db")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "--db", db, filepath.Join("importers", "testdata", "long_mixed.csv")}, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut.String())
	}
	ref, err := data.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(ctx, db, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sets, err := store.DatasetList(ctx)
	if err != nil || len(sets) != 1 {
		t.Fatalf("datasets = %v, %v", sets, err)
	}
	if sets[0].ImportedBy != "cli:analyst7" {
		t.Errorf("ImportedBy = %q, want cli:analyst7", sets[0].ImportedBy)
	}
}
