package charts

import (
	"fmt"
	"math"
	"strconv"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"tradedash/data"
)

// CompareOptions names what a period-against-period chart shows.
type CompareOptions struct {
	Reporter, Partner data.Country
	ReportedBy        string
	Source            string
}

// Compare draws each sector's change between two periods as diverging
// bars, rises to the right, falls to the left, largest rise at the top.
// Sectors stated in one period only have no bar.
func Compare(c data.Comparison, o CompareOptions) Chart {
	what := "exports to"
	if c.Flow == data.Import {
		what = "imports from"
	}
	title := fmt.Sprintf("%s's %s %s: change %s → %s", clean(o.Reporter.Name), what, clean(o.Partner.Name), c.A.Label(), c.B.Label())
	ch := Chart{
		ID:       chartID(o.Reporter.ISO3, o.Partner.ISO3, "compare", string(c.Flow), c.ReportedBy, c.A.String(), c.B.String(), strconv.FormatInt(c.DatasetID, 10)),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-compare-" + c.A.Label() + "-" + c.B.Label()),
		Meta:     Meta{Kind: "compare", Currency: "USD", Source: clean(o.Source)},
	}
	var labels []string
	var bars []opts.BarData
	for _, s := range c.Sectors {
		if !s.Known {
			continue
		}
		name := clean(s.Product.Label())
		labels = append(labels, name)
		pm := PointMeta{Label: name, Notes: map[string]string{}}
		if !math.IsNaN(s.Pct) {
			pm.Detail = fmt.Sprintf("%s → %s: %+.1f%%", c.A.Label(), c.B.Label(), s.Pct)
		}
		ch.Meta.Points = append(ch.Meta.Points, pm)
		color := "#3ba272"
		if s.Delta < 0 {
			color = "#ee6666"
		}
		bars = append(bars, opts.BarData{Value: finite(s.Delta), ItemStyle: &opts.ItemStyle{Color: color}})
	}
	ch.AriaLabel = fmt.Sprintf("%s. Diverging bars, US dollars, %d sectors, largest rise first.", title, len(labels))
	ranking(&ch, "change in US$ · as "+clean(o.ReportedBy)+"'s statistics state it", labels, bars, o.Source)
	return ch
}

// Waterfall series names; the base is drawn transparent under each step.
const (
	waterfallBase  = "base"
	WaterfallRise  = "Rise"
	WaterfallFall  = "Fall"
	WaterfallTotal = "Total"
)

// CompareWaterfall draws the walk from period a's total to period b's,
// one step per sector's change, as stacked bars on a transparent base.
// The ends are the all-goods figures the source states when it states
// both exactly, with a step for the goods no listed sector covers;
// otherwise they are the sums of the sectors known in both periods, and
// say so. Sectors stated in one period only are left out.
func CompareWaterfall(c data.Comparison, o CompareOptions) Chart {
	what := "exports to"
	if c.Flow == data.Import {
		what = "imports from"
	}
	title := fmt.Sprintf("%s's %s %s: %s → %s, by sector", clean(o.Reporter.Name), what, clean(o.Partner.Name), c.A.Label(), c.B.Label())
	ch := Chart{
		ID:       chartID(o.Reporter.ISO3, o.Partner.ISO3, "waterfall", string(c.Flow), c.ReportedBy, c.A.String(), c.B.String(), strconv.FormatInt(c.DatasetID, 10)),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-waterfall-" + c.A.Label() + "-" + c.B.Label()),
		Meta:     Meta{Kind: "waterfall", Currency: "USD", Source: clean(o.Source)},
	}
	var known []data.SectorChange
	var sumA, sumDelta float64
	for _, s := range c.Sectors {
		if s.Known {
			known = append(known, s)
			sumA += s.A.Value
			sumDelta += s.Delta
		}
	}
	start, end := sumA, sumA+sumDelta
	startLabel, endLabel := c.A.Label()+": listed sectors", c.B.Label()+": listed sectors"
	other := 0.0
	stated := c.Total.Known
	if stated {
		start, end = c.Total.A.Value, c.Total.B.Value
		startLabel, endLabel = c.A.Label()+": all goods", c.B.Label()+": all goods"
		other = c.Total.Delta - sumDelta
	}
	var labels []string
	var base, rise, fall, total []opts.BarData
	add := func(label, detail string, b, r, f, t any) {
		labels = append(labels, label)
		ch.Meta.Points = append(ch.Meta.Points, PointMeta{Label: label, Detail: detail, Notes: map[string]string{}})
		base = append(base, opts.BarData{Value: b})
		rise = append(rise, opts.BarData{Value: r})
		fall = append(fall, opts.BarData{Value: f})
		total = append(total, opts.BarData{Value: t})
	}
	step := func(label string, delta float64, pct float64, cum float64) {
		detail := ""
		if !math.IsNaN(pct) {
			detail = fmt.Sprintf("%s → %s: %+.1f%%", c.A.Label(), c.B.Label(), pct)
		}
		if delta >= 0 {
			add(label, detail, finite(cum), finite(delta), missing, missing)
		} else {
			add(label, detail, finite(cum+delta), missing, finite(-delta), missing)
		}
	}
	add(startLabel, "", 0.0, missing, missing, finite(start))
	cum := start
	for _, s := range known {
		name := clean(s.Product.Label())
		step(name, s.Delta, s.Pct, cum)
		cum += s.Delta
	}
	if stated && math.Abs(other) >= 0.5 {
		step("All other goods", other, math.NaN(), cum)
	}
	add(endLabel, "", 0.0, missing, missing, finite(end))
	ch.AriaLabel = fmt.Sprintf("%s. Waterfall, US dollars: from %s through %d sector changes to %s.", title, startLabel, len(known), endLabel)

	bar := echarts.NewBar()
	bar.SetGlobalOptions(append(common(&ch, "US$ · as "+clean(o.ReportedBy)+"'s statistics state it"),
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "24", Data: []string{WaterfallTotal, WaterfallRise, WaterfallFall}}),
		echarts.WithGridOpts(opts.Grid{Left: "2%", Right: "6%", Top: "70", Bottom: "60", ContainLabel: opts.Bool(true)}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "US$"}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
	)...)
	stack := echarts.WithBarChartOpts(opts.BarChart{Stack: "waterfall", BarCategoryGap: "30%"})
	bar.SetXAxis(labels).
		AddSeries(waterfallBase, base, stack, echarts.WithItemStyleOpts(opts.ItemStyle{Color: "transparent"})).
		AddSeries(WaterfallRise, rise, stack, echarts.WithItemStyleOpts(opts.ItemStyle{Color: "#3ba272"})).
		AddSeries(WaterfallFall, fall, stack, echarts.WithItemStyleOpts(opts.ItemStyle{Color: "#ee6666"})).
		AddSeries(WaterfallTotal, total, stack, echarts.WithItemStyleOpts(opts.ItemStyle{Color: "#5470c6"})).
		XYReversal()
	finish(&ch, bar, o.Source)
	// The base is scaffolding: no hover, no emphasis.
	if series, ok := ch.Option["series"].([]any); ok && len(series) > 0 {
		if s, ok := series[0].(map[string]any); ok {
			s["silent"] = true
			s["emphasis"] = map[string]any{"disabled": true}
		}
	}
	return ch
}
