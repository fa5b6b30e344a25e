package data

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

const datasetColumns = `d.id, d.name, d.source, d.licence, d.description, d.original_name, d.sha256, d.format, d.imported_at, d.row_count,
	d.imported_by, d.is_default`

func scanDataset(sc interface{ Scan(...any) error }, d *Dataset, extra ...any) error {
	var at string
	dest := append([]any{&d.ID, &d.Name, &d.Source, &d.Licence, &d.Description, &d.OriginalName, &d.SHA256, &d.Format, &at, &d.RowCount,
		&d.ImportedBy, &d.Default}, extra...)
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

// datasetsSQL and pairsSQL are the home page's reads: every dataset with
// its coverage, and each dataset's pairs. They read the aggregate table
// dataset_pairs (one row per dataset, reporter and partner), never
// observations, so the first page after a write costs little at ten
// million rows; queryplan_test.go checks their plans. Aggregates such as
// the World are left out in Go, from the reference lists the countries
// table is kept equal to: a join with countries cost as much as the read
// (4 of 9 ms for 3,540 pairs with the modernc driver), and ranking the
// pairs in SQLite (GROUP BY and rank()) cost 16 ms.
const (
	datasetsSQL = `SELECT ` + datasetColumns + `,
			(SELECT count(DISTINCT reporter) FROM dataset_pairs dp WHERE dp.dataset_id = d.id),
			(SELECT count(*) FROM dataset_pairs dp WHERE dp.dataset_id = d.id),
			coalesce((SELECT min(first_start) FROM dataset_pairs dp WHERE dp.dataset_id = d.id), 0),
			coalesce((SELECT max(last_end) FROM dataset_pairs dp WHERE dp.dataset_id = d.id), 0)
		FROM datasets d ORDER BY d.id`
	pairsSQL = `SELECT o.reporter, o.partner, o.observations, o.totals, o.abs_value, o.first_start, o.last_end
		FROM dataset_pairs o WHERE o.dataset_id = ?`
	// allPairsSQL is every dataset's pairs in one read, for LargestPairs.
	allPairsSQL = `SELECT o.dataset_id, o.reporter, o.partner, o.observations, o.totals, o.abs_value, o.first_start, o.last_end
		FROM dataset_pairs o`
)

// Datasets lists every dataset in import order with its coverage.
func (s *Store) Datasets(ctx context.Context) ([]DatasetSummary, error) {
	rows, err := s.read.QueryContext(ctx, datasetsSQL)
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

// DatasetList lists every dataset in import order, without the coverage
// figures of Datasets: it reads only the datasets table, so pages that
// need dataset names and sources can call it on every request.
func (s *Store) DatasetList(ctx context.Context) ([]Dataset, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+datasetColumns+` FROM datasets d ORDER BY d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Dataset
	for rows.Next() {
		var d Dataset
		if err := scanDataset(rows, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
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
// out), one entry per unordered pair, the pairs with the most trade first,
// at most limit of them (0: all). A pair's Reporter is the side whose own
// statistics give more all-goods figures on it (then more figures of any
// kind, then the code first in the alphabet), so that its page opens on
// that side's figures rather than on mirror figures.
func (s *Store) Pairs(ctx context.Context, datasetID int64, limit int) ([]Pair, error) {
	rows, err := s.read.QueryContext(ctx, pairsSQL, datasetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var sides []pairSide
	for rows.Next() {
		sd := pairSide{Pair: Pair{DatasetID: datasetID}}
		if err := rows.Scan(&sd.Reporter, &sd.Partner, &sd.Observations, &sd.totals, &sd.value, &sd.first, &sd.last); err != nil {
			return nil, err
		}
		if s.ref.aggregateISO3(sd.Reporter) || s.ref.aggregateISO3(sd.Partner) {
			continue
		}
		sd.FirstMonth, sd.LastMonth = MonthFromYYYYMM(sd.first), MonthFromYYYYMM(sd.last)
		sides = append(sides, sd)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out, _ := rankPairs(sides, limit)
	return out, nil
}

// LargestPairs is, for every dataset, what Pairs(ctx, id, limit) gives
// and how many pairs the dataset holds in all (the length of Pairs
// without a limit), from one read: the home page's.
func (s *Store) LargestPairs(ctx context.Context, limit int) (map[int64][]Pair, map[int64]int, error) {
	rows, err := s.read.QueryContext(ctx, allPairsSQL)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	sides := map[int64][]pairSide{}
	for rows.Next() {
		var sd pairSide
		if err := rows.Scan(&sd.DatasetID, &sd.Reporter, &sd.Partner, &sd.Observations, &sd.totals, &sd.value, &sd.first, &sd.last); err != nil {
			return nil, nil, err
		}
		if s.ref.aggregateISO3(sd.Reporter) || s.ref.aggregateISO3(sd.Partner) {
			continue
		}
		sd.FirstMonth, sd.LastMonth = MonthFromYYYYMM(sd.first), MonthFromYYYYMM(sd.last)
		sides[sd.DatasetID] = append(sides[sd.DatasetID], sd)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out := make(map[int64][]Pair, len(sides))
	counts := make(map[int64]int, len(sides))
	for id, ss := range sides {
		out[id], counts[id] = rankPairs(ss, limit)
	}
	return out, counts, nil
}

// pairSide is a row of dataset_pairs: one side's statistics on a pair.
type pairSide struct {
	Pair
	totals      int
	value       float64
	first, last int
}

// rankPairs merges the sides of each pair and ranks the pairs (see
// Pairs), at most limit of them (0: all), and says how many there are.
func rankPairs(all []pairSide, limit int) ([]Pair, int) {
	pairs := map[[2]string][]pairSide{}
	for _, sd := range all {
		k := [2]string{min(sd.Reporter, sd.Partner), max(sd.Reporter, sd.Partner)}
		pairs[k] = append(pairs[k], sd)
	}
	type merged struct {
		Pair
		value float64
	}
	var out []merged
	for _, sides := range pairs {
		slices.SortFunc(sides, func(a, b pairSide) int {
			return cmp.Or(cmp.Compare(b.totals, a.totals), cmp.Compare(b.Observations, a.Observations), cmp.Compare(a.Reporter, b.Reporter))
		})
		m := merged{Pair: sides[0].Pair}
		for _, sd := range sides {
			m.value += sd.value
			if sd.Reporter != m.Reporter {
				m.Observations += sd.Observations
				m.FirstMonth, m.LastMonth = min(m.FirstMonth, sd.FirstMonth), max(m.LastMonth, sd.LastMonth)
			}
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b merged) int {
		return cmp.Or(cmp.Compare(b.value, a.value), cmp.Compare(a.Reporter, b.Reporter), cmp.Compare(a.Partner, b.Partner))
	})
	total := len(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	result := make([]Pair, len(out))
	for i, m := range out {
		result[i] = m.Pair
	}
	return result, total
}

// ImportedAs finds the dataset imported from the file with this sha256 in
// the database at dbPath, without writing to it or creating it: a dry run
// uses it to say that an import would be refused as a repeat. A missing
// file, or one that holds no datasets table yet, has imported nothing.
func ImportedAs(ctx context.Context, dbPath, sum string) (Dataset, bool, error) {
	if strings.ContainsAny(dbPath, "?#") {
		return Dataset{}, false, fmt.Errorf("%w: database path %q must not contain ? or #", ErrInvalid, dbPath)
	}
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return Dataset{}, false, nil
	}
	abs, err := filepath.Abs(dbPath) // a URI's path must be absolute: "file://./x.db" has an authority
	if err != nil {
		return Dataset{}, false, err
	}
	// Read-only still makes the WAL's -shm and -wal files when they are
	// missing (a database at rest), as the user who runs this: then the
	// file is opened as immutable, which creates nothing. With a -wal
	// file, a writer may be at work, and read-only sees its commits.
	query := "mode=ro&_pragma=busy_timeout(5000)"
	if _, err := os.Stat(dbPath + "-wal"); errors.Is(err, fs.ErrNotExist) {
		query = "immutable=1"
	}
	uri := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: query}
	db, err := sql.Open("sqlite", uri.String())
	if err != nil {
		return Dataset{}, false, err
	}
	defer db.Close()
	var (
		d  Dataset
		at string
	)
	err = db.QueryRowContext(ctx, `SELECT id, name, imported_at FROM datasets WHERE sha256 = ?`, sum).Scan(&d.ID, &d.Name, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Dataset{}, false, nil
	case err != nil && strings.Contains(err.Error(), "no such table"):
		return Dataset{}, false, nil
	case err != nil:
		return Dataset{}, false, fmt.Errorf("look for the file in %s: %w", dbPath, err)
	}
	d.SHA256 = sum
	d.ImportedAt, _ = time.Parse(time.RFC3339Nano, at)
	return d, true, nil
}
