package data

import (
	"cmp"
	"context"
	"slices"
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
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.dataset_id, o.reporter, o.period_start, o.period_end, o.flow, o.value_usd, o.bound,
			o.source_ref, o.source_quote, p.classification, p.code, p.name, p.parent_classification, p.parent_code
		FROM observations o JOIN products p ON p.id = o.product_id
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
		products map[string][]Source
		info     map[string]Product
		order    []string
	}
	groups := map[key]*acc{}
	var order []key
	for rows.Next() {
		var src Source
		var start, end int
		var p Product
		if err := rows.Scan(&src.ObservationID, &src.DatasetID, &src.Reporter, &start, &end, &src.Flow, &src.ValueUSD, &src.Bound,
			&src.Ref, &src.Quote, &p.Classification, &p.Code, &p.Name, &p.ParentClassification, &p.ParentCode); err != nil {
			return nil, err
		}
		flow := src.Flow
		if src.Reporter != q.Reporter { // the partner's statistics, turned round
			flow = map[Flow]Flow{Export: Import, Import: Export}[flow]
		}
		k := key{src.DatasetID, Period{MonthFromYYYYMM(start), MonthFromYYYYMM(end)}, src.Reporter, flow}
		a := groups[k]
		if a == nil {
			a = &acc{products: map[string][]Source{}, info: map[string]Product{}}
			groups[k] = a
			order = append(order, k)
		}
		if p.Classification == Total {
			a.total = append(a.total, src)
			continue
		}
		if _, ok := a.products[p.Key()]; !ok {
			a.order = append(a.order, p.Key())
			a.info[p.Key()] = p
		}
		a.products[p.Key()] = append(a.products[p.Key()], src)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []SectorBreakdown
	for _, k := range order {
		a := groups[k]
		if len(a.order) == 0 {
			continue // all-goods figures only
		}
		b := SectorBreakdown{DatasetID: k.dataset, Period: k.period, ReportedBy: k.side, Flow: k.flow, Total: stated(a.total)}
		for _, pk := range a.order {
			sf := SectorFigure{Product: a.info[pk], Figure: stated(a.products[pk])}
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
