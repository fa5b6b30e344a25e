package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// pragmas are set on every connection: busy_timeout first, so that the
// others wait for a lock rather than fail.
const pragmas = "_pragma=busy_timeout(5000)&" + pragmasAfterBusy

// pragmasAfterBusy are the pragmas that follow busy_timeout.
const pragmasAfterBusy = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// writeBusyTimeout is how long the write connection waits for another
// process's write transaction (a `tradedash import` into the file the
// server uses, or the server's import while the CLI writes): an import
// of a million rows holds the lock for tens of seconds, and a writer that
// waits is better than one that fails with "database is locked". Readers
// never wait for writers under WAL, so they keep the short timeout.
const writeBusyTimeout = 2 * time.Minute

// Store is tradedash's SQLite database. Reads go through a pool of
// connections; every write goes through a single connection whose
// transactions begin IMMEDIATE, so that two writers queue on the busy
// timeout instead of failing with "database is locked" when one upgrades
// a read lock.
type Store struct {
	read  *sql.DB
	write *sql.DB
	ref   *Reference
	path  string
	// bulkThreshold, when set (by tests), replaces dropIndexesAfter.
	bulkThreshold int64
	// productCache maps products.id to Product for the views that read
	// many observations (productsByID).
	productCache sync.Map
}

// Open opens (creating if needed) the database at path, applies pending
// migrations and brings the reference lists up to date. The "sqlite" driver
// (modernc.org/sqlite) must be registered by the caller.
func Open(ctx context.Context, dbPath string, ref *Reference) (*Store, error) {
	if strings.ContainsAny(dbPath, "?#") {
		return nil, fmt.Errorf("%w: database path %q must not contain ? or #", ErrInvalid, dbPath)
	}
	// Start-up (migrations, reference lists) waits only the short timeout,
	// so that a file another program holds is reported at once (see
	// explainStorage); then the write pool waits writeBusyTimeout.
	write, err := openWrite(dbPath, 5*time.Second)
	if err != nil {
		return nil, err
	}
	s := &Store{write: write, ref: ref, path: dbPath}
	if err := s.migrate(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("migrate %s: %w", dbPath, explainStorage(dbPath, err))
	}
	if err := s.syncReference(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("reference lists in %s: %w", dbPath, explainStorage(dbPath, err))
	}
	if err := write.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", dbPath, err)
	}
	if s.write, err = openWrite(dbPath, writeBusyTimeout); err != nil {
		return nil, err
	}
	write = s.write
	read, err := sql.Open("sqlite", dbPath+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s for reading: %w", dbPath, err)
	}
	read.SetMaxOpenConns(8)
	s.read = read
	return s, nil
}

// openWrite opens the single-connection write pool, whose transactions
// begin IMMEDIATE and wait busy for another process's lock.
func openWrite(dbPath string, busy time.Duration) (*sql.DB, error) {
	write, err := sql.Open("sqlite", dbPath+"?_pragma=busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")&"+pragmasAfterBusy+
		"&_pragma=cache_size(-"+strconv.Itoa(writeCacheKiB)+")&_pragma=temp_store(2)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dbPath, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	return write, nil
}

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

// Reference returns the country and product lists the store was opened with.
func (s *Store) Reference() *Reference { return s.ref }

// Migrations lists the embedded migration names in the order they apply.
func Migrations() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	for i := range names {
		names[i] = path.Base(names[i])
	}
	sort.Strings(names)
	return names, nil
}

// migrate applies, each in its own transaction, every embedded migration
// not yet recorded in schema_migrations. Migrations are forward-only.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`); err != nil {
		return err
	}
	names, err := Migrations()
	if err != nil {
		return err
	}
	// Migrations that build an index over the observations sort as an
	// import's rebuild does; before this, migration 0007 on 1,000,000
	// rows took the process to 270 MB.
	restore, err := sortInFiles(ctx, s.write, writeCacheKiB)
	if err != nil {
		return err
	}
	defer restore()
	for _, name := range names {
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return err
		}
		if err := s.inTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
				name, time.Now().UTC().Format(time.RFC3339))
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// AppliedMigrations returns the names recorded in schema_migrations, in order.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// syncReference upserts the embedded countries and products, so that a new
// binary with corrected reference lists corrects an old database.
func (s *Store) syncReference(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		cst, err := tx.PrepareContext(ctx, `INSERT INTO countries (iso3, iso2, m49, comtrade_code, name, aggregate)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (iso3) DO UPDATE SET iso2 = excluded.iso2, m49 = excluded.m49,
				comtrade_code = excluded.comtrade_code, name = excluded.name, aggregate = excluded.aggregate`)
		if err != nil {
			return err
		}
		defer cst.Close()
		for _, c := range s.ref.Countries() {
			if _, err := cst.ExecContext(ctx, c.ISO3, c.ISO2, c.M49, c.ComtradeCode, c.Name, c.Aggregate); err != nil {
				return fmt.Errorf("country %s: %w", c.ISO3, err)
			}
		}
		pst, err := tx.PrepareContext(ctx, `INSERT INTO products (classification, code, name, parent_classification, parent_code)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (classification, code) DO UPDATE SET name = excluded.name,
				parent_classification = excluded.parent_classification, parent_code = excluded.parent_code`)
		if err != nil {
			return err
		}
		defer pst.Close()
		for _, p := range s.ref.Products() {
			if _, err := pst.ExecContext(ctx, string(p.Classification), p.Code, p.Name, string(p.ParentClassification), p.ParentCode); err != nil {
				return fmt.Errorf("product %s: %w", p.Key(), err)
			}
		}
		return nil
	})
}

// writeCacheKiB is the write connection's page cache; importCacheKiB
// the smaller one it has during an import.
const (
	writeCacheKiB  = 65536
	importCacheKiB = 16384
)

// inImportTx is inTx for an import, with SQLite's foreign-key checks off
// for the transaction. Import's writer only writes keys it has checked
// itself: countries from the reference lists (which syncReference keeps
// in the countries table), products it found or added in the same
// transaction, and the dataset it has just inserted. SQLite would check
// each observation's four keys again, a fifth of the insert time of a big
// import (docs/benchmarks.md). The pragma cannot change inside a
// transaction, so it is set on the one write connection before BEGIN and
// set back after COMMIT or ROLLBACK; a connection that cannot be set back
// is discarded, so no later write runs without the checks (deletes rely
// on ON DELETE CASCADE). The same holds for the CHECK constraints that
// the observations' bulk insert turns off (observationWriter).
func (s *Store) inImportTx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return explainStorage(s.path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return explainStorage(s.path, err)
	}
	// A smaller page cache for the import: appending rows needs few pages,
	// and SQLite's sorter, which builds the indexes after the load, keeps
	// runs as large as the cache in memory; 64 MiB there took the peak
	// RSS of a 1,000,000-row import to 360 MB (docs/benchmarks.md).
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -`+strconv.Itoa(importCacheKiB)); err != nil {
		return explainStorage(s.path, err)
	}
	defer func() {
		// The transaction has ended here (below), but database/sql may
		// still be rolling back a Tx whose context ended, on this same
		// connection: inside it the pragma would do nothing. So it is read
		// back, and a connection without the checks is discarded (closing
		// it ends any transaction left).
		bg := context.WithoutCancel(ctx)
		_, cerr := conn.ExecContext(bg, `PRAGMA cache_size = -`+strconv.Itoa(writeCacheKiB))
		_, rerr := conn.ExecContext(bg, `PRAGMA foreign_keys = ON`)
		_, ierr := conn.ExecContext(bg, `PRAGMA ignore_check_constraints = OFF`)
		// restoreIndexes may have left its sorting settings, if the
		// transaction ended under it (a cancelled import).
		_, terr := conn.ExecContext(bg, `PRAGMA temp_store = MEMORY`)
		_, herr := conn.ExecContext(bg, `PRAGMA threads = 0`)
		rerr = errors.Join(rerr, ierr, terr, herr)
		on, ignored, threads := 0, 1, 1
		if rerr == nil {
			rerr = conn.QueryRowContext(bg, `SELECT foreign_keys, ignore_check_constraints FROM pragma_foreign_keys, pragma_ignore_check_constraints`).Scan(&on, &ignored)
		}
		if rerr == nil {
			rerr = conn.QueryRowContext(bg, `PRAGMA threads`).Scan(&threads)
		}
		if rerr != nil || cerr != nil || on != 1 || ignored != 0 || threads != 0 {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			if rerr = errors.Join(rerr, cerr); rerr != nil && err == nil {
				err = fmt.Errorf("restore the write connection's settings after the import: %w", rerr)
			}
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return explainStorage(s.path, err)
	}
	// Rolled back on every way out but a commit, a panic included: an
	// open transaction would hold the one write connection (conn.Close
	// waits for it) until the context ends.
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return explainStorage(s.path, errors.Join(err, tx.Rollback()))
	}
	committed = true
	return explainStorage(s.path, tx.Commit())
}

// inTx runs fn in a write transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return explainStorage(s.path, err)
	}
	if err := fn(tx); err != nil {
		return explainStorage(s.path, errors.Join(err, tx.Rollback()))
	}
	return explainStorage(s.path, tx.Commit())
}

// DataVersion returns a number that grows with every committed write that
// changes what the views show (an import, a delete, a dataset's changes
// or default, a reference-list correction), by this process or any other
// on the same file (migration 0005's triggers keep it). Two reads that
// return the same version saw the same data; reading it before a query
// means the query's answer is at least as new as the version.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, `SELECT version FROM data_version WHERE id = 1`).Scan(&v)
	return v, err
}
