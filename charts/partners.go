package charts

import (
	"fmt"
	"math"
	"strconv"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"tradedash/data"
)

// PartnersOptions names what a partners chart shows.
type PartnersOptions struct {
	Reporter data.Country
	// Names maps ISO3 keys to display names.
	Names   map[string]string
	Dataset string
	Source  string
	// Top is how many partners to draw; the table lists them all.
	Top int
}

// flowWords says a flow as a chart title needs it.
func flowWords(f data.Flow) string {
	switch f {
	case data.Export:
		return "exports to"
	case data.Import:
		return "imports from"
	}
	return "trade (exports + imports) with"
}

// Partners draws a reporter's largest partners as horizontal bars, largest
// at the top, each with its share in the tooltip. Aggregates (World,
// "Areas, nes") are never drawn as partners.
func Partners(r data.PartnerRanking, o PartnersOptions) Chart {
	if o.Top <= 0 {
		o.Top = 20
	}
	rep := clean(o.Reporter.Name)
	title := fmt.Sprintf("%s: %s its largest partners, %s", rep, flowWords(r.Flow), r.Period.Label())
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, "partners", string(r.Flow), r.Period.String(), strconv.FormatInt(r.DatasetID, 10)),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-partners-" + string(r.Flow) + "-" + r.Period.Label()),
		Meta:     Meta{Kind: "partners", Currency: "USD", Source: clean(o.Source)},
	}
	var labels []string
	var bars []opts.BarData
	for _, p := range r.Partners {
		if p.Aggregate || !p.Figure.Known || len(labels) == o.Top {
			continue
		}
		name := clean(o.Names[p.Partner])
		if name == "" {
			name = p.Partner
		}
		labels = append(labels, name)
		pm := PointMeta{Label: name, Period: r.Period.String(), PeriodKind: string(r.Period.Kind()), ReportedBy: o.Reporter.ISO3, Notes: map[string]string{},
			Detail: shareDetail(p, "%.1f%% of %s", r.ShareOf)}
		bars = append(bars, opts.BarData{Value: figureValue(p.Figure, pm.Notes, "Value")})
		c.Meta.Points = append(c.Meta.Points, pm)
	}
	c.AriaLabel = fmt.Sprintf("%s. Horizontal bars, US dollars, %d partners, largest first.", title, len(labels))
	ranking(&c, "US$ · "+clean(o.Dataset), labels, bars, o.Source)
	return c
}

func shareOfWords(of string) string {
	if of == "World" {
		return "trade with the World as stated by the same source"
	}
	return "the listed partners (the source states no World total)"
}

// PartnersTable is the full ranking behind Partners, aggregates included.
func PartnersTable(r data.PartnerRanking, o PartnersOptions) Table {
	t := Table{
		Title:    fmt.Sprintf("%s: %s partners, %s (US$)", o.Reporter.Name, flowWords(r.Flow), r.Period.Label()),
		FileName: safeFileName(o.Reporter.ISO3 + "-partners-" + string(r.Flow) + "-" + r.Period.Label()),
		Columns: []Column{{Name: "rank"}, {Name: "partner"}, {Name: "partner_name"}, {Name: "aggregate"},
			{Name: string(r.Flow) + "_usd", Money: true}, {Name: "share"}, {Name: "notes"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Flow", string(r.Flow)},
			{"Period", r.Period.Label() + " (" + r.Period.String() + ")"},
			{"Dataset", strconv.FormatInt(r.DatasetID, 10) + " " + o.Dataset},
			{"Source", o.Source},
			{"Share of", shareOfWords(r.ShareOf)},
		},
	}
	rank := 0
	for _, p := range r.Partners {
		row := []Cell{{}, text(p.Partner), text(o.Names[p.Partner]), text(strconv.FormatBool(p.Aggregate))}
		if !p.Aggregate {
			rank++
			row[0] = num(float64(rank))
		}
		var note string
		switch {
		case p.Figure.Conflict:
			row, note = append(row, Cell{}, Cell{}), "sources disagree"
		case p.Figure.Known:
			share := Cell{}
			if p.HasShare {
				share = num(p.Share)
			}
			row = append(row, num(p.Figure.Value), share)
			if p.Figure.Bound != data.Exact {
				note = string(p.Figure.Bound)
			} else if p.Figure.Derived {
				note = "derived"
			}
		default:
			row = append(row, Cell{}, Cell{})
		}
		var refs string
		for i, s := range p.Figure.Sources {
			if i > 0 {
				refs += " | "
			}
			refs += s.Ref
			t.Sources = append(t.Sources, s)
		}
		t.Rows = append(t.Rows, append(row, text(note), text(refs)))
	}
	return t
}

// partnerName is a partner's display name, or its key.
func (o PartnersOptions) partnerName(iso3 string) string {
	if n := clean(o.Names[iso3]); n != "" {
		return n
	}
	return iso3
}

// seriesPoints describes each period of a partner series for tooltips:
// its label and, per line, what qualifies the figure.
func seriesPoints(s data.PartnerSeries, reporter string) []PointMeta {
	points := make([]PointMeta, len(s.Periods))
	for i, p := range s.Periods {
		points[i] = PointMeta{Label: p.Label(), Period: p.String(), PeriodKind: string(p.Kind()), ReportedBy: reporter, Notes: map[string]string{}}
	}
	return points
}

// seriesLines fills c with one line per partner over the series' periods.
// Gaps stay gaps: a period a partner has no figure for is not a zero.
func seriesLines(c *Chart, s data.PartnerSeries, o PartnersOptions, yName string, value func(l data.PartnerLine, i int, notes map[string]string, name string) any) {
	labels := make([]string, len(s.Periods))
	for i, p := range s.Periods {
		labels[i] = p.Label()
	}
	line := echarts.NewLine()
	line.SetGlobalOptions(columnLayout(common(c, yName+" · "+clean(o.Dataset)), yName)...)
	line.SetXAxis(labels)
	for _, l := range s.Lines {
		name := o.partnerName(l.Partner)
		points := make([]opts.LineData, len(s.Periods))
		for i := range s.Periods {
			points[i] = opts.LineData{Value: value(l, i, c.Meta.Points[i].Notes, name)}
		}
		line.AddSeries(name, points, echarts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false), SymbolSize: 8}))
	}
	finish(c, line, o.Source)
}

// PartnerLines draws the chosen partners' figures over time, one line each,
// in US$, so that a reader sees who is gaining on whom.
func PartnerLines(s data.PartnerSeries, o PartnersOptions) Chart {
	title := fmt.Sprintf("%s: %s chosen partners over time", clean(o.Reporter.Name), flowWords(s.Flow))
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, "partner-lines", string(s.Flow), strconv.FormatInt(s.DatasetID, 10)),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-partners-" + string(s.Flow) + "-over-time"),
		Meta:     Meta{Kind: "partner-lines", Currency: "USD", Source: clean(o.Source), Points: seriesPoints(s, o.Reporter.ISO3)},
	}
	c.AriaLabel = fmt.Sprintf("%s. Lines, US dollars, %d partners over %d periods.", title, len(s.Lines), len(s.Periods))
	seriesLines(&c, s, o, "US$", func(l data.PartnerLine, i int, notes map[string]string, name string) any {
		return figureValue(l.Figures[i], notes, name)
	})
	return c
}

// PartnerShares draws each chosen partner's share of the reporter's trade
// with the World, in percent, period by period. A period without an exact
// World figure (or partner figure) has no point.
func PartnerShares(s data.PartnerSeries, o PartnersOptions) Chart {
	title := fmt.Sprintf("%s: chosen partners' share of its %s", clean(o.Reporter.Name), map[data.Flow]string{data.Export: "exports", data.Import: "imports"}[s.Flow])
	if s.Flow == data.Turnover {
		title = fmt.Sprintf("%s: chosen partners' share of its trade", clean(o.Reporter.Name))
	}
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, "partner-shares", string(s.Flow), strconv.FormatInt(s.DatasetID, 10)),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-partner-shares-" + string(s.Flow)),
		Meta:     Meta{Kind: "partner-shares", Currency: "%", Source: clean(o.Source), Points: seriesPoints(s, o.Reporter.ISO3)},
	}
	c.AriaLabel = fmt.Sprintf("%s. Lines, percent of trade with the World as the same source states it, %d partners over %d periods.", title, len(s.Lines), len(s.Periods))
	seriesLines(&c, s, o, "% of World", func(l data.PartnerLine, i int, _ map[string]string, _ string) any {
		return finite(100 * l.Shares[i])
	})
	return c
}

// MapName is the name the page's script registers the embedded world
// boundaries under (templates/static/world.json), keyed by ISO3.
const MapName = "world"

// PartnersMap colours each partner country by its figure for the ranking's
// period and flow. Aggregates (World, "Areas, nes") have no place on a map
// and are left to the table. Colours step by powers of ten, because trade
// values span many: a linear scale would leave all but the largest pale.
func PartnersMap(r data.PartnerRanking, o PartnersOptions) Chart {
	rep := clean(o.Reporter.Name)
	title := fmt.Sprintf("%s: %s each partner, %s", rep, flowWords(r.Flow), r.Period.Label())
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, "partners-map", string(r.Flow), r.Period.String(), strconv.FormatInt(r.DatasetID, 10)),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-partners-map-" + string(r.Flow) + "-" + r.Period.Label()),
		Meta:     Meta{Kind: "map", Currency: "USD", Source: clean(o.Source)},
	}
	var items []any
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range r.Partners {
		if p.Aggregate || !p.Figure.Known || p.Figure.Conflict || p.Figure.Value <= 0 {
			continue
		}
		name := o.partnerName(p.Partner)
		pm := PointMeta{Label: name, Period: r.Period.String(), PeriodKind: string(r.Period.Kind()), ReportedBy: o.Reporter.ISO3, Notes: map[string]string{},
			Detail: shareDetail(p, "%.2f%% of %s", r.ShareOf)}
		items = append(items, map[string]any{"name": p.Partner, "value": figureValue(p.Figure, pm.Notes, "Value")})
		c.Meta.Points = append(c.Meta.Points, pm)
		lo, hi = min(lo, p.Figure.Value), max(hi, p.Figure.Value)
	}
	c.AriaLabel = fmt.Sprintf("%s. World map, countries coloured by value in US dollars, %d partners with a figure.", title, len(items))
	if items == nil {
		items = []any{}
	}
	c.Option = map[string]any{
		"title":     map[string]any{"text": c.Title, "subtext": "US$ · " + clean(o.Dataset), "left": "left"},
		"tooltip":   map[string]any{"show": true, "trigger": "item"},
		"aria":      map[string]any{"enabled": true, "label": map[string]any{"enabled": true, "description": c.AriaLabel}},
		"animation": false,
		// Viridis: ordered from light to dark, told apart by readers with
		// colour-blindness and in greyscale.
		"visualMap": map[string]any{"type": "piecewise", "pieces": decadePieces(lo, hi), "left": "left", "bottom": 30,
			"inRange": map[string]any{"color": []any{"#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"}}},
		"series": []any{map[string]any{
			"type": "map", "name": "Value", "map": MapName, "nameProperty": "iso3", "roam": true,
			"top": 70, "bottom": 30, "emphasis": map[string]any{"label": map[string]any{"show": false}},
			"data": items,
		}},
		"graphic": []any{sourceLine(o.Source)},
	}
	return c
}

// decadePieces splits [lo, hi] at powers of ten, one colour band each,
// labelled in K/M/B: "1 M – 10 M".
func decadePieces(lo, hi float64) []any {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return []any{}
	}
	var pieces []any
	for e := math.Floor(math.Log10(lo)); e <= math.Floor(math.Log10(hi)); e++ {
		from, to := math.Pow(10, e), math.Pow(10, e+1)
		pieces = append(pieces, map[string]any{"gte": from, "lt": to, "label": scaled(from) + " – " + scaled(to)})
	}
	// Values below 1 (rounding in a source) fall into the first band.
	if len(pieces) > 0 {
		delete(pieces[0].(map[string]any), "gte")
	}
	return pieces
}

// scaled writes a power of ten for a legend: 1 K, 10 M, 100 B.
func scaled(v float64) string {
	for _, u := range []struct {
		div  float64
		unit string
	}{{1e12, " T"}, {1e9, " B"}, {1e6, " M"}, {1e3, " K"}} {
		if v >= u.div {
			return strconv.FormatFloat(v/u.div, 'f', -1, 64) + u.unit
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// shareDetail says what part of the whole a partner's figure is, with
// format's precision; nothing when there is no share to give.
func shareDetail(p data.PartnerTotal, format, shareOf string) string {
	if !p.HasShare {
		return ""
	}
	return fmt.Sprintf(format, 100*p.Share, shareOfWords(shareOf))
}
