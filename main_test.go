package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// datasetsJSON runs "tradedash datasets --json" and decodes its output.
func datasetsJSON(t *testing.T, db string) []map[string]any {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"datasets", "--db", db, "--json"}, &out, &errOut); err != nil {
		t.Fatalf("datasets: %v\n%s", err, errOut.String())
	}
	var sets []map[string]any
	if err := json.Unmarshal(out.Bytes(), &sets); err != nil {
		t.Fatalf("datasets --json: %v\n%s", err, out.String())
	}
	return sets
}

// TestImportCommand runs the import subcommand end to end on real files
// and a real SQLite database.
func TestImportCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "t.db")
	good := filepath.Join("importers", "testdata", "long_mixed.csv")

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "--db", db, "--source", "hand-written sample", good}, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"ID", "long_mixed", "5", "long", good} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("import output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if err := run(ctx, []string{"datasets", "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("datasets: %v", err)
	}
	if !strings.Contains(out.String(), "long_mixed") {
		t.Errorf("datasets output lacks the imported set:\n%s", out.String())
	}

	// --json, with the options a file without reporter and fiscal-year
	// context needs.
	out.Reset()
	tsv := filepath.Join("importers", "testdata", "tab_cr_bom.tsv")
	if err := run(ctx, []string{"import", "--db", db, "--json", "--name", "Pakistan FY", "--fiscal-start-month", "7", tsv}, &out, &errOut); err != nil {
		t.Fatalf("import --json: %v", err)
	}
	var res []struct {
		ID     int64
		Name   string
		Rows   int64
		Format string
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 || res[0].ID != 2 || res[0].Name != "Pakistan FY" || res[0].Rows != 3 || res[0].Format != "long" {
		t.Errorf("import --json = %+v, %v\n%s", res, err, out.String())
	}

	before := datasetsJSON(t, db)
	if len(before) != 2 {
		t.Fatalf("%d datasets; want 2", len(before))
	}

	// A bad value in the last row: a located error, and nothing stored.
	bad := filepath.Join("importers", "testdata", "bad_value.csv")
	out.Reset()
	err := run(ctx, []string{"import", "--db", db, bad}, &out, &errOut)
	if err == nil || !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("bad file: error %v; want data.ErrInvalid", err)
	}
	if want := bad + `: row 5, column "Trade Value (US$)": "12x" is not a number`; !strings.Contains(err.Error(), want) {
		t.Errorf("bad file: error %q; want it to contain %q", err, want)
	}

	// The same file again: reported with the dataset that holds it.
	err = run(ctx, []string{"import", "--db", db, good}, &out, &errOut)
	if !errors.Is(err, data.ErrDuplicate) || !strings.Contains(err.Error(), "already imported as dataset 1") {
		t.Errorf("second import: %v; want data.ErrDuplicate naming dataset 1", err)
	}

	// Not a table at all.
	err = run(ctx, []string{"import", "--db", db, filepath.Join("importers", "testdata", "comtrade_result_too_large.csv")}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "not a table") {
		t.Errorf("plain-text message: %v", err)
	}

	after := datasetsJSON(t, db)
	if len(after) != len(before) {
		t.Errorf("datasets changed from %v to %v", before, after)
	}
	for i := range after {
		if after[i]["rows"] != before[i]["rows"] || after[i]["sha256"] != before[i]["sha256"] {
			t.Errorf("dataset %d changed from %v to %v", i, before[i], after[i])
		}
	}

	if err := run(ctx, []string{"import", "--db", db}, &out, &errOut); err == nil {
		t.Error("import without files: no error")
	}
}

// TestImportWorkbookSheet imports a sheet of a LibreOffice-written workbook
// by name through the CLI, and refuses a sheet that does not exist.
func TestImportWorkbookSheet(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "t.db")
	var out, errOut bytes.Buffer
	file := filepath.Join("importers", "testdata", "xlsx", "lo_long.xlsx")
	if err := run(ctx, []string{"import", "--db", db, "--sheet", "Nope", file}, &out, &errOut); err == nil ||
		!strings.Contains(errOut.String()+err.Error(), "Nope") {
		t.Fatalf("a missing sheet: err %v, stderr %q", err, errOut.String())
	}
	out.Reset()
	if err := run(ctx, []string{"import", "--db", db, "--json", file}, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `"rows": 10`) {
		t.Errorf("import output: %s", out.String())
	}
}

// TestImportFormatAndFlow: --format forces a layout (an unknown name lists
// them), and --reporter, --flow and --unit read a wide table that has
// no title.
func TestImportFormatAndFlow(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "t.db")
	var out, errOut bytes.Buffer
	good := filepath.Join("importers", "testdata", "long_mixed.csv")
	err := run(ctx, []string{"import", "--db", db, "--format", "nope", good}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `unknown format "nope" (expected one of tradedash-long, comtrade-legacy, comtrade-plus, baci, wits, imf-dots, long, wide)`) {
		t.Errorf("--format nope: %v", err)
	}
	wide := filepath.Join(t.TempDir(), "wide.csv")
	if err := os.WriteFile(wide, []byte("Partner,2019,2020\nRussia,1.5,..\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	args := []string{"import", "--db", db, "--json", "--format", "wide", "--reporter", "IND", "--flow", "export", "--unit", "million US$", wide}
	if err := run(ctx, args, &out, &errOut); err != nil {
		t.Fatalf("import wide: %v\n%s", err, errOut.String())
	}
	if s := out.String(); !strings.Contains(s, `"format": "wide"`) || !strings.Contains(s, `"rows": 1`) || !strings.Contains(s, `"skipped": 1`) {
		t.Errorf("import wide output: %s", s)
	}
	if err := run(ctx, []string{"import", "--db", db, "--flow", "sideways", good}, &out, &errOut); err == nil || !strings.Contains(err.Error(), `"sideways" is not a trade flow`) {
		t.Errorf("--flow sideways: %v", err)
	}
}
