package charts

import (
	"fmt"
	"math"
	"strconv"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"tradedash/data"
)

// MirrorOptions names what a mirror chart shows.
type MirrorOptions struct {
	Reporter, Partner data.Country
	CIFFactor         float64
	Source            string
}

// Mirror draws, per period and flow, the reporter's figure beside the
// partner's figure for the same flow, after the CIF/FOB factor if one is
// given (the chart says so in its subtitle).
func Mirror(rows []data.MirrorRow, o MirrorOptions) Chart {
	rep, par := clean(o.Reporter.Name), clean(o.Partner.Name)
	title := fmt.Sprintf("%s – %s: each side's statistics", rep, par)
	sub := "US$, as published"
	if o.CIFFactor > 1 {
		sub = "US$, imports (CIF) divided by " + strconv.FormatFloat(o.CIFFactor, 'f', -1, 64) + " to compare with exports (FOB)"
	}
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, o.Partner.ISO3, "mirror"),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-mirror"),
		Meta:     Meta{Kind: "mirror", Currency: "USD", Source: clean(o.Source)},
	}
	var labels []string
	var mine, theirs []opts.BarData
	for _, r := range rows {
		what := "exports to " + par
		if r.Flow == data.Import {
			what = "imports from " + par
		}
		label := r.Period.Label() + "\n" + rep + " " + what
		labels = append(labels, label)
		pm := PointMeta{Label: label, Period: r.Period.String(), PeriodKind: string(r.Period.Kind()), Notes: map[string]string{}}
		if !math.IsNaN(r.GapPct) {
			pm.Detail = fmt.Sprintf("gap %+.1f%% (partner's figure minus reporter's)", r.GapPct)
		}
		c.Meta.Points = append(c.Meta.Points, pm)
		mine = append(mine, opts.BarData{Value: finite(r.AdjustedReported)})
		theirs = append(theirs, opts.BarData{Value: finite(r.AdjustedMirror)})
	}
	c.AriaLabel = fmt.Sprintf("%s. Bars, %s; %d comparisons.", title, sub, len(rows))
	bar := echarts.NewBar()
	bar.SetGlobalOptions(columnOptions(&c, sub)...)
	bar.SetXAxis(labels).
		AddSeries("As "+rep+" states it", mine).
		AddSeries("As "+par+" states it (mirror)", theirs)
	finish(&c, bar, o.Source)
	return c
}
