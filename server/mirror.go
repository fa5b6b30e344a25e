package server

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/charts"
	"tradedash/data"
)

func (s *Server) handleMirrorPage(c echo.Context) error {
	q, rows, un, sets, err := s.mirror(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "mirror", newMirrorView(q, rows, un, sets, s.ref))
}

func (s *Server) handleMirrorAPI(c echo.Context) error {
	q, rows, un, _, err := s.mirror(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newMirrorJSON(q, rows, un))
}

// mirror binds the query and pairs both sides' figures.
func (s *Server) mirror(c echo.Context) (data.MirrorQuery, []data.MirrorRow, []data.Unmatched, []data.Dataset, error) {
	b, err := s.bindBilateral(c)
	if err != nil {
		return data.MirrorQuery{}, nil, nil, nil, err
	}
	q := data.MirrorQuery{Reporter: b.Reporter, Partner: b.Partner, Dataset: b.DatasetID}
	if v := strings.TrimSpace(c.QueryParam("mirror_dataset")); v != "" {
		if q.MirrorDataset, err = strconv.ParseInt(v, 10, 64); err != nil || q.MirrorDataset <= 0 {
			return q, nil, nil, nil, fmt.Errorf("%w: mirror_dataset must be a dataset number, not %q", data.ErrInvalid, v)
		}
	}
	if v := strings.TrimSpace(c.QueryParam("cif")); v != "" {
		if q.CIFFactor, err = strconv.ParseFloat(v, 64); err != nil {
			return q, nil, nil, nil, fmt.Errorf("%w: cif must be a factor such as 1.06, not %q", data.ErrInvalid, v)
		}
	}
	if err := q.Validate(); err != nil {
		return q, nil, nil, nil, err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.datasetsFor(ctx, q.Dataset)
	if err == nil && q.MirrorDataset != 0 {
		_, err = s.datasetsFor(ctx, q.MirrorDataset)
	}
	if err != nil {
		return q, nil, nil, nil, err
	}
	rows, err := s.store.Bilateral(ctx, data.BilateralQuery{Reporter: q.Reporter, Partner: q.Partner})
	if err != nil {
		return q, nil, nil, nil, err
	}
	m, un := data.Mirror(rows, q)
	return q, m, un, sets, nil
}

type mirrorView struct {
	Reporter, Partner data.Country
	CIF               string
	Chart             charts.Chart
	Rows              []mirrorRowView
	Unmatched         []string
	Countries         []data.Country
	JSONURL           string
}

type mirrorRowView struct {
	Period, Flow                   string
	Reported, Mirror               string
	AdjReported, AdjMirror         string
	Gap, GapPct                    string
	ReporterDataset, MirrorDataset int64
}

func newMirrorView(q data.MirrorQuery, rows []data.MirrorRow, un []data.Unmatched, sets []data.Dataset, ref *data.Reference) mirrorView {
	rep, _ := ref.Country(q.Reporter)
	par, _ := ref.Country(q.Partner)
	names := map[int64]string{}
	for _, d := range sets {
		names[d.ID] = d.Name
	}
	v := mirrorView{Reporter: rep, Partner: par, JSONURL: "/api/v1/mirror?reporter=" + q.Reporter + "&partner=" + q.Partner}
	if q.CIFFactor > 1 {
		v.CIF = strconv.FormatFloat(q.CIFFactor, 'f', -1, 64)
		v.JSONURL += "&cif=" + v.CIF
	}
	v.Chart = charts.Mirror(rows, charts.MirrorOptions{Reporter: rep, Partner: par, CIFFactor: q.CIFFactor, Source: "datasets " + datasetList(rows)})
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
	for _, c := range ref.Countries() {
		if !c.Aggregate {
			v.Countries = append(v.Countries, c)
		}
	}
	return v
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

func newMirrorJSON(q data.MirrorQuery, rows []data.MirrorRow, un []data.Unmatched) mirrorJSON {
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
	return out
}
