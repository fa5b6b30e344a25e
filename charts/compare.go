package charts

import (
	"fmt"
	"math"
	"strconv"

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
		name := clean(s.Product.Name)
		if s.Product.Classification == data.HS {
			name = "HS " + s.Product.Code + " " + name
		}
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
