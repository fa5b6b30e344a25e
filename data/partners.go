package data

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
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
	// figure, of the sum over the listed partners other than groups (the
	// EU, regions: see Country.Group) (ShareOf says which). HasShare says
	// whether there is one: not for a group's figure set against the sum
	// of the countries listed (it overlaps them), nor when that sum is 0.
	Share    float64
	HasShare bool
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
		FROM all_goods o
		WHERE o.reporter = ? AND o.flow IN (`+in+`)
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
		// A group (the EU, a region) overlaps the countries listed with
		// it: summing it in would count their trade twice.
		if t.Figure.Known && !s.ref.groupISO3(p) {
			listedSum += t.Figure.Value
		}
		r.Partners = append(r.Partners, *t)
	}
	denominator := listedSum
	r.ShareOf = "listed partners"
	if r.World.Known && r.World.Value > 0 {
		denominator, r.ShareOf = r.World.Value, "World"
	}
	for i, p := range r.Partners {
		if p.Figure.Known && denominator > 0 && (r.ShareOf == "World" || !s.ref.groupISO3(p.Partner)) {
			r.Partners[i].Share, r.Partners[i].HasShare = p.Figure.Value/denominator, true
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
	rows, err := s.read.QueryContext(ctx, `SELECT o.observation_id, o.partner, c.aggregate, o.flow, o.value_usd, o.bound, o.source_ref, o.source_quote
		FROM all_goods o
		JOIN countries c ON c.iso3 = o.partner
		WHERE o.dataset_id = ? AND o.reporter = ? AND o.period_start = ? AND o.period_end = ?
		ORDER BY o.partner, o.observation_id`, r.DatasetID, reporter, r.Period.Start.YYYYMM(), r.Period.End.YYYYMM())
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
		out[p] = &PartnerTotal{Partner: p, Aggregate: a.aggregate, Figure: flowFigure(r.Flow, a.exports, a.imports, a.turnover)}
	}
	return out, order, nil
}

// flowFigure is the figure for flow from the observations of each flow:
// turnover as stated, or else derived from stated exports and imports.
func flowFigure(flow Flow, exports, imports, turnover []Source) Figure {
	switch flow {
	case Export:
		return stated(exports)
	case Import:
		return stated(imports)
	}
	f := stated(turnover)
	if !f.Known && !f.Conflict {
		f = combine(stated(exports), stated(imports), +1)
	}
	return f
}

func periodPhrase(p Period) string {
	if p == (Period{}) {
		return ""
	}
	return " in " + p.Label()
}

// MaxSeriesPartners is how many partners one series chart compares: more
// lines than this cannot be told apart.
const MaxSeriesPartners = 6

// PartnerSeriesQuery asks for chosen partners' all-goods figures period by
// period, from one dataset (series never mix sources), with the reporter's
// trade with the World in the same dataset for the shares.
type PartnerSeriesQuery struct {
	Reporter  string
	Partners  []string // ISO3 keys, 1 to MaxSeriesPartners, none an aggregate
	Flow      Flow
	DatasetID int64
	// Like keeps only periods like it (a fiscal year with fiscal years),
	// so a line never joins a year to a month; zero keeps every period.
	Like Period
	// From and To bound the periods: From's start to To's end. Zero is open.
	From, To Period
}

// Validate checks the query.
func (q PartnerSeriesQuery) Validate() error {
	switch {
	case q.Reporter == "":
		return fmt.Errorf("%w: reporter is required", ErrInvalid)
	case len(q.Partners) == 0 || len(q.Partners) > MaxSeriesPartners:
		return fmt.Errorf("%w: choose 1 to %d partners, not %d", ErrInvalid, MaxSeriesPartners, len(q.Partners))
	case q.Flow != Export && q.Flow != Import && q.Flow != Turnover:
		return fmt.Errorf("%w: flow must be export, import or turnover, not %q", ErrInvalid, string(q.Flow))
	case q.DatasetID <= 0:
		return fmt.Errorf("%w: a partner series needs one dataset", ErrInvalid)
	case q.From != (Period{}) && q.To != (Period{}) && q.To.End < q.From.Start:
		return fmt.Errorf("%w: the range ends (%s) before it starts (%s)", ErrInvalid, q.To.Label(), q.From.Label())
	}
	for i, p := range q.Partners {
		switch {
		case p == q.Reporter:
			return fmt.Errorf("%w: %s is the reporter, not a partner", ErrInvalid, p)
		case slices.Contains(q.Partners[:i], p):
			return fmt.Errorf("%w: partner %s is chosen twice", ErrInvalid, p)
		}
	}
	return nil
}

// PartnerSeries is the answer to a PartnerSeriesQuery. Figures and
// shares run parallel to Periods: every period in which the reporter
// states the World or any chosen partner.
type PartnerSeries struct {
	DatasetID int64
	Flow      Flow
	Periods   []Period
	World     []Figure
	Lines     []PartnerLine // in the query's order
}

// PartnerLine is one partner's figures over the periods of a series.
type PartnerLine struct {
	Partner string
	Figures []Figure
	// Shares are of the World figure of the same period; NaN where either
	// figure is unknown or not exact (no World figure: no share, never a
	// share of whatever partners happen to be listed).
	Shares []float64
}

// PartnerSeries reads the chosen partners' figures period by period.
func (s *Store) PartnerSeries(ctx context.Context, q PartnerSeriesQuery) (PartnerSeries, error) {
	if err := q.Validate(); err != nil {
		return PartnerSeries{}, err
	}
	flows := []Flow{q.Flow}
	if q.Flow == Turnover {
		flows = []Flow{Export, Import, Turnover}
	}
	where := `o.dataset_id = ? AND o.reporter = ?`
	args := []any{q.DatasetID, q.Reporter}
	where += ` AND o.partner IN (?` + strings.Repeat(", ?", len(q.Partners)) + `)`
	args = append(args, "WLD")
	for _, p := range q.Partners {
		args = append(args, p)
	}
	where += ` AND o.flow IN (?` + strings.Repeat(", ?", len(flows)-1) + `)`
	for _, f := range flows {
		args = append(args, string(f))
	}
	if q.From != (Period{}) {
		where, args = where+` AND o.period_start >= ?`, append(args, q.From.Start.YYYYMM())
	}
	if q.To != (Period{}) {
		where, args = where+` AND o.period_end <= ?`, append(args, q.To.End.YYYYMM())
	}
	rows, err := s.read.QueryContext(ctx, `SELECT o.observation_id, o.partner, o.period_start, o.period_end, o.flow, o.value_usd, o.bound, o.source_ref, o.source_quote
		FROM all_goods o
		WHERE `+where+`
		ORDER BY o.period_start, o.period_end, o.partner, o.observation_id`, args...)
	if err != nil {
		return PartnerSeries{}, err
	}
	defer rows.Close()
	type key struct {
		partner string
		period  Period
	}
	byFlow := map[key]map[Flow][]Source{}
	out := PartnerSeries{DatasetID: q.DatasetID, Flow: q.Flow}
	for rows.Next() {
		var src Source
		var partner string
		var start, end int
		if err := rows.Scan(&src.ObservationID, &partner, &start, &end, &src.Flow, &src.ValueUSD, &src.Bound, &src.Ref, &src.Quote); err != nil {
			return PartnerSeries{}, err
		}
		per := Period{MonthFromYYYYMM(start), MonthFromYYYYMM(end)}
		if q.Like != (Period{}) && !per.Like(q.Like) {
			continue
		}
		if n := len(out.Periods); n == 0 || out.Periods[n-1] != per {
			out.Periods = append(out.Periods, per)
		}
		src.DatasetID, src.Reporter = q.DatasetID, q.Reporter
		k := key{partner, per}
		if byFlow[k] == nil {
			byFlow[k] = map[Flow][]Source{}
		}
		byFlow[k][src.Flow] = append(byFlow[k][src.Flow], src)
	}
	if err := rows.Err(); err != nil {
		return PartnerSeries{}, err
	}
	figure := func(partner string, per Period) Figure {
		m := byFlow[key{partner, per}]
		return flowFigure(q.Flow, m[Export], m[Import], m[Turnover])
	}
	for _, per := range out.Periods {
		out.World = append(out.World, figure("WLD", per))
	}
	for _, p := range q.Partners {
		line := PartnerLine{Partner: p}
		for i, per := range out.Periods {
			f := figure(p, per)
			share := math.NaN()
			if w := out.World[i]; exact(f) && exact(w) && w.Value > 0 {
				share = f.Value / w.Value
			}
			line.Figures = append(line.Figures, f)
			line.Shares = append(line.Shares, share)
		}
		out.Lines = append(out.Lines, line)
	}
	return out, nil
}
