package charts

import (
	"fmt"
	"strconv"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"tradedash/data"
)

// SectorTreemap draws one breakdown as a treemap: each sector's area is
// its stated value. Only parts of one level are drawn side by side (a
// section beside its own chapters would count them twice), so a
// breakdown of mixed levels is refused. Bounds and unknown figures have
// no honest area and are left out, and said so; the sum of the parts
// drawn and the stated all-goods total are both in the subtitle, since
// the parts are rarely all of the trade.
//
// Where o.Drill gives a link for a sector (a section's chapters), the
// node carries it as "link" for the page script to follow on a click.
func SectorTreemap(b data.SectorBreakdown, o SectorsOptions) (Chart, error) {
	if !b.SingleLevel() {
		return Chart{}, fmt.Errorf("%w: a treemap draws parts of one level only, and this breakdown mixes them", data.ErrInvalid)
	}
	what := "exports to"
	if b.Flow == data.Import {
		what = "imports from"
	}
	title := fmt.Sprintf("%s's %s %s by sector, %s", clean(o.Reporter.Name), what, clean(o.Partner.Name), b.Period.Label())
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, o.Partner.ISO3, "treemap", string(b.Flow), b.ReportedBy, b.Period.String(), strconv.FormatInt(b.DatasetID, 10), o.Section),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-sectors-" + string(b.Flow) + "-" + b.Period.Label() + sectionSuffix(o.Section)),
		Meta:     Meta{Kind: "treemap", Currency: "USD", Source: clean(o.Source)},
	}
	var nodes []opts.TreeMapNode
	var values []float64
	var links []string
	drawn, sum := 0, 0.0
	for _, s := range b.Sectors {
		name := ProductLabel(s.Product)
		pm := PointMeta{Label: name, Period: b.Period.String(), PeriodKind: string(b.Period.Kind()), ReportedBy: b.ReportedBy, Notes: map[string]string{}}
		if s.Share > 0 {
			pm.Detail = fmt.Sprintf("%.1f%% of the stated all-goods total", 100*s.Share)
		}
		if !s.Figure.Known || s.Figure.Conflict || s.Figure.Bound != data.Exact || !(s.Figure.Value > 0) {
			continue
		}
		link := ""
		if o.Drill != nil {
			link = o.Drill(s.Product)
		}
		if link != "" {
			pm.Detail += detailSep(pm.Detail) + "click for its chapters"
		}
		nodes = append(nodes, opts.TreeMapNode{Name: name})
		values = append(values, s.Figure.Value)
		links = append(links, link)
		c.Meta.Points = append(c.Meta.Points, pm)
		drawn++
		sum += s.Figure.Value
	}
	sub := "US$ · as " + clean(o.ReportedBy) + "'s statistics state it · parts drawn add up to " + scaledUSD(sum)
	if b.Total.Known && !b.Total.Conflict && b.Total.Bound == data.Exact {
		sub += "; stated all-goods total " + scaledUSD(b.Total.Value)
	} else {
		sub += "; no all-goods total stated"
	}
	if left := len(b.Sectors) - drawn; left > 0 {
		sub += fmt.Sprintf(" · %d not drawn (bounds or no figure; see the table)", left)
	}
	c.AriaLabel = fmt.Sprintf("%s. Treemap, US dollars, %d sectors, each area its value.", title, drawn)
	tm := echarts.NewTreeMap()
	tm.SetGlobalOptions(append(common(&c, sub),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))...)
	tm.AddSeries("Value", nodes)
	finish(&c, tm, o.Source)
	// go-echarts holds a node's value as an int; the exact figure (cents
	// of a scaled thousand) is set here, with each node's index into
	// Meta.Points and its link. The treemap is one level: no zooming into
	// a node, no breadcrumb, no roaming.
	series := c.Option["series"].([]any)
	s := series[0].(map[string]any)
	s["top"], s["bottom"], s["left"], s["right"] = 70, 30, 10, 10
	s["roam"], s["nodeClick"] = false, false
	s["breadcrumb"] = map[string]any{"show": false}
	s["label"] = map[string]any{"show": true}
	points := make([]any, len(nodes))
	for i, n := range nodes {
		item := map[string]any{"name": n.Name, "value": values[i], "point": i}
		if links[i] != "" {
			item["link"] = links[i]
		}
		points[i] = item
	}
	s["data"] = points
	return c, nil
}

func sectionSuffix(section string) string {
	if section == "" {
		return ""
	}
	return "-section-" + section
}

func detailSep(s string) string {
	if s == "" {
		return ""
	}
	return "; "
}

// scaledUSD writes an amount for a subtitle: US$ 1.23 B.
func scaledUSD(v float64) string {
	for _, u := range []struct {
		div  float64
		unit string
	}{{1e12, " T"}, {1e9, " B"}, {1e6, " M"}, {1e3, " K"}} {
		if v >= u.div {
			return "US$ " + strconv.FormatFloat(v/u.div, 'f', 2, 64) + u.unit
		}
	}
	return "US$ " + strconv.FormatFloat(v, 'f', -1, 64)
}
