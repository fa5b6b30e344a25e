package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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
		defer w.close()
		if err := produce(w.write); err != nil {
			return err
		}
		if err := w.flush(); err != nil {
			return err
		}
		if err := addAggregates(ctx, tx, d.ID); err != nil {
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

// observationWriter inserts one dataset's observations inside a
// transaction, insertBatch rows per statement.
type observationWriter struct {
	ctx       context.Context
	tx        *sql.Tx
	dataset   int64
	batch     *sql.Stmt // insertBatch rows
	pending   []any     // values of rows not yet inserted
	products  map[string]int64
	countries map[string]bool
	n         int64
}

func (s *Store) newObservationWriter(ctx context.Context, tx *sql.Tx, dataset int64) (*observationWriter, error) {
	batch, err := tx.PrepareContext(ctx, insertColumns+strings.Repeat(insertRow+", ", insertBatch-1)+insertRow)
	if err != nil {
		return nil, err
	}
	countries := make(map[string]bool)
	for _, c := range s.ref.Countries() {
		countries[c.ISO3] = true
	}
	return &observationWriter{ctx: ctx, tx: tx, dataset: dataset, batch: batch, pending: make([]any, 0, 13*insertBatch),
		products: map[string]int64{}, countries: countries}, nil
}

func (w *observationWriter) close() { w.batch.Close() }

func (w *observationWriter) write(o Observation) error {
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
	w.pending = append(w.pending, w.dataset, o.Reporter, o.Partner, o.Period.Start.YYYYMM(), o.Period.End.YYYYMM(),
		string(o.Flow), pid, o.ValueUSD, string(o.Bound), qty, o.QtyUnit, o.SourceRef, o.SourceQuote)
	w.n++
	if len(w.pending) == cap(w.pending) {
		if _, err := w.batch.ExecContext(w.ctx, w.pending...); err != nil {
			return err
		}
		w.pending = w.pending[:0]
	}
	return nil
}

// flush inserts the rows of the last, partial batch.
func (w *observationWriter) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	rows := len(w.pending) / 13
	_, err := w.tx.ExecContext(w.ctx, insertColumns+strings.Repeat(insertRow+", ", rows-1)+insertRow, w.pending...)
	w.pending = w.pending[:0]
	return err
}

// productID finds the product's row, adding products the reference lists
// do not have (HS headings, free-text sectors) with the name the file gave.
func (w *observationWriter) productID(p Product) (int64, error) {
	key := p.Key()
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
		return 0, fmt.Errorf("product %s: %w", key, err)
	}
	w.products[key] = id
	return id, nil
}
