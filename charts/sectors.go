package charts

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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
		name := ProductLabel(s.Product)
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

// SectorsTableOptions name what a sector table holds.
type SectorsTableOptions struct {
	Reporter, Partner data.Country
	Level, Section    string // as asked; "" for the coarsest stated, or no drill-down
	Query             string // the request's query string, for About
	// SectionOf names a product's HS section (the reference lists').
	SectionOf func(data.Product) string
	// Datasets names each dataset: "name (source)".
	Datasets map[int64]string
}

// SectorsTable is the table behind the sector charts, read from the
// breakdowns themselves: one row per sector figure with its bound, its
// share of the stated all-goods total, that total and the sum of the
// listed parts beside it (never in its place), and the sources of each
// figure.
func SectorsTable(bds []data.SectorBreakdown, o SectorsTableOptions) Table {
	t := Table{
		Title: fmt.Sprintf("%s – %s trade by sector (US$)", o.Reporter.Name, o.Partner.Name),
		Columns: []Column{{Name: "period"}, {Name: "period_kind"}, {Name: "reported_by"}, {Name: "mirror"}, {Name: "flow"},
			{Name: "classification"}, {Name: "code"}, {Name: "sector"}, {Name: "hs_section"},
			{Name: "value_usd", Money: true}, {Name: "bound"}, {Name: "share_of_stated_total"},
			{Name: "stated_total_usd", Money: true}, {Name: "sum_of_listed_usd", Money: true},
			{Name: "notes"}, {Name: "dataset"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Partner", o.Partner.ISO3 + " " + o.Partner.Name},
			{"Level", cmpOr(o.Level, "the coarsest each source states")},
			{"Query", o.Query},
			{"Flow", "seen from the reporter: mirror rows are the partner's own statistics, its imports read as the reporter's exports"},
			{"Totals", "stated_total_usd is the all-goods figure the same source states; sum_of_listed_usd adds the exact sector figures listed, which are rarely all of the trade"},
		},
	}
	if o.Section != "" {
		t.About = append(t.About, [2]string{"Section", "the chapters of HS section " + o.Section})
	}
	file := o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-sectors"
	if len(bds) > 0 {
		file += "-" + bds[0].Period.Label()
	}
	t.FileName = safeFileName(file + sectionSuffix(o.Section))
	seen := map[int64]bool{}
	for _, b := range bds {
		if !seen[b.DatasetID] {
			seen[b.DatasetID] = true
			t.About = append(t.About, [2]string{"Dataset " + strconv.FormatInt(b.DatasetID, 10), o.Datasets[b.DatasetID]})
		}
	}
	figure := func(f data.Figure) Cell {
		if !f.Known || f.Conflict || math.IsNaN(f.Value) || math.IsInf(f.Value, 0) {
			return Cell{}
		}
		return num(f.Value)
	}
	for _, b := range bds {
		for _, s := range b.Sectors {
			section := ""
			if o.SectionOf != nil {
				section = o.SectionOf(s.Product)
			}
			share := Cell{}
			if s.Share > 0 {
				share = num(s.Share)
			}
			bound := ""
			if s.Figure.Known && s.Figure.Bound != data.Exact {
				bound = string(s.Figure.Bound)
			}
			notes := ""
			if s.Figure.Conflict {
				notes = "sources disagree"
			}
			var refs []string
			for _, src := range s.Figure.Sources {
				refs = append(refs, src.Ref)
				t.Sources = append(t.Sources, src)
			}
			t.Rows = append(t.Rows, []Cell{text(b.Period.Label()), text(string(b.Period.Kind())), text(b.ReportedBy),
				text(strconv.FormatBool(b.ReportedBy != o.Reporter.ISO3)), text(string(b.Flow)),
				text(string(s.Product.Classification)), text(s.Product.Code), text(s.Product.Name), text(section),
				figure(s.Figure), text(bound), share, statedTotal(b.Total), num(b.Sum),
				text(notes), num(float64(b.DatasetID)), text(strings.Join(refs, " | "))})
		}
	}
	return t
}

// statedTotal is the all-goods figure where the source states it exactly;
// a bound or a disagreement leaves the cell empty.
func statedTotal(f data.Figure) Cell {
	if !f.Known || f.Conflict || f.Bound != data.Exact || math.IsNaN(f.Value) || math.IsInf(f.Value, 0) {
		return Cell{}
	}
	return num(f.Value)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
