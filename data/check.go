package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrCorrupt reports a database file that SQLite's own checks reject.
var ErrCorrupt = errors.New("database is corrupt")

// sqliteHeader is how every SQLite 3 database file begins.
const sqliteHeader = "SQLite format 3\x00"

// CheckPath says, before Open, whether dbPath can serve as the database,
// with an error that names the path and what to do: SQLite's own errors
// ("unable to open database file", "file is not a database", "attempt to
// write a readonly database") name neither. A missing file is fine when
// its directory exists and is writable: Open creates it. The checks try
// what SQLite will do (open the file for writing, create a file in its
// directory) rather than read permission bits, so that they agree with
// SQLite for root, for ACLs and for read-only mounts.
func CheckPath(dbPath string) error {
	return checkDatabaseFile(dbPath, false)
}

func checkDatabaseFile(dbPath string, mustExist bool) error {
	if dbPath == "" {
		return fmt.Errorf("%w: no database path given", ErrInvalid)
	}
	dir := filepath.Dir(dbPath)
	switch st, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("database directory %s does not exist: create it (mkdir -p %s) or choose another database path", dir, dir)
	case err != nil:
		return fmt.Errorf("database directory %s: %w", dir, err)
	case !st.IsDir():
		return fmt.Errorf("database path %s: %s is not a directory", dbPath, dir)
	}
	st, err := os.Stat(dbPath)
	switch {
	case errors.Is(err, fs.ErrNotExist) && mustExist:
		return fmt.Errorf("no database at %s: check the path", dbPath)
	case errors.Is(err, fs.ErrNotExist):
		return checkDirWritable(dir, dbPath)
	case err != nil:
		return fmt.Errorf("database %s: %w", dbPath, err)
	case st.IsDir():
		return fmt.Errorf("database path %s is a directory: give the path of a database file inside it", dbPath)
	case !st.Mode().IsRegular():
		return fmt.Errorf("database path %s is not a regular file", dbPath)
	}
	if err := checkHeader(dbPath, st.Size()); err != nil {
		return err
	}
	if mustExist {
		return nil // a reader needs no write access
	}
	f, err := os.OpenFile(dbPath, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("database %s is not writable (%w): make it and its directory writable by the user tradedash runs as, or work on a copy", dbPath, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return checkDirWritable(dir, dbPath)
}

// checkHeader refuses a file that is not empty and does not begin as an
// SQLite database does. An empty file is a new database to SQLite.
func checkHeader(dbPath string, size int64) error {
	if size == 0 {
		return nil
	}
	f, err := os.Open(dbPath)
	if err != nil {
		return fmt.Errorf("database %s cannot be read (%w): make it readable by the user tradedash runs as", dbPath, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("database %s: %w", dbPath, err)
	}
	if !bytes.Equal(head, []byte(sqliteHeader)) {
		return fmt.Errorf("%s is not an SQLite database (it does not begin with %q): check the database path, or move the file away to start a new database there",
			dbPath, strings.TrimSuffix(sqliteHeader, "\x00"))
	}
	return nil
}

// checkDirWritable creates and removes a file in dir: SQLite must create
// the -wal and -shm files there, and a missing database file.
func checkDirWritable(dir, dbPath string) error {
	f, err := os.CreateTemp(dir, ".tradedash-check-*")
	if err != nil {
		return fmt.Errorf("cannot create files in %s (%w), which the database %s and its -wal and -shm files need: make the directory writable by the user tradedash runs as, or choose another database path",
			dir, err, dbPath)
	}
	return errors.Join(f.Close(), os.Remove(f.Name()))
}

// QuickCheck runs PRAGMA quick_check, which reads every page and checks
// the b-tree structure (but not that indexes match their tables), and
// returns ErrCorrupt with the first problems SQLite reports. It reads the
// whole file, so it takes as long as reading the database once.
func (s *Store) QuickCheck(ctx context.Context) error {
	// At most 5 problems: the first few say what is wrong.
	rows, err := s.read.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return fmt.Errorf("check %s: %w", s.path, err)
		}
		// One row can hold several problems, one a line, under a heading.
		for _, line := range strings.Split(p, "\n") {
			if line != "" && !strings.HasPrefix(line, "*** ") {
				problems = append(problems, line)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	if len(problems) == 1 && problems[0] == "ok" {
		return nil
	}
	return fmt.Errorf("%w: %s failed PRAGMA quick_check: %s: stop tradedash and restore the file from a backup (see docs/operations.md)",
		ErrCorrupt, s.path, strings.Join(problems, "; "))
}

// Ping answers whether the database serves reads: it runs a query that
// reads the file, on the read pool, so that a long import holding the
// single write connection does not make the store look unavailable.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("database %s: %w", s.path, err)
	}
	return nil
}

// ErrStorage reports a database that cannot be written as asked: its disk
// is full, a file size limit is reached, another program holds its lock,
// or it is read-only. SQLite rolls the transaction back, so nothing of the
// failed write is kept.
var ErrStorage = errors.New("the database could not be written")

// SQLite's primary result codes that explainStorage words.
const (
	sqliteBusy     = 5
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
)

// explainStorage turns SQLite's errors about the database file itself
// ("disk I/O error (778)", "database or disk is full", "database is
// locked") into ErrStorage, saying which file and what to do; other errors
// pass unchanged. The driver's error type is matched by its Code method,
// so that data stays free of the driver.
func explainStorage(dbPath string, err error) error {
	var coded interface{ Code() int }
	if err == nil || !errors.As(err, &coded) {
		return err
	}
	var why string
	switch coded.Code() & 0xff { // the primary code of an extended one
	case sqliteFull:
		why = "its disk is full: free space on it, then try again"
	case sqliteIOErr:
		why = "writing to its disk failed, which happens when the disk is full or a file size limit (ulimit -f) is reached: free space or raise the limit, then try again"
	case sqliteBusy:
		why = "another program is writing to it (another tradedash import or serve, or an sqlite3 shell) and did not finish within 5 s: wait for it or stop it, then try again"
	case sqliteReadOnly:
		why = "it is read-only: make it and its directory writable by the user tradedash runs as"
	default:
		return err
	}
	return fmt.Errorf("%w: %s: %s; nothing of this change was kept (%w)", ErrStorage, dbPath, why, err)
}
