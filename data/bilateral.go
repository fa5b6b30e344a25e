package data

import (
	"context"
	"fmt"
	"sort"
)

// BilateralQuery asks for a pair's totals per period. Reporter and Partner
// are ISO3 keys; DatasetID 0 means every dataset, each kept apart.
type BilateralQuery struct {
	Reporter  string
	Partner   string
	DatasetID int64
}

// Validate checks that the query names two different countries.
func (q BilateralQuery) Validate() error {
	switch {
	case q.Reporter == "" || q.Partner == "":
		return fmt.Errorf("%w: reporter and partner are both required", ErrInvalid)
	case q.Reporter == q.Partner:
		return fmt.Errorf("%w: reporter and partner are the same country (%s)", ErrInvalid, q.Reporter)
	case q.DatasetID < 0:
		return fmt.Errorf("%w: dataset %d", ErrInvalid, q.DatasetID)
	}
	return nil
}

// Source is one stored observation behind a figure.
type Source struct {
	ObservationID int64   `json:"observation"`
	DatasetID     int64   `json:"dataset"`
	Reporter      string  `json:"reporter"`
	Flow          Flow    `json:"flow"`
	ValueUSD      float64 `json:"value_usd"`
	Bound         Bound   `json:"bound"`
	Ref           string  `json:"ref"`
	Quote         string  `json:"quote,omitempty"`
}

// Figure is one number on a page with what it rests on. Known is false when
// no source gives it and it cannot be derived; Conflict is true when sources
// for the same figure disagree, and then no single value is claimed.
type Figure struct {
	Known    bool
	Value    float64
	Bound    Bound
	Derived  bool // computed from other figures (turnover = exports + imports)
	Conflict bool
	Sources  []Source
}

// PeriodTotals is a pair's trade in one period as one side's statistics
// state it, always expressed from the query's reporter: Exports are the
// reporter's exports to the partner. When ReportedBy is the partner, the
// figures are the partner's own (mirror) statistics: its imports from the
// reporter appear as the reporter's Exports.
type PeriodTotals struct {
	DatasetID  int64
	Period     Period
	ReportedBy string
	Exports    Figure
	Imports    Figure
	Turnover   Figure
	Balance    Figure
	// WorldExports and WorldImports are the reporter's trade with the
	// World in the same dataset and period, where the source states it,
	// so the pair's share can be shown beside the figures it rests on.
	// Only on rows of the reporter's own statistics.
	WorldExports Figure
	WorldImports Figure
}

// Mirror reports whether the figures come from the partner's statistics.
func (t PeriodTotals) Mirror(q BilateralQuery) bool { return t.ReportedBy != q.Reporter }

// Bilateral returns the pair's all-goods totals per dataset, period and
// reporting side, in dataset then period order, the reporter's own
// statistics before the partner's. Only figures stated for all goods are
// used: a sector figure is never taken for a total.
func (s *Store) Bilateral(ctx context.Context, q BilateralQuery) ([]PeriodTotals, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	args := []any{q.Reporter, q.Partner, q.Partner, q.Reporter, q.Reporter}
	where := `((o.reporter = ? AND o.partner = ?) OR (o.reporter = ? AND o.partner = ?) OR (o.reporter = ? AND o.partner = 'WLD'))
		AND o.flow IN ('export', 'import', 'turnover')`
	if q.DatasetID != 0 {
		// The unary + keeps SQLite from choosing the dataset index, which
		// would read the whole dataset, over the pair index.
		where += ` AND +o.dataset_id = ?`
		args = append(args, q.DatasetID)
	}
	// all_goods holds the all-goods observations (migration 0004), each
	// with its id, so the figures keep their sources.
	rows, err := s.read.QueryContext(ctx, `SELECT o.observation_id, o.dataset_id, o.reporter, o.partner, o.period_start, o.period_end, o.flow, o.value_usd, o.bound, o.source_ref, o.source_quote
		FROM all_goods o
		WHERE `+where+`
		ORDER BY o.dataset_id, o.period_start, o.period_end, o.observation_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	type key struct {
		dataset int64
		period  Period
		side    string
	}
	type acc struct{ exports, imports, turnover []Source }
	groups := map[key]*acc{}
	world := map[key]*acc{}
	var order []key
	for rows.Next() {
		var src Source
		var partner string
		var start, end int
		if err := rows.Scan(&src.ObservationID, &src.DatasetID, &src.Reporter, &partner, &start, &end, &src.Flow, &src.ValueUSD, &src.Bound, &src.Ref, &src.Quote); err != nil {
			return nil, err
		}
		k := key{src.DatasetID, Period{MonthFromYYYYMM(start), MonthFromYYYYMM(end)}, src.Reporter}
		if partner == "WLD" && q.Partner != "WLD" {
			w := world[k]
			if w == nil {
				w = &acc{}
				world[k] = w
			}
			switch src.Flow {
			case Export:
				w.exports = append(w.exports, src)
			case Import:
				w.imports = append(w.imports, src)
			}
			continue
		}
		a := groups[k]
		if a == nil {
			a = &acc{}
			groups[k] = a
			order = append(order, k)
		}
		mirror := src.Reporter != q.Reporter
		switch {
		case src.Flow == Turnover:
			a.turnover = append(a.turnover, src)
		case (src.Flow == Export) != mirror:
			a.exports = append(a.exports, src)
		default:
			a.imports = append(a.imports, src)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.dataset != b.dataset {
			return a.dataset < b.dataset
		}
		if a.period != b.period {
			return a.period.Less(b.period)
		}
		return a.side == q.Reporter && b.side != q.Reporter
	})
	out := make([]PeriodTotals, 0, len(order))
	for _, k := range order {
		a := groups[k]
		t := PeriodTotals{DatasetID: k.dataset, Period: k.period, ReportedBy: k.side,
			Exports: stated(a.exports), Imports: stated(a.imports), Turnover: stated(a.turnover)}
		if !t.Turnover.Known && !t.Turnover.Conflict {
			t.Turnover = combine(t.Exports, t.Imports, +1)
		}
		t.Balance = combine(t.Exports, t.Imports, -1)
		if w := world[k]; w != nil {
			t.WorldExports, t.WorldImports = stated(w.exports), stated(w.imports)
		}
		out = append(out, t)
	}
	return out, nil
}

// stated makes a figure from the observations that state it. Several
// sources agreeing on value and bound make one figure; disagreeing sources
// make a conflict with no value.
func stated(srcs []Source) Figure {
	if len(srcs) == 0 {
		return Figure{}
	}
	f := Figure{Known: true, Value: srcs[0].ValueUSD, Bound: srcs[0].Bound, Sources: srcs}
	for _, s := range srcs[1:] {
		if s.ValueUSD != f.Value || s.Bound != f.Bound {
			return Figure{Conflict: true, Sources: srcs}
		}
	}
	return f
}

// combine derives a + sign*b with the bound that follows from the operands'
// bounds: at least x plus exactly y is at least x+y; at least x minus
// exactly y is at least x−y, and so on. An undecidable bound gives an
// unknown figure rather than a wrong one.
func combine(a, b Figure, sign float64) Figure {
	if !a.Known || !b.Known {
		return Figure{}
	}
	bb := b.Bound
	if sign < 0 {
		bb = flip(bb)
	}
	var bound Bound
	switch {
	case a.Bound == Exact:
		bound = bb
	case bb == Exact || bb == a.Bound:
		bound = a.Bound
	default:
		return Figure{}
	}
	return Figure{Known: true, Value: a.Value + sign*b.Value, Bound: bound, Derived: true,
		Sources: append(append([]Source(nil), a.Sources...), b.Sources...)}
}

func flip(b Bound) Bound {
	switch b {
	case AtLeast:
		return AtMost
	case AtMost:
		return AtLeast
	}
	return b
}
