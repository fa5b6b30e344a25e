package data

import (
	"context"
	"database/sql"
	"fmt"
)

// The pre-aggregated tables of migration 0004 (all_goods, dataset_pairs, pair_periods)
// are derived from observations. Import fills them for the new dataset in
// its own transaction, so a failed import leaves them as they were; a
// deleted dataset's rows go with it through ON DELETE CASCADE, in the
// delete's transaction.

// aggregateSQL derives a dataset's rows of each aggregate table from its
// observations; the migration runs the same selects over every dataset.
var aggregateSQL = []string{
	`INSERT INTO all_goods (observation_id, dataset_id, reporter, partner, period_start, period_end, flow, value_usd, bound, source_ref, source_quote)
	SELECT o.id, o.dataset_id, o.reporter, o.partner, o.period_start, o.period_end, o.flow, o.value_usd, o.bound, o.source_ref, o.source_quote
	FROM observations o JOIN products p ON p.id = o.product_id
	WHERE o.dataset_id = ? AND p.classification = 'TOTAL'`,
	`INSERT INTO dataset_pairs (dataset_id, reporter, partner, observations, totals, abs_value, first_start, last_end)
	SELECT o.dataset_id, o.reporter, o.partner, count(*), sum(p.classification = 'TOTAL'), sum(abs(o.value_usd)), min(o.period_start), max(o.period_end)
	FROM observations o JOIN products p ON p.id = o.product_id
	WHERE o.dataset_id = ?
	GROUP BY o.reporter, o.partner`,
	`INSERT INTO pair_periods (reporter, partner, dataset_id, period_start, period_end, flow, observations, totals)
	SELECT o.reporter, o.partner, o.dataset_id, o.period_start, o.period_end, o.flow, count(*), sum(p.classification = 'TOTAL')
	FROM observations o JOIN products p ON p.id = o.product_id
	WHERE o.dataset_id = ?
	GROUP BY o.reporter, o.partner, o.period_start, o.period_end, o.flow`,
}

// addAggregates adds dataset's rows to the aggregate tables, inside the
// transaction that imported its observations.
func addAggregates(ctx context.Context, tx *sql.Tx, dataset int64) error {
	for _, q := range aggregateSQL {
		if _, err := tx.ExecContext(ctx, q, dataset); err != nil {
			return err
		}
	}
	return nil
}

// productsByID returns the products with the given ids (repeats allowed),
// from the store's cache where it has them. A product row never changes
// while the store is open (syncReference runs before any read, and
// imports only add rows), so a cached product is never stale.
func (s *Store) productsByID(ctx context.Context, ids []int64) (map[int64]Product, error) {
	out := make(map[int64]Product, len(ids))
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		if p, ok := s.productCache.Load(id); ok {
			out[id] = p.(Product)
			continue
		}
		var p Product
		var class, parentClass string
		if err := s.read.QueryRowContext(ctx, `SELECT classification, code, name, parent_classification, parent_code FROM products WHERE id = ?`, id).
			Scan(&class, &p.Code, &p.Name, &parentClass, &p.ParentCode); err != nil {
			return nil, fmt.Errorf("product %d: %w", id, err)
		}
		p.Classification, p.ParentClassification = ProductClassification(class), ProductClassification(parentClass)
		s.productCache.Store(id, p)
		out[id] = p
	}
	return out, nil
}

// SectorPeriods lists, in order, the periods in which either side of the
// pair states figures for products other than all goods (in the query's
// dataset, or any), exports or imports: the periods Sectors gives
// breakdowns for.
func (s *Store) SectorPeriods(ctx context.Context, q BilateralQuery) ([]Period, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	where := `((reporter = ? AND partner = ?) OR (reporter = ? AND partner = ?)) AND flow IN ('export', 'import') AND observations > totals`
	args := []any{q.Reporter, q.Partner, q.Partner, q.Reporter}
	if q.DatasetID != 0 {
		where, args = where+` AND dataset_id = ?`, append(args, q.DatasetID)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT period_start, period_end FROM pair_periods WHERE `+where+`
		ORDER BY period_start, period_end`, args...)
	if err != nil {
		return nil, err
	}
	return scanPeriods(rows)
}
