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

// TestImportMap: --map reads a workbook whose header detection cannot
// read, a dry run says which column each role came from, and a bad
// --map is refused before anything is read.
func TestImportMap(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "t.db")
	book := filepath.Join("importers", "testdata", "xlsx", "mapping_india_2019.xlsx")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "--db", db, book}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "both mean trade value usd") {
		t.Fatalf("import without --map: %v; want the two value columns refused", err)
	}
	out.Reset()
	if err := run(ctx, []string{"import", "--dry-run", "--map", "partner=Country", "--map", "value=E", book}, &out, &errOut); err != nil {
		t.Fatalf("dry run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{`partner:  B "Country" (given with --map)`, `value:    E "Trade Value (US$)" (given with --map)`,
		`reporter: A "Reporter" (detected)`, "6 observations", "IND-RUS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(ctx, []string{"import", "--db", db, "--map", "partner=Country", "--map", "value=Trade Value (US$)", book}, &out, &errOut); err != nil {
		t.Fatalf("import --map: %v\n%s", err, errOut.String())
	}
	if sets := datasetsJSON(t, db); len(sets) != 1 || sets[0]["rows"] != float64(6) {
		t.Errorf("datasets = %v; want one of 6 rows", sets)
	}
	for _, bad := range [][]string{{"--map", "importer=B"}, {"--map", "partner"}, {"--map", "partner=B", "--map", "partner=C"}} {
		errOut.Reset()
		if err := run(ctx, append(append([]string{"import", "--dry-run"}, bad...), book), &out, &errOut); err == nil {
			t.Errorf("import %q succeeded", bad)
		}
	}
}
