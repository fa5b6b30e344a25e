package server

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/charts"
	"tradedash/data"
)

func (s *Server) handlePartnersPage(c echo.Context) error {
	rep, r, sets, err := s.partners(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "partners", newPartnersView(rep, r, sets, s.ref))
}

func (s *Server) handlePartnersAPI(c echo.Context) error {
	rep, r, _, err := s.partners(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newPartnersJSON(rep, r, s.ref))
}

func (s *Server) handlePartnersData(c echo.Context) error {
	rep, r, sets, err := s.partners(c)
	if err != nil {
		return err
	}
	return writeTable(c, strings.TrimPrefix(path.Ext(c.Path()), "."), charts.PartnersTable(r, partnersOptions(rep, r, sets, s.ref)))
}

// partners binds reporter, flow, period and dataset, and ranks the partners.
func (s *Server) partners(c echo.Context) (data.Country, data.PartnerRanking, []data.Dataset, error) {
	rep, err := s.country(c, "reporter")
	if err != nil {
		return rep, data.PartnerRanking{}, nil, err
	}
	q := data.PartnersQuery{Reporter: rep.ISO3, Flow: data.Flow(strings.ToLower(strings.TrimSpace(c.QueryParam("flow"))))}
	if q.Flow == "" {
		q.Flow = data.Export
	}
	if v := strings.TrimSpace(c.QueryParam("period")); v != "" {
		if q.Period, err = data.ParsePeriod(v, 0); err != nil {
			return rep, data.PartnerRanking{}, nil, err
		}
	}
	if q.DatasetID, err = s.datasetParam(c); err != nil {
		return rep, data.PartnerRanking{}, nil, err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.datasetsFor(ctx, q.DatasetID)
	if err != nil {
		return rep, data.PartnerRanking{}, nil, err
	}
	r, err := s.store.Partners(ctx, q)
	return rep, r, sets, err
}

func partnersOptions(rep data.Country, r data.PartnerRanking, sets []data.Dataset, ref *data.Reference) charts.PartnersOptions {
	o := charts.PartnersOptions{Reporter: rep, Names: map[string]string{}}
	for _, p := range r.Partners {
		o.Names[p.Partner] = countryName(ref, p.Partner)
	}
	for _, d := range sets {
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
	Datasets        []option
	Countries       []data.Country
	Chart           charts.Chart
	Rows            []partnerRow
	CSVURL, XLSXURL string
	JSONURL         string
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

func newPartnersView(rep data.Country, r data.PartnerRanking, sets []data.Dataset, ref *data.Reference) partnersView {
	o := partnersOptions(rep, r, sets, ref)
	v := partnersView{Reporter: rep, Flow: r.Flow, FlowTitle: map[data.Flow]string{data.Export: "exports", data.Import: "imports", data.Turnover: "trade (exports + imports)"}[r.Flow], Period: r.Period.Label(), PeriodKey: r.Period.String(), DatasetID: r.DatasetID,
		DatasetName: o.Dataset, Source: o.Source, ShareOf: r.ShareOf, Chart: charts.Partners(r, o)}
	for _, d := range sets {
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
	for i := len(r.Periods) - 1; i >= 0; i-- {
		p := r.Periods[i]
		v.Periods = append(v.Periods, option{p.String(), p.Label(), p == r.Period})
	}
	if r.World.Known {
		v.World = boundPrefix(r.World.Bound) + exactUSD(r.World.Value)
	}
	for _, c := range ref.Countries() {
		if !c.Aggregate {
			v.Countries = append(v.Countries, c)
		}
	}
	q := url.Values{"reporter": {rep.ISO3}, "flow": {string(r.Flow)}, "period": {r.Period.String()}, "dataset": {strconv.FormatInt(r.DatasetID, 10)}}
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
		if p.Figure.Known {
			row.Share = fmt.Sprintf("%.2f%%", 100*p.Share)
		}
		var refs []string
		for _, s := range p.Figure.Sources {
			refs = append(refs, s.Ref)
		}
		row.Sources = strings.Join(refs, " · ")
		v.Rows = append(v.Rows, row)
	}
	return v
}

type partnersJSON struct {
	Reporter string         `json:"reporter"`
	Flow     string         `json:"flow"`
	Period   string         `json:"period"`
	Start    string         `json:"period_start"`
	End      string         `json:"period_end"`
	Kind     string         `json:"period_kind"`
	Dataset  int64          `json:"dataset"`
	Currency string         `json:"currency"`
	ShareOf  string         `json:"share_of"`
	World    *float64       `json:"world"`
	Partners []partnerEntry `json:"partners"`
}

type partnerEntry struct {
	Partner   string        `json:"partner"`
	Name      string        `json:"name"`
	Aggregate bool          `json:"aggregate"`
	Value     *float64      `json:"value"`
	Share     *float64      `json:"share"`
	Note      string        `json:"note,omitempty"`
	Sources   []data.Source `json:"sources"`
}

func newPartnersJSON(rep data.Country, r data.PartnerRanking, ref *data.Reference) partnersJSON {
	out := partnersJSON{Reporter: rep.ISO3, Flow: string(r.Flow), Period: r.Period.Label(), Start: monthISO(r.Period.Start), End: monthISO(r.Period.End),
		Kind: string(r.Period.Kind()), Dataset: r.DatasetID, Currency: "USD", ShareOf: r.ShareOf, Partners: []partnerEntry{}}
	if r.World.Known {
		w := r.World.Value
		out.World = &w
	}
	for _, p := range r.Partners {
		e := partnerEntry{Partner: p.Partner, Name: countryName(ref, p.Partner), Aggregate: p.Aggregate, Note: figureCell(p.Figure).Note, Sources: p.Figure.Sources}
		if p.Figure.Known {
			v, sh := p.Figure.Value, p.Share
			e.Value, e.Share = &v, &sh
		}
		if e.Sources == nil {
			e.Sources = []data.Source{}
		}
		out.Partners = append(out.Partners, e)
	}
	return out
}
