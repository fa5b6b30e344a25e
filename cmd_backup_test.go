package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tradedash/data"
)

// TestBackupCommand backs up a database end to end and opens the copy.
func TestBackupCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "src.db")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "--db", db, filepath.Join("importers", "testdata", "long_mixed.csv")}, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut.String())
	}

	dest := filepath.Join(dir, "backups", "copy.db")
	if err := os.Mkdir(filepath.Dir(dest), 0o700); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"backup", "--db", db, dest}, &out, &errOut); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "backed up "+db+" to "+dest) {
		t.Errorf("backup output: %q", out.String())
	}
	ref, err := data.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	cp, err := data.Open(ctx, dest, ref)
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	if err := cp.QuickCheck(ctx); err != nil {
		t.Error(err)
	}
	cp.Close()
	src, got := datasetsJSON(t, db), datasetsJSON(t, dest)
	a, _ := json.Marshal(src)
	b, _ := json.Marshal(got)
	if len(src) != 1 || string(a) != string(b) {
		t.Errorf("the copy's datasets differ:\nsource %s\ncopy   %s", a, b)
	}

	// Never over an existing file; the file stays as it was.
	before, _ := os.ReadFile(dest)
	err = run(ctx, []string{"backup", "--db", db, dest}, &out, &errOut)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), dest) {
		t.Errorf("backup over an existing file: %v; want fs.ErrExist naming it", err)
	}
	if after, _ := os.ReadFile(dest); !bytes.Equal(before, after) {
		t.Error("the existing backup changed")
	}

	// No database: an error, and no empty database made to back up.
	missing := filepath.Join(dir, "missing.db")
	err = run(ctx, []string{"backup", "--db", missing, filepath.Join(dir, "x.db")}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("backup of a missing database: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Error("backup created the missing database")
	}

	if err := run(ctx, []string{"backup", "--db", db}, &out, &errOut); err == nil {
		t.Error("backup without FILE: no error")
	}
}

// TestServeRefusesBadDatabase: serve stops at start, naming the file and
// what to do, before it listens.
func TestServeRefusesBadDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noise := make([]byte, 4096)
	rand.Read(noise)
	notDB := filepath.Join(dir, "noise.db")
	if err := os.WriteFile(notDB, noise, 0o600); err != nil {
		t.Fatal(err)
	}
	corrupt := mustCorruptDB(t, filepath.Join(dir, "corrupt.db"))
	missingDir := filepath.Join(dir, "nope", "t.db")

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"not a database", []string{"--db", notDB}, []string{notDB, "not an SQLite database", "--db or TRADEDASH_DB"}},
		{"no such directory", []string{"--db", missingDir}, []string{filepath.Dir(missingDir) + " does not exist", "mkdir -p"}},
		{"damaged database", []string{"--db", corrupt}, []string{corrupt, "quick_check", "restore the file from a backup"}},
		{"unknown log format", []string{"--db", filepath.Join(dir, "ok.db"), "--log-format", "xml"}, []string{`--log-format "xml"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A bound, in case serve wrongly starts: it then returns nil.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out, errOut bytes.Buffer
			err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--no-demo"}, tt.args...), &out, &errOut)
			if err == nil {
				t.Fatal("serve started")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// mustCorruptDB makes a database whose pages do not all belong to the
// schema: it opens, but PRAGMA quick_check rejects it.
func mustCorruptDB(tb testing.TB, path string) string {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE junk (a TEXT)`,
		`CREATE INDEX junk_a ON junk (a)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO junk SELECT hex(randomblob(50)) FROM n`,
		`PRAGMA writable_schema = ON`,
		`DELETE FROM sqlite_schema WHERE name = 'junk_a'`,
	} {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

// syncWriter lets one goroutine watch what another writes.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	on  string
	hit chan struct{} // closed once buf contains on
	got bool
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if !w.got && strings.Contains(w.buf.String(), w.on) {
		close(w.hit)
		w.got = true
	}
	return n, err
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestServeLogsJSON serves with --log-format json until it says where it
// listens, then stops it, and reads its log lines as JSON.
func TestServeLogsJSON(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hit := make(chan struct{})
	w := &syncWriter{hit: hit, on: `"msg":"serving"`}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--no-demo", "--db", filepath.Join(t.TempDir(), "j.db"), "--log-format", "json"}, &bytes.Buffer{}, w)
	}()
	select {
	case <-hit:
	case err := <-errc:
		t.Fatalf("serve stopped: %v\n%s", err, w.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("no JSON serving line:\n%s", w.String())
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(w.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec["msg"] == nil || rec["level"] == nil {
			t.Errorf("not a JSON log record: %q (%v)", line, err)
		}
	}
}
