package charts

import (
	"fmt"
	"strconv"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"tradedash/data"
)

// ProductsOptions names what a products chart shows.
type ProductsOptions struct {
	Reporter data.Country
	// Partner is the one partner of a comparison of products; zero for
	// one product by partner.
	Partner data.Country
	// Names maps ISO3 keys to display names.
	Names   map[string]string
	Dataset string
	Source  string
	// Top is how many partners get their own line; the rest are summed
	// as "Other partners". The table lists them all.
	Top int
}

// Series names of the by-partner chart that are not a partner's name.
const (
	SeriesOther = "Other partners (sum)"
	SeriesWorld = "World (as stated)"
)

// ByPartner reports whether the answer is drawn as one product by
// partner rather than products side by side.
func (o ProductsOptions) ByPartner(t data.ProductTrade) bool {
	return o.Partner.ISO3 == "" && len(t.Products) == 1
}

// ProductLabel names a product for people: "HS 30 Pharmaceutical
// products", "HS section XI Textiles…", or a sector's own name.
// It is data.Product's Label, cut for a chart's axis.
func ProductLabel(p data.Product) string {
	name := clean(p.Label())
	if r := []rune(name); len(r) > 48 {
		name = string(r[:47]) + "…"
	}
	return name
}

func (o ProductsOptions) name(iso3 string) string {
	if n := clean(o.Names[iso3]); n != "" {
		return n
	}
	return iso3
}

// Products draws a reporter's trade in products over time as lines: for
// one product, a line per largest partner, the rest summed as "Other
// partners" (dashed) and the World total as the source states it
// (dotted); for several products, or one partner, a line per product.
func Products(t data.ProductTrade, o ProductsOptions) Chart {
	if o.Top <= 0 {
		o.Top = 6
	}
	rep := clean(o.Reporter.Name)
	var what []string
	for _, p := range t.Products {
		what = append(what, ProductLabel(p))
	}
	var title, idPart string
	if o.ByPartner(t) {
		title = fmt.Sprintf("%s: %s %s by partner", rep, flowNoun(t.Flow), what[0])
		idPart = "partners"
	} else {
		title = fmt.Sprintf("%s: %s %s, by product", rep, flowWords(t.Flow), clean(o.Partner.Name))
		idPart = o.Partner.ISO3
	}
	var codes []string
	for _, p := range t.Products {
		codes = append(codes, p.Code)
	}
	c := Chart{
		ID:       chartID(append(append([]string{o.Reporter.ISO3, "products", idPart, string(t.Flow)}, codes...), strconv.FormatInt(t.DatasetID, 10))...),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-products-" + strings.Join(codes, "-") + "-" + idPart + "-" + string(t.Flow) + periodSpan(t.Periods)),
		Meta:     Meta{Kind: "products", Currency: "USD", Source: clean(o.Source)},
	}
	labels := make([]string, len(t.Periods))
	for i, p := range t.Periods {
		labels[i] = p.Label()
		c.Meta.Points = append(c.Meta.Points, PointMeta{Label: p.Label(), Period: p.String(), PeriodKind: string(p.Kind()), ReportedBy: o.Reporter.ISO3, Notes: map[string]string{}})
	}
	type line struct {
		name  string
		s     data.ProductSeries
		style string
	}
	var lines []line
	if o.ByPartner(t) {
		top, other, world := t.TopPartners(o.Top)
		for _, s := range top {
			lines = append(lines, line{o.name(s.Partner), s, ""})
		}
		if other != nil {
			lines = append(lines, line{SeriesOther, *other, "dashed"})
		}
		if world != nil {
			lines = append(lines, line{SeriesWorld, *world, "dotted"})
		}
	} else {
		for _, s := range t.Series {
			lines = append(lines, line{ProductLabel(s.Product), s, ""})
		}
	}
	var names []string
	for _, l := range lines {
		names = append(names, l.name)
	}
	// The aria description is read by columnOptions, so it comes first.
	c.AriaLabel = fmt.Sprintf("%s. Lines, US dollars, %d periods (%s): %s.", title, len(t.Periods), strings.Join(labels, ", "), strings.Join(names, "; "))
	chart := echarts.NewLine()
	chart.SetGlobalOptions(columnOptions(&c, "US$ · as "+rep+"'s statistics state it · "+clean(o.Dataset))...)
	chart.SetXAxis(labels)
	for _, l := range lines {
		points := make([]opts.LineData, len(t.Periods))
		for j, f := range l.s.Figures {
			points[j] = opts.LineData{Value: figureValue(f, c.Meta.Points[j].Notes, l.name)}
		}
		seriesOpts := []echarts.SeriesOpts{echarts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false), SymbolSize: 9, ShowSymbol: opts.Bool(true)})}
		if l.style != "" {
			seriesOpts = append(seriesOpts, echarts.WithLineStyleOpts(opts.LineStyle{Type: l.style}))
		}
		chart.AddSeries(l.name, points, seriesOpts...)
	}
	finish(&c, chart, o.Source)
	return c
}

func flowNoun(f data.Flow) string {
	if f == data.Import {
		return "imports of"
	}
	return "exports of"
}

func periodSpan(ps []data.Period) string {
	if len(ps) == 0 {
		return ""
	}
	first, last := ps[0].Start.Year(), ps[len(ps)-1].End.Year()
	if first == last {
		return "-" + strconv.Itoa(first)
	}
	return "-" + strconv.Itoa(first) + "-" + strconv.Itoa(last)
}

// ProductsTable is every figure behind Products, one row per product,
// partner and period with the figure's sources: the derived "Other" line
// is not in it, since each of its parts is.
func ProductsTable(t data.ProductTrade, o ProductsOptions) Table {
	var what []string
	for _, p := range t.Products {
		what = append(what, ProductLabel(p))
	}
	tb := Table{
		Title:    fmt.Sprintf("%s: %s %s (US$)", o.Reporter.Name, flowNoun(t.Flow), strings.Join(what, ", ")),
		FileName: Products(t, o).FileName,
		Columns: []Column{{Name: "product_classification"}, {Name: "product_code"}, {Name: "product_name"},
			{Name: "partner"}, {Name: "partner_name"}, {Name: "aggregate"},
			{Name: "period"}, {Name: "period_kind"}, {Name: "period_start"}, {Name: "period_end"},
			{Name: string(t.Flow) + "_usd", Money: true}, {Name: "notes"}, {Name: "dataset"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Flow", string(t.Flow)},
			{"Products", strings.Join(what, "; ")},
			{"Dataset", strconv.FormatInt(t.DatasetID, 10) + " " + o.Dataset},
			{"Source", o.Source},
			{"Notes", "at_least / at_most: the source gives a bound; sources disagree: no single value"},
		},
	}
	if o.Partner.ISO3 != "" {
		tb.About = append(tb.About[:2:2], append([][2]string{{"Partner", o.Partner.ISO3 + " " + o.Partner.Name}}, tb.About[2:]...)...)
	}
	for _, s := range t.Series {
		for j, f := range s.Figures {
			if !f.Known && !f.Conflict {
				continue
			}
			p := t.Periods[j]
			row := []Cell{text(string(s.Product.Classification)), text(s.Product.Code), text(s.Product.Name),
				text(s.Partner), text(o.Names[s.Partner]), text(strconv.FormatBool(s.Aggregate)),
				text(p.Label()), text(string(p.Kind())),
				text(fmt.Sprintf("%04d-%02d", p.Start.Year(), p.Start.Number())), text(fmt.Sprintf("%04d-%02d", p.End.Year(), p.End.Number()))}
			note := ""
			switch {
			case f.Conflict:
				row, note = append(row, Cell{}), "sources disagree"
			default:
				row = append(row, num(f.Value))
				if f.Bound != data.Exact {
					note = string(f.Bound)
				}
			}
			var refs []string
			for _, src := range f.Sources {
				refs = append(refs, src.Ref)
				tb.Sources = append(tb.Sources, src)
			}
			tb.Rows = append(tb.Rows, append(row, text(note), text(strconv.FormatInt(t.DatasetID, 10)), text(strings.Join(refs, " | "))))
		}
	}
	return tb
}
