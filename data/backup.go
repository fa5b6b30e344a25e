package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of the database to dest with SQLite's
// VACUUM INTO, while the store keeps serving: the copy is read in one read
// transaction, so it is a snapshot that an import running at the same time
// is either wholly in or wholly out of, and in WAL mode neither waits for
// the other. dest must not exist.
func (s *Store) Backup(ctx context.Context, dest string) error {
	return backup(ctx, s.path, dest)
}

// BackupFile copies the database at src to dest as Backup does, but
// without opening a Store: it applies no migration and changes nothing in
// src, so a new binary can back up an old database before upgrading it.
// It is safe while a server has src open.
func BackupFile(ctx context.Context, src, dest string) error {
	if err := checkDatabaseFile(src, true); err != nil {
		return err
	}
	return backup(ctx, src, dest)
}

// backup runs VACUUM INTO on a connection of its own: the read pool's
// connections are query_only, which VACUUM INTO does not pass even though
// it writes only to its target, and the write pool's one connection must
// stay free for imports. No journal_mode pragma: a backup must not change
// the source.
func backup(ctx context.Context, src, dest string) error {
	if strings.ContainsAny(src, "?#") {
		return fmt.Errorf("%w: database path %q must not contain ? or #", ErrInvalid, src)
	}
	db, err := sql.Open("sqlite", src+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return vacuumInto(ctx, db, dest)
}

// vacuumInto writes the database behind db to a temporary file beside
// dest, flushes it to disk and only then gives it dest's name, so that a
// file named dest is always a complete copy, even after a crash.
func vacuumInto(ctx context.Context, db *sql.DB, dest string) (err error) {
	if dest == "" {
		return fmt.Errorf("%w: no backup file given", ErrInvalid)
	}
	// An absolute path never starts with "file:", which SQLite would read
	// as a URI with options.
	dest, err = filepath.Abs(dest)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("backup: %s already exists; a backup never overwrites a file, so choose a new name: %w", dest, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	dir := filepath.Dir(dest)
	// VACUUM INTO accepts an empty file, so an empty temporary file with a
	// unique name reserves the name.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".*.partial")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmpName := tmp.Name()
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if rerr := os.Remove(tmpName); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
			err = fmt.Errorf("backup: remove %s: %w", tmpName, rerr)
		}
	}()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	// SQLite does not fsync the file VACUUM INTO writes.
	if err := syncPath(tmpName); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// A hard link, unlike a rename, fails rather than replace a file that
	// appeared at dest meanwhile.
	if err := os.Link(tmpName, dest); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("backup: %s already exists; a backup never overwrites a file, so choose a new name: %w", dest, fs.ErrExist)
		}
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncPath(dir); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// syncPath flushes a file, or a directory's entries, to disk.
func syncPath(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
