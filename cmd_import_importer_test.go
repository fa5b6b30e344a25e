package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
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

// TestDatasetsListsImporterAndDefault: `tradedash datasets` says who
// imported each dataset and which one is the default, as a table and as
// JSON, and follows a change of the default.
func TestDatasetsListsImporterAndDefault(t *testing.T) {
	t.Setenv("USER", "analyst7")
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "t.db")
	var out, errOut bytes.Buffer
	for _, f := range []string{"long_mixed.csv", "long_thousand_usd.csv"} {
		if err := run(ctx, []string{"import", "--db", db, filepath.Join("importers", "testdata", f)}, &out, &errOut); err != nil {
			t.Fatalf("import %s: %v\n%s", f, err, errOut.String())
		}
	}
	ref, err := data.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(ctx, db, ref)
	if err != nil {
		t.Fatal(err)
	}
	on := true
	if _, err := store.UpdateDataset(ctx, 2, data.DatasetChanges{Default: &on}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	out.Reset()
	if err := run(ctx, []string{"datasets", "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("datasets: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("datasets printed %d lines, want a header and 2 rows:\n%s", len(lines), out.String())
	}
	if f := strings.Fields(lines[0]); len(f) < 8 || f[1] != "DEFAULT" || !slices.Contains(f, "BY") {
		t.Errorf("header %q lacks DEFAULT after ID, or BY", lines[0])
	}
	for i, want := range []struct {
		prefix string
		def    bool
	}{{"1 ", false}, {"2 ", true}} {
		row := lines[i+1]
		f := strings.Fields(row)
		if !strings.HasPrefix(row, want.prefix) || !slices.Contains(f, "cli:analyst7") || (f[1] == "*") != want.def {
			t.Errorf("row %q: want id %q, imported by cli:analyst7, default %v", row, want.prefix, want.def)
		}
	}

	sets := datasetsJSON(t, db)
	for i, s := range sets {
		if s["imported_by"] != "cli:analyst7" || s["default"] != (i == 1) {
			t.Errorf("datasets --json row %d = %v: want imported_by cli:analyst7, default %v", i, s, i == 1)
		}
	}
}
