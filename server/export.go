package server

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/charts"
	"tradedash/data"
)

// imageCSP is the Content-Security-Policy of a served SVG: opened on its
// own, an image may run nothing and fetch nothing; ECharts' SVG carries
// only an inline <style> for hover states.
const imageCSP = "default-src 'none'; style-src 'unsafe-inline'"

// exportView is what the image and data exports need of a view: its
// charts, built by the same query binding and chart builders as its page,
// and the table behind them. Adding a view to the exports is one entry in
// exportViews.
type exportView struct {
	// params are the query parameters the view reads, besides the
	// export's own (chart, width, height, theme, pixel_ratio); the CLI
	// offers each as a flag.
	params []string
	// charts are the page's charts, in page order; the first is the
	// default image.
	charts func(s *Server, c echo.Context) ([]charts.Chart, error)
	// table is the data behind the view (or behind the chart its chart
	// parameter names), read from the query result with each figure's
	// dataset and sources; never from a chart's option, which holds only
	// what is drawn (and a waterfall's invisible base series).
	table func(s *Server, c echo.Context) (charts.Table, error)
}

// exportViews are the views served at /charts/{view}.svg|png and
// /data/{view}.csv|xlsx, and exported by the CLI.
var exportViews = map[string]exportView{
	"bilateral": {params: []string{"reporter", "partner", "dataset", "from", "to"}, charts: (*Server).bilateralCharts, table: (*Server).bilateralTable},
	"partners":  {params: []string{"reporter", "flow", "period", "dataset", "partner", "from", "to"}, charts: (*Server).partnersCharts, table: (*Server).partnersTable},
	"mirror":    {params: []string{"reporter", "partner", "dataset", "mirror_dataset", "cif", "dataset_a", "dataset_b"}, charts: (*Server).mirrorCharts, table: (*Server).mirrorTable},
	"products":  {params: []string{"reporter", "product", "partner", "flow", "from", "to", "dataset"}, charts: (*Server).productsCharts, table: (*Server).productsTable},
	"sectors":   {params: []string{"reporter", "partner", "dataset", "sectors", "level", "section", "form"}, charts: (*Server).sectorsCharts, table: (*Server).sectorsTable},
	"compare":   {params: []string{"reporter", "partner", "dataset", "a", "b", "level", "form"}, charts: (*Server).compareCharts, table: (*Server).compareTable},
}

// ExportViews names the views that can be exported, sorted.
func ExportViews() []string {
	return slices.Sorted(maps.Keys(exportViews))
}

// ExportParams names the query parameters view reads; nil for no such view.
func ExportParams(view string) []string {
	return slices.Clone(exportViews[view].params)
}

// exportTarget splits /charts/{view}.{format} or /data/{view}.{format}.
func exportTarget(c echo.Context, formats ...string) (exportView, string, error) {
	file := c.Param("file")
	i := strings.LastIndexByte(file, '.')
	if i > 0 {
		if v, ok := exportViews[file[:i]]; ok && slices.Contains(formats, file[i+1:]) {
			return v, file[i+1:], nil
		}
	}
	return exportView{}, "", fmt.Errorf("%w: no export %q: views %s, formats %s", data.ErrNotFound, file,
		strings.Join(ExportViews(), ", "), strings.Join(formats, ", "))
}

// handleChartImage draws one of a view's charts as its page shows it, as
// an SVG or PNG image for embedding in reports: the page's query
// parameters plus chart (an id from the page; default its first chart),
// width, height, theme and, for PNG, pixel_ratio.
func (s *Server) handleChartImage(c echo.Context) error {
	v, format, err := exportTarget(c, "svg", "png")
	if err != nil {
		return err
	}
	if s.images == nil {
		// Answered here: handleError words every 5xx as a failure with an
		// error id, and this is a setting, not a failure.
		return c.String(http.StatusServiceUnavailable, "image export is not configured")
	}
	img, err := imageParams(c)
	if err != nil {
		return err
	}
	list, err := v.charts(s, c)
	if err != nil {
		return err
	}
	chart, err := pickChart(list, c.QueryParam("chart"))
	if err != nil {
		return err
	}
	return s.writeImage(c, chart, img, format)
}

// handleChartData serves the data behind a view's chart as CSV or XLSX.
func (s *Server) handleChartData(c echo.Context) error {
	v, format, err := exportTarget(c, "csv", "xlsx")
	if err != nil {
		return err
	}
	t, err := v.table(s, c)
	if err != nil {
		return err
	}
	return writeTable(c, format, t)
}

// pickChart returns the chart with the given id, or the first.
func pickChart(list []charts.Chart, id string) (charts.Chart, error) {
	id = strings.TrimSpace(id)
	if len(list) == 0 {
		return charts.Chart{}, fmt.Errorf("%w: no figures to draw for this query", data.ErrNotFound)
	}
	if id == "" {
		return list[0], nil
	}
	ids := make([]string, 0, len(list))
	for _, ch := range list {
		if ch.ID == id {
			return ch, nil
		}
		ids = append(ids, ch.ID)
	}
	if len(ids) > 12 {
		ids = append(ids[:12], "…")
	}
	return charts.Chart{}, fmt.Errorf("%w: no chart %q for this query; its charts are %s", data.ErrNotFound, id, strings.Join(ids, ", "))
}

// bilateralCharts are the bilateral page's charts: per dataset with
// figures for the pair, its totals chart and then its sector charts. With
// from or to, only the periods within them.
func (s *Server) bilateralCharts(c echo.Context) ([]charts.Chart, error) {
	q, sets, rows, err := s.bilateral(c)
	if err != nil {
		return nil, err
	}
	from, to, err := periodRange(c)
	if err != nil {
		return nil, err
	}
	rows = inPeriods(rows, from, to, func(r data.PeriodTotals) data.Period { return r.Period })
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no figures for %s–%s to draw", data.ErrNotFound, q.Reporter, q.Partner)
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sectors, err := s.store.Sectors(ctx, q)
	if err != nil {
		return nil, err
	}
	sectors = inPeriods(sectors, from, to, func(b data.SectorBreakdown) data.Period { return b.Period })
	var out []charts.Chart
	for _, sec := range newBilateralView(q, rows, sectors, sets, s.ref).Sections {
		out = append(out, sec.Chart)
		for _, sv := range sec.Sectors {
			if sv.Chart != nil {
				out = append(out, *sv.Chart)
			}
		}
	}
	return out, nil
}

// bilateralTable is /data/bilateral's table: every dataset's rows, or the
// asked dataset's, within from and to.
func (s *Server) bilateralTable(c echo.Context) (charts.Table, error) {
	q, sets, rows, err := s.bilateral(c)
	if err != nil {
		return charts.Table{}, err
	}
	from, to, err := periodRange(c)
	if err != nil {
		return charts.Table{}, err
	}
	rows = inPeriods(rows, from, to, func(r data.PeriodTotals) data.Period { return r.Period })
	if len(rows) == 0 {
		return charts.Table{}, fmt.Errorf("%w: no figures for %s–%s", data.ErrNotFound, q.Reporter, q.Partner)
	}
	return charts.BilateralTable(rows, bilateralOptions(q, sets, s.ref)), nil
}

// periodRange reads from and to, periods such as 2012, 2022-07 or
// FY2022-23 (fiscal labels need their start month, so are refused here):
// a view keeps the periods that start no earlier than from starts and end
// no later than to ends.
func periodRange(c echo.Context) (from, to data.Period, err error) {
	for _, p := range []struct {
		name string
		dst  *data.Period
	}{{"from", &from}, {"to", &to}} {
		if v := strings.TrimSpace(c.QueryParam(p.name)); v != "" {
			if *p.dst, err = data.ParsePeriod(v, 0); err != nil {
				return from, to, fmt.Errorf("%w (parameter %s)", err, p.name)
			}
		}
	}
	if from != (data.Period{}) && to != (data.Period{}) && to.End < from.Start {
		return from, to, fmt.Errorf("%w: to (%s) is before from (%s)", data.ErrInvalid, to.Label(), from.Label())
	}
	return from, to, nil
}

// inPeriods keeps the items whose period lies within from and to (a zero
// bound is open).
func inPeriods[T any](items []T, from, to data.Period, period func(T) data.Period) []T {
	if from == (data.Period{}) && to == (data.Period{}) {
		return items
	}
	var out []T
	for _, it := range items {
		p := period(it)
		if (from == data.Period{} || p.Start >= from.Start) && (to == data.Period{} || p.End <= to.End) {
			out = append(out, it)
		}
	}
	return out
}

func (s *Server) partnersCharts(c echo.Context) ([]charts.Chart, error) {
	res, err := s.partners(c)
	if err != nil {
		return nil, err
	}
	v := newPartnersView(res, s.ref)
	out := []charts.Chart{v.Chart, v.Map}
	if v.Series != nil && !v.Series.Empty {
		out = append(out, v.Series.Lines)
		if !v.Series.NoWorld {
			out = append(out, v.Series.Shares)
		}
	}
	return out, nil
}

// partnersTable is the ranking's table, or, when chart names the chosen
// partners' lines or shares, their series' table.
func (s *Server) partnersTable(c echo.Context) (charts.Table, error) {
	res, err := s.partners(c)
	if err != nil {
		return charts.Table{}, err
	}
	o := partnersOptions(res, s.ref)
	if id := strings.TrimSpace(c.QueryParam("chart")); id != "" {
		v := newPartnersView(res, s.ref)
		list := []charts.Chart{v.Chart, v.Map}
		if v.Series != nil && !v.Series.Empty {
			list = append(list, v.Series.Lines, v.Series.Shares)
		}
		ch, err := pickChart(list, id)
		if err != nil {
			return charts.Table{}, err
		}
		if v.Series != nil && (ch.ID == v.Series.Lines.ID || ch.ID == v.Series.Shares.ID) {
			return charts.PartnerSeriesTable(*res.series, o), nil
		}
	}
	return charts.PartnersTable(res.ranking, o), nil
}

// mirrorCharts is the mirror page's chart, its file name carrying the
// years it covers.
func (s *Server) mirrorCharts(c echo.Context) ([]charts.Chart, error) {
	m, err := s.mirror(c)
	if err != nil || len(m.rows) == 0 {
		return nil, err
	}
	rows := m.rows
	v := newMirrorView(m, s.ref)
	ch := v.Chart
	first, last := rows[0].Period.Start.Year(), rows[0].Period.End.Year()
	for _, r := range rows {
		first, last = min(first, r.Period.Start.Year()), max(last, r.Period.End.Year())
	}
	ch.FileName += "-" + strconv.Itoa(first)
	if last != first {
		ch.FileName += "-" + strconv.Itoa(last)
	}
	out := []charts.Chart{ch}
	if v.Sources != nil {
		out = append(out, v.Sources.Chart)
	}
	return out, nil
}

// mirrorTable is the mirror comparison's table, or, when chart names the
// source comparison's chart, that comparison's table.
func (s *Server) mirrorTable(c echo.Context) (charts.Table, error) {
	m, err := s.mirror(c)
	if err != nil {
		return charts.Table{}, err
	}
	v := newMirrorView(m, s.ref)
	if id := strings.TrimSpace(c.QueryParam("chart")); id != "" {
		list := []charts.Chart{v.Chart}
		if v.Sources != nil {
			list = append(list, v.Sources.Chart)
		}
		if _, err := pickChart(list, id); err != nil {
			return charts.Table{}, err
		}
		if v.Sources != nil && id == v.Sources.Chart.ID {
			return charts.SourcesTable(m.sources, v.Sources.IDA, v.Sources.IDB, v.Sources.opts), nil
		}
	}
	if len(m.rows) == 0 {
		return charts.Table{}, fmt.Errorf("%w: no period has all-goods figures from both sides", data.ErrNotFound)
	}
	return charts.MirrorTable(m.rows, v.opts), nil
}

// productsCharts is the sectors page's chart.
func (s *Server) productsCharts(c echo.Context) ([]charts.Chart, error) {
	a, err := s.products(c)
	if err != nil {
		return nil, err
	}
	return []charts.Chart{charts.Products(a.trade, a.opts)}, nil
}

func (s *Server) productsTable(c echo.Context) (charts.Table, error) {
	a, err := s.products(c)
	if err != nil {
		return charts.Table{}, err
	}
	return charts.ProductsTable(a.trade, a.opts), nil
}

// compareCharts are the compare page's charts, one per side and flow that
// has sectors in both periods.
func (s *Server) compareCharts(c echo.Context) ([]charts.Chart, error) {
	v, err := s.compare(c)
	if err != nil {
		return nil, err
	}
	var out []charts.Chart
	for _, sec := range v.Sections {
		if sec.Chart != nil {
			out = append(out, *sec.Chart)
		}
	}
	return out, nil
}

// compareTable is the comparison's table: every comparison, or the one
// whose chart the chart parameter names.
func (s *Server) compareTable(c echo.Context) (charts.Table, error) {
	v, err := s.compare(c)
	if err != nil {
		return charts.Table{}, err
	}
	cs := v.comparisons
	if id := strings.TrimSpace(c.QueryParam("chart")); id != "" {
		var list []charts.Chart
		var of []data.Comparison
		for i, sec := range v.Sections {
			if sec.Chart != nil {
				list, of = append(list, *sec.Chart), append(of, v.comparisons[i])
			}
		}
		ch, err := pickChart(list, id)
		if err != nil {
			return charts.Table{}, err
		}
		for i := range list {
			if list[i].ID == ch.ID {
				cs = of[i : i+1]
			}
		}
	}
	if len(cs) == 0 {
		return charts.Table{}, fmt.Errorf("%w: no sectors to compare for this query", data.ErrNotFound)
	}
	o := charts.CompareOptions{Reporter: v.Reporter, Partner: v.Partner}
	var srcs []string
	for _, sec := range v.Sections {
		if sec.Source != "" && !slices.Contains(srcs, sec.Source) {
			srcs = append(srcs, sec.Source)
		}
	}
	o.Source = strings.Join(srcs, "; ")
	return charts.CompareTable(cs, o, string(v.Level)), nil
}

// imageParams reads width, height and theme; absent ones take the defaults.
func imageParams(c echo.Context) (charts.ImageOptions, error) {
	var o charts.ImageOptions
	for _, p := range []struct {
		name string
		dst  *int
	}{{"width", &o.Width}, {"height", &o.Height}} {
		v := strings.TrimSpace(c.QueryParam(p.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, fmt.Errorf("%w: %s must be a number of pixels, not %q", data.ErrInvalid, p.name, v)
		}
		*p.dst = n
	}
	if v := strings.TrimSpace(c.QueryParam("pixel_ratio")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, fmt.Errorf("%w: pixel_ratio must be 1, 2 or 3, not %q", data.ErrInvalid, v)
		}
		o.PixelRatio = n
	}
	o.Theme = strings.TrimSpace(c.QueryParam("theme"))
	return o, o.Validate()
}

// writeImage answers with the chart drawn as SVG or PNG, or with 304 when
// the client holds the same image: the ETag names the option's content,
// size, theme and drawing code, so it changes exactly when the image would.
func (s *Server) writeImage(c echo.Context, chart charts.Chart, img charts.ImageOptions, format string) error {
	key, err := charts.ImageKey(chart, img)
	if err != nil {
		return err
	}
	etag := `"` + format + "-" + key + `"`
	// Headers are set only on success: an error page must keep the site's
	// own policy and must not be cached under the image's ETag.
	setHeaders := func() {
		h := c.Response().Header()
		h.Set("ETag", etag)
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", imageCSP)
	}
	if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		setHeaders()
		return c.NoContent(http.StatusNotModified)
	}
	var b []byte
	ct := charts.SVGContentType
	if format == "png" {
		b, err = s.images.PNG(c.Request().Context(), chart, img)
		ct = charts.PNGContentType
	} else {
		b, err = s.images.SVG(c.Request().Context(), chart, img)
	}
	if err != nil {
		return err
	}
	setHeaders()
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+chart.FileName+"."+format+`"`)
	return c.Blob(http.StatusOK, ct, b)
}

// etagMatches reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// Export answers an export URL, such as /charts/bilateral.png?reporter=PAK&…
// or /data/mirror.csv?…, in-process, for the command line: the same route,
// query binding, charts and tables as over HTTP, without the middleware.
// It returns the body and the file name the server would suggest; errors
// keep their kind (data.ErrInvalid, data.ErrNotFound).
func (s *Server) Export(ctx context.Context, target string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%w: export %q: %v", data.ErrInvalid, target, err)
	}
	w := &memResponse{header: http.Header{}}
	c := s.echo.NewContext(req, w)
	s.echo.Router().Find(http.MethodGet, req.URL.Path, c)
	if err := c.Handler()(c); err != nil {
		return nil, "", err
	}
	if w.status != http.StatusOK {
		return nil, "", fmt.Errorf("export %s: %d %s: %s", req.URL.Path, w.status, http.StatusText(w.status), strings.TrimSpace(w.body.String()))
	}
	_, params, _ := mime.ParseMediaType(w.header.Get("Content-Disposition"))
	return w.body.Bytes(), params["filename"], nil
}

// memResponse keeps a response in memory.
type memResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *memResponse) Header() http.Header { return w.header }

func (w *memResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *memResponse) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// dataURL turns a view's JSON link into the link of its data download in
// format, for the chart with the given id: /api/v1/mirror?… becomes
// /data/mirror.csv?…&chart=ID.
func dataURL(jsonURL, view, format, chart string) string {
	u := strings.Replace(jsonURL, "/api/v1/"+view, "/data/"+view+"."+format, 1)
	if chart != "" {
		u += "&chart=" + url.QueryEscape(chart)
	}
	return u
}

// DataURL is the mirror page's download link for one of its charts.
func (v mirrorView) DataURL(format, chart string) string {
	return dataURL(v.JSONURL, "mirror", format, chart)
}

// DataURL is the compare page's download link for one of its charts; the
// form goes with it, since a chart's id names its form.
func (v compareView) DataURL(format, chart string) string {
	u := dataURL(v.JSONURL, "compare", format, chart)
	for _, f := range v.Forms {
		if f.Selected && f.Value != "bars" {
			u += "&form=" + url.QueryEscape(f.Value)
		}
	}
	return u
}

// DataURL is the partners page's download link for one of its charts.
func (v partnersView) DataURL(format, chart string) string {
	return dataURL(v.JSONURL, "partners", format, chart)
}
