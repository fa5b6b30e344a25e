package charts

import (
	"fmt"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/opts"

	"tradedash/data"
)

// PartnersOptions names what a partners chart shows.
type PartnersOptions struct {
	Reporter data.Country
	// Names maps ISO3 keys to display names.
	Names   map[string]string
	Dataset string
	Source  string
	// Top is how many partners to draw; the table lists them all.
	Top int
}

// flowWords says a flow as a chart title needs it.
func flowWords(f data.Flow) string {
	switch f {
	case data.Export:
		return "exports to"
	case data.Import:
		return "imports from"
	}
	return "trade (exports + imports) with"
}

// Partners draws a reporter's largest partners as horizontal bars, largest
// at the top, each with its share in the tooltip. Aggregates (World,
// "Areas, nes") are never drawn as partners.
func Partners(r data.PartnerRanking, o PartnersOptions) Chart {
	if o.Top <= 0 {
		o.Top = 20
	}
	rep := clean(o.Reporter.Name)
	title := fmt.Sprintf("%s: %s its largest partners, %s", rep, flowWords(r.Flow), r.Period.Label())
	c := Chart{
		ID:       chartID(o.Reporter.ISO3, "partners", string(r.Flow), r.Period.String(), strconv.FormatInt(r.DatasetID, 10)),
		Title:    title,
		FileName: safeFileName(o.Reporter.ISO3 + "-partners-" + string(r.Flow) + "-" + r.Period.Label()),
		Meta:     Meta{Kind: "partners", Currency: "USD", Source: clean(o.Source)},
	}
	var labels []string
	var bars []opts.BarData
	for _, p := range r.Partners {
		if p.Aggregate || !p.Figure.Known || len(labels) == o.Top {
			continue
		}
		name := clean(o.Names[p.Partner])
		if name == "" {
			name = p.Partner
		}
		labels = append(labels, name)
		pm := PointMeta{Label: name, Period: r.Period.String(), PeriodKind: string(r.Period.Kind()), ReportedBy: o.Reporter.ISO3, Notes: map[string]string{},
			Detail: fmt.Sprintf("%.1f%% of %s", 100*p.Share, shareOfWords(r.ShareOf))}
		bars = append(bars, opts.BarData{Value: figureValue(p.Figure, pm.Notes, "Value")})
		c.Meta.Points = append(c.Meta.Points, pm)
	}
	c.AriaLabel = fmt.Sprintf("%s. Horizontal bars, US dollars, %d partners, largest first.", title, len(labels))
	ranking(&c, "US$ · "+clean(o.Dataset), labels, bars, o.Source)
	return c
}

func shareOfWords(of string) string {
	if of == "World" {
		return "trade with the World as stated by the same source"
	}
	return "the listed partners (the source states no World total)"
}

// PartnersTable is the full ranking behind Partners, aggregates included.
func PartnersTable(r data.PartnerRanking, o PartnersOptions) Table {
	t := Table{
		Title:    fmt.Sprintf("%s: %s partners, %s (US$)", o.Reporter.Name, flowWords(r.Flow), r.Period.Label()),
		FileName: safeFileName(o.Reporter.ISO3 + "-partners-" + string(r.Flow) + "-" + r.Period.Label()),
		Columns: []Column{{Name: "rank"}, {Name: "partner"}, {Name: "partner_name"}, {Name: "aggregate"},
			{Name: string(r.Flow) + "_usd", Money: true}, {Name: "share"}, {Name: "notes"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Flow", string(r.Flow)},
			{"Period", r.Period.Label() + " (" + r.Period.String() + ")"},
			{"Dataset", strconv.FormatInt(r.DatasetID, 10) + " " + o.Dataset},
			{"Source", o.Source},
			{"Share of", shareOfWords(r.ShareOf)},
		},
	}
	rank := 0
	for _, p := range r.Partners {
		row := []Cell{{}, text(p.Partner), text(o.Names[p.Partner]), text(strconv.FormatBool(p.Aggregate))}
		if !p.Aggregate {
			rank++
			row[0] = num(float64(rank))
		}
		var note string
		switch {
		case p.Figure.Conflict:
			row, note = append(row, Cell{}, Cell{}), "sources disagree"
		case p.Figure.Known:
			row = append(row, num(p.Figure.Value), num(p.Share))
			if p.Figure.Bound != data.Exact {
				note = string(p.Figure.Bound)
			} else if p.Figure.Derived {
				note = "derived"
			}
		default:
			row = append(row, Cell{}, Cell{})
		}
		var refs string
		for i, s := range p.Figure.Sources {
			if i > 0 {
				refs += " | "
			}
			refs += s.Ref
			t.Sources = append(t.Sources, s)
		}
		t.Rows = append(t.Rows, append(row, text(note), text(refs)))
	}
	return t
}
