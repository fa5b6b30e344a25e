package charts

import (
	"fmt"
	"strconv"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"tradedash/data"
)

// BilateralOptions names what a bilateral chart shows.
type BilateralOptions struct {
	Reporter  data.Country
	Partner   data.Country
	DatasetID int64
	Dataset   string // dataset name, for the subtitle and source line
	Source    string // who published the figures
}

// Series names of the bilateral chart, also the keys of PointMeta.Notes.
const (
	SeriesExports  = "Exports"
	SeriesImports  = "Imports"
	SeriesTurnover = "Turnover"
	SeriesBalance  = "Balance"
)

// Bilateral draws a pair's exports and imports as bars and its turnover and
// balance as lines, one category per period and reporting side. Periods are
// labelled as what they are (2023, FY2022-23, Jan–Nov 2020); figures from
// the partner's statistics are marked "(RUS data)" on the axis and drawn
// paler, and bounds are noted for the tooltip.
func Bilateral(rows []data.PeriodTotals, o BilateralOptions) Chart {
	rep, par := o.Reporter.ISO3, o.Partner.ISO3
	title := fmt.Sprintf("%s – %s trade", clean(o.Reporter.Name), clean(o.Partner.Name))
	c := Chart{
		ID:       chartID(rep, par, "bilateral", strconv.FormatInt(o.DatasetID, 10)),
		Title:    title,
		FileName: fileName(rep, par, "bilateral", rows),
		Meta:     Meta{Kind: "bilateral", Currency: "USD", Source: clean(o.Source)},
	}
	labels := make([]string, len(rows))
	var exp, imp []opts.BarData
	var tur, bal []opts.LineData
	for i, r := range rows {
		mirror := r.ReportedBy != rep
		label := r.Period.Label()
		if mirror {
			label += "\n(" + clean(r.ReportedBy) + " data)"
		}
		labels[i] = label
		pm := PointMeta{Label: label, Period: r.Period.String(), PeriodKind: string(r.Period.Kind()), ReportedBy: r.ReportedBy, Mirror: mirror, Notes: map[string]string{}}
		style := (*opts.ItemStyle)(nil)
		if mirror {
			style = &opts.ItemStyle{Opacity: opts.Float(0.55), BorderColor: "#555", BorderWidth: 1}
		}
		exp = append(exp, opts.BarData{Value: figureValue(r.Exports, pm.Notes, SeriesExports), ItemStyle: style})
		imp = append(imp, opts.BarData{Value: figureValue(r.Imports, pm.Notes, SeriesImports), ItemStyle: style})
		tur = append(tur, opts.LineData{Value: figureValue(r.Turnover, pm.Notes, SeriesTurnover)})
		bal = append(bal, opts.LineData{Value: figureValue(r.Balance, pm.Notes, SeriesBalance)})
		c.Meta.Points = append(c.Meta.Points, pm)
	}
	c.AriaLabel = fmt.Sprintf("%s, US dollars, %d periods: exports and imports as bars, turnover and balance as lines.", title, len(rows))

	subtitle := "US$"
	if o.Dataset != "" {
		subtitle += " · " + clean(o.Dataset)
	}
	bar := echarts.NewBar()
	bar.SetGlobalOptions(columnOptions(&c, subtitle)...)
	bar.SetXAxis(labels).
		AddSeries(SeriesExports, exp, echarts.WithBarChartOpts(opts.BarChart{BarGap: "10%"})).
		AddSeries(SeriesImports, imp)
	line := echarts.NewLine()
	line.SetXAxis(labels).
		AddSeries(SeriesTurnover, tur, echarts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false), SymbolSize: 9})).
		AddSeries(SeriesBalance, bal, echarts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false), SymbolSize: 9}),
			echarts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	bar.Overlap(line)
	finish(&c, bar, o.Source)
	// Two-line labels ("2012" over "(RUS data)") need a line height that
	// go-echarts' AxisLabel cannot set.
	if axes, ok := c.Option["xAxis"].([]any); ok && len(axes) > 0 {
		if ax, ok := axes[0].(map[string]any); ok {
			label, _ := ax["axisLabel"].(map[string]any)
			if label == nil {
				label = map[string]any{}
			}
			label["lineHeight"] = 15
			ax["axisLabel"] = label
		}
	}
	return c
}

// figureValue returns the value to draw for f and notes what qualifies it.
func figureValue(f data.Figure, notes map[string]string, series string) any {
	switch {
	case f.Conflict:
		notes[series] = "sources disagree"
		return missing
	case !f.Known:
		return missing
	case f.Bound == data.AtLeast:
		notes[series] = "at least"
	case f.Bound == data.AtMost:
		notes[series] = "at most"
	case f.Derived:
		notes[series] = "derived"
	}
	return finite(f.Value)
}

// fileName names an exported image or table after what it shows:
// PAK-RUS-bilateral-2012-2023.
func fileName(rep, par, view string, rows []data.PeriodTotals) string {
	name := rep + "-" + par + "-" + view
	if len(rows) > 0 {
		first, last := rows[0].Period.Start.Year(), rows[0].Period.End.Year()
		for _, r := range rows {
			first, last = min(first, r.Period.Start.Year()), max(last, r.Period.End.Year())
		}
		name += "-" + strconv.Itoa(first)
		if last != first {
			name += "-" + strconv.Itoa(last)
		}
	}
	return safeFileName(name)
}
