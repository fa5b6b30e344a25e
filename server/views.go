package server

import (
	"bytes"
	"cmp"
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

// --- home -----------------------------------------------------------------

type homeView struct {
	Datasets []datasetView
}

type datasetView struct {
	ID                                   int64
	Name, Source, Licence, Description   string
	Rows, Reporters                      int64
	Covers, ImportedAt, SHA256, ShortSHA string
	Pairs                                []pairView
	MorePairs                            int
}

type pairView struct {
	Label, URL, Covers string
	Observations       int
}

const homePairs = 12

// newHomeView lists each dataset with its largest pairs (pairs, at most
// homePairs each) and how many pairs it holds in all (counts).
func newHomeView(sets []data.DatasetSummary, pairs map[int64][]data.Pair, counts map[int64]int, ref *data.Reference) homeView {
	var v homeView
	for _, d := range sets {
		dv := datasetView{ID: d.ID, Name: d.Name, Source: d.Source, Licence: d.Licence, Description: d.Description,
			Rows: d.RowCount, Reporters: int64(d.Reporters), Covers: monthSpan(d.FirstMonth, d.LastMonth),
			ImportedAt: d.ImportedAt.UTC().Format("2006-01-02 15:04 UTC"), SHA256: d.SHA256, ShortSHA: d.SHA256[:12]}
		ps := pairs[d.ID]
		if len(ps) > homePairs {
			ps = ps[:homePairs]
		}
		dv.MorePairs = max(counts[d.ID]-len(ps), 0)
		for _, p := range ps {
			dv.Pairs = append(dv.Pairs, pairView{
				Label:        countryName(ref, p.Reporter) + " – " + countryName(ref, p.Partner),
				URL:          bilateralURL("/bilateral", p.Reporter, p.Partner, 0),
				Covers:       monthSpan(p.FirstMonth, p.LastMonth),
				Observations: p.Observations,
			})
		}
		v.Datasets = append(v.Datasets, dv)
	}
	return v
}

func monthSpan(first, last data.Month) string {
	if first == 0 {
		return "nothing yet"
	}
	if first == last {
		return first.String()
	}
	return first.String() + " – " + last.String()
}

func countryName(ref *data.Reference, iso3 string) string {
	if c, err := ref.Country(iso3); err == nil {
		return c.Name
	}
	return iso3
}

func bilateralURL(base, reporter, partner string, dataset int64) string {
	q := url.Values{"reporter": {reporter}, "partner": {partner}}
	if dataset != 0 {
		q.Set("dataset", strconv.FormatInt(dataset, 10))
	}
	return base + "?" + q.Encode()
}

// --- bilateral page ---------------------------------------------------------

type bilateralView struct {
	Reporter, Partner data.Country
	DatasetName       string
	DatasetOptions    []datasetOption
	Countries         template.HTML // the <option>s of the countries datalist
	SwapURL           string
	MirrorURL         string
	CompareURL        string
	Sections          []bilateralSection
	SectorPeriods     []periodLink // the periods a sector breakdown can be shown for
	SectorForms       []periodLink // bars or treemap
	SectorLevels      []periodLink // the HS levels stated, when there is a choice
	SectorUpURL       string       // back from a section's chapters to every section
	SectorJSONURL     string
	SectorCSVURL      string
	SectorXLSXURL     string
}

// withSectors puts a's breakdowns under their datasets' sections, with
// the selectors and links of the sector breakdown.
func (v *bilateralView) withSectors(a sectorsAnswer, ref *data.Reference) {
	byID := map[int64]data.Dataset{}
	for _, d := range a.sets {
		byID[d.ID] = d
	}
	for i := range v.Sections {
		sec := &v.Sections[i]
		sec.Sectors = nil
		for _, b := range a.breakdowns {
			if b.DatasetID == sec.DatasetID {
				sec.Sectors = append(sec.Sectors, newSectorView(b, v.Reporter, v.Partner, byID[b.DatasetID], ref, &a))
			}
		}
	}
	v.SectorPeriods = sectorPeriodLinks(a.q, a.periods, a.shown)
	if len(a.breakdowns) == 0 {
		return
	}
	v.SectorForms, v.SectorLevels = a.formLinks(), a.levelLinks()
	if a.section.Code != "" {
		v.SectorUpURL = a.link("/bilateral", "section", "")
	}
	v.SectorJSONURL, v.SectorCSVURL, v.SectorXLSXURL = a.dataLinks()
}

type datasetOption struct {
	ID       int64
	Name     string
	Selected bool
}

type bilateralSection struct {
	DatasetID                    int64
	DatasetName, Source, Licence string
	JSONURL, CSVURL, XLSXURL     string
	Growth                       []string
	Sectors                      []sectorView
	Chart                        charts.Chart
	Rows                         []tableRow
}

type tableRow struct {
	Period, PeriodKind, ReportedBy string
	Mirror                         bool
	Figures                        [4]cell
	Sources                        []sourceView
}

type cell struct{ Text, Note, Change, Share string }

type sourceView struct {
	Flow, Value, Ref, URL, Quote string
	Host                         string // where the source is, in a word: the site, or the file
}

func newBilateralView(q data.BilateralQuery, rows []data.PeriodTotals, sectors []data.SectorBreakdown, sets []data.Dataset, ref *data.Reference) bilateralView {
	rep, _ := ref.Country(q.Reporter)
	par, _ := ref.Country(q.Partner)
	// Dataset 0 is every dataset (dataset=all, or no default set): the
	// links say all, so that a default set meanwhile does not narrow them.
	keep := func(base, reporter, partner string) string {
		u := bilateralURL(base, reporter, partner, q.DatasetID)
		if q.DatasetID == 0 {
			u += "&dataset=all"
		}
		return u
	}
	v := bilateralView{Reporter: rep, Partner: par, SwapURL: keep("/bilateral", q.Partner, q.Reporter),
		MirrorURL: bilateralURL("/mirror", q.Reporter, q.Partner, 0), CompareURL: keep("/compare", q.Reporter, q.Partner)}
	byID := map[int64]data.Dataset{}
	for _, d := range sets {
		byID[d.ID] = d
		v.DatasetOptions = append(v.DatasetOptions, datasetOption{ID: d.ID, Name: d.Name, Selected: d.ID == q.DatasetID})
		if d.ID == q.DatasetID {
			v.DatasetName = d.Name
		}
	}
	v.Countries = countryDatalist(ref, false)
	for start := 0; start < len(rows); {
		end := start
		for end < len(rows) && rows[end].DatasetID == rows[start].DatasetID {
			end++
		}
		d := byID[rows[start].DatasetID]
		sec := bilateralSection{DatasetID: d.ID, DatasetName: d.Name, Source: d.Source, Licence: d.Licence,
			JSONURL: bilateralURL("/api/v1/bilateral", q.Reporter, q.Partner, d.ID),
			CSVURL:  bilateralURL("/data/bilateral.csv", q.Reporter, q.Partner, d.ID),
			XLSXURL: bilateralURL("/data/bilateral.xlsx", q.Reporter, q.Partner, d.ID),
			Chart:   charts.Bilateral(rows[start:end], charts.BilateralOptions{Reporter: rep, Partner: par, DatasetID: d.ID, Dataset: d.Name, Source: d.Source})}
		for i := start; i < end; i++ {
			sec.Rows = append(sec.Rows, newTableRow(rows, i, q, ref))
		}
		sec.Growth = growthLines(rows[start:end], q, ref)
		for _, b := range sectors {
			if b.DatasetID == d.ID {
				sec.Sectors = append(sec.Sectors, newSectorView(b, rep, par, d, ref, nil))
			}
		}
		v.Sections = append(v.Sections, sec)
		start = end
	}
	return v
}

// figurePickers name the figures of a row that changes and growth are computed for.
var figurePickers = []struct {
	name string
	pick func(data.PeriodTotals) data.Figure
}{
	{"exports", func(r data.PeriodTotals) data.Figure { return r.Exports }},
	{"imports", func(r data.PeriodTotals) data.Figure { return r.Imports }},
	{"turnover", func(r data.PeriodTotals) data.Figure { return r.Turnover }},
}

func newTableRow(rows []data.PeriodTotals, row int, q data.BilateralQuery, ref *data.Reference) tableRow {
	r := rows[row]
	t := tableRow{Period: r.Period.Label(), PeriodKind: periodKindText(r.Period), ReportedBy: countryName(ref, r.ReportedBy), Mirror: r.Mirror(q)}
	seen := map[int64]bool{}
	for i, f := range []data.Figure{r.Exports, r.Imports, r.Turnover, r.Balance} {
		t.Figures[i] = figureCell(f)
		for _, src := range f.Sources {
			if seen[src.ObservationID] {
				continue
			}
			seen[src.ObservationID] = true
			sv := sourceView{Flow: flowText(src, ref), Value: boundPrefix(src.Bound) + exactUSD(src.ValueUSD), Ref: src.Ref, Quote: src.Quote}
			sv.Host = src.Ref
			if u, err := url.Parse(src.Ref); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
				sv.URL, sv.Host = src.Ref, strings.TrimPrefix(u.Hostname(), "www.")
			} else if file, _, ok := strings.Cut(src.Ref, " @ "); ok {
				sv.Host = path.Base(file)
			}
			t.Sources = append(t.Sources, sv)
		}
	}
	for i, fp := range figurePickers {
		if c := data.ChangeOn(rows, row, fp.pick); c.Known {
			t.Figures[i].Change = changeText(c)
		}
	}
	for i, pair := range [][2]data.Figure{{r.Exports, r.WorldExports}, {r.Imports, r.WorldImports}} {
		w := pair[1]
		if s, ok := share(pair[0], w); ok {
			what := []string{"exports to", "imports from"}[i]
			t.Figures[i].Share = fmt.Sprintf("%.2f%% of %s's %s the World (%s)", 100*s, countryName(ref, r.ReportedBy), what, exactUSD(w.Value))
			t.Sources = append(t.Sources, sourceView{Flow: countryName(ref, r.ReportedBy) + " " + what + " the World", Value: exactUSD(w.Value), Ref: w.Sources[0].Ref, Host: w.Sources[0].Ref})
		}
	}
	return t
}

// share is a figure's part of the World figure, when both are exact.
func share(f, world data.Figure) (float64, bool) {
	if !f.Known || f.Conflict || f.Bound != data.Exact || !world.Known || world.Conflict || world.Bound != data.Exact || world.Value <= 0 {
		return 0, false
	}
	return f.Value / world.Value, true
}

func changeText(c data.Change) string {
	sign := "+"
	if c.Delta < 0 {
		sign = ""
	}
	pct := ""
	if !math.IsNaN(c.Pct) {
		pct = " (" + signedPct(c.Pct) + ")"
	}
	return fmt.Sprintf("%s%s%s on %s", sign, exactUSD(cents(c.Delta)), pct, c.From.Label())
}

// cents rounds a computed difference to the cent, so that binary noise
// from subtracting fractional figures (0.1 + 0.2) never reaches a page.
func cents(v float64) float64 { return math.Round(v*100) / 100 }

// signedPct writes a percentage with its sign, using a true minus: −23.0%.
func signedPct(p float64) string {
	s := fmt.Sprintf("%+.1f%%", p)
	return strings.Replace(s, "-", "−", 1)
}

// growthLines describes the compound annual growth of each figure over its
// like periods, one line per dataset, side and class of period.
func growthLines(rows []data.PeriodTotals, q data.BilateralQuery, ref *data.Reference) []string {
	var out []string
	for _, fp := range figurePickers {
		for _, g := range data.CAGR(rows, fp.pick) {
			if g.Years < 2 {
				continue // over one year the growth rate is the change shown in the table
			}
			out = append(out, fmt.Sprintf("%s, %s's statistics: %s a year from %s (%s) to %s (%s), over %d years (CAGR)",
				strings.ToUpper(fp.name[:1])+fp.name[1:], countryName(ref, g.ReportedBy), signedPct(100*g.Rate),
				g.From.Label(), exactUSD(g.First), g.To.Label(), exactUSD(g.Last), g.Years))
		}
	}
	return out
}

func figureCell(f data.Figure) cell {
	switch {
	case f.Conflict:
		return cell{Text: "—", Note: "sources disagree"}
	case !f.Known:
		return cell{Text: "—"}
	}
	c := cell{Text: boundPrefix(f.Bound) + exactUSD(f.Value)}
	if f.Derived {
		c.Note = "derived"
	}
	return c
}

func boundPrefix(b data.Bound) string {
	switch b {
	case data.AtLeast:
		return "≥ "
	case data.AtMost:
		return "≤ "
	}
	return ""
}

// exactUSD writes a value in full with thousands separators: 1,234,567.
func exactUSD(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	neg := v < 0
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

func periodKindText(p data.Period) string {
	switch p.Kind() {
	case data.CalendarYear:
		return "calendar year"
	case data.FiscalYear:
		return fmt.Sprintf("fiscal year %s–%s", p.Start, p.End)
	}
	return "partial period"
}

func flowText(src data.Source, ref *data.Reference) string {
	who := countryName(ref, src.Reporter)
	switch src.Flow {
	case data.Turnover:
		return who + " turnover"
	case data.Import:
		return who + " imports"
	}
	return who + " exports"
}

// --- bilateral JSON ---------------------------------------------------------

type bilateralJSON struct {
	Reporter     string          `json:"reporter"`
	ReporterName string          `json:"reporter_name"`
	Partner      string          `json:"partner"`
	PartnerName  string          `json:"partner_name"`
	Currency     string          `json:"currency"`
	Series       []bilateralItem `json:"series"`
	Growth       []growthJSON    `json:"growth"`
}

type bilateralItem struct {
	Year        int               `json:"year"`
	Period      string            `json:"period"`
	PeriodKind  string            `json:"period_kind"`
	PeriodStart string            `json:"period_start"`
	PeriodEnd   string            `json:"period_end"`
	Dataset     int64             `json:"dataset"`
	ReportedBy  string            `json:"reported_by"`
	Mirror      bool              `json:"mirror"`
	Exports     *float64          `json:"exports"`
	Imports     *float64          `json:"imports"`
	Turnover    *float64          `json:"turnover"`
	Balance     *float64          `json:"balance"`
	Notes       map[string]string `json:"notes,omitempty"`
	// Changes on the like period a year earlier, per figure.
	Changes map[string]changeJSON `json:"changes,omitempty"`
	// The reporter's trade with the World in the same source, and the
	// pair's shares of it.
	WorldExports *float64           `json:"world_exports,omitempty"`
	WorldImports *float64           `json:"world_imports,omitempty"`
	Shares       map[string]float64 `json:"shares,omitempty"`
	Sources      []data.Source      `json:"sources"`
}

type changeJSON struct {
	From  string   `json:"from"`
	Delta float64  `json:"delta"`
	Pct   *float64 `json:"pct"`
}

type growthJSON struct {
	Figure     string  `json:"figure"`
	Dataset    int64   `json:"dataset"`
	ReportedBy string  `json:"reported_by"`
	From       string  `json:"from"`
	To         string  `json:"to"`
	First      float64 `json:"first"`
	Last       float64 `json:"last"`
	Years      int     `json:"years"`
	Rate       float64 `json:"rate"`
}

func newBilateralJSON(q data.BilateralQuery, rows []data.PeriodTotals, ref *data.Reference) bilateralJSON {
	out := bilateralJSON{Reporter: q.Reporter, ReporterName: countryName(ref, q.Reporter), Partner: q.Partner,
		PartnerName: countryName(ref, q.Partner), Currency: "USD", Series: []bilateralItem{}, Growth: []growthJSON{}}
	for i, r := range rows {
		it := bilateralItem{Year: r.Period.EndYear(), Period: r.Period.Label(), PeriodKind: string(r.Period.Kind()),
			PeriodStart: monthISO(r.Period.Start), PeriodEnd: monthISO(r.Period.End),
			Dataset: r.DatasetID, ReportedBy: r.ReportedBy, Mirror: r.Mirror(q), Notes: map[string]string{}, Sources: []data.Source{}}
		seen := map[int64]bool{}
		for name, pair := range map[string]struct {
			f   data.Figure
			dst **float64
		}{"exports": {r.Exports, &it.Exports}, "imports": {r.Imports, &it.Imports}, "turnover": {r.Turnover, &it.Turnover}, "balance": {r.Balance, &it.Balance}} {
			f := pair.f
			switch {
			case f.Conflict:
				it.Notes[name] = "sources disagree"
			case f.Known:
				v := f.Value
				*pair.dst = &v
				if f.Bound != data.Exact {
					it.Notes[name] = string(f.Bound)
				} else if f.Derived {
					it.Notes[name] = "derived"
				}
			}
			for _, src := range f.Sources {
				if !seen[src.ObservationID] {
					seen[src.ObservationID] = true
					it.Sources = append(it.Sources, src)
				}
			}
		}
		for _, fp := range figurePickers {
			if c := data.ChangeOn(rows, i, fp.pick); c.Known {
				if it.Changes == nil {
					it.Changes = map[string]changeJSON{}
				}
				cj := changeJSON{From: c.From.Label(), Delta: c.Delta}
				if !math.IsNaN(c.Pct) {
					pct := c.Pct
					cj.Pct = &pct
				}
				it.Changes[fp.name] = cj
			}
		}
		for _, w := range []struct {
			name     string
			f, world data.Figure
			dst      **float64
		}{{"exports", r.Exports, r.WorldExports, &it.WorldExports}, {"imports", r.Imports, r.WorldImports, &it.WorldImports}} {
			if w.world.Known && !w.world.Conflict {
				v := w.world.Value
				*w.dst = &v
			}
			if sh, ok := share(w.f, w.world); ok {
				if it.Shares == nil {
					it.Shares = map[string]float64{}
				}
				it.Shares[w.name] = sh
			}
		}
		sortSources(it.Sources)
		out.Series = append(out.Series, it)
	}
	for _, fp := range figurePickers {
		for _, g := range data.CAGR(rows, fp.pick) {
			out.Growth = append(out.Growth, growthJSON{Figure: fp.name, Dataset: g.DatasetID, ReportedBy: g.ReportedBy,
				From: g.From.Label(), To: g.To.Label(), First: g.First, Last: g.Last, Years: g.Years, Rate: g.Rate})
		}
	}
	return out
}

func sortSources(s []data.Source) {
	slices.SortFunc(s, func(a, b data.Source) int { return cmp.Compare(a.ObservationID, b.ObservationID) })
}

func monthISO(m data.Month) string { return fmt.Sprintf("%04d-%02d", m.Year(), m.Number()) }

// bilateralOptions describes a bilateral query for charts and tables: the
// dataset's name and source, or, across datasets, all of their sources.
func bilateralOptions(q data.BilateralQuery, sets []data.Dataset, ref *data.Reference) charts.BilateralOptions {
	rep, _ := ref.Country(q.Reporter)
	par, _ := ref.Country(q.Partner)
	o := charts.BilateralOptions{Reporter: rep, Partner: par, DatasetID: q.DatasetID, Dataset: "all datasets"}
	var sources []string
	for _, d := range sets {
		if d.ID == q.DatasetID {
			o.Dataset, o.Source = d.Name, d.Source
			return o
		}
		sources = append(sources, fmt.Sprintf("[%d] %s", d.ID, d.Source))
	}
	o.Source = strings.Join(sources, " ")
	return o
}

// writeTable sends a table as a download in the given format.
func writeTable(c echo.Context, format string, t charts.Table) error {
	var buf bytes.Buffer
	var ct string
	switch format {
	case "csv":
		ct = "text/csv; charset=utf-8"
		if err := t.WriteCSV(&buf); err != nil {
			return err
		}
	case "xlsx":
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		if err := t.WriteXLSX(&buf); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: no table format %q", data.ErrNotFound, format)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+t.FileName+"."+format+`"`)
	return c.Blob(http.StatusOK, ct, buf.Bytes())
}

type sectorView struct {
	Heading string
	Chart   *charts.Chart // nil for a single sector: the table says it all
	Note    string        // why the chart is not in the form asked for
	Total   string
	Sum     string
	Rows    []sectorRow
}

type sectorRow struct {
	Label, Value, Share, Note string // Label: data.Product's, "HS section XI Textiles…"
	Drill                     string // the link to the section's chapters, if any
	Sources                   []sourceView
}

// newSectorView is one breakdown's chart and table; with a, in the form
// and with the drill-down links a asks for, else as bars.
func newSectorView(b data.SectorBreakdown, rep, par data.Country, d data.Dataset, ref *data.Reference, a *sectorsAnswer) sectorView {
	what := "exports to"
	if b.Flow == data.Import {
		what = "imports from"
	}
	side := countryName(ref, b.ReportedBy)
	v := sectorView{Heading: fmt.Sprintf("%s · %s's %s %s by sector, as %s's statistics state it", b.Period.Label(), rep.Name, what, par.Name, side)}
	o := charts.SectorsOptions{Reporter: rep, Partner: par, ReportedBy: side, Source: d.Source}
	form := "bars"
	if a != nil {
		o.Section, o.Drill, form = a.section.Code, a.drill(b), a.form
		if a.section.Code != "" {
			v.Heading += " · chapters of " + a.section.Label()
		}
	}
	if len(b.Sectors) > 1 {
		c, note := sectorChart(b, form, o)
		v.Chart, v.Note = &c, note
	}
	if b.Total.Known {
		v.Total = figureCell(b.Total).Text
	}
	v.Sum = exactUSD(b.Sum)
	for _, s := range b.Sectors {
		row := sectorRow{Label: s.Product.Label(), Value: figureCell(s.Figure).Text, Note: figureCell(s.Figure).Note}
		if s.Share > 0 {
			row.Share = fmt.Sprintf("%.1f%%", 100*s.Share)
		}
		if o.Drill != nil {
			row.Drill = o.Drill(s.Product)
		}
		for _, src := range s.Figure.Sources {
			sv := sourceView{Ref: src.Ref, Quote: src.Quote, Host: src.Ref}
			if u, err := url.Parse(src.Ref); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
				sv.URL, sv.Host = src.Ref, strings.TrimPrefix(u.Hostname(), "www.")
			}
			row.Sources = append(row.Sources, sv)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}
