package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DatasetSummary is a dataset with what it covers.
type DatasetSummary struct {
	Dataset
	Reporters  int
	Pairs      int   // reporter–partner pairs, each direction counted
	FirstMonth Month // first month any observation covers; 0 when empty
	LastMonth  Month
}

const datasetColumns = `d.id, d.name, d.source, d.licence, d.description, d.original_name, d.sha256, d.format, d.imported_at, d.row_count`

func scanDataset(sc interface{ Scan(...any) error }, d *Dataset, extra ...any) error {
	var at string
	dest := append([]any{&d.ID, &d.Name, &d.Source, &d.Licence, &d.Description, &d.OriginalName, &d.SHA256, &d.Format, &at, &d.RowCount}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return fmt.Errorf("dataset %d: imported_at %q: %w", d.ID, at, err)
	}
	d.ImportedAt = t
	return nil
}

// Datasets lists every dataset in import order with its coverage.
func (s *Store) Datasets(ctx context.Context) ([]DatasetSummary, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+datasetColumns+`,
			(SELECT count(DISTINCT reporter) FROM observations o WHERE o.dataset_id = d.id),
			(SELECT count(*) FROM (SELECT DISTINCT reporter, partner FROM observations o WHERE o.dataset_id = d.id)),
			coalesce((SELECT min(period_start) FROM observations o WHERE o.dataset_id = d.id), 0),
			coalesce((SELECT max(period_end) FROM observations o WHERE o.dataset_id = d.id), 0)
		FROM datasets d ORDER BY d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DatasetSummary
	for rows.Next() {
		var ds DatasetSummary
		var first, last int
		if err := scanDataset(rows, &ds.Dataset, &ds.Reporters, &ds.Pairs, &first, &last); err != nil {
			return nil, err
		}
		if first > 0 {
			ds.FirstMonth, ds.LastMonth = MonthFromYYYYMM(first), MonthFromYYYYMM(last)
		}
		out = append(out, ds)
	}
	return out, rows.Err()
}

// Dataset returns one dataset, or an error wrapping ErrNotFound.
func (s *Store) Dataset(ctx context.Context, id int64) (Dataset, error) {
	var d Dataset
	err := scanDataset(s.read.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM datasets d WHERE d.id = ?`, id), &d)
	if errors.Is(err, sql.ErrNoRows) {
		return Dataset{}, fmt.Errorf("%w: dataset %d", ErrNotFound, id)
	}
	return d, err
}

// Empty reports whether the store holds no dataset yet.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM datasets`).Scan(&n)
	return n == 0, err
}

// Pair is a reporter and partner with how much a dataset holds on them.
type Pair struct {
	DatasetID    int64
	Reporter     string
	Partner      string
	Observations int
	FirstMonth   Month
	LastMonth    Month
}

// Pairs lists a dataset's country pairs (aggregates such as World left
// out), one entry per unordered pair with the codes in alphabetical order
// (PAK before RUS), the pairs with the most trade first, at most limit of
// them (0: all).
func (s *Store) Pairs(ctx context.Context, datasetID int64, limit int) ([]Pair, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT min(o.reporter, o.partner), max(o.reporter, o.partner), count(*), min(o.period_start), max(o.period_end)
		FROM observations o
		JOIN countries r ON r.iso3 = o.reporter
		JOIN countries p ON p.iso3 = o.partner
		WHERE o.dataset_id = ? AND r.aggregate = 0 AND p.aggregate = 0
		GROUP BY 1, 2
		ORDER BY sum(abs(o.value_usd)) DESC, 1, 2`, datasetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Pair
	for rows.Next() {
		p := Pair{DatasetID: datasetID}
		var first, last int
		if err := rows.Scan(&p.Reporter, &p.Partner, &p.Observations, &first, &last); err != nil {
			return nil, err
		}
		p.FirstMonth, p.LastMonth = MonthFromYYYYMM(first), MonthFromYYYYMM(last)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
