package data

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// SectorFigure is one product's figure within a pair's trade, with its
// share of the all-goods total the same dataset and side state for the
// same period and flow, when one is stated.
type SectorFigure struct {
	Product Product
	Figure  Figure
	Share   float64 // of Total; 0 when Total is unknown
}

// SectorBreakdown is a pair's trade in one period and flow, by product, as
// one side's statistics in one dataset state it. Flow is seen from the
// query's reporter, as in Bilateral: a partner's imports are Exports.
type SectorBreakdown struct {
	DatasetID  int64
	Period     Period
	ReportedBy string
	Flow       Flow
	Total      Figure // the stated all-goods figure, if any
	Sectors    []SectorFigure
	// Sum is the sum of the sectors' exact values. It is shown beside the
	// total, never in its place: listed sectors are rarely all of them.
	Sum float64
}

// Sectors returns, for a pair, every period, side and flow with figures
// for products other than all goods, largest first within each. Sector
// figures of a source are listed as stated; they are never added up into
// a total that the source does not state.
func (s *Store) Sectors(ctx context.Context, q BilateralQuery) ([]SectorBreakdown, error) {
	return s.SectorsIn(ctx, q, nil)
}

// SectorsIn is Sectors for the given periods only (all when periods is
// empty): a view that shows two periods reads two periods' figures.
func (s *Store) SectorsIn(ctx context.Context, q BilateralQuery, periods []Period) ([]SectorBreakdown, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	args := []any{q.Reporter, q.Partner, q.Partner, q.Reporter}
	where := `((o.reporter = ? AND o.partner = ?) OR (o.reporter = ? AND o.partner = ?)) AND o.flow IN ('export', 'import')`
	if q.DatasetID != 0 {
		// The unary + keeps SQLite from choosing the dataset index, which
		// would read the whole dataset, over the pair index.
		where += ` AND +o.dataset_id = ?`
		args = append(args, q.DatasetID)
	}
	if len(periods) > 0 {
		where += ` AND (` + strings.Repeat(`(o.period_start = ? AND o.period_end = ?) OR `, len(periods)-1) + `(o.period_start = ? AND o.period_end = ?))`
		for _, p := range periods {
			args = append(args, p.Start.YYYYMM(), p.End.YYYYMM())
		}
	}
	// Products are read by id from the store's cache: scanning each
	// row's product names cost more than the rest of the query.
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.dataset_id, o.reporter, o.period_start, o.period_end, o.flow, o.value_usd, o.bound,
			o.source_ref, o.source_quote, o.product_id
		FROM observations o
		WHERE `+where+`
		ORDER BY o.dataset_id, o.period_start, o.period_end, o.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct {
		dataset int64
		period  Period
		side    string
		flow    Flow
	}
	type acc struct {
		total    []Source
		products map[int64][]Source
		order    []int64
	}
	groups := map[key]*acc{}
	var order []key
	var ids []int64
	for rows.Next() {
		var src Source
		var start, end int
		var pid int64
		if err := rows.Scan(&src.ObservationID, &src.DatasetID, &src.Reporter, &start, &end, &src.Flow, &src.ValueUSD, &src.Bound,
			&src.Ref, &src.Quote, &pid); err != nil {
			return nil, err
		}
		flow := src.Flow
		if src.Reporter != q.Reporter { // the partner's statistics, turned round
			switch flow {
			case Export:
				flow = Import
			case Import:
				flow = Export
			}
		}
		k := key{src.DatasetID, Period{MonthFromYYYYMM(start), MonthFromYYYYMM(end)}, src.Reporter, flow}
		a := groups[k]
		if a == nil {
			a = &acc{products: map[int64][]Source{}}
			groups[k] = a
			order = append(order, k)
		}
		if _, ok := a.products[pid]; !ok {
			a.order = append(a.order, pid)
			ids = append(ids, pid)
		}
		a.products[pid] = append(a.products[pid], src)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	info, err := s.productsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []SectorBreakdown
	for _, k := range order {
		a := groups[k]
		var sectors []int64
		for _, pid := range a.order {
			if info[pid].Classification == Total {
				a.total = append(a.total, a.products[pid]...)
			} else {
				sectors = append(sectors, pid)
			}
		}
		if len(sectors) == 0 {
			continue // all-goods figures only
		}
		b := SectorBreakdown{DatasetID: k.dataset, Period: k.period, ReportedBy: k.side, Flow: k.flow, Total: stated(a.total)}
		for _, pid := range sectors {
			sf := SectorFigure{Product: info[pid], Figure: stated(a.products[pid])}
			if exact(sf.Figure) {
				b.Sum += sf.Figure.Value
				if exact(b.Total) && b.Total.Value > 0 {
					sf.Share = sf.Figure.Value / b.Total.Value
				}
			}
			b.Sectors = append(b.Sectors, sf)
		}
		slices.SortStableFunc(b.Sectors, func(x, y SectorFigure) int { return cmp.Compare(y.Figure.Value, x.Figure.Value) })
		out = append(out, b)
	}
	return out, nil
}
