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

// Pairs lists a dataset's country pairs (aggregate partners such as World
// left out), one entry per unordered pair, those with most observations
// first, at most limit of them.
func (s *Store) Pairs(ctx context.Context, datasetID int64, limit int) ([]Pair, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT o.reporter, o.partner, count(*), min(o.period_start), max(o.period_end)
		FROM observations o JOIN countries c ON c.iso3 = o.partner
		WHERE o.dataset_id = ? AND c.aggregate = 0
		GROUP BY o.reporter, o.partner
		ORDER BY count(*) DESC, o.reporter, o.partner`, datasetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[[2]string]int{}
	var out []Pair
	for rows.Next() {
		p := Pair{DatasetID: datasetID}
		var first, last int
		if err := rows.Scan(&p.Reporter, &p.Partner, &p.Observations, &first, &last); err != nil {
			return nil, err
		}
		p.FirstMonth, p.LastMonth = MonthFromYYYYMM(first), MonthFromYYYYMM(last)
		k := [2]string{min(p.Reporter, p.Partner), max(p.Reporter, p.Partner)}
		if i, ok := seen[k]; ok {
			out[i].Observations += p.Observations
			out[i].FirstMonth = min(out[i].FirstMonth, p.FirstMonth)
			out[i].LastMonth = max(out[i].LastMonth, p.LastMonth)
			continue
		}
		seen[k] = len(out)
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
