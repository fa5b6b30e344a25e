package server

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/charts"
	"tradedash/data"
)

func (s *Server) handlePartnersPage(c echo.Context) error {
	res, err := s.partners(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "partners", newPartnersView(res, s.ref))
}

func (s *Server) handlePartnersAPI(c echo.Context) error {
	res, err := s.partners(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newPartnersJSON(res, s.ref))
}

func (s *Server) handlePartnersData(c echo.Context) error {
	t, err := s.partnersTable(c)
	if err != nil {
		return err
	}
	return writeTable(c, strings.TrimPrefix(path.Ext(c.Path()), "."), t)
}

// partnersResult is what the partners views show: the ranking and, when
// partners are chosen, their series over the period range.
type partnersResult struct {
	reporter data.Country
	ranking  data.PartnerRanking
	sets     []data.Dataset
	chosen   []data.Country
	from, to data.Period
	series   *data.PartnerSeries
	// skipped is the default dataset when it states nothing for the
	// query and the ranking fell back to every dataset; 0 otherwise.
	skipped int64
}

// partners binds reporter, flow, period, dataset, the chosen partners and
// the period range; it ranks the partners and reads the chosen ones'
// series from the ranking's dataset.
func (s *Server) partners(c echo.Context) (partnersResult, error) {
	var res partnersResult
	var err error
	if res.reporter, err = s.country(c, "reporter"); err != nil {
		return res, err
	}
	q := data.PartnersQuery{Reporter: res.reporter.ISO3, Flow: data.Flow(strings.ToLower(strings.TrimSpace(c.QueryParam("flow"))))}
	if q.Flow == "" {
		q.Flow = data.Export
	}
	for _, p := range []struct {
		name string
		dst  *data.Period
	}{{"period", &q.Period}, {"from", &res.from}, {"to", &res.to}} {
		if v := strings.TrimSpace(c.QueryParam(p.name)); v != "" {
			if *p.dst, err = data.ParsePeriod(v, 0); err != nil {
				return res, fmt.Errorf("%w (parameter %s)", err, p.name)
			}
		}
	}
	if q.DatasetID, err = s.datasetParam(c); err != nil {
		return res, err
	}
	if res.chosen, err = s.chosenPartners(c, res.reporter); err != nil {
		return res, err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	if res.sets, err = s.datasetsFor(ctx, q.DatasetID); err != nil {
		return res, err
	}
	res.ranking, err = s.store.Partners(ctx, q)
	if errors.Is(err, data.ErrNotFound) && q.DatasetID != 0 && byDefault(c) {
		res.skipped, q.DatasetID = q.DatasetID, 0
		res.ranking, err = s.store.Partners(ctx, q)
	}
	if err != nil || len(res.chosen) == 0 {
		return res, err
	}
	sq := data.PartnerSeriesQuery{Reporter: res.reporter.ISO3, Flow: q.Flow, DatasetID: res.ranking.DatasetID, Like: res.ranking.Period, From: res.from, To: res.to}
	for _, p := range res.chosen {
		sq.Partners = append(sq.Partners, p.ISO3)
	}
	series, err := s.store.PartnerSeries(ctx, sq)
	res.series = &series
	return res, err
}

// chosenPartners reads the repeated partner parameter: blank entries (the
// picker's empty slots) are skipped; aggregates and the reporter refused.
func (s *Server) chosenPartners(c echo.Context, reporter data.Country) ([]data.Country, error) {
	var out []data.Country
	for _, v := range c.QueryParams()["partner"] {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		p, err := s.ref.Country(v)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%w: partner %q is not a known country or area", data.ErrInvalid, v)
		case p.Aggregate:
			return nil, fmt.Errorf("%w: partner %q is a group of countries (%s), not a partner to draw", data.ErrInvalid, v, p.Name)
		case p.ISO3 == reporter.ISO3:
			return nil, fmt.Errorf("%w: partner %q is the reporter", data.ErrInvalid, v)
		}
		if !slices.ContainsFunc(out, func(x data.Country) bool { return x.ISO3 == p.ISO3 }) {
			out = append(out, p)
		}
	}
	if len(out) > data.MaxSeriesPartners {
		return nil, fmt.Errorf("%w: choose at most %d partners, not %d", data.ErrInvalid, data.MaxSeriesPartners, len(out))
	}
	return out, nil
}

func partnersOptions(res partnersResult, ref *data.Reference) charts.PartnersOptions {
	r := res.ranking
	o := charts.PartnersOptions{Reporter: res.reporter, Names: map[string]string{}}
	for _, p := range r.Partners {
		o.Names[p.Partner] = countryName(ref, p.Partner)
	}
	for _, p := range res.chosen {
		o.Names[p.ISO3] = p.Name
	}
	for _, d := range res.sets {
		if d.ID == r.DatasetID {
			o.Dataset, o.Source = d.Name, d.Source
		}
	}
	return o
}

type partnersView struct {
	Reporter        data.Country
	Flow            data.Flow
	FlowTitle       string
	Period          string
	PeriodKey       string
	DatasetID       int64
	DatasetName     string
	Source, Licence string
	ShareOf         string
	World           string
	Flows           []option
	Periods         []option
	FromPeriods     []option
	ToPeriods       []option
	Datasets        []option
	Countries       template.HTML // the <option>s of the countries datalist
	Chart           charts.Chart
	Map             charts.Chart
	Rows            []partnerRow
	CSVURL, XLSXURL string
	JSONURL         string
	// PartnerSlots holds the picker's entries, chosen partners first,
	// then blanks up to data.MaxSeriesPartners.
	PartnerSlots []string
	Series       *seriesView
	// Skipped names the default dataset when it states nothing for the
	// query and the page shows another; empty otherwise. AllURL is the
	// view with dataset=all.
	Skipped, AllURL string
}

// seriesView is the chosen partners over time: two charts and their table.
type seriesView struct {
	Lines, Shares charts.Chart
	Heads         []string // partner names, in the chosen order
	Rows          []seriesRow
	NoWorld       bool // some period has no exact World figure, so no shares
	Empty         bool // no chosen partner has a figure in the range
}

type seriesRow struct {
	Period string
	World  seriesCell
	Cells  []seriesCell
}

type seriesCell struct {
	Value, Note, Share string
	Sources            string // the source references, " · " between them
}

func newSeriesCell(f data.Figure) seriesCell {
	c := figureCell(f)
	if f.Known && !f.Conflict && f.Bound != data.Exact {
		c.Note = strings.TrimSpace(strings.ReplaceAll(string(f.Bound), "_", " ") + " " + c.Note)
	}
	var refs []string
	for _, s := range f.Sources {
		refs = append(refs, s.Ref)
	}
	return seriesCell{Value: c.Text, Note: c.Note, Sources: strings.Join(refs, " · ")}
}

type option struct {
	Value, Label string
	Selected     bool
}

type partnerRow struct {
	Rank                        string
	Partner, Name, URL          string
	Value, Share, Note, Sources string
	Aggregate                   bool
}

// partnersQuery is the view's state as URL parameters, for its links.
func partnersQuery(res partnersResult) url.Values {
	r := res.ranking
	q := url.Values{"reporter": {res.reporter.ISO3}, "flow": {string(r.Flow)}, "period": {r.Period.String()}, "dataset": {strconv.FormatInt(r.DatasetID, 10)}}
	for _, p := range res.chosen {
		q.Add("partner", p.ISO3)
	}
	if res.from != (data.Period{}) {
		q.Set("from", res.from.String())
	}
	if res.to != (data.Period{}) {
		q.Set("to", res.to.String())
	}
	return q
}

func newPartnersView(res partnersResult, ref *data.Reference) partnersView {
	r, rep := res.ranking, res.reporter
	o := partnersOptions(res, ref)
	v := partnersView{Reporter: rep, Flow: r.Flow, FlowTitle: map[data.Flow]string{data.Export: "exports", data.Import: "imports", data.Turnover: "trade (exports + imports)"}[r.Flow], Period: r.Period.Label(), PeriodKey: r.Period.String(), DatasetID: r.DatasetID,
		DatasetName: o.Dataset, Source: o.Source, ShareOf: r.ShareOf, Chart: charts.Partners(r, o), Map: charts.PartnersMap(r, o)}
	v.Skipped = datasetLabel(res.sets, res.skipped)
	for _, d := range res.sets {
		if d.ID == r.DatasetID {
			v.Licence = d.Licence
		}
		for _, id := range r.Datasets {
			if id == d.ID {
				v.Datasets = append(v.Datasets, option{strconv.FormatInt(d.ID, 10), d.Name, d.ID == r.DatasetID})
			}
		}
	}
	for _, f := range []data.Flow{data.Export, data.Import, data.Turnover} {
		v.Flows = append(v.Flows, option{string(f), string(f), f == r.Flow})
	}
	v.FromPeriods = []option{{"", "earliest", res.from == data.Period{}}}
	v.ToPeriods = []option{{"", "latest", res.to == data.Period{}}}
	for i := len(r.Periods) - 1; i >= 0; i-- {
		p := r.Periods[i]
		v.Periods = append(v.Periods, option{p.String(), p.Label(), p == r.Period})
		v.ToPeriods = append(v.ToPeriods, option{p.String(), p.Label(), p == res.to})
	}
	for _, p := range r.Periods {
		v.FromPeriods = append(v.FromPeriods, option{p.String(), p.Label(), p == res.from})
	}
	if r.World.Known {
		v.World = boundPrefix(r.World.Bound) + exactUSD(r.World.Value)
	}
	v.Countries = countryDatalist(ref, false)
	for _, p := range res.chosen {
		v.PartnerSlots = append(v.PartnerSlots, p.ISO3)
	}
	for len(v.PartnerSlots) < data.MaxSeriesPartners {
		v.PartnerSlots = append(v.PartnerSlots, "")
	}
	q := partnersQuery(res)
	all := partnersQuery(res)
	all.Set("dataset", "all")
	v.AllURL = "/partners?" + all.Encode()
	v.CSVURL, v.XLSXURL, v.JSONURL = "/data/partners.csv?"+q.Encode(), "/data/partners.xlsx?"+q.Encode(), "/api/v1/partners?"+q.Encode()
	rank := 0
	for _, p := range r.Partners {
		row := partnerRow{Partner: p.Partner, Name: countryName(ref, p.Partner), Aggregate: p.Aggregate}
		if !p.Aggregate {
			rank++
			row.Rank = strconv.Itoa(rank)
			row.URL = bilateralURL("/bilateral", rep.ISO3, p.Partner, r.DatasetID)
		}
		cell := figureCell(p.Figure)
		row.Value, row.Note = cell.Text, cell.Note
		if p.HasShare {
			row.Share = fmt.Sprintf("%.2f%%", 100*p.Share)
		}
		var refs []string
		for _, s := range p.Figure.Sources {
			refs = append(refs, s.Ref)
		}
		row.Sources = strings.Join(refs, " · ")
		v.Rows = append(v.Rows, row)
	}
	if res.series != nil {
		v.Series = newSeriesView(*res.series, o)
	}
	return v
}

func newSeriesView(s data.PartnerSeries, o charts.PartnersOptions) *seriesView {
	v := &seriesView{Lines: charts.PartnerLines(s, o), Shares: charts.PartnerShares(s, o), Empty: true}
	for _, l := range s.Lines {
		v.Heads = append(v.Heads, o.Names[l.Partner])
	}
	for i, p := range s.Periods {
		row := seriesRow{Period: p.Label(), World: newSeriesCell(s.World[i])}
		if !s.World[i].Known || s.World[i].Bound != data.Exact || s.World[i].Conflict {
			v.NoWorld = true
		}
		for _, l := range s.Lines {
			if l.Figures[i].Known || l.Figures[i].Conflict {
				v.Empty = false
			}
			cell := newSeriesCell(l.Figures[i])
			if !math.IsNaN(l.Shares[i]) {
				cell.Share = fmt.Sprintf("%.2f%%", 100*l.Shares[i])
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

type partnersJSON struct {
	Reporter string             `json:"reporter"`
	Flow     string             `json:"flow"`
	Period   string             `json:"period"`
	Start    string             `json:"period_start"`
	End      string             `json:"period_end"`
	Kind     string             `json:"period_kind"`
	Dataset  int64              `json:"dataset"`
	Currency string             `json:"currency"`
	ShareOf  string             `json:"share_of"`
	World    *float64           `json:"world"`
	Partners []partnerEntry     `json:"partners"`
	Series   *partnerSeriesJSON `json:"series,omitempty"`
	// DefaultSkipped is the default dataset when it states nothing for
	// the query, so the answer comes from another.
	DefaultSkipped int64 `json:"default_dataset_skipped,omitempty"`
}

type partnerEntry struct {
	Partner   string        `json:"partner"`
	Name      string        `json:"name"`
	Aggregate bool          `json:"aggregate"`
	Value     *float64      `json:"value"`
	Bound     *string       `json:"bound"`
	Share     *float64      `json:"share"`
	Note      string        `json:"note,omitempty"`
	Sources   []data.Source `json:"sources"`
}

// partnerSeriesJSON is the chosen partners over time; values and shares
// run parallel to periods, null where there is no figure.
type partnerSeriesJSON struct {
	Periods      []seriesPeriodJSON `json:"periods"`
	World        []*float64         `json:"world"`
	WorldBounds  []*string          `json:"world_bounds"`
	WorldSources [][]data.Source    `json:"world_sources"`
	Lines        []partnerLineJSON  `json:"partners"`
}

type seriesPeriodJSON struct {
	Period string `json:"period"`
	Start  string `json:"period_start"`
	End    string `json:"period_end"`
	Kind   string `json:"period_kind"`
}

// partnerLineJSON is one partner's values, each with its bound (null
// where there is no value), note and sources, so that "at least X" is
// never read as X and every value can be traced.
type partnerLineJSON struct {
	Partner string          `json:"partner"`
	Name    string          `json:"name"`
	Values  []*float64      `json:"values"`
	Bounds  []*string       `json:"bounds"`
	Notes   []string        `json:"notes"`
	Sources [][]data.Source `json:"sources"`
	Shares  []*float64      `json:"shares"`
}

// figureBound is a figure's bound for JSON, beside figureNumber: null
// when there is no value.
func figureBound(f data.Figure) *string {
	if !f.Known || f.Conflict {
		return nil
	}
	b := string(f.Bound)
	return &b
}

// figureSources is a figure's sources for JSON, [] when none.
func figureSources(f data.Figure) []data.Source {
	if f.Sources == nil {
		return []data.Source{}
	}
	return f.Sources
}

// figureNumber is a figure's value for JSON: null when unknown or disputed.
func figureNumber(f data.Figure) *float64 {
	if !f.Known || f.Conflict {
		return nil
	}
	v := f.Value
	return &v
}

func newPartnersJSON(res partnersResult, ref *data.Reference) partnersJSON {
	r, rep := res.ranking, res.reporter
	out := partnersJSON{Reporter: rep.ISO3, Flow: string(r.Flow), Period: r.Period.Label(), Start: monthISO(r.Period.Start), End: monthISO(r.Period.End),
		Kind: string(r.Period.Kind()), Dataset: r.DatasetID, Currency: "USD", ShareOf: r.ShareOf, Partners: []partnerEntry{}, World: figureNumber(r.World),
		DefaultSkipped: res.skipped}
	for _, p := range r.Partners {
		e := partnerEntry{Partner: p.Partner, Name: countryName(ref, p.Partner), Aggregate: p.Aggregate, Bound: figureBound(p.Figure), Note: figureCell(p.Figure).Note, Sources: p.Figure.Sources}
		if p.Figure.Known {
			v := p.Figure.Value
			e.Value = &v
		}
		if p.HasShare {
			sh := p.Share
			e.Share = &sh
		}
		if e.Sources == nil {
			e.Sources = []data.Source{}
		}
		out.Partners = append(out.Partners, e)
	}
	if s := res.series; s != nil {
		sj := &partnerSeriesJSON{Periods: []seriesPeriodJSON{}, World: []*float64{}, WorldBounds: []*string{}, WorldSources: [][]data.Source{}, Lines: []partnerLineJSON{}}
		for i, p := range s.Periods {
			sj.Periods = append(sj.Periods, seriesPeriodJSON{p.Label(), monthISO(p.Start), monthISO(p.End), string(p.Kind())})
			sj.World = append(sj.World, figureNumber(s.World[i]))
			sj.WorldBounds = append(sj.WorldBounds, figureBound(s.World[i]))
			sj.WorldSources = append(sj.WorldSources, figureSources(s.World[i]))
		}
		for _, l := range s.Lines {
			lj := partnerLineJSON{Partner: l.Partner, Name: countryName(ref, l.Partner), Values: []*float64{}, Bounds: []*string{}, Notes: []string{},
				Sources: [][]data.Source{}, Shares: []*float64{}}
			for i := range s.Periods {
				f := l.Figures[i]
				lj.Values = append(lj.Values, figureNumber(f))
				lj.Bounds = append(lj.Bounds, figureBound(f))
				lj.Notes = append(lj.Notes, figureCell(f).Note)
				lj.Sources = append(lj.Sources, figureSources(f))
				var sh *float64
				if !math.IsNaN(l.Shares[i]) {
					x := l.Shares[i]
					sh = &x
				}
				lj.Shares = append(lj.Shares, sh)
			}
			sj.Lines = append(sj.Lines, lj)
		}
		out.Series = sj
	}
	return out
}
