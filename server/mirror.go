package server

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/charts"
	"tradedash/data"
)

func (s *Server) handleMirrorPage(c echo.Context) error {
	m, err := s.mirror(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "mirror", newMirrorView(m, s.ref))
}

func (s *Server) handleMirrorAPI(c echo.Context) error {
	m, err := s.mirror(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newMirrorJSON(m))
}

// mirrorAnswer is the mirror comparison and, when two datasets are asked
// for, the source comparison of the same pair.
type mirrorAnswer struct {
	q       data.MirrorQuery
	rows    []data.MirrorRow
	un      []data.Unmatched
	sq      *data.SourcesQuery // nil without dataset_a and dataset_b
	sources []data.SourceRow
	sun     []data.Unmatched
	sets    []data.Dataset
	// dataset is the dataset parameter as given ("all", a number, or
	// none for the default), kept for the page's download links.
	dataset string
}

// positiveParam reads an optional dataset number.
func positiveParam(c echo.Context, name string) (int64, error) {
	v := strings.TrimSpace(c.QueryParam(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: %s must be a dataset number, not %q", data.ErrInvalid, name, v)
	}
	return n, nil
}

// mirror binds the query and pairs both sides' figures, and, with
// dataset_a and dataset_b, the two datasets' figures.
func (s *Server) mirror(c echo.Context) (mirrorAnswer, error) {
	var m mirrorAnswer
	b, err := s.bindBilateral(c)
	if err != nil {
		return m, err
	}
	m.q = data.MirrorQuery{Reporter: b.Reporter, Partner: b.Partner, Dataset: b.DatasetID}
	m.dataset = strings.TrimSpace(c.QueryParam("dataset"))
	if m.q.MirrorDataset, err = positiveParam(c, "mirror_dataset"); err != nil {
		return m, err
	}
	if v := strings.TrimSpace(c.QueryParam("cif")); v != "" {
		if m.q.CIFFactor, err = strconv.ParseFloat(v, 64); err != nil {
			return m, fmt.Errorf("%w: cif must be a factor such as 1.06, not %q", data.ErrInvalid, v)
		}
	}
	if err := m.q.Validate(); err != nil {
		return m, err
	}
	sq := data.SourcesQuery{Reporter: b.Reporter, Partner: b.Partner}
	if sq.DatasetA, err = positiveParam(c, "dataset_a"); err != nil {
		return m, err
	}
	if sq.DatasetB, err = positiveParam(c, "dataset_b"); err != nil {
		return m, err
	}
	if sq.DatasetA != 0 || sq.DatasetB != 0 {
		if err := sq.Validate(); err != nil {
			return m, err
		}
		m.sq = &sq
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	for _, id := range []int64{m.q.Dataset, m.q.MirrorDataset, sq.DatasetA, sq.DatasetB} {
		if m.sets, err = s.datasetsFor(ctx, id); err != nil {
			return m, err
		}
	}
	rows, err := s.store.Bilateral(ctx, data.BilateralQuery{Reporter: m.q.Reporter, Partner: m.q.Partner})
	if err != nil {
		return m, err
	}
	m.rows, m.un = data.Mirror(rows, m.q)
	if m.sq != nil {
		m.sources, m.sun = data.CompareSources(rows, *m.sq)
	}
	return m, nil
}

type mirrorView struct {
	Reporter, Partner data.Country
	CIF               string
	Chart             charts.Chart
	Rows              []mirrorRowView
	Unmatched         []string
	Countries         template.HTML // the <option>s of the countries datalist
	JSONURL           string
	// DatasetsA and DatasetsB are the choices of the source comparison.
	DatasetsA, DatasetsB []option
	Sources              *sourcesView
	opts                 charts.MirrorOptions // the chart's, for its table
}

// sourcesView is the source comparison: one pair from two datasets.
type sourcesView struct {
	Chart            charts.Chart
	IDA, IDB         int64
	NameA, NameB     string
	SourceA, SourceB string
	Rows             []sourceRowView
	Unmatched        []string
	opts             charts.SourcesOptions // the chart's, for its table
}

type sourceRowView struct {
	Period, Side, Flow string
	A, B, Gap, GapPct  string
	RefsA, RefsB       string
}

type mirrorRowView struct {
	Period, Flow                   string
	Reported, Mirror               string
	AdjReported, AdjMirror         string
	Gap, GapPct                    string
	ReporterDataset, MirrorDataset int64
}

func newMirrorView(m mirrorAnswer, ref *data.Reference) mirrorView {
	q, rows, un, sets := m.q, m.rows, m.un, m.sets
	rep, _ := ref.Country(q.Reporter)
	par, _ := ref.Country(q.Partner)
	names := map[int64]string{}
	for _, d := range sets {
		names[d.ID] = d.Name
	}
	v := mirrorView{Reporter: rep, Partner: par, JSONURL: "/api/v1/mirror?reporter=" + q.Reporter + "&partner=" + q.Partner}
	if m.dataset != "" {
		v.JSONURL += "&dataset=" + url.QueryEscape(m.dataset)
	}
	if q.MirrorDataset != 0 {
		v.JSONURL += "&mirror_dataset=" + strconv.FormatInt(q.MirrorDataset, 10)
	}
	if q.CIFFactor > 1 {
		v.CIF = strconv.FormatFloat(q.CIFFactor, 'f', -1, 64)
		v.JSONURL += "&cif=" + v.CIF
	}
	v.opts = charts.MirrorOptions{Reporter: rep, Partner: par, CIFFactor: q.CIFFactor, Source: "datasets " + datasetList(rows)}
	v.Chart = charts.Mirror(rows, v.opts)
	for _, r := range rows {
		flow := rep.Name + " exports to " + par.Name + " / " + par.Name + " imports from " + rep.Name
		if r.Flow == data.Import {
			flow = rep.Name + " imports from " + par.Name + " / " + par.Name + " exports to " + rep.Name
		}
		rv := mirrorRowView{Period: r.Period.Label(), Flow: flow, Reported: exactUSD(r.Reported.Value), Mirror: exactUSD(r.Mirror.Value),
			// Divided figures are shown to the dollar; the API keeps them whole.
			AdjReported: exactUSD(math.Round(r.AdjustedReported)), AdjMirror: exactUSD(math.Round(r.AdjustedMirror)), Gap: exactUSD(math.Round(r.Gap)),
			ReporterDataset: r.ReporterDataset, MirrorDataset: r.PartnerDataset}
		if !math.IsNaN(r.GapPct) {
			rv.GapPct = signedPct(r.GapPct)
		}
		v.Rows = append(v.Rows, rv)
	}
	for _, u := range un {
		v.Unmatched = append(v.Unmatched, fmt.Sprintf("%s (%s's statistics, dataset %d “%s”)", u.Period.Label(), countryName(ref, u.ReportedBy), u.DatasetID, names[u.DatasetID]))
	}
	v.Countries = countryDatalist(ref, false)
	var a, b int64
	if m.sq != nil {
		a, b = m.sq.DatasetA, m.sq.DatasetB
		v.JSONURL += fmt.Sprintf("&dataset_a=%d&dataset_b=%d", a, b)
		v.Sources = newSourcesView(m, rep, par, names, ref)
	}
	v.DatasetsA, v.DatasetsB = []option{{"", "—", a == 0}}, []option{{"", "—", b == 0}}
	for _, d := range sets {
		id := strconv.FormatInt(d.ID, 10)
		v.DatasetsA = append(v.DatasetsA, option{id, id + " " + d.Name, d.ID == a})
		v.DatasetsB = append(v.DatasetsB, option{id, id + " " + d.Name, d.ID == b})
	}
	return v
}

func newSourcesView(m mirrorAnswer, rep, par data.Country, names map[int64]string, ref *data.Reference) *sourcesView {
	sv := &sourcesView{IDA: m.sq.DatasetA, IDB: m.sq.DatasetB, NameA: names[m.sq.DatasetA], NameB: names[m.sq.DatasetB]}
	for _, d := range m.sets {
		switch d.ID {
		case sv.IDA:
			sv.SourceA = d.Source
		case sv.IDB:
			sv.SourceB = d.Source
		}
	}
	sides := map[string]string{rep.ISO3: rep.Name, par.ISO3: par.Name}
	sv.opts = charts.SourcesOptions{Reporter: rep, Partner: par, NameA: sv.NameA, NameB: sv.NameB, Names: sides,
		Source: fmt.Sprintf("A: [%d] %s; B: [%d] %s", sv.IDA, sv.SourceA, sv.IDB, sv.SourceB)}
	sv.Chart = charts.SourceComparison(m.sources, sv.opts)
	refs := func(f data.Figure) string {
		var out []string
		for _, src := range f.Sources {
			out = append(out, src.Ref)
		}
		return strings.Join(out, " · ")
	}
	for _, r := range m.sources {
		flow := map[data.Flow]string{data.Export: " exports to ", data.Import: " imports from ", data.Turnover: " trade with "}[r.Flow]
		row := sourceRowView{Period: r.Period.Label(), Side: sides[r.ReportedBy] + "'s statistics", Flow: rep.Name + flow + par.Name,
			A: figureCell(r.A).Text, B: figureCell(r.B).Text, Gap: exactUSD(r.Gap), RefsA: refs(r.A), RefsB: refs(r.B)}
		if r.A.Derived {
			row.A += " (derived)"
		}
		if r.B.Derived {
			row.B += " (derived)"
		}
		if !math.IsNaN(r.GapPct) {
			row.GapPct = signedPct(r.GapPct)
		}
		sv.Rows = append(sv.Rows, row)
	}
	for _, u := range m.sun {
		sv.Unmatched = append(sv.Unmatched, fmt.Sprintf("%s, %s's statistics: only in dataset %d “%s”", u.Period.Label(), countryName(ref, u.ReportedBy), u.DatasetID, names[u.DatasetID]))
	}
	return sv
}

func datasetList(rows []data.MirrorRow) string {
	seen := map[int64]bool{}
	var ids []string
	for _, r := range rows {
		for _, id := range []int64{r.ReporterDataset, r.PartnerDataset} {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, strconv.FormatInt(id, 10))
			}
		}
	}
	return strings.Join(ids, ", ")
}

type mirrorJSON struct {
	Reporter  string          `json:"reporter"`
	Partner   string          `json:"partner"`
	Currency  string          `json:"currency"`
	CIFFactor float64         `json:"cif_factor"`
	Rows      []mirrorRowJSON `json:"comparisons"`
	Unmatched []unmatchedJSON `json:"unmatched"`
	// Sources is the source comparison, null without dataset_a and dataset_b.
	Sources *sourcesJSON `json:"source_comparison"`
}

type sourcesJSON struct {
	DatasetA  int64           `json:"dataset_a"`
	DatasetB  int64           `json:"dataset_b"`
	Rows      []sourceRowJSON `json:"comparisons"`
	Unmatched []unmatchedJSON `json:"unmatched"`
}

type sourceRowJSON struct {
	Period      string        `json:"period"`
	PeriodStart string        `json:"period_start"`
	PeriodEnd   string        `json:"period_end"`
	ReportedBy  string        `json:"reported_by"`
	Flow        string        `json:"flow"`
	A           float64       `json:"a"`
	B           float64       `json:"b"`
	ADerived    bool          `json:"a_derived"`
	BDerived    bool          `json:"b_derived"`
	Gap         float64       `json:"gap"`
	GapPct      *float64      `json:"gap_pct"`
	SourcesA    []data.Source `json:"sources_a"`
	SourcesB    []data.Source `json:"sources_b"`
}

type mirrorRowJSON struct {
	Period          string        `json:"period"`
	PeriodStart     string        `json:"period_start"`
	PeriodEnd       string        `json:"period_end"`
	Flow            string        `json:"flow"`
	ReporterDataset int64         `json:"reporter_dataset"`
	PartnerDataset  int64         `json:"partner_dataset"`
	Reported        float64       `json:"reported"`
	Mirror          float64       `json:"mirror"`
	AdjReported     float64       `json:"adjusted_reported"`
	AdjMirror       float64       `json:"adjusted_mirror"`
	Gap             float64       `json:"gap"`
	GapPct          *float64      `json:"gap_pct"`
	Sources         []data.Source `json:"sources"`
}

type unmatchedJSON struct {
	Period     string `json:"period"`
	ReportedBy string `json:"reported_by"`
	Dataset    int64  `json:"dataset"`
}

func newMirrorJSON(m mirrorAnswer) mirrorJSON {
	q, rows, un := m.q, m.rows, m.un
	out := mirrorJSON{Reporter: q.Reporter, Partner: q.Partner, Currency: "USD", CIFFactor: max(q.CIFFactor, 1), Rows: []mirrorRowJSON{}, Unmatched: []unmatchedJSON{}}
	for _, r := range rows {
		j := mirrorRowJSON{Period: r.Period.Label(), PeriodStart: monthISO(r.Period.Start), PeriodEnd: monthISO(r.Period.End), Flow: string(r.Flow),
			ReporterDataset: r.ReporterDataset, PartnerDataset: r.PartnerDataset, Reported: r.Reported.Value, Mirror: r.Mirror.Value,
			AdjReported: r.AdjustedReported, AdjMirror: r.AdjustedMirror, Gap: r.Gap,
			Sources: append(append([]data.Source{}, r.Reported.Sources...), r.Mirror.Sources...)}
		if !math.IsNaN(r.GapPct) {
			p := r.GapPct
			j.GapPct = &p
		}
		out.Rows = append(out.Rows, j)
	}
	for _, u := range un {
		out.Unmatched = append(out.Unmatched, unmatchedJSON{u.Period.Label(), u.ReportedBy, u.DatasetID})
	}
	if m.sq != nil {
		sj := &sourcesJSON{DatasetA: m.sq.DatasetA, DatasetB: m.sq.DatasetB, Rows: []sourceRowJSON{}, Unmatched: []unmatchedJSON{}}
		for _, r := range m.sources {
			j := sourceRowJSON{Period: r.Period.Label(), PeriodStart: monthISO(r.Period.Start), PeriodEnd: monthISO(r.Period.End), ReportedBy: r.ReportedBy,
				Flow: string(r.Flow), A: r.A.Value, B: r.B.Value, ADerived: r.A.Derived, BDerived: r.B.Derived, Gap: r.Gap,
				SourcesA: append([]data.Source{}, r.A.Sources...), SourcesB: append([]data.Source{}, r.B.Sources...)}
			if !math.IsNaN(r.GapPct) {
				p := r.GapPct
				j.GapPct = &p
			}
			sj.Rows = append(sj.Rows, j)
		}
		for _, u := range m.sun {
			sj.Unmatched = append(sj.Unmatched, unmatchedJSON{u.Period.Label(), u.ReportedBy, u.DatasetID})
		}
		out.Sources = sj
	}
	return out
}
