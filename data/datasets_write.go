package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// DatasetChanges are the fields of a dataset that can be edited after it
// is imported; a nil field is left as it is. What the figures are (rows,
// sha256, format) is never edited: a corrected file is a new dataset.
type DatasetChanges struct {
	Name        *string
	Source      *string
	Description *string
	// Default true makes the dataset the one views show when a link names
	// none, taking that from any other; false makes it an ordinary one.
	Default *bool
}

// Limits on the edited fields, in characters.
const (
	maxDatasetName        = 200
	maxDatasetSource      = 2000
	maxDatasetDescription = 10000
	maxImportedBy         = 200 // bytes, as the column's CHECK
)

// Validate checks the changes before they are stored.
func (c DatasetChanges) Validate() error {
	if c.Name == nil && c.Source == nil && c.Description == nil && c.Default == nil {
		return fmt.Errorf("%w: nothing to change: give a name, source, description or default", ErrInvalid)
	}
	if c.Name != nil && strings.TrimSpace(*c.Name) == "" {
		return fmt.Errorf("%w: a dataset needs a name", ErrInvalid)
	}
	for _, f := range []struct {
		what string
		v    *string
		max  int
	}{{"name", c.Name, maxDatasetName}, {"source", c.Source, maxDatasetSource}, {"description", c.Description, maxDatasetDescription}} {
		if f.v == nil {
			continue
		}
		if !utf8.ValidString(*f.v) {
			return fmt.Errorf("%w: the %s is not valid UTF-8 text", ErrInvalid, f.what)
		}
		if n := utf8.RuneCountInString(*f.v); n > f.max {
			return fmt.Errorf("%w: the %s is %d characters long; at most %d are kept", ErrInvalid, f.what, n, f.max)
		}
	}
	return nil
}

// UpdateDataset applies c to dataset id and returns the dataset as it now
// is, or an error wrapping ErrNotFound.
func (s *Store) UpdateDataset(ctx context.Context, id int64, c DatasetChanges) (Dataset, error) {
	if err := c.Validate(); err != nil {
		return Dataset{}, err
	}
	trim := func(p *string) any {
		if p == nil {
			return nil
		}
		return strings.TrimSpace(*p)
	}
	var d Dataset
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE datasets SET name = coalesce(?, name), source = coalesce(?, source),
			description = coalesce(?, description) WHERE id = ?`, trim(c.Name), trim(c.Source), trim(c.Description), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, fmt.Errorf("%w: there is no dataset %d", ErrNotFound, id))
		}
		if c.Default != nil {
			if err := setDefault(ctx, tx, id, *c.Default); err != nil {
				return err
			}
		}
		return scanDataset(tx.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM datasets d WHERE d.id = ?`, id), &d)
	})
	if err != nil {
		return Dataset{}, err
	}
	return d, nil
}

// setDefault makes dataset id the default (clearing the flag on any
// other first, as the unique index allows one) or an ordinary dataset.
func setDefault(ctx context.Context, tx *sql.Tx, id int64, on bool) error {
	if on {
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET is_default = 0 WHERE is_default = 1 AND id <> ?`, id); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE datasets SET is_default = ? WHERE id = ?`, on, id)
	return err
}

// DefaultDataset returns the id of the default dataset, or 0 when no
// dataset is the default.
func (s *Store) DefaultDataset(ctx context.Context) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM datasets WHERE is_default = 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

type importerKey struct{}

// WithImporter returns a context that says who imports: Import records it
// as the dataset's ImportedBy when the dataset does not say. It travels in
// the context so that the importers, which build the Dataset, need not
// know about the people using them.
func WithImporter(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, importerKey{}, who)
}

// ImporterFrom returns who WithImporter says imports, or "".
func ImporterFrom(ctx context.Context) string {
	who, _ := ctx.Value(importerKey{}).(string)
	return who
}

// DeleteDataset removes dataset id and, through the foreign key's ON
// DELETE CASCADE (foreign_keys is on in every connection's DSN), all of
// its observations, in one transaction. It returns the dataset as it was,
// or an error wrapping ErrNotFound.
func (s *Store) DeleteDataset(ctx context.Context, id int64) (Dataset, error) {
	var d Dataset
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := scanDataset(tx.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM datasets d WHERE d.id = ?`, id), &d)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: there is no dataset %d", ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM datasets WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return Dataset{}, err
	}
	return d, nil
}

// DatasetObservations returns a dataset's observations in the order they
// were imported, at most limit of them (0: all): what an import preview
// shows as the first parsed rows.
func (s *Store) DatasetObservations(ctx context.Context, id int64, limit int) ([]Observation, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.read.QueryContext(ctx, `SELECT o.reporter, o.partner, o.period_start, o.period_end, o.flow,
			p.classification, p.code, p.name, p.parent_classification, p.parent_code,
			o.value_usd, o.bound, o.quantity, o.qty_unit, o.source_ref, o.source_quote
		FROM observations o JOIN products p ON p.id = o.product_id
		WHERE o.dataset_id = ? ORDER BY o.id LIMIT ?`, id, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Observation
	for rows.Next() {
		var o Observation
		var start, end int
		var flow, class, parentClass, bound string
		var qty sql.NullFloat64
		if err := rows.Scan(&o.Reporter, &o.Partner, &start, &end, &flow, &class, &o.Product.Code, &o.Product.Name,
			&parentClass, &o.Product.ParentCode, &o.ValueUSD, &bound, &qty, &o.QtyUnit, &o.SourceRef, &o.SourceQuote); err != nil {
			return nil, err
		}
		o.Period = Period{MonthFromYYYYMM(start), MonthFromYYYYMM(end)}
		o.Flow, o.Bound = Flow(flow), Bound(bound)
		o.Product.Classification, o.Product.ParentClassification = ProductClassification(class), ProductClassification(parentClass)
		if qty.Valid {
			o.Quantity = &qty.Float64
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// DatasetPeriods returns the distinct periods a dataset's observations
// cover, in order.
func (s *Store) DatasetPeriods(ctx context.Context, id int64) ([]Period, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT period_start, period_end FROM observations
		WHERE dataset_id = ? ORDER BY period_start, period_end`, id)
	if err != nil {
		return nil, err
	}
	return scanPeriods(rows)
}

// scanPeriods reads rows of (period_start, period_end) as YYYYMM numbers.
func scanPeriods(rows *sql.Rows) ([]Period, error) {
	defer rows.Close()
	var out []Period
	for rows.Next() {
		var start, end int
		if err := rows.Scan(&start, &end); err != nil {
			return nil, err
		}
		out = append(out, Period{MonthFromYYYYMM(start), MonthFromYYYYMM(end)})
	}
	return out, rows.Err()
}
