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
	// Section is the HS section drilled into ("" for none): it names the
	// chart and its file apart from the whole breakdown's.
	Section string
	// Drill, if set, gives the link that drills into a sector (a
	// section's chapters), or "" for none; a click on the sector follows it.
	Drill func(data.Product) string
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
	idParts := []string{o.Reporter.ISO3, o.Partner.ISO3, "sectors", string(b.Flow), b.ReportedBy, b.Period.String(), strconv.FormatInt(b.DatasetID, 10)}
	if o.Section != "" {
		idParts = append(idParts, o.Section)
	}
	c := Chart{
		ID:       chartID(idParts...),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-sectors-" + string(b.Flow) + "-" + b.Period.Label() + sectionSuffix(o.Section)),
		Meta:     Meta{Kind: "sectors", Currency: "USD", Source: clean(o.Source)},
	}
	var labels, links []string
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
		link := ""
		if o.Drill != nil {
			if link = o.Drill(s.Product); link != "" {
				pm.Detail += detailSep(pm.Detail) + "click for its chapters"
			}
		}
		links = append(links, link)
		bars = append(bars, opts.BarData{Value: figureValue(s.Figure, pm.Notes, "Value")})
		c.Meta.Points = append(c.Meta.Points, pm)
	}
	c.AriaLabel = fmt.Sprintf("%s. Horizontal bars, US dollars, %d sectors, largest first.", title, len(labels))
	ranking(&c, sub, labels, bars, o.Source)
	addLinks(c.Option, links)
	return c
}

// addLinks puts each point's drill-down link, where it has one, into the
// first series' data items, for the page script to follow on a click.
func addLinks(option map[string]any, links []string) {
	series, _ := option["series"].([]any)
	if len(series) == 0 {
		return
	}
	s, _ := series[0].(map[string]any)
	points, _ := s["data"].([]any)
	for i, p := range points {
		if i >= len(links) || links[i] == "" {
			continue
		}
		if m, ok := p.(map[string]any); ok {
			m["link"] = links[i]
		} else {
			points[i] = map[string]any{"value": p, "link": links[i]}
		}
	}
}
