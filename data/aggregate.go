package data

import (
	"context"
	"database/sql"
	"fmt"
	"math"
)

// The pre-aggregated tables of migration 0004 (all_goods, dataset_pairs, pair_periods)
// are derived from observations. Import fills them for the new dataset in
// its own transaction, so a failed import leaves them as they were; a
// deleted dataset's rows go with it through ON DELETE CASCADE, in the
// delete's transaction.

// The import counts each new dataset's rows of dataset_pairs and
// pair_periods as it writes the observations (a map lookup per row),
// instead of grouping a million rows again with two GROUP BYs after the
// load, which cost more CPU than the inserts that filled the aggregates'
// sources (docs/benchmarks.md). all_goods keeps the observation ids, so
// it is still filled by one INSERT … SELECT over the rows this import
// added.

// pairKey is a row of dataset_pairs within one dataset.
type pairKey struct{ reporter, partner string }

// pairCount is what dataset_pairs holds for one pair, and the pair's
// rows of pair_periods.
type pairCount struct {
	observations, totals int64
	absValue             kbnSum
	firstStart, lastEnd  int
	periods              map[periodFlow]*pairPeriodCount
}

// periodFlow is a row of pair_periods within one pair: integers only, so
// that the lookup a row costs hashes no text.
type periodFlow struct {
	start, end int
	flow       int // index in Flows
}

// flowIndex is f's index in Flows; f has been validated.
func flowIndex(f Flow) int {
	for i, g := range Flows {
		if f == g {
			return i
		}
	}
	panic("unvalidated flow " + string(f))
}

// pairPeriodCount is what pair_periods holds for one pair, period and flow.
type pairPeriodCount struct{ observations, totals int64 }

// kbnSum adds floating-point numbers as SQLite's sum() does (the
// Kahan-Babuska-Neumaier sum of SQLite 3.43 and later), so that
// abs_value is the figure a GROUP BY over observations would give.
type kbnSum struct{ sum, err float64 }

func (k *kbnSum) add(x float64) {
	t := k.sum + x
	if math.Abs(k.sum) > math.Abs(x) {
		k.err += (k.sum - t) + x
	} else {
		k.err += (x - t) + k.sum
	}
	k.sum = t
}

// value is the sum; as in SQLite, an error term that overflowed (a sum
// past the largest float64, such as 1e308 + 1.7e308) is left out, so the
// sum is +Inf, not NaN (which SQLite stores as NULL).
func (k kbnSum) value() float64 {
	if math.IsInf(k.err, 0) || math.IsNaN(k.err) {
		return k.sum
	}
	return k.sum + k.err
}

// aggregates counts one dataset's observations as they are written.
type aggregates struct {
	pairs map[pairKey]*pairCount
	// last is the pair of the row counted last: rows of one pair tend
	// to follow each other, and then need no map lookup by text.
	lastKey pairKey
	last    *pairCount
	totals  int64 // all-goods observations
	// resum lists the pairs from which a duplicate row was deleted: their
	// abs_value is summed again from the stored rows.
	resum map[pairKey]bool
}

func newAggregates() *aggregates {
	return &aggregates{pairs: map[pairKey]*pairCount{}}
}

// pair returns the counts of one pair, new ones if it has none yet.
func (a *aggregates) pair(reporter, partner string, start, end int) *pairCount {
	k := pairKey{reporter, partner}
	if a.last != nil && a.lastKey == k {
		return a.last
	}
	pc := a.pairs[k]
	if pc == nil {
		pc = &pairCount{firstStart: start, lastEnd: end, periods: map[periodFlow]*pairPeriodCount{}}
		a.pairs[k] = pc
	}
	a.lastKey, a.last = k, pc
	return pc
}

// add counts one observation; total says whether its product is all goods.
func (a *aggregates) add(reporter, partner string, start, end int, flow Flow, value float64, total bool) {
	t := int64(0)
	if total {
		t = 1
		a.totals++
	}
	pc := a.pair(reporter, partner, start, end)
	pc.observations++
	pc.totals += t
	pc.absValue.add(math.Abs(value))
	pc.firstStart, pc.lastEnd = min(pc.firstStart, start), max(pc.lastEnd, end)
	k := periodFlow{start, end, flowIndex(flow)}
	pp := pc.periods[k]
	if pp == nil {
		pp = &pairPeriodCount{}
		pc.periods[k] = pp
	}
	pp.observations++
	pp.totals += t
}

// remove uncounts one observation that add counted, a duplicate deleted
// after the load.
func (a *aggregates) remove(reporter, partner string, start, end int, flow Flow, total bool) {
	t := int64(0)
	if total {
		t = 1
		a.totals--
	}
	pk := pairKey{reporter, partner}
	pc := a.pairs[pk]
	pc.observations--
	pc.totals -= t
	if a.resum == nil {
		a.resum = map[pairKey]bool{}
	}
	a.resum[pk] = true
	pp := pc.periods[periodFlow{start, end, flowIndex(flow)}]
	pp.observations--
	pp.totals -= t
}

// store adds dataset's rows to the aggregate tables, inside the
// transaction that imported its observations; afterID is the largest
// observation id before the import, so that all_goods reads only the
// rows the import added.
func (a *aggregates) store(ctx context.Context, tx *sql.Tx, dataset, afterID int64) error {
	if a.totals > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO all_goods (observation_id, dataset_id, reporter, partner, period_start, period_end, flow, value_usd, bound, source_ref, source_quote)
			SELECT o.id, o.dataset_id, o.reporter, o.partner, o.period_start, o.period_end, o.flow, o.value_usd, o.bound, o.source_ref, o.source_quote
			FROM observations o
			WHERE o.id > ? AND o.dataset_id = ? AND o.product_id IN (SELECT id FROM products WHERE classification = 'TOTAL')`, afterID, dataset); err != nil {
			return err
		}
	}
	pairs, err := tx.PrepareContext(ctx, `INSERT INTO dataset_pairs (dataset_id, reporter, partner, observations, totals, abs_value, first_start, last_end)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer pairs.Close()
	for k, c := range a.pairs {
		if _, err := pairs.ExecContext(ctx, dataset, k.reporter, k.partner, c.observations, c.totals, c.absValue.value(), c.firstStart, c.lastEnd); err != nil {
			return err
		}
	}
	for k := range a.resum {
		if _, err := tx.ExecContext(ctx, `UPDATE dataset_pairs SET abs_value = (SELECT sum(abs(value_usd)) FROM observations
			WHERE reporter = ? AND partner = ? AND dataset_id = ?) WHERE dataset_id = ? AND reporter = ? AND partner = ?`,
			k.reporter, k.partner, dataset, dataset, k.reporter, k.partner); err != nil {
			return err
		}
	}
	periods, err := tx.PrepareContext(ctx, `INSERT INTO pair_periods (reporter, partner, dataset_id, period_start, period_end, flow, observations, totals)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer periods.Close()
	for pk, pc := range a.pairs {
		for k, c := range pc.periods {
			if _, err := periods.ExecContext(ctx, pk.reporter, pk.partner, dataset, k.start, k.end, string(Flows[k.flow]), c.observations, c.totals); err != nil {
				return err
			}
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
