package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noise := make([]byte, 8192)
	rand.Read(noise)
	notDB := write("noise.db", noise)
	text := write("notes.db", []byte("SQLite format 3 is what this note is about\n"))
	empty := write("empty.db", nil)
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, real := mustOpenStore(t)

	tests := []struct {
		name string
		path string
		want []string // substrings of the error; none means no error
	}{
		{"a new file in an existing directory", filepath.Join(dir, "new.db"), nil},
		{"an empty file", empty, nil},
		{"a database", real, nil},
		{"random bytes", notDB, []string{notDB, "is not an SQLite database", "move the file away"}},
		{"text", text, []string{text, "is not an SQLite database"}},
		{"a missing directory", filepath.Join(dir, "no", "such", "t.db"), []string{filepath.Join(dir, "no", "such") + " does not exist", "mkdir -p"}},
		{"a directory", filepath.Join(dir, "adir"), []string{filepath.Join(dir, "adir"), "is a directory"}},
		{"a file as the directory", filepath.Join(empty, "t.db"), []string{empty + " is not a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPath(tt.path)
			if tt.want == nil {
				if err != nil {
					t.Errorf("CheckPath(%s) = %v; want nil", tt.path, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckPath(%s) = nil; want an error", tt.path)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("CheckPath(%s) = %q; want it to contain %q", tt.path, err, w)
				}
			}
		})
	}
	// What CheckPath refuses as "not a database", Open fails on too, with
	// an error that does not say what to do.
	if s, err := Open(context.Background(), notDB, mustReference(t)); err == nil {
		s.Close()
		t.Error("Open accepted random bytes")
	}
	// The check leaves nothing behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tradedash-check-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestCheckPathReadOnly makes the file and then its directory read-only.
// Whether that stops tradedash depends on who runs it: root ignores the
// modes. So the test asserts that CheckPath agrees with SQLite, whoever
// runs it: it refuses, naming the path and what to do, exactly when Open
// fails. Run as root, only the agreeing "accept" half is exercised.
func TestCheckPathReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "t.db")
	s, err := Open(ctx, path, mustReference(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Chmod(dir, 0o700)
		os.Chmod(path, 0o600)
	})

	for _, step := range []struct {
		name   string
		chmod  func() error
		reason string
	}{
		{"read-only file", func() error { return os.Chmod(path, 0o444) }, path + " is not writable"},
		{"read-only directory", func() error {
			if err := os.Chmod(path, 0o600); err != nil {
				return err
			}
			return os.Chmod(dir, 0o555)
		}, "cannot create files in " + dir},
	} {
		if err := step.chmod(); err != nil {
			t.Fatal(err)
		}
		checkErr := CheckPath(path)
		s, openErr := Open(ctx, path, mustReference(t))
		if openErr == nil {
			s.Close()
		}
		t.Logf("%s (uid %d): CheckPath: %v; Open: %v", step.name, os.Geteuid(), checkErr, openErr)
		switch {
		case checkErr == nil && openErr != nil:
			t.Errorf("%s: CheckPath accepted what Open fails on: %v", step.name, openErr)
		case checkErr != nil && openErr == nil:
			t.Errorf("%s: CheckPath refused what Open accepts: %v", step.name, checkErr)
		case checkErr != nil && (!strings.Contains(checkErr.Error(), step.reason) || !strings.Contains(checkErr.Error(), "writable by the user")):
			t.Errorf("%s: CheckPath = %q; want it to say %q and what to do", step.name, checkErr, step.reason)
		}
	}
}

func TestQuickCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	if err := s.QuickCheck(ctx); err != nil {
		t.Fatalf("a new database: %v", err)
	}

	// Pages that belong to nothing: an index dropped from the schema
	// behind SQLite's back.
	path := filepath.Join(t.TempDir(), "corrupt.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE junk (a TEXT)`,
		`CREATE INDEX junk_a ON junk (a)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO junk SELECT hex(randomblob(50)) FROM n`,
		`PRAGMA writable_schema = ON`,
		`DELETE FROM sqlite_schema WHERE name = 'junk_a'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	bad, err := Open(ctx, path, mustReference(t))
	if err != nil {
		t.Fatalf("Open should not notice this damage: %v", err)
	}
	defer bad.Close()
	err = bad.QuickCheck(ctx)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("QuickCheck = %v; want ErrCorrupt", err)
	}
	for _, want := range []string{path, "never used", "restore the file from a backup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("QuickCheck = %q; want it to contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "***") {
		t.Errorf("QuickCheck = %q; want one line without SQLite's headings", err)
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := mustOpenStore(t)
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Ping after Close = %v; want an error naming %s", err, path)
	}
}
