package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Import stores a dataset and every observation produce emits, in one
// transaction: if produce or any observation fails, nothing is written.
// A file already imported (same sha256) is refused with ErrDuplicate,
// naming the dataset that holds it.
func (s *Store) Import(ctx context.Context, d Dataset, produce func(emit func(Observation) error) error) (Dataset, error) {
	if d.ImportedAt.IsZero() {
		d.ImportedAt = time.Now().UTC()
	}
	if d.ImportedBy == "" {
		d.ImportedBy = ImporterFrom(ctx)
	}
	if err := d.Validate(); err != nil {
		return Dataset{}, err
	}
	err := s.inImportTx(ctx, func(tx *sql.Tx) error {
		var existing int64
		switch err := tx.QueryRowContext(ctx, `SELECT id FROM datasets WHERE sha256 = ?`, d.SHA256).Scan(&existing); {
		case err == nil:
			return fmt.Errorf("%w: this file was already imported as dataset %d", ErrDuplicate, existing)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO datasets (name, source, licence, description, original_name, sha256, format, imported_at, imported_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Name, d.Source, d.Licence, d.Description, d.OriginalName, d.SHA256, d.Format, d.ImportedAt.UTC().Format(time.RFC3339Nano), d.ImportedBy)
		if err != nil {
			return err
		}
		if d.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		w, err := s.newObservationWriter(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		w.checkDuplicates = d.CheckDuplicates
		defer w.close()
		if err := w.finish(produce(w.write)); err != nil {
			return err
		}
		if err := w.checkConstraintsOn(); err != nil {
			return err
		}
		if d.CheckDuplicates {
			w.sortKeysAside()
		}
		if err := w.restoreIndexes(); err != nil {
			return err
		}
		if d.CheckDuplicates {
			dups, err := w.removeDuplicates()
			if err != nil {
				return err
			}
			d.DuplicatesFound = len(dups)
			d.Duplicates = dups[:min(len(dups), maxDuplicatesListed)]
		}
		if err := w.agg.store(ctx, tx, d.ID, w.afterID); err != nil {
			return err
		}
		d.RowCount = w.n
		_, err = tx.ExecContext(ctx, `UPDATE datasets SET row_count = ? WHERE id = ?`, d.RowCount, d.ID)
		return err
	})
	if err != nil {
		return Dataset{}, err
	}
	return d, nil
}

// insertBatch is how many rows one INSERT carries: 100 rows of 13 values
// stay far below SQLite's limit on bound parameters, and measured several
// times faster than one row per statement (docs/benchmarks.md).
const insertBatch = 100

const insertColumns = `INSERT INTO observations
	(dataset_id, reporter, partner, period_start, period_end, flow, product_id, value_usd, bound, quantity, qty_unit, source_ref, source_quote)
	VALUES `

const insertRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// leanRow is a row with the columns' defaults (an exact figure, no
// quantity, no quote) and the dataset bound once, as ?1, for the whole
// statement: 8 values a row instead of 13. Binding values is a large part
// of an insert's cost in the driver, and most files' rows are like this.
const leanRow = `(?1, ?, ?, ?, ?, ?, ?, ?, 'exact', NULL, '', ?, '')`

// lean reports whether an observation's row can be a leanRow.
func lean(o *Observation) bool {
	return (o.Bound == Exact || o.Bound == "") && o.Quantity == nil && o.QtyUnit == "" && o.SourceQuote == ""
}

// rowBatch is a full batch of rows, each as its 13 values; lean when every
// row is a leanRow.
type rowBatch struct {
	vals []any
	lean bool
}

// observationWriter inserts one dataset's observations inside a
// transaction, insertBatch rows per statement.
//
// The statements run in a goroutine of their own, so that reading and
// parsing the file (which calls write) goes on while SQLite inserts the
// batch before: write checks an observation and adds it to a batch, and
// hands each full batch over. An insert that fails stops the import: the
// next write returns its error. Nothing is committed before Import's
// transaction is, so all-or-nothing holds.
//
// The inserts run with SQLite's CHECK constraints off
// (ignore_check_constraints): SQLite codes each "flow IN (…)" and
// "bound IN (…)" check as a temporary table filled again for every row,
// which took half the insert time of a 1,000,000-row import
// (docs/benchmarks.md). write checks every observation against the same
// rules first (Observation.Validate); TestBulkInsertChecksEveryConstraint
// holds the two lists together. The constraints are on again for the
// rest of the transaction, and for every other write.
//
// A big import into a small table builds the table's indexes once at
// the end instead of updating them row by row: once the import has
// inserted as many rows as the table held before it (and at least
// dropIndexesAfter), the observations' indexes are dropped, inside the
// transaction, and restoreIndexes creates them again from their own
// definitions. A failed import rolls the drop back with the rest.
type observationWriter struct {
	ctx       context.Context
	tx        *sql.Tx
	dataset   int64
	batch     *sql.Stmt // insertBatch rows
	pending   []any     // values of rows not yet handed over
	leanBatch *sql.Stmt // insertBatch leanRows
	free      chan []any
	full      chan rowBatch
	allLean   bool // every row pending is lean
	done      chan struct{}
	finished  bool // full is closed
	failed    atomic.Bool
	err       error // the inserter's first error, set before failed
	products  map[productKey]int64
	boxes     argBoxes
	countries map[string]bool
	n         int64
	agg       *aggregates // the new rows of dataset_pairs and pair_periods
	keys      []rowKey    // every row's key hash, for removeDuplicates
	// keysSorted is closed when sortKeysAside has sorted keys.
	keysSorted <-chan struct{}
	// checkDuplicates is the dataset's CheckDuplicates: keys are kept.
	checkDuplicates bool
	// totalProducts says which product ids are all goods.
	totalProducts map[int64]bool
	afterID       int64    // the largest observation id before the import
	dropAt        int64    // rows after which the indexes are dropped; 0: never
	indexes       []string // CREATE INDEX statements of the dropped indexes
}

// dropIndexesAfter is the fewest rows an import inserts before it drops
// the indexes: below that, keeping them costs little either way. Into an
// empty table, building an index once costs less than keeping it row by
// row whatever the import's size, so a big import into a small table
// should not keep its indexes for long: with 100,000 here, the first
// 100,000 rows of a 1,000,000-row import cost as much as the other
// 900,000 (docs/benchmarks.md).
const dropIndexesAfter = 5_000

// dropIndexesAfter is the store's threshold: dropIndexesAfter, or the
// smaller one a test sets so as not to insert 100,000 rows under -race.
func (s *Store) dropIndexesAfter() int64 {
	if s.bulkThreshold > 0 {
		return s.bulkThreshold
	}
	return dropIndexesAfter
}

// batchesInFlight is how many full batches wait for the inserter.
const batchesInFlight = 4

func (s *Store) newObservationWriter(ctx context.Context, tx *sql.Tx, dataset int64) (*observationWriter, error) {
	// Before the statements are prepared: SQLite leaves the CHECK
	// constraints out of the code it compiles while the flag is on.
	if _, err := tx.ExecContext(ctx, `PRAGMA ignore_check_constraints = ON`); err != nil {
		return nil, err
	}
	batch, err := tx.PrepareContext(ctx, insertColumns+strings.Repeat(insertRow+", ", insertBatch-1)+insertRow)
	if err != nil {
		return nil, err
	}
	leanBatch, err := tx.PrepareContext(ctx, insertColumns+strings.Repeat(leanRow+", ", insertBatch-1)+leanRow)
	if err != nil {
		batch.Close()
		return nil, err
	}
	var existing, afterID int64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT coalesce(sum(row_count), 0) FROM datasets), (SELECT coalesce(max(id), 0) FROM observations)`).Scan(&existing, &afterID); err != nil {
		batch.Close()
		leanBatch.Close()
		return nil, err
	}
	countries := make(map[string]bool)
	for _, c := range s.ref.Countries() {
		countries[c.ISO3] = true
	}
	w := &observationWriter{ctx: ctx, tx: tx, dataset: dataset, batch: batch, leanBatch: leanBatch, allLean: true, pending: make([]any, 0, 13*insertBatch),
		free: make(chan []any, batchesInFlight+1), full: make(chan rowBatch, batchesInFlight), done: make(chan struct{}),
		products: map[productKey]int64{}, countries: countries, agg: newAggregates(), totalProducts: map[int64]bool{}, afterID: afterID, dropAt: max(s.dropIndexesAfter(), existing)}
	for range batchesInFlight {
		w.free <- make([]any, 0, 13*insertBatch)
	}
	go w.insert(w.full)
	return w, nil
}

// insert runs the full batches' INSERTs until full is closed; after an
// error it only hands the batches back.
func (w *observationWriter) insert(full <-chan rowBatch) {
	defer close(w.done)
	for fb := range full {
		b := fb.vals
		if !w.failed.Load() {
			stmt, args := w.batch, b
			if fb.lean {
				stmt, args = w.leanBatch, leanArgs(b)
			}
			if _, err := stmt.ExecContext(w.ctx, args...); err != nil {
				w.err = err
				w.failed.Store(true)
			}
		}
		clear(b[:cap(b)])
		w.free <- b[:0]
	}
}

// leanArgs turns a lean batch's 13 values a row into leanRow's
// arguments, in place: the dataset, then 8 values a row.
func leanArgs(b []any) []any {
	out := b[:1] // b[0] is the dataset
	for r := 0; r < len(b); r += 13 {
		out = append(out, b[r+1:r+8]...) // reporter … value_usd
		out = append(out, b[r+11])       // source_ref
	}
	return out
}

// close stops the inserter, if finish did not, and frees the statement.
func (w *observationWriter) close() {
	if !w.finished {
		close(w.full)
		w.finished = true
		<-w.done
	}
	w.batch.Close()
	w.leanBatch.Close()
}

func (w *observationWriter) write(o Observation) error {
	if w.failed.Load() {
		return w.err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	for _, c := range []string{o.Reporter, o.Partner} {
		if !w.countries[c] {
			return fmt.Errorf("%w: %q is not a country or aggregate code", ErrInvalid, c)
		}
	}
	pid, err := w.productID(o.Product)
	if err != nil {
		return err
	}
	var qty any
	if o.Quantity != nil {
		qty = *o.Quantity
	}
	start, end := o.Period.Start.YYYYMM(), o.Period.End.YYYYMM()
	w.agg.add(o.Reporter, o.Partner, start, end, o.Flow, o.ValueUSD, o.Product.Classification == Total)
	if w.checkDuplicates {
		w.keys = append(w.keys, rowKey{keyHash(o.Reporter, o.Partner, start, end, o.Flow, pid), uint32(w.n)})
	}
	w.allLean = w.allLean && lean(&o)
	b := &w.boxes
	w.pending = append(w.pending, b.id(w.dataset), b.str(o.Reporter), b.str(o.Partner), b.int(start), b.int(end),
		b.str(string(o.Flow)), b.id(pid), o.ValueUSD, b.str(string(o.Bound)), qty, b.str(o.QtyUnit), o.SourceRef, o.SourceQuote)
	w.n++
	if len(w.pending) == cap(w.pending) {
		w.full <- rowBatch{w.pending, w.allLean}
		w.pending, w.allLean = <-w.free, true
	}
	if w.n == w.dropAt {
		return w.dropIndexes()
	}
	return nil
}

// finish waits for the inserter and inserts the rows of the last,
// partial batch; produced is the producer's error, which stops it.
func (w *observationWriter) finish(produced error) error {
	close(w.full)
	w.finished = true
	<-w.done
	if produced != nil {
		return produced
	}
	if w.failed.Load() {
		return w.err
	}
	if len(w.pending) == 0 {
		return nil
	}
	rows := len(w.pending) / 13
	_, err := w.tx.ExecContext(w.ctx, insertColumns+strings.Repeat(insertRow+", ", rows-1)+insertRow, w.pending...)
	w.pending = w.pending[:0]
	return err
}

// checkConstraintsOn ends the bulk insert's exemption from the CHECK
// constraints, for the rest of the import's transaction; inImportTx sets
// it again, and checks it, whatever way the import ends.
func (w *observationWriter) checkConstraintsOn() error {
	_, err := w.tx.ExecContext(w.ctx, `PRAGMA ignore_check_constraints = OFF`)
	return err
}

// dropIndexes drops the observations' indexes, keeping their definitions,
// but for those that begin with dataset_id: the import's rows all have
// one dataset and ever larger ids, so each new entry goes at the end of
// such an index, which costs the inserter less than a rebuild after the
// load costs the import (docs/benchmarks.md).
func (w *observationWriter) dropIndexes() error {
	rows, err := w.tx.QueryContext(w.ctx, `SELECT m.name, m.sql FROM sqlite_master m
		WHERE m.type = 'index' AND m.tbl_name = 'observations' AND m.sql IS NOT NULL
		AND coalesce((SELECT i.name FROM pragma_index_info(m.name) i WHERE i.seqno = 0), '') <> 'dataset_id'
		ORDER BY m.name`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		names = append(names, name)
		w.indexes = append(w.indexes, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		// An identifier from the schema, quoted; never a value.
		if _, err := w.tx.ExecContext(w.ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return fmt.Errorf("drop index %s for the bulk load: %w", name, err)
		}
	}
	return nil
}

// restoreIndexes builds the indexes dropIndexes dropped, sorting as
// sortInFiles says: with helper threads, which took a third off the
// rebuild on this 2-core machine, in temporary files (docs/benchmarks.md).
func (w *observationWriter) restoreIndexes() error {
	if len(w.indexes) == 0 {
		return nil
	}
	restore, err := sortInFiles(w.ctx, w.tx, importCacheKiB)
	if err != nil {
		return err
	}
	defer restore()
	for _, def := range w.indexes {
		if _, err := w.tx.ExecContext(w.ctx, def); err != nil {
			return fmt.Errorf("rebuild index after the bulk load: %w", err)
		}
	}
	w.indexes = nil
	return nil
}

// sortCacheKiB is the page cache while the indexes are built.
const sortCacheKiB = 2048

// execer is a connection or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// sortInFiles sets c up for building indexes (an import's rebuild, a
// migration's CREATE INDEX) and returns what sets it back, with the page
// cache of cacheKiB. The sorter keeps runs as large as the page cache in
// memory, one per thread, and writes the sorted runs to temporary files,
// which the write connection keeps in memory (temp_store MEMORY, for the
// inserts' statement journals): there they took the peak memory of a
// 1,000,000-row import from 150 to 240 MB. Small runs in real temporary
// files, merged by up to sortThreads helper threads, measured both
// faster and leaner (docs/benchmarks.md).
func sortInFiles(ctx context.Context, c execer, cacheKiB int) (restore func(), err error) {
	for _, pragma := range []string{`PRAGMA threads = ` + strconv.Itoa(sortThreads()), `PRAGMA cache_size = -` + strconv.Itoa(sortCacheKiB), `PRAGMA temp_store = FILE`} {
		if _, err := c.ExecContext(ctx, pragma); err != nil {
			return nil, err
		}
	}
	return func() {
		bg := context.WithoutCancel(ctx)
		c.ExecContext(bg, `PRAGMA threads = 0`)
		c.ExecContext(bg, `PRAGMA temp_store = MEMORY`)
		c.ExecContext(bg, `PRAGMA cache_size = -`+strconv.Itoa(cacheKiB))
	}, nil
}

// sortThreads is how many threads SQLite's sorter may add to the
// connection's own to build an index: one per CPU, at most 4.
func sortThreads() int { return min(runtime.NumCPU(), 4) }

// productID finds the product's row, adding products the reference lists
// do not have (HS headings, free-text sectors) with the name the file gave.
func (w *observationWriter) productID(p Product) (int64, error) {
	key := productKey{p.Classification, p.Code}
	if id, ok := w.products[key]; ok {
		return id, nil
	}
	var id int64
	err := w.tx.QueryRowContext(w.ctx, `SELECT id FROM products WHERE classification = ? AND code = ?`, string(p.Classification), p.Code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		name := p.Name
		if name == "" {
			name = p.Code
		}
		err = w.tx.QueryRowContext(w.ctx, `INSERT INTO products (classification, code, name, parent_classification, parent_code)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, string(p.Classification), p.Code, name, string(p.ParentClassification), p.ParentCode).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("product %s: %w", p.Key(), err)
	}
	w.products[key] = id
	w.totalProducts[id] = p.Classification == Total
	return id, nil
}

// productKey is Product.Key without building the string.
type productKey struct {
	class ProductClassification
	code  string
}

// argBoxes holds the values rows repeat (the dataset, countries, months,
// flows, product ids) already converted to the interface values a
// statement's arguments are, so that a row does not allocate one per
// argument: an import of a million rows made some seven million such
// allocations. Each map stops growing at maxArgBoxes; past that, values
// are converted as before.
type argBoxes struct {
	strs map[string]any
	ints map[int]any
	ids  map[int64]any
}

const maxArgBoxes = 4096

func (b *argBoxes) str(s string) any { return box(&b.strs, s) }
func (b *argBoxes) int(n int) any    { return box(&b.ints, n) }
func (b *argBoxes) id(n int64) any   { return box(&b.ids, n) }

// box returns k as an interface value, the same one for the same k, for
// up to maxArgBoxes distinct values of each kind.
func box[K comparable](m *map[K]any, k K) any {
	if v, ok := (*m)[k]; ok {
		return v
	}
	var v any = k
	if *m == nil {
		*m = map[K]any{}
	}
	if len(*m) < maxArgBoxes {
		(*m)[k] = v
	}
	return v
}
