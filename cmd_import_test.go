package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestImportDryRun: --dry-run reads the whole file and says how, without
// creating or touching the database.
func TestImportDryRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "t.db")
	file := filepath.Join("importers", "testdata", "wide_months_2023.csv")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "--db", db, "--dry-run", file}, &out, &errOut); err != nil {
		t.Fatalf("dry run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{
		file + ": dry run, nothing written",
		"layout:   wide (wide table: 6 period columns",
		"header:   row 4",
		`unit:     million US$ (row 2 "US$ million")`,
		`found:    reporter PAK, flow export from the title in row 1 "Exports of Pakistan to selected countries, January–June 2023"`,
		"rows:     12 observations",
		"periods:  Jan 2023, Feb 2023, Mar 2023, Apr 2023, May 2023, Jun 2023 (6)",
		"pairs:    PAK-CHN, PAK-RUS (2)",
		"first 10 rows:",
		"PAK       CHN      Jan 2023  export  TOTAL    1500000      wide_months_2023.csv, row 5, column Jan",
		`row 7 "Total" is the sum of the partners listed above it, not trade with the World: not stored`,
		"warning: PAK export TOTAL, Jun 2023: the Total row (row 7, the sum of the partners listed; not stored) states 10,000,000 US$ but the 2 partners listed add up to 9,500,000 US$",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the dry run created the database: %v", err)
	}

	// The same as JSON.
	out.Reset()
	if err := run(ctx, []string{"import", "--db", db, "--dry-run", "--json", file}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var res []importResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	r := res[0]
	if !r.DryRun || r.ID != 0 || r.Layout != "wide" || r.HeaderRow != 4 || r.Unit != "million US$" || r.Rows != 12 || len(r.Periods) != 6 ||
		r.PairCount != 2 || len(r.Sample) != 10 || r.Sample[0].ValueUSD != 1.5e6 || len(r.Warnings) != 1 {
		t.Errorf("--json: %+v", r)
	}

	// A file the dry run refuses: how it was read, and the error; exit non-zero.
	out.Reset()
	bad := filepath.Join("importers", "testdata", "bad_value.csv")
	err := run(ctx, []string{"import", "--db", db, "--dry-run", "--json", bad}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `row 5, column "Trade Value (US$)": "12x" is not a number`) {
		t.Errorf("dry run of a bad file: %v", err)
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 || res[0].Layout != "long" || !strings.Contains(res[0].Error, `"12x"`) {
		t.Errorf("dry run of a bad file, --json: %v %s", err, out.String())
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the dry run created the database: %v", err)
	}
}

// TestImportSkipBadRowsCommand: with --skip-bad-rows the good rows are
// stored and every bad one listed with its place; without, nothing is.
func TestImportSkipBadRowsCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "t.db")
	bad := filepath.Join("importers", "testdata", "bad_value.csv")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "--db", db, bad}, &out, &errOut); err == nil {
		t.Fatal("a bad row was accepted without --skip-bad-rows")
	}
	if sets := datasetsJSON(t, db); len(sets) != 0 {
		t.Fatalf("the refused file left %v", sets)
	}
	if err := run(ctx, []string{"import", "--db", db, "--skip-bad-rows", bad}, &out, &errOut); err != nil {
		t.Fatalf("--skip-bad-rows: %v", err)
	}
	for _, want := range []string{
		"bad_value", "bad rows left out (1):",
		`row 5, column "Trade Value (US$)", value "12x": "12x" is not a number`,
		"warning: 1 bad rows were skipped (--skip-bad-rows); their figures are not in the dataset",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	sets := datasetsJSON(t, db)
	if len(sets) != 1 || sets[0]["rows"] != float64(3) {
		t.Errorf("datasets %v; want one of 3 rows", sets)
	}

	// --json counts the bad row among the skipped ones, apart from the
	// cells that state no value.
	out.Reset()
	db2 := filepath.Join(t.TempDir(), "t.db")
	if err := run(ctx, []string{"import", "--db", db2, "--skip-bad-rows", "--json", bad}, &out, &errOut); err != nil {
		t.Fatalf("--skip-bad-rows --json: %v", err)
	}
	var res []importResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	if r := res[0]; r.BadCount != 1 || r.NoValue != 0 || r.Skipped != 1 || len(r.BadRows) != 1 {
		t.Errorf("--json: skipped %d, no_value %d, bad_row_count %d, bad_rows %v; want 1, 0, 1 and the row", r.Skipped, r.NoValue, r.BadCount, r.BadRows)
	}
}

// TestImportKeepsOriginal: the command keeps an imported file's bytes
// beside the database, named by the sha256 the dataset records, as the
// server keeps uploads; a refused file, a file already imported and a dry
// run leave nothing there, and a directory that cannot take the copy
// stops the import before anything is written.
func TestImportKeepsOriginal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a b%41") // a database path read as a URI must keep its spaces and %
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "t.db")
	originals := db + ".files"
	file := filepath.Join("importers", "testdata", "wide_months_2023.csv")
	bad := filepath.Join("importers", "testdata", "bad_value.csv")
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(want)
	var out, errOut bytes.Buffer

	if err := run(ctx, []string{"import", "--db", db, "--dry-run", file}, &out, &errOut); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if _, err := os.Stat(originals); !os.IsNotExist(err) {
		t.Errorf("the dry run made %s: %v", originals, err)
	}

	out.Reset()
	if err := run(ctx, []string{"import", "--db", db, "--json", file}, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut.String())
	}
	var res []importResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	if res[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("the dataset records sha256 %s; the file's is %x", res[0].SHA256, sum)
	}
	kept := filepath.Join(originals, hex.EncodeToString(sum[:]))
	if got, err := os.ReadFile(kept); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the original kept as %s: %v, %d bytes; want the file's %d bytes", kept, err, len(got), len(want))
	}
	onlyKept := func(when string) {
		t.Helper()
		entries, err := os.ReadDir(originals)
		if err != nil || len(entries) != 1 || entries[0].Name() != filepath.Base(kept) {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("%s, %s holds %v (%v); want only %s", when, originals, names, err, filepath.Base(kept))
		}
	}
	onlyKept("after the import")

	if err := run(ctx, []string{"import", "--db", db, bad}, &out, &errOut); err == nil {
		t.Fatal("a bad file was imported")
	}
	onlyKept("after a refused file")
	if err := run(ctx, []string{"import", "--db", db, file}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "already imported as dataset 1") {
		t.Errorf("the same file again: %v", err)
	}
	onlyKept("after the same file again")

	// A dry run of the same file says it is in the database already,
	// which it reads without writing or making the WAL's files, whether
	// --db is absolute or relative.
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	relDB, err := filepath.Rel(cwd, db)
	if err != nil {
		t.Fatal(err)
	}
	before := fileSHA(t, db)
	for _, dbArg := range []string{db, relDB} {
		out.Reset()
		if err := run(ctx, []string{"import", "--db", dbArg, "--dry-run", file}, &out, &errOut); err != nil {
			t.Fatalf("dry run of a file imported: %v", err)
		}
		if want := `already imported as dataset 1 "wide_months_2023" on `; !strings.Contains(out.String(), want) {
			t.Errorf("the dry run with --db %s does not say %q:\n%s", dbArg, want, out.String())
		}
		if after := fileSHA(t, db); after != before {
			t.Errorf("the dry run changed the database")
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(db + suffix); !os.IsNotExist(err) {
				t.Errorf("after the dry run with --db %s, %s%s exists (%v)", dbArg, db, suffix, err)
			}
		}
	}
	onlyKept("after a dry run")

	// A pipe is read once: the import reads the copy it keeps. A copy left
	// by a killed import a day ago is removed; a recent one is not.
	stale, recent := filepath.Join(originals, stagePrefix+"killed"), filepath.Join(originals, stagePrefix+"running")
	for _, p := range []string{stale, recent} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(t.TempDir(), "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(bad)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		w.Write(other)
		w.Close()
	}()
	out.Reset()
	if err := run(ctx, []string{"import", "--db", db, "--skip-bad-rows", "--json", fifo}, &out, &errOut); err != nil {
		t.Fatalf("import from a pipe: %v", err)
	}
	res = nil
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 || res[0].Rows != 3 {
		t.Fatalf("import from a pipe: %v %+v", err, res)
	}
	otherSum := sha256.Sum256(other)
	if res[0].SHA256 != hex.EncodeToString(otherSum[:]) {
		t.Errorf("the pipe's dataset records sha256 %s; its bytes' is %x", res[0].SHA256, otherSum)
	}
	if got, err := os.ReadFile(filepath.Join(originals, res[0].SHA256)); err != nil || !bytes.Equal(got, other) {
		t.Errorf("the pipe's original: %v, %q", err, got)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale copy %s was not removed: %v", stale, err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("the recent copy %s was removed: %v", recent, err)
	}

	// The originals' place is taken by a plain file: nothing is imported.
	db2 := filepath.Join(dir, "u.db")
	if err := os.WriteFile(db2+".files", []byte("in the way"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"import", "--db", db2, file}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "nothing imported: a copy of the original cannot be kept in "+db2+".files") {
		t.Errorf("import with no room for the original: %v", err)
	}
	if sets := datasetsJSON(t, db2); len(sets) != 0 {
		t.Errorf("with no room for the original the database holds %v", sets)
	}
}

// TestImportYearAndCountryCodes: --year for a table without periods, and
// --country-codes for a BACI file whose codes need BACI's list.
func TestImportYearAndCountryCodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	noYear := filepath.Join(dir, "no_year.csv")
	if err := os.WriteFile(noYear, []byte("Reporter,Partner,Flow,Value\nIND,RUS,export,100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "--db", db, noYear}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--year") {
		t.Errorf("no period, no --year: %v", err)
	}
	if err := run(ctx, []string{"import", "--db", db, "--json", "--year", "2020", noYear}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var res []importResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 || res[0].ID != 1 || strings.Join(res[0].Periods, ",") != "2020" {
		t.Errorf("--year 2020: %v %s", err, out.String())
	}

	baci := filepath.Join("importers", "testdata", "baci_codes_madeup.csv")
	codes := filepath.Join("importers", "testdata", "baci_country_codes.csv")
	if err := run(ctx, []string{"import", "--db", db, baci}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--country-codes") {
		t.Errorf("BACI code 58 without the list: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"import", "--db", db, "--json", "--country-codes", codes, baci}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 || res[0].Rows != 3 || strings.Join(res[0].Pairs, " ") != "BEL-RUS IND-BEL TWN-PAK" {
		t.Errorf("--country-codes: %v %s", err, out.String())
	}
	if err := run(ctx, []string{"import", "--db", db, "--country-codes", baci, baci}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--country-codes: ") {
		t.Errorf("a data file as --country-codes: %v", err)
	}
}

// TestProgress: nothing for the first half second (small files print no
// progress), then a redrawn line at most every 200 ms, cleared at the end.
func TestProgress(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProgress(&buf, "big.xlsx", func() time.Time { return now })
	p.update(10000)
	now = now.Add(400 * time.Millisecond)
	p.update(20000)
	if buf.Len() != 0 {
		t.Fatalf("progress before 500 ms: %q", buf.String())
	}
	now = now.Add(600 * time.Millisecond)
	p.update(1234567)
	now = now.Add(100 * time.Millisecond)
	p.update(1300000) // too soon to redraw
	if want := "\r\033[Kbig.xlsx: 1,234,567 rows read (1,234,567 rows/s)"; buf.String() != want {
		t.Errorf("progress %q; want %q", buf.String(), want)
	}
	p.done()
	if !strings.HasSuffix(buf.String(), "\r\033[K") {
		t.Errorf("progress line not cleared: %q", buf.String())
	}
	if isTerminal(&buf) {
		t.Error("a buffer is not a terminal")
	}
}
