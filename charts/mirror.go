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

// SourcesOptions names what a source comparison chart shows.
type SourcesOptions struct {
	Reporter, Partner data.Country
	// NameA and NameB are the two datasets' names, Source both sources.
	NameA, NameB string
	Source       string
	// Names maps ISO3 keys to display names, for the side whose
	// statistics each comparison is.
	Names map[string]string
}

// SourceComparison draws, per period, side and flow, the figure from
// dataset A beside the same figure from dataset B.
func SourceComparison(rows []data.SourceRow, o SourcesOptions) Chart {
	rep, par := clean(o.Reporter.Name), clean(o.Partner.Name)
	title := fmt.Sprintf("%s – %s: two sources compared", rep, par)
	sub := "US$, as published · A: " + clean(o.NameA) + " · B: " + clean(o.NameB)
	if r := []rune(sub); len(r) > 140 {
		sub = string(r[:139]) + "…"
	}
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, o.Partner.ISO3, "sources"),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-sources"),
		Meta:     Meta{Kind: "sources", Currency: "USD", Source: clean(o.Source)},
	}
	var labels []string
	var as, bs []opts.BarData
	for _, r := range rows {
		what := map[data.Flow]string{data.Export: "exports to ", data.Import: "imports from ", data.Turnover: "trade with "}[r.Flow] + par
		side := clean(o.Names[r.ReportedBy])
		if side == "" {
			side = clean(r.ReportedBy)
		}
		label := r.Period.Label() + "\n" + rep + " " + what
		if r.ReportedBy != o.Reporter.ISO3 {
			label += "\n(" + side + "'s statistics)"
		}
		labels = append(labels, label)
		pm := PointMeta{Label: label, Period: r.Period.String(), PeriodKind: string(r.Period.Kind()), ReportedBy: r.ReportedBy,
			Mirror: r.ReportedBy != o.Reporter.ISO3, Notes: map[string]string{}}
		if !math.IsNaN(r.GapPct) {
			pm.Detail = fmt.Sprintf("gap %+.1f%% (B minus A, of A)", r.GapPct)
		}
		c.Meta.Points = append(c.Meta.Points, pm)
		as = append(as, opts.BarData{Value: finite(r.A.Value)})
		bs = append(bs, opts.BarData{Value: finite(r.B.Value)})
	}
	c.AriaLabel = fmt.Sprintf("%s. Bars, US dollars, %d comparisons: A is %s, B is %s.", title, len(rows), clean(o.NameA), clean(o.NameB))
	bar := echarts.NewBar()
	bar.SetGlobalOptions(columnOptions(&c, sub)...)
	bar.SetXAxis(labels).
		AddSeries("A: "+truncate(clean(o.NameA), 40), as).
		AddSeries("B: "+truncate(clean(o.NameB), 40), bs)
	finish(&c, bar, o.Source)
	return c
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
