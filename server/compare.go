package server

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/charts"
	"tradedash/data"
)

func (s *Server) handleComparePage(c echo.Context) error {
	if u, ok := legacyCompareForm(c); ok {
		return c.Redirect(http.StatusMovedPermanently, u)
	}
	v, err := s.compare(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "compare", v)
}

func (s *Server) handleCompareAPI(c echo.Context) error {
	v, err := s.compare(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v.json())
}

// compare binds reporter, partner, dataset and the periods a and b, and
// sets the two periods' sector figures against each other.
func (s *Server) compare(c echo.Context) (compareView, error) {
	q, err := s.bindBilateral(c)
	if err != nil {
		return compareView{}, err
	}
	var a, b data.Period
	for _, p := range []struct {
		name string
		dst  *data.Period
	}{{"a", &a}, {"b", &b}} {
		if v := strings.TrimSpace(c.QueryParam(p.name)); v != "" {
			if *p.dst, err = data.ParsePeriod(v, 0); err != nil {
				return compareView{}, fmt.Errorf("%w (parameter %s)", err, p.name)
			}
		}
	}
	if (a == data.Period{}) != (b == data.Period{}) {
		return compareView{}, fmt.Errorf("%w: give both periods a and b, or neither", data.ErrInvalid)
	}
	level, err := data.ParseClassificationLevel(c.QueryParam("level"))
	if err != nil {
		return compareView{}, err
	}
	// form, not chart: the image and data exports read chart as the id
	// of one of the page's charts.
	form := strings.ToLower(strings.TrimSpace(c.QueryParam("form")))
	if form != "" && form != "bars" && form != "waterfall" {
		return compareView{}, fmt.Errorf("%w: form must be bars or waterfall, not %q", data.ErrInvalid, c.QueryParam("form"))
	}
	if a != (data.Period{}) && !a.Like(b) {
		return compareView{}, fmt.Errorf("%w: %s and %s are not like periods (a fiscal year is never compared with a calendar year, nor a part of a year with a whole one)", data.ErrInvalid, a.Label(), b.Label())
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.datasetsFor(ctx, q.DatasetID)
	if err != nil {
		return compareView{}, err
	}
	// Given both periods, only their figures are read, and the selector's
	// periods come from the pair_periods aggregate; else every period's,
	// to find the latest like pair.
	var bds []data.SectorBreakdown
	var periods []data.Period
	if a == (data.Period{}) {
		bds, err = s.store.Sectors(ctx, q)
	} else if bds, err = s.store.SectorsIn(ctx, q, []data.Period{a, b}); err == nil {
		periods, err = s.store.SectorPeriods(ctx, q)
	}
	if err != nil {
		return compareView{}, err
	}
	levels := data.LevelsIn(bds)
	bds = data.OneLevel(bds, level)
	if a == (data.Period{}) {
		a, b, _ = data.LatestLikePair(bds)
		periods = data.ComparablePeriods(bds)
	}
	v := newCompareView(q, a, b, data.Compare(bds, a, b), periods, sets, s.ref, form == "waterfall")
	v.Level = level
	if level != "" {
		v.JSONURL += "&level=" + string(level)
	}
	// The dataset as asked ("all", a number, or "" for the default), kept
	// by the form and the JSON link.
	if v.Dataset = strings.TrimSpace(c.QueryParam("dataset")); v.Dataset != "" {
		v.JSONURL += "&dataset=" + url.QueryEscape(v.Dataset)
	}
	v.Levels = []option{{"", "coarsest stated", level == ""}}
	for _, l := range levels {
		v.Levels = append(v.Levels, option{string(l), levelLabel(l), l == level})
	}
	v.Forms = []option{{"bars", "diverging bars", form != "waterfall"}, {"waterfall", "waterfall", form == "waterfall"}}
	return v, nil
}

// legacyCompareForm answers an old permalink, /compare?chart=waterfall
// (or bars), with the same URL saying form= instead; chart is no
// parameter of the compare page any more, since the exports read it as
// a chart's id.
func legacyCompareForm(c echo.Context) (string, bool) {
	q := c.Request().URL.Query()
	old := strings.ToLower(strings.TrimSpace(q.Get("chart")))
	if old != "bars" && old != "waterfall" || q.Has("form") {
		return "", false
	}
	q.Del("chart")
	q.Set("form", old)
	return c.Request().URL.Path + "?" + q.Encode(), true
}

type compareView struct {
	Reporter, Partner data.Country
	A, B              data.Period
	Periods           []option
	PeriodsB          []option
	Sections          []compareSection
	Level             data.ClassificationLevel
	Levels            []option // the levels the pair's data states, for the selector
	Forms             []option // the chart's forms, bars or waterfall
	Dataset           string
	JSONURL           string
	comparisons       []data.Comparison
}

type compareSection struct {
	Heading, Source string
	Level           string // "HS sections", …; "" for a list of sectors
	Chart           *charts.Chart
	Total           compareRow
	Rows            []compareRow
}

type compareRow struct {
	Name, A, B, Delta, Pct string
}

func newCompareView(q data.BilateralQuery, a, b data.Period, cs []data.Comparison, periods []data.Period, sets []data.Dataset, ref *data.Reference, waterfall bool) compareView {
	rep, _ := ref.Country(q.Reporter)
	par, _ := ref.Country(q.Partner)
	v := compareView{Reporter: rep, Partner: par, A: a, B: b, comparisons: cs,
		JSONURL: fmt.Sprintf("/api/v1/compare?reporter=%s&partner=%s&a=%s&b=%s", q.Reporter, q.Partner, a.String(), b.String())}
	for _, p := range periods {
		v.Periods = append(v.Periods, option{p.String(), p.Label(), p == a})
		v.PeriodsB = append(v.PeriodsB, option{p.String(), p.Label(), p == b})
	}
	sources := map[int64]string{}
	for _, d := range sets {
		sources[d.ID] = d.Source
	}
	for _, c := range cs {
		what := "exports to"
		if c.Flow == data.Import {
			what = "imports from"
		}
		side := countryName(ref, c.ReportedBy)
		sec := compareSection{
			Heading: fmt.Sprintf("%s's %s %s, %s against %s, as %s's statistics state it (dataset %d)", rep.Name, what, par.Name, c.B.Label(), c.A.Label(), side, c.DatasetID),
			Source:  sources[c.DatasetID],
			Total:   newCompareRow("All goods (as stated)", c.Total),
			Level:   levelLabel(comparisonLevel(c)),
		}
		if len(c.Sectors) > 0 {
			o := charts.CompareOptions{Reporter: rep, Partner: par, ReportedBy: side, Source: sources[c.DatasetID]}
			ch := charts.Compare(c, o)
			if waterfall {
				ch = charts.CompareWaterfall(c, o)
			}
			sec.Chart = &ch
		}
		for _, s := range c.Sectors {
			sec.Rows = append(sec.Rows, newCompareRow(s.Product.Label(), s))
		}
		v.Sections = append(v.Sections, sec)
	}
	return v
}

// comparisonLevel is the HS level a comparison's products are stated at
// (data.OneLevel leaves one), or "" for free-text sectors.
func comparisonLevel(c data.Comparison) data.ClassificationLevel {
	if len(c.Sectors) == 0 {
		return ""
	}
	return data.LevelOf(c.Sectors[0].Product)
}

func levelLabel(l data.ClassificationLevel) string {
	if l == "" {
		return ""
	}
	return "HS " + string(l) + "s"
}

func newCompareRow(name string, s data.SectorChange) compareRow {
	r := compareRow{Name: name, A: figureCell(s.A).Text, B: figureCell(s.B).Text, Delta: "—"}
	if s.Known {
		r.Delta = exactUSD(cents(s.Delta))
		if s.Delta > 0 {
			r.Delta = "+" + r.Delta
		}
		if !math.IsNaN(s.Pct) {
			r.Pct = signedPct(s.Pct)
		}
	}
	return r
}

type compareJSON struct {
	Reporter    string             `json:"reporter"`
	Partner     string             `json:"partner"`
	A           string             `json:"a"`
	B           string             `json:"b"`
	Level       string             `json:"level,omitempty"`
	Currency    string             `json:"currency"`
	Comparisons []compareGroupJSON `json:"comparisons"`
}

type compareGroupJSON struct {
	Dataset    int64              `json:"dataset"`
	ReportedBy string             `json:"reported_by"`
	Flow       string             `json:"flow"`
	Level      string             `json:"level"`
	Total      sectorChangeJSON   `json:"total"`
	Sectors    []sectorChangeJSON `json:"sectors"`
}

type sectorChangeJSON struct {
	Classification string   `json:"classification"`
	Code           string   `json:"code"`
	Name           string   `json:"name"`
	A              *float64 `json:"a"`
	B              *float64 `json:"b"`
	Delta          *float64 `json:"delta"`
	Pct            *float64 `json:"pct"`
}

func (v compareView) json() compareJSON {
	out := compareJSON{Reporter: v.Reporter.ISO3, Partner: v.Partner.ISO3, A: labelOrEmpty(v.A), B: labelOrEmpty(v.B), Level: string(v.Level), Currency: "USD", Comparisons: []compareGroupJSON{}}
	num := func(f data.Figure) *float64 {
		if !f.Known || f.Conflict {
			return nil
		}
		x := f.Value
		return &x
	}
	conv := func(s data.SectorChange) sectorChangeJSON {
		j := sectorChangeJSON{Classification: string(s.Product.Classification), Code: s.Product.Code, Name: s.Product.Name, A: num(s.A), B: num(s.B)}
		if s.Known {
			d := s.Delta
			j.Delta = &d
			if !math.IsNaN(s.Pct) {
				p := s.Pct
				j.Pct = &p
			}
		}
		return j
	}
	for _, c := range v.comparisons {
		g := compareGroupJSON{Dataset: c.DatasetID, ReportedBy: c.ReportedBy, Flow: string(c.Flow), Level: string(comparisonLevel(c)), Total: conv(c.Total), Sectors: []sectorChangeJSON{}}
		for _, s := range c.Sectors {
			g.Sectors = append(g.Sectors, conv(s))
		}
		out.Comparisons = append(out.Comparisons, g)
	}
	return out
}

// labelOrEmpty is a period's label, or "" when no period was found (no
// "Jan 0" in the API when there is nothing to compare).
func labelOrEmpty(p data.Period) string {
	if p == (data.Period{}) {
		return ""
	}
	return p.Label()
}
