package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/charts"
	"tradedash/data"
)

// The sector breakdown of one period: on /bilateral below each dataset's
// totals, at /api/v1/sectors as JSON, at /data/sectors.csv|xlsx as a
// table and at /charts/sectors.svg|png as images. Its parameters, beside
// reporter, partner and dataset: sectors (the period; the latest with
// sector figures by default), level (section, chapter or heading; the
// coarsest each source states by default), section (an HS section whose
// chapters to show: the drill-down) and form (bars or treemap).

// sectorsAnswer is one period's sector breakdowns for a pair, one level
// of them, and what the selectors need.
type sectorsAnswer struct {
	q          data.BilateralQuery
	sets       []data.Dataset
	periods    []data.Period // the periods with sector figures
	shown      data.Period   // zero when the pair has no sector figures
	levels     []data.ClassificationLevel
	level      data.ClassificationLevel
	section    data.Product // the section drilled into; zero for none
	form       string       // "bars" or "treemap"
	breakdowns []data.SectorBreakdown
	// drillable names, per dataset, side and flow, the sections whose
	// chapters the source states.
	drillable map[sectorKey]map[string]bool
	params    url.Values // the request's query, for links
}

type sectorKey struct {
	dataset int64
	side    string
	flow    data.Flow
}

func keyOf(b data.SectorBreakdown) sectorKey { return sectorKey{b.DatasetID, b.ReportedBy, b.Flow} }

// sectorsQuery binds the pair and reads the breakdowns of the chosen
// period.
func (s *Server) sectorsQuery(c echo.Context) (sectorsAnswer, error) {
	q, err := s.bindBilateral(c)
	if err != nil {
		return sectorsAnswer{}, err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.datasetsFor(ctx, q.DatasetID)
	if err != nil {
		return sectorsAnswer{}, err
	}
	return s.sectorsFor(c, q, sets)
}

// sectorsFor reads the breakdowns of the period ?sectors= names for an
// already bound pair, at the level or in the section asked for.
func (s *Server) sectorsFor(c echo.Context, q data.BilateralQuery, sets []data.Dataset) (sectorsAnswer, error) {
	a := sectorsAnswer{q: q, sets: sets, params: c.QueryParams(), drillable: map[sectorKey]map[string]bool{}}
	var err error
	if a.level, err = data.ParseClassificationLevel(c.QueryParam("level")); err != nil {
		return a, err
	}
	switch a.form = strings.ToLower(strings.TrimSpace(c.QueryParam("form"))); a.form {
	case "":
		a.form = "bars"
	case "bars", "treemap":
	default:
		return a, fmt.Errorf("%w: form must be bars or treemap, not %q", data.ErrInvalid, c.QueryParam("form"))
	}
	if v := strings.TrimSpace(c.QueryParam("section")); v != "" {
		if a.section, err = s.ref.Product(data.HSSection, v); err != nil {
			return a, fmt.Errorf("%w: section must be an HS section, I to XXI, not %q", data.ErrInvalid, v)
		}
		if a.level != "" && a.level != data.LevelChapter {
			return a, fmt.Errorf("%w: a section's breakdown is by chapter; give level=chapter or no level with section", data.ErrInvalid)
		}
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	if a.periods, err = s.store.SectorPeriods(ctx, q); err != nil {
		return a, err
	}
	if a.shown, err = chooseSectorPeriod(c.QueryParam("sectors"), a.periods); err != nil || a.shown == (data.Period{}) {
		return a, err
	}
	all, err := s.store.SectorsIn(ctx, q, []data.Period{a.shown})
	if err != nil {
		return a, err
	}
	a.levels = data.LevelsIn(all)
	for _, b := range all {
		for _, sf := range b.Sectors {
			if data.LevelChapter.Includes(sf.Product) {
				if sec := s.ref.SectionOf(sf.Product); sec != "" {
					if a.drillable[keyOf(b)] == nil {
						a.drillable[keyOf(b)] = map[string]bool{}
					}
					a.drillable[keyOf(b)][sec] = true
				}
			}
		}
	}
	if a.section.Code != "" {
		a.breakdowns = data.InSection(all, a.section.Code, s.ref)
		if len(a.breakdowns) == 0 {
			return a, fmt.Errorf("%w: no chapter figures of HS section %s for this pair in %s", data.ErrNotFound, a.section.Code, a.shown.Label())
		}
		return a, nil
	}
	a.breakdowns = data.OneLevel(all, a.level)
	return a, nil
}

// link is the page's URL with the given parameters changed ("" removes
// one); chart, an export's own parameter, is dropped.
func (a sectorsAnswer) link(path string, set ...string) string {
	v := url.Values{}
	for k, vs := range a.params {
		v[k] = append([]string(nil), vs...)
	}
	v.Del("chart")
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			v.Del(set[i])
		} else {
			v.Set(set[i], set[i+1])
		}
	}
	if a.q.DatasetID == 0 && !v.Has("dataset") {
		v.Set("dataset", "all") // as the other links: a default set meanwhile does not narrow it
	}
	if !v.Has("sectors") && a.shown != (data.Period{}) {
		v.Set("sectors", sectorPeriodParam(a.shown))
	}
	return path + "?" + v.Encode()
}

// drill gives, for a breakdown, the link into a section's chapters where
// the source states some, else "".
func (a sectorsAnswer) drill(b data.SectorBreakdown) func(data.Product) string {
	has := a.drillable[keyOf(b)]
	return func(p data.Product) string {
		if p.Classification != data.HSSection || !has[p.Code] || a.section.Code != "" {
			return ""
		}
		return a.link("/bilateral", "section", p.Code, "level", "")
	}
}

// sectorChart draws a breakdown in the form asked for. A treemap needs
// parts of one level with some exact figure; otherwise bars are drawn,
// and the reason is returned for the page to say.
func sectorChart(b data.SectorBreakdown, form string, o charts.SectorsOptions) (charts.Chart, string) {
	if form == "treemap" {
		drawable := 0
		for _, s := range b.Sectors {
			if s.Figure.Known && !s.Figure.Conflict && s.Figure.Bound == data.Exact && s.Figure.Value > 0 {
				drawable++
			}
		}
		if drawable > 0 {
			if c, err := charts.SectorTreemap(b, o); err == nil {
				return c, ""
			}
			return charts.Sectors(b, o), "drawn as bars: these sectors are of more than one level, so a treemap would count some twice"
		}
		return charts.Sectors(b, o), "drawn as bars: no sector has an exact figure to give an area"
	}
	return charts.Sectors(b, o), ""
}

// sectorPeriodParam is the sectors parameter that names p: its label
// where that reads back as p, else its month range.
func sectorPeriodParam(p data.Period) string {
	if back, err := data.ParsePeriod(p.Label(), 0); err == nil && back == p {
		return p.Label()
	}
	return p.String()
}

// sectorsOptions are the chart options of a breakdown.
func (a sectorsAnswer) sectorsOptions(b data.SectorBreakdown, ref *data.Reference) charts.SectorsOptions {
	rep, _ := ref.Country(a.q.Reporter)
	par, _ := ref.Country(a.q.Partner)
	o := charts.SectorsOptions{Reporter: rep, Partner: par, ReportedBy: countryName(ref, b.ReportedBy), Section: a.section.Code, Drill: a.drill(b)}
	for _, d := range a.sets {
		if d.ID == b.DatasetID {
			o.Source = d.Source
		}
	}
	return o
}

// sectorsCharts are the breakdowns' charts, for /charts/sectors.svg|png.
func (s *Server) sectorsCharts(c echo.Context) ([]charts.Chart, error) {
	a, err := s.sectorsQuery(c)
	if err != nil {
		return nil, err
	}
	var out []charts.Chart
	for _, b := range a.breakdowns {
		ch, _ := sectorChart(b, a.form, a.sectorsOptions(b, s.ref))
		out = append(out, ch)
	}
	return out, nil
}

// sectorsTable is /data/sectors' table: one row per sector figure, from
// the query result, with each figure's dataset and sources.
func (s *Server) sectorsTable(c echo.Context) (charts.Table, error) {
	a, err := s.sectorsQuery(c)
	if err != nil {
		return charts.Table{}, err
	}
	if len(a.breakdowns) == 0 {
		return charts.Table{}, fmt.Errorf("%w: no sector figures for %s–%s", data.ErrNotFound, a.q.Reporter, a.q.Partner)
	}
	rep, _ := s.ref.Country(a.q.Reporter)
	par, _ := s.ref.Country(a.q.Partner)
	return charts.SectorsTable(a.breakdowns, charts.SectorsTableOptions{Reporter: rep, Partner: par, Section: a.section.Code,
		Level: string(a.level), Query: c.Request().URL.RawQuery, SectionOf: s.ref.SectionOf, Datasets: datasetNames(a.sets)}), nil
}

// datasetNames maps dataset ids to "name (source)".
func datasetNames(sets []data.Dataset) map[int64]string {
	out := make(map[int64]string, len(sets))
	for _, d := range sets {
		out[d.ID] = d.Name + " (" + d.Source + ")"
	}
	return out
}

func (s *Server) handleSectorsAPI(c echo.Context) error {
	a, err := s.sectorsQuery(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newSectorsJSON(a, s.ref))
}

type sectorsJSON struct {
	Reporter   string          `json:"reporter"`
	Partner    string          `json:"partner"`
	Currency   string          `json:"currency"`
	Period     string          `json:"period"` // "" when the pair has no sector figures
	PeriodKind string          `json:"period_kind,omitempty"`
	Periods    []string        `json:"periods"`
	Level      string          `json:"level,omitempty"`
	Section    string          `json:"section,omitempty"`
	Breakdowns []breakdownJSON `json:"breakdowns"`
}

type breakdownJSON struct {
	Dataset    int64              `json:"dataset"`
	ReportedBy string             `json:"reported_by"`
	Flow       string             `json:"flow"`
	Total      *float64           `json:"total"` // the stated all-goods figure; null if none
	TotalBound string             `json:"total_bound,omitempty"`
	Sum        float64            `json:"sum"` // of the exact sector figures listed, never in place of the total
	Sectors    []sectorFigureJSON `json:"sectors"`
}

type sectorFigureJSON struct {
	Classification string        `json:"classification"`
	Code           string        `json:"code"`
	Name           string        `json:"name"`
	Section        string        `json:"section,omitempty"`
	Value          *float64      `json:"value"`
	Bound          string        `json:"bound,omitempty"`
	Conflict       bool          `json:"conflict,omitempty"`
	Share          *float64      `json:"share"`
	Sources        []data.Source `json:"sources"`
}

func newSectorsJSON(a sectorsAnswer, ref *data.Reference) sectorsJSON {
	out := sectorsJSON{Reporter: a.q.Reporter, Partner: a.q.Partner, Currency: "USD", Level: string(a.level), Section: a.section.Code,
		Periods: []string{}, Breakdowns: []breakdownJSON{}}
	if a.shown != (data.Period{}) {
		out.Period, out.PeriodKind = a.shown.Label(), string(a.shown.Kind())
	}
	for _, p := range a.periods {
		out.Periods = append(out.Periods, p.Label())
	}
	value := func(f data.Figure) (*float64, string) {
		if !f.Known || f.Conflict {
			return nil, ""
		}
		v := f.Value
		if f.Bound == data.Exact {
			return &v, ""
		}
		return &v, string(f.Bound)
	}
	for _, b := range a.breakdowns {
		bj := breakdownJSON{Dataset: b.DatasetID, ReportedBy: b.ReportedBy, Flow: string(b.Flow), Sum: b.Sum, Sectors: []sectorFigureJSON{}}
		bj.Total, bj.TotalBound = value(b.Total)
		for _, sf := range b.Sectors {
			j := sectorFigureJSON{Classification: string(sf.Product.Classification), Code: sf.Product.Code, Name: sf.Product.Name,
				Section: ref.SectionOf(sf.Product), Conflict: sf.Figure.Conflict, Sources: sf.Figure.Sources}
			j.Value, j.Bound = value(sf.Figure)
			if sf.Share > 0 {
				sh := sf.Share
				j.Share = &sh
			}
			if j.Sources == nil {
				j.Sources = []data.Source{}
			}
			bj.Sectors = append(bj.Sectors, j)
		}
		out.Breakdowns = append(out.Breakdowns, bj)
	}
	return out
}

// levelLinks are the level selector's choices, as links.
func (a sectorsAnswer) levelLinks() []periodLink {
	if len(a.levels) < 2 && a.section.Code == "" {
		return nil
	}
	out := []periodLink{{Label: "coarsest stated", URL: a.link("/bilateral", "level", "", "section", ""), Current: a.level == "" && a.section.Code == ""}}
	for _, l := range a.levels {
		out = append(out, periodLink{Label: levelLabel(l), URL: a.link("/bilateral", "level", string(l), "section", ""), Current: a.level == l && a.section.Code == ""})
	}
	return out
}

// formLinks are the chart form's choices, as links.
func (a sectorsAnswer) formLinks() []periodLink {
	return []periodLink{
		{Label: "bars", URL: a.link("/bilateral", "form", "bars"), Current: a.form == "bars"},
		{Label: "treemap", URL: a.link("/bilateral", "form", "treemap"), Current: a.form == "treemap"},
	}
}

// dataLinks are the breakdown's JSON, CSV and XLSX links.
func (a sectorsAnswer) dataLinks() (jsonURL, csvURL, xlsxURL string) {
	return a.link("/api/v1/sectors"), a.link("/data/sectors.csv"), a.link("/data/sectors.xlsx")
}
