package data

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// PartnersQuery asks for a reporter's partners in one flow and period, as
// the reporter's own statistics state them. A zero Period means the latest
// period with data; DatasetID 0 means the dataset with the most partners
// for that reporter, flow and period, so that one source's figures are
// never mixed with another's.
type PartnersQuery struct {
	Reporter  string
	Flow      Flow // Export, Import or Turnover (stated, or exports + imports)
	Period    Period
	DatasetID int64
}

// Validate checks the query.
func (q PartnersQuery) Validate() error {
	switch {
	case q.Reporter == "":
		return fmt.Errorf("%w: reporter is required", ErrInvalid)
	case q.Flow != Export && q.Flow != Import && q.Flow != Turnover:
		return fmt.Errorf("%w: flow must be export, import or turnover, not %q", ErrInvalid, string(q.Flow))
	case q.DatasetID < 0:
		return fmt.Errorf("%w: dataset %d", ErrInvalid, q.DatasetID)
	case q.Period != Period{}:
		return q.Period.Validate()
	}
	return nil
}

// PartnerTotal is one partner's all-goods figure in a ranking.
type PartnerTotal struct {
	Partner   string
	Aggregate bool // World, "Areas, nes" and other groups: listed, never ranked
	Figure    Figure
	// Share is the partner's part of the reporter's trade with the World
	// as the same source states it, or, when the source gives no World
	// figure, of the sum over all listed partners (ShareOf says which).
	Share float64
}

// PartnerRanking is the answer to a PartnersQuery.
type PartnerRanking struct {
	DatasetID int64
	Period    Period
	Flow      Flow
	// Partners holds the countries, largest first, then the aggregates.
	Partners []PartnerTotal
	// ShareOf is "World" when shares are of the stated World total, or
	// "listed partners" when no World figure is given.
	ShareOf string
	World   Figure
	// Periods lists every period with data for the reporter and flow in
	// the chosen dataset, for the period selector; Datasets the datasets
	// that have the chosen period.
	Periods  []Period
	Datasets []int64
}

// PartnerPeriods lists, per dataset, the periods in which reporter states
// all-goods figures for flow (for turnover: exports or imports or turnover).
func (s *Store) partnerPeriods(ctx context.Context, reporter string, flows []Flow) (map[int64][]Period, map[int64]int, error) {
	args := []any{reporter}
	in := ""
	for i, f := range flows {
		if i > 0 {
			in += ", "
		}
		in += "?"
		args = append(args, string(f))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT o.dataset_id, o.period_start, o.period_end, count(DISTINCT o.partner)
		FROM observations o JOIN products p ON p.id = o.product_id
		WHERE o.reporter = ? AND o.flow IN (`+in+`) AND p.classification = 'TOTAL'
		GROUP BY o.dataset_id, o.period_start, o.period_end`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	periods := map[int64][]Period{}
	partners := map[int64]int{}
	for rows.Next() {
		var d int64
		var start, end, n int
		if err := rows.Scan(&d, &start, &end, &n); err != nil {
			return nil, nil, err
		}
		p := Period{MonthFromYYYYMM(start), MonthFromYYYYMM(end)}
		periods[d] = append(periods[d], p)
		partners[d] = max(partners[d], n)
	}
	return periods, partners, rows.Err()
}

// Partners ranks the reporter's partners. It returns an error wrapping
// ErrNotFound when the reporter states no such figures at all.
func (s *Store) Partners(ctx context.Context, q PartnersQuery) (PartnerRanking, error) {
	if err := q.Validate(); err != nil {
		return PartnerRanking{}, err
	}
	flows := []Flow{q.Flow}
	if q.Flow == Turnover {
		flows = []Flow{Export, Import, Turnover}
	}
	periods, partnerCounts, err := s.partnerPeriods(ctx, q.Reporter, flows)
	if err != nil {
		return PartnerRanking{}, err
	}
	r := PartnerRanking{Period: q.Period, Flow: q.Flow, DatasetID: q.DatasetID}
	// Choose what the query leaves open: the dataset with the most
	// partners (among those with the period, if one is given), then its
	// latest period.
	if r.DatasetID == 0 {
		for d, ps := range periods {
			if r.Period != (Period{}) && !slices.Contains(ps, r.Period) {
				continue
			}
			if r.DatasetID == 0 || partnerCounts[d] > partnerCounts[r.DatasetID] || partnerCounts[d] == partnerCounts[r.DatasetID] && d < r.DatasetID {
				r.DatasetID = d
			}
		}
	}
	if r.Period == (Period{}) {
		for _, p := range periods[r.DatasetID] {
			if r.Period == (Period{}) || r.Period.Less(p) {
				r.Period = p
			}
		}
	}
	for d, ps := range periods {
		if slices.Contains(ps, r.Period) {
			r.Datasets = append(r.Datasets, d)
		}
	}
	slices.Sort(r.Datasets)
	if r.DatasetID == 0 || !slices.Contains(r.Datasets, r.DatasetID) {
		return r, fmt.Errorf("%w: no %s figures of %s by partner%s", ErrNotFound, q.Flow, q.Reporter, periodPhrase(q.Period))
	}
	r.Periods = periods[r.DatasetID]
	slices.SortFunc(r.Periods, func(a, b Period) int {
		if a.Less(b) {
			return -1
		}
		if b.Less(a) {
			return 1
		}
		return 0
	})

	byPartner, order, err := s.partnerFigures(ctx, q.Reporter, r, flows)
	if err != nil {
		return r, err
	}
	var listedSum float64
	for _, p := range order {
		t := byPartner[p]
		if p == "WLD" {
			r.World = t.Figure
			continue
		}
		if t.Figure.Known {
			listedSum += t.Figure.Value
		}
		r.Partners = append(r.Partners, *t)
	}
	denominator := listedSum
	r.ShareOf = "listed partners"
	if r.World.Known && r.World.Value > 0 {
		denominator, r.ShareOf = r.World.Value, "World"
	}
	for i := range r.Partners {
		if f := r.Partners[i].Figure; f.Known && denominator > 0 {
			r.Partners[i].Share = f.Value / denominator
		}
	}
	slices.SortStableFunc(r.Partners, func(a, b PartnerTotal) int {
		if a.Aggregate != b.Aggregate {
			if a.Aggregate {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(b.Figure.Value, a.Figure.Value), cmp.Compare(a.Partner, b.Partner))
	})
	return r, nil
}

// partnerFigures reads the chosen dataset's figures for each partner.
func (s *Store) partnerFigures(ctx context.Context, reporter string, r PartnerRanking, flows []Flow) (map[string]*PartnerTotal, []string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.partner, c.aggregate, o.flow, o.value_usd, o.bound, o.source_ref, o.source_quote
		FROM observations o
		JOIN products p ON p.id = o.product_id
		JOIN countries c ON c.iso3 = o.partner
		WHERE o.dataset_id = ? AND o.reporter = ? AND o.period_start = ? AND o.period_end = ? AND p.classification = 'TOTAL'
		ORDER BY o.partner, o.id`, r.DatasetID, reporter, r.Period.Start.YYYYMM(), r.Period.End.YYYYMM())
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type acc struct {
		aggregate                  bool
		exports, imports, turnover []Source
	}
	accs := map[string]*acc{}
	var order []string
	for rows.Next() {
		var src Source
		var partner string
		var aggregate bool
		if err := rows.Scan(&src.ObservationID, &partner, &aggregate, &src.Flow, &src.ValueUSD, &src.Bound, &src.Ref, &src.Quote); err != nil {
			return nil, nil, err
		}
		if !slices.Contains(flows, src.Flow) {
			continue
		}
		src.DatasetID, src.Reporter = r.DatasetID, reporter
		a := accs[partner]
		if a == nil {
			a = &acc{aggregate: aggregate}
			accs[partner] = a
			order = append(order, partner)
		}
		switch src.Flow {
		case Export:
			a.exports = append(a.exports, src)
		case Import:
			a.imports = append(a.imports, src)
		default:
			a.turnover = append(a.turnover, src)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out := make(map[string]*PartnerTotal, len(accs))
	for p, a := range accs {
		t := &PartnerTotal{Partner: p, Aggregate: a.aggregate}
		switch r.Flow {
		case Export:
			t.Figure = stated(a.exports)
		case Import:
			t.Figure = stated(a.imports)
		default:
			t.Figure = stated(a.turnover)
			if !t.Figure.Known && !t.Figure.Conflict {
				t.Figure = combine(stated(a.exports), stated(a.imports), +1)
			}
		}
		out[p] = t
	}
	return out, order, nil
}

func periodPhrase(p Period) string {
	if p == (Period{}) {
		return ""
	}
	return " in " + p.Label()
}
