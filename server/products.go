package server

import (
	"errors"
	"fmt"
	"html/template"
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

// productsTop is how many partners of one product get their own line.
const productsTop = 6

func (s *Server) handleProductsPage(c echo.Context) error {
	a, err := s.products(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	list, err := s.store.ProductList(ctx)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "products", newProductsView(a, list, s.ref))
}

func (s *Server) handleProductsAPI(c echo.Context) error {
	a, err := s.products(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newProductsJSON(a))
}

func (s *Server) handleProductsData(c echo.Context) error {
	a, err := s.products(c)
	if err != nil {
		return err
	}
	return writeTable(c, strings.TrimPrefix(path.Ext(c.Path()), "."), charts.ProductsTable(a.trade, a.opts))
}

// productsAnswer is what every products endpoint needs: the query, the
// figures, and the names and sources to label them.
type productsAnswer struct {
	q     data.ProductsQuery
	trade data.ProductTrade
	opts  charts.ProductsOptions
	sets  []data.Dataset
	// skipped is the default dataset when it states nothing asked for
	// and the answer fell back to every dataset; 0 otherwise.
	skipped int64
}

// products binds reporter, product (repeated), partner, flow, from, to and
// dataset, and fetches the figures. Several products without a partner
// are compared in the reporter's trade with the World.
func (s *Server) products(c echo.Context) (productsAnswer, error) {
	var a productsAnswer
	rep, err := s.country(c, "reporter")
	if err != nil {
		return a, err
	}
	a.q = data.ProductsQuery{Reporter: rep.ISO3, Flow: data.Flow(strings.ToLower(strings.TrimSpace(c.QueryParam("flow"))))}
	if a.q.Flow == "" {
		a.q.Flow = data.Export
	}
	for _, v := range c.QueryParams()["product"] {
		if strings.TrimSpace(v) == "" {
			continue // the form's unused product fields
		}
		p, err := data.ParseProduct(v)
		if err != nil {
			return a, err
		}
		a.q.Products = append(a.q.Products, p)
	}
	a.opts = charts.ProductsOptions{Reporter: rep, Names: map[string]string{}, Top: productsTop}
	var par data.Country
	switch {
	case strings.TrimSpace(c.QueryParam("partner")) != "":
		if par, err = s.country(c, "partner"); err != nil {
			return a, err
		}
	case len(a.q.Products) > 1:
		if par, err = s.ref.Country("WLD"); err != nil {
			return a, err
		}
	}
	a.q.Partner, a.opts.Partner = par.ISO3, par
	for name, to := range map[string]*int{"from": &a.q.From, "to": &a.q.To} {
		if v := strings.TrimSpace(c.QueryParam(name)); v != "" {
			if *to, err = strconv.Atoi(v); err != nil {
				return a, fmt.Errorf("%w: %s must be a year such as 2019, not %q", data.ErrInvalid, name, v)
			}
		}
	}
	if a.q.DatasetID, err = s.datasetParam(c); err != nil {
		return a, err
	}
	a.q.PeriodKind = data.PeriodKind(strings.ToLower(strings.TrimSpace(c.QueryParam("period_kind"))))
	// The length of parts of years goes with months only; a form that
	// switches to years keeps its length selector's value, which is moot.
	// The form also offers the length when the kind is left to "most
	// stated": the store applies it if that kind is months, and not if
	// it is years (the selector may still hold a length chosen before).
	if v := strings.TrimSpace(c.QueryParam("period_months")); v != "" && (a.q.PeriodKind == data.Months || a.q.PeriodKind == "") {
		if a.q.PeriodMonths, err = strconv.Atoi(v); err != nil {
			return a, fmt.Errorf("%w: period_months must be a number of months such as 3, not %q", data.ErrInvalid, v)
		}
	}
	if err := a.q.Validate(); err != nil {
		return a, err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	if a.sets, err = s.datasetsFor(ctx, a.q.DatasetID); err != nil {
		return a, err
	}
	a.trade, err = s.store.Products(ctx, a.q)
	if errors.Is(err, data.ErrNotFound) && a.q.DatasetID != 0 && byDefault(c) {
		// The default dataset states nothing asked for: every dataset,
		// and the page says so.
		a.skipped, a.q.DatasetID = a.q.DatasetID, 0
		a.trade, err = s.store.Products(ctx, a.q)
	}
	if err != nil {
		return a, err
	}
	for _, sr := range a.trade.Series {
		a.opts.Names[sr.Partner] = countryName(s.ref, sr.Partner)
	}
	for _, d := range a.sets {
		if d.ID == a.trade.DatasetID {
			a.opts.Dataset, a.opts.Source = d.Name, d.Source
		}
	}
	return a, nil
}

// urlValues is the answer's query as a permalink's parameters.
func (a productsAnswer) urlValues() url.Values {
	v := url.Values{"reporter": {a.q.Reporter}, "flow": {string(a.q.Flow)}, "dataset": {strconv.FormatInt(a.trade.DatasetID, 10)},
		"period_kind": {string(a.trade.PeriodKind)}}
	if a.q.PeriodMonths != 0 {
		v.Set("period_months", strconv.Itoa(a.q.PeriodMonths))
	}
	for _, p := range a.trade.Products {
		v.Add("product", p.URLCode())
	}
	if a.q.Partner != "" {
		v.Set("partner", a.q.Partner)
	}
	if a.q.From != 0 {
		v.Set("from", strconv.Itoa(a.q.From))
	}
	if a.q.To != 0 {
		v.Set("to", strconv.Itoa(a.q.To))
	}
	return v
}

type productsView struct {
	Reporter        data.Country
	Partner         string // ISO3, empty for one product by partner
	Heading         string
	ByPartner       bool
	ProductFields   []string // the values of the product inputs
	From, To        string
	DatasetID       int64
	DatasetName     string
	Source, Licence string
	Flows           []option
	Datasets        []option
	PeriodKinds     []option // "" (the kind with the most figures), then the kinds the dataset states
	PeriodKind      string   // the kind shown, "fiscal years"; for parts of years, their length: "3-month periods"
	PeriodMonths    []option // the lengths of parts of years, when the dataset states more than one
	Omitted         []omittedKind
	Countries       template.HTML // the <option>s of the countries datalist
	ProductList     []data.ListedProduct
	Chart           charts.Chart
	Table           productGrid
	Missing         []string
	CSVURL, XLSXURL string
	JSONURL         string
	Skipped         string // the default dataset, when it states nothing asked for
	AllURL          string // the view with dataset=all
}

// omittedKind is a kind of period the dataset states for the query but
// the page does not show, with a link that shows it.
type omittedKind struct {
	Kind, Periods, URL string
}

// productGrid is the page's table: one row per series (a partner, or a
// product when several are compared), one column per period, each figure
// in full with footnote numbers into Sources, which lists each distinct
// source reference once. The downloads keep the long form.
type productGrid struct {
	Periods      []gridPeriod
	ShowProducts bool // several products: a product column
	Rows         []gridRow
	Sources      []gridSource
}

type gridPeriod struct{ Label, Span string } // Span is for tests and scripts: 2019-01..2019-12

type gridRow struct {
	Product, ProductKey string
	Partner, Name, URL  string
	Aggregate, Derived  bool
	Cells               []gridCell
	// Refs are the footnotes of every figure in the row, when all its
	// figures cite the same sources (as a dataset's rows often do): said
	// once, on the partner, instead of in each cell.
	Refs []int
}

// gridCell is one figure; Title explains it (a derived figure's parts),
// Note is said in the cell (sources disagree); Refs are footnote numbers.
type gridCell struct {
	Text, Note, Title string
	Refs              []int
}

type gridSource struct {
	N   int
	Ref string
}

// add appends a series' row, numbering its sources' references in the
// order they first appear.
func (g *productGrid) add(sr data.ProductSeries, t data.ProductTrade, reporter string, ref *data.Reference, derived bool) {
	r := gridRow{Product: charts.ProductLabel(sr.Product), ProductKey: sr.Product.Key(), Partner: sr.Partner,
		Name: countryName(ref, sr.Partner), Aggregate: sr.Aggregate, Derived: derived, Cells: make([]gridCell, len(sr.Figures))}
	if derived {
		r.Name = charts.SeriesOther
	} else if !sr.Aggregate {
		r.URL = bilateralURL("/bilateral", reporter, sr.Partner, t.DatasetID)
	}
	stated := false
	for j, f := range sr.Figures {
		if !f.Known && !f.Conflict {
			continue
		}
		stated = true
		c := gridCell{}
		fc := figureCell(f)
		c.Text, c.Note = fc.Text, fc.Note
		if derived {
			c.Note = ""
			c.Title = fmt.Sprintf("derived: the sum of the %d smaller partners' figures above", len(f.Sources))
		} else {
			for _, src := range f.Sources {
				if n := g.number(src.Ref); !slices.Contains(c.Refs, n) {
					c.Refs = append(c.Refs, n)
				}
			}
		}
		r.Cells[j] = c
	}
	if !stated {
		return
	}
	if !derived {
		var first []int
		same := true
		for j, c := range r.Cells {
			switch {
			case c.Text == "":
			case first == nil:
				first = c.Refs
			default:
				same = same && slices.Equal(first, r.Cells[j].Refs)
			}
		}
		if same && first != nil {
			r.Refs = first
			for j := range r.Cells {
				r.Cells[j].Refs = nil
			}
		}
	}
	g.Rows = append(g.Rows, r)
}

// number is a source reference's footnote number, given on first sight.
func (g *productGrid) number(ref string) int {
	for _, s := range g.Sources {
		if s.Ref == ref {
			return s.N
		}
	}
	n := len(g.Sources) + 1
	g.Sources = append(g.Sources, gridSource{n, ref})
	return n
}

func newProductsView(a productsAnswer, list []data.ListedProduct, ref *data.Reference) productsView {
	t := a.trade
	v := productsView{Reporter: a.opts.Reporter, Partner: a.q.Partner, ByPartner: a.opts.ByPartner(t), DatasetID: t.DatasetID,
		DatasetName: a.opts.Dataset, Source: a.opts.Source, ProductList: list, Chart: charts.Products(t, a.opts)}
	v.Heading = v.Chart.Title
	if a.q.From != 0 {
		v.From = strconv.Itoa(a.q.From)
	}
	if a.q.To != 0 {
		v.To = strconv.Itoa(a.q.To)
	}
	for _, p := range t.Products {
		v.ProductFields = append(v.ProductFields, p.URLCode())
	}
	// An empty field or two to add products with, up to the limit.
	for len(v.ProductFields) < 3 || len(v.ProductFields) == len(t.Products) && len(v.ProductFields) < data.MaxProducts {
		v.ProductFields = append(v.ProductFields, "")
	}
	v.Skipped = datasetLabel(a.sets, a.skipped)
	for _, d := range a.sets {
		if d.ID == t.DatasetID {
			v.Licence = d.Licence
		}
		for _, id := range t.Datasets {
			if id == d.ID {
				v.Datasets = append(v.Datasets, option{strconv.FormatInt(d.ID, 10), d.Name, d.ID == t.DatasetID})
			}
		}
	}
	for _, f := range []data.Flow{data.Export, data.Import} {
		v.Flows = append(v.Flows, option{string(f), string(f), f == t.Flow})
	}
	v.PeriodKind = data.KindPlural(t.PeriodKind)
	v.PeriodKinds = []option{{"", "most stated", a.q.PeriodKind == ""}}
	for _, k := range data.PeriodKinds {
		stated := k == t.PeriodKind
		for _, p := range t.Omitted {
			stated = stated || p.Kind() == k
		}
		if stated {
			v.PeriodKinds = append(v.PeriodKinds, option{string(k), data.KindPlural(k), k == a.q.PeriodKind})
		}
	}
	// The omitted periods by class, each with a link that shows it: a
	// dataset's quarters beside its months are a class of their own, and
	// so is each other length of part of a year.
	shown := t.Periods[0]
	var classes [][]data.Period
	for _, p := range t.Omitted {
		i := slices.IndexFunc(classes, func(c []data.Period) bool { return c[0].SameClass(p) })
		if i < 0 {
			classes = append(classes, []data.Period{p})
		} else {
			classes[i] = append(classes[i], p)
		}
	}
	for _, c := range classes {
		labels := make([]string, len(c))
		for i, p := range c {
			labels[i] = p.Label()
		}
		q := a.urlValues()
		q.Set("period_kind", string(c[0].Kind()))
		q.Del("period_months")
		if c[0].Kind() == data.Months {
			q.Set("period_months", strconv.Itoa(c[0].Months()))
		}
		v.Omitted = append(v.Omitted, omittedKind{c[0].ClassPlural(), strings.Join(labels, ", "), "/products?" + q.Encode()})
	}
	// Parts of years of more than one length: choose the length too.
	if t.PeriodKind == data.Months {
		lengths := []int{shown.Months()}
		for _, p := range t.Omitted {
			if p.Kind() == data.Months && !slices.Contains(lengths, p.Months()) {
				lengths = append(lengths, p.Months())
			}
		}
		if len(lengths) > 1 {
			slices.Sort(lengths)
			v.PeriodMonths = []option{{"", "most stated", a.q.PeriodMonths == 0}}
			for _, n := range lengths {
				v.PeriodMonths = append(v.PeriodMonths, option{strconv.Itoa(n), data.Period{Start: shown.Start, End: shown.Start + data.Month(n-1)}.ClassPlural(), n == a.q.PeriodMonths})
			}
		}
		v.PeriodKind = shown.ClassPlural()
	}
	v.Countries = countryDatalist(ref, true)
	for _, p := range t.Missing {
		v.Missing = append(v.Missing, charts.ProductLabel(p))
	}
	q := a.urlValues()
	all := a.urlValues()
	all.Set("dataset", "all")
	if a.q.PeriodKind == "" {
		all.Del("period_kind") // another dataset may state other kinds
	}
	v.AllURL = "/products?" + all.Encode()
	v.CSVURL, v.XLSXURL, v.JSONURL = "/data/products.csv?"+q.Encode(), "/data/products.xlsx?"+q.Encode(), "/api/v1/products?"+q.Encode()
	v.Table.ShowProducts = len(t.Products) > 1
	for _, p := range t.Periods {
		v.Table.Periods = append(v.Table.Periods, gridPeriod{p.Label(), p.String()})
	}
	for _, sr := range t.Series {
		v.Table.add(sr, t, a.q.Reporter, ref, false)
	}
	if v.ByPartner {
		if _, other, _ := t.TopPartners(productsTop); other != nil {
			v.Table.add(*other, t, a.q.Reporter, ref, true)
		}
	}
	return v
}

type productsJSON struct {
	Reporter string              `json:"reporter"`
	Partner  *string             `json:"partner"`
	Flow     string              `json:"flow"`
	Dataset  int64               `json:"dataset"`
	Datasets []int64             `json:"datasets"`
	Currency string              `json:"currency"`
	Products []productJSON       `json:"products"`
	Missing  []productJSON       `json:"missing"`
	Periods  []productPeriodJSON `json:"periods"`
	// PeriodKind is the kind of every period listed; Omitted the periods
	// the dataset also states, of other kinds, left out (never mixed in).
	PeriodKind string `json:"period_kind"`
	// PeriodMonths is, for parts of years, the months each period covers
	// (1 for single months, 3 for quarters); chosen with period_months.
	PeriodMonths int                 `json:"period_months,omitempty"`
	Omitted      []productPeriodJSON `json:"omitted_periods"`
	Series       []productSeriesJSON `json:"series"`
	// Other is, for one product by partner, the partners after the
	// largest six summed (derived); null otherwise.
	Other *productSeriesJSON `json:"other"`
	// DefaultSkipped is the default dataset when it states nothing asked
	// for, so the answer comes from another.
	DefaultSkipped int64 `json:"default_dataset_skipped,omitempty"`
}

type productJSON struct {
	Classification string `json:"classification"`
	Code           string `json:"code"`
	Name           string `json:"name"`
}

type productPeriodJSON struct {
	Period string `json:"period"`
	Start  string `json:"period_start"`
	End    string `json:"period_end"`
	Kind   string `json:"period_kind"`
}

type productSeriesJSON struct {
	Product     string             `json:"product"`
	Partner     string             `json:"partner"`
	PartnerName string             `json:"partner_name"`
	Aggregate   bool               `json:"aggregate"`
	Points      []productPointJSON `json:"points"`
}

type productPointJSON struct {
	Period  string        `json:"period"`
	Start   string        `json:"period_start"`
	End     string        `json:"period_end"`
	Value   *float64      `json:"value"`
	Bound   string        `json:"bound,omitempty"`
	Note    string        `json:"note,omitempty"`
	Sources []data.Source `json:"sources"`
}

func newProductsJSON(a productsAnswer) productsJSON {
	t := a.trade
	out := productsJSON{Reporter: a.q.Reporter, Flow: string(t.Flow), Dataset: t.DatasetID, Datasets: t.Datasets, Currency: "USD",
		Products: []productJSON{}, Missing: []productJSON{}, Periods: []productPeriodJSON{}, Series: []productSeriesJSON{},
		PeriodKind: string(t.PeriodKind), Omitted: []productPeriodJSON{}, DefaultSkipped: a.skipped}
	if t.PeriodKind == data.Months && len(t.Periods) > 0 {
		out.PeriodMonths = t.Periods[0].Months()
	}
	if a.q.Partner != "" {
		out.Partner = &a.q.Partner
	}
	for _, p := range t.Products {
		out.Products = append(out.Products, productJSON{string(p.Classification), p.Code, p.Name})
	}
	for _, p := range t.Missing {
		out.Missing = append(out.Missing, productJSON{string(p.Classification), p.Code, p.Name})
	}
	for _, p := range t.Periods {
		out.Periods = append(out.Periods, productPeriodJSON{p.Label(), monthISO(p.Start), monthISO(p.End), string(p.Kind())})
	}
	for _, p := range t.Omitted {
		out.Omitted = append(out.Omitted, productPeriodJSON{p.Label(), monthISO(p.Start), monthISO(p.End), string(p.Kind())})
	}
	series := func(sr data.ProductSeries, name string) productSeriesJSON {
		j := productSeriesJSON{Product: sr.Product.Key(), Partner: sr.Partner, PartnerName: name, Aggregate: sr.Aggregate, Points: []productPointJSON{}}
		for i, f := range sr.Figures {
			if !f.Known && !f.Conflict {
				continue
			}
			p := t.Periods[i]
			pt := productPointJSON{Period: p.Label(), Start: monthISO(p.Start), End: monthISO(p.End), Note: figureCell(f).Note, Sources: f.Sources}
			if f.Known {
				v := f.Value
				pt.Value, pt.Bound = &v, string(f.Bound)
			}
			if pt.Sources == nil {
				pt.Sources = []data.Source{}
			}
			j.Points = append(j.Points, pt)
		}
		return j
	}
	for _, sr := range t.Series {
		out.Series = append(out.Series, series(sr, a.opts.Names[sr.Partner]))
	}
	if a.opts.ByPartner(t) {
		if _, other, _ := t.TopPartners(a.opts.Top); other != nil {
			o := series(*other, charts.SeriesOther)
			out.Other = &o
		}
	}
	return out
}
