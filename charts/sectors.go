package charts

import (
	"fmt"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/opts"

	"tradedash/data"
)

// SectorsOptions names what a sector chart shows.
type SectorsOptions struct {
	Reporter, Partner data.Country
	ReportedBy        string // the name of the side whose statistics these are
	Source            string
}

// Sectors draws one breakdown as horizontal bars, largest at the top,
// each with its share of the stated all-goods total where there is one.
func Sectors(b data.SectorBreakdown, o SectorsOptions) Chart {
	what := "exports to"
	if b.Flow == data.Import {
		what = "imports from"
	}
	title := fmt.Sprintf("%s's %s %s by sector, %s", clean(o.Reporter.Name), what, clean(o.Partner.Name), b.Period.Label())
	sub := "US$ · as " + clean(o.ReportedBy) + "'s statistics state it"
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, o.Partner.ISO3, "sectors", string(b.Flow), b.ReportedBy, b.Period.String(), strconv.FormatInt(b.DatasetID, 10)),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-sectors-" + string(b.Flow) + "-" + b.Period.Label()),
		Meta:     Meta{Kind: "sectors", Currency: "USD", Source: clean(o.Source)},
	}
	var labels []string
	var bars []opts.BarData
	for _, s := range b.Sectors {
		name := clean(s.Product.Name)
		if s.Product.Classification == data.HS {
			name = "HS " + s.Product.Code + " " + name
		}
		if r := []rune(name); len(r) > 48 {
			name = string(r[:47]) + "…"
		}
		labels = append(labels, name)
		pm := PointMeta{Label: name, Period: b.Period.String(), PeriodKind: string(b.Period.Kind()), ReportedBy: b.ReportedBy, Notes: map[string]string{}}
		if s.Share > 0 {
			pm.Detail = fmt.Sprintf("%.1f%% of the stated all-goods total", 100*s.Share)
		}
		bars = append(bars, opts.BarData{Value: figureValue(s.Figure, pm.Notes, "Value")})
		c.Meta.Points = append(c.Meta.Points, pm)
	}
	c.AriaLabel = fmt.Sprintf("%s. Horizontal bars, US dollars, %d sectors, largest first.", title, len(labels))
	ranking(&c, sub, labels, bars, o.Source)
	return c
}
