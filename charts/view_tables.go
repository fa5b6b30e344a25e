package charts

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"tradedash/data"
)

// The tables behind the mirror, source-comparison, compare and partner
// series charts. Each is read from the query result, never from a chart's
// option: a chart holds only what it draws (scaled labels, a waterfall's
// invisible base series), while a download must hold each figure exactly,
// with its bound, its dataset and its sources.

// figureCells is a figure's value and bound as two cells: the value
// where one is stated (a bound too, with its bound beside it), else empty.
func figureCells(f data.Figure) (Cell, Cell) {
	if !f.Known || f.Conflict || math.IsNaN(f.Value) || math.IsInf(f.Value, 0) {
		return Cell{}, Cell{}
	}
	bound := Cell{}
	if f.Bound != data.Exact && f.Bound != "" {
		bound = text(string(f.Bound))
	}
	return num(f.Value), bound
}

// numOrEmpty is a number cell, or an empty cell for NaN and infinities.
func numOrEmpty(v float64) Cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Cell{}
	}
	return num(v)
}

// addSources lists each figure's sources once in t.Sources and returns
// their refs for the row.
func addSources(t *Table, seen map[int64]bool, figs ...data.Figure) string {
	var refs []string
	for _, f := range figs {
		for _, s := range f.Sources {
			if s.Ref != "" {
				refs = append(refs, s.Ref)
			}
			if !seen[s.ObservationID] {
				seen[s.ObservationID] = true
				t.Sources = append(t.Sources, s)
			}
		}
	}
	return strings.Join(refs, " | ")
}

func periodCells(p data.Period) []Cell {
	return []Cell{text(p.Label()), text(string(p.Kind())),
		text(fmt.Sprintf("%04d-%02d", p.Start.Year(), p.Start.Number())),
		text(fmt.Sprintf("%04d-%02d", p.End.Year(), p.End.Number()))}
}

func notesOf(figs map[string]data.Figure) string {
	var notes []string
	for _, name := range []string{"reported", "mirror", "a", "b"} {
		if f, ok := figs[name]; ok && f.Conflict {
			notes = append(notes, name+": sources disagree")
		}
	}
	return strings.Join(notes, "; ")
}

// MirrorTable is the table behind Mirror: per period and flow, the
// reporter's figure and the partner's for the same flow, as published and
// after the CIF/FOB factor, the gap, and every figure's sources.
func MirrorTable(rows []data.MirrorRow, o MirrorOptions) Table {
	factor := "none: figures as published"
	if o.CIFFactor != 0 {
		factor = strconv.FormatFloat(o.CIFFactor, 'f', -1, 64) + ": the import (CIF) side is divided by it"
	}
	t := Table{
		Title:    fmt.Sprintf("%s – %s: each side's statistics (US$)", o.Reporter.Name, o.Partner.Name),
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-mirror"),
		Columns: []Column{{Name: "period"}, {Name: "period_kind"}, {Name: "period_start"}, {Name: "period_end"}, {Name: "flow"},
			{Name: "reported_usd", Money: true}, {Name: "reported_bound"}, {Name: "reporter_dataset"},
			{Name: "mirror_usd", Money: true}, {Name: "mirror_bound"}, {Name: "partner_dataset"},
			{Name: "adjusted_reported_usd", Money: true}, {Name: "adjusted_mirror_usd", Money: true},
			{Name: "gap_usd", Money: true}, {Name: "gap_pct"}, {Name: "notes"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Partner", o.Partner.ISO3 + " " + o.Partner.Name},
			{"Source", o.Source},
			{"Flow", "seen from the reporter; mirror is the partner's figure for the same flow (its imports for the reporter's exports)"},
			{"CIF/FOB factor", factor},
			{"Gap", "adjusted_mirror_usd − adjusted_reported_usd; gap_pct is that gap in percent of adjusted_reported_usd"},
		},
	}
	seen := map[int64]bool{}
	for _, r := range rows {
		rep, repBound := figureCells(r.Reported)
		mir, mirBound := figureCells(r.Mirror)
		row := append(periodCells(r.Period), text(string(r.Flow)),
			rep, repBound, num(float64(r.ReporterDataset)), mir, mirBound, num(float64(r.PartnerDataset)),
			numOrEmpty(r.AdjustedReported), numOrEmpty(r.AdjustedMirror), numOrEmpty(r.Gap), numOrEmpty(r.GapPct),
			text(notesOf(map[string]data.Figure{"reported": r.Reported, "mirror": r.Mirror})), text(addSources(&t, seen, r.Reported, r.Mirror)))
		t.Rows = append(t.Rows, row)
	}
	if len(rows) > 0 {
		first, last := rows[0].Period.Start.Year(), rows[0].Period.End.Year()
		for _, r := range rows {
			first, last = min(first, r.Period.Start.Year()), max(last, r.Period.End.Year())
		}
		t.FileName += "-" + strconv.Itoa(first)
		if last != first {
			t.FileName += "-" + strconv.Itoa(last)
		}
	}
	return t
}

// SourcesTable is the table behind SourceComparison: per period, side and
// flow, dataset A's figure beside dataset B's, the gap, and the sources.
func SourcesTable(rows []data.SourceRow, datasetA, datasetB int64, o SourcesOptions) Table {
	t := Table{
		Title:    fmt.Sprintf("%s – %s: two sources compared (US$)", o.Reporter.Name, o.Partner.Name),
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-sources-" + strconv.FormatInt(datasetA, 10) + "-" + strconv.FormatInt(datasetB, 10)),
		Columns: []Column{{Name: "period"}, {Name: "period_kind"}, {Name: "period_start"}, {Name: "period_end"},
			{Name: "reported_by"}, {Name: "flow"},
			{Name: "a_usd", Money: true}, {Name: "a_bound"}, {Name: "b_usd", Money: true}, {Name: "b_bound"},
			{Name: "gap_usd", Money: true}, {Name: "gap_pct"}, {Name: "notes"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Partner", o.Partner.ISO3 + " " + o.Partner.Name},
			{"Dataset A", strconv.FormatInt(datasetA, 10) + " " + o.NameA},
			{"Dataset B", strconv.FormatInt(datasetB, 10) + " " + o.NameB},
			{"Source", o.Source},
			{"Gap", "b_usd − a_usd; gap_pct is that gap in percent of a_usd"},
		},
	}
	seen := map[int64]bool{}
	for _, r := range rows {
		a, aBound := figureCells(r.A)
		b, bBound := figureCells(r.B)
		row := append(periodCells(r.Period), text(r.ReportedBy), text(string(r.Flow)), a, aBound, b, bBound,
			numOrEmpty(r.Gap), numOrEmpty(r.GapPct), text(notesOf(map[string]data.Figure{"a": r.A, "b": r.B})),
			text(addSources(&t, seen, r.A, r.B)))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// CompareTable is the table behind Compare and CompareWaterfall: per
// comparison, the stated all-goods row and then each sector, with both
// periods' figures, the change where both are exact, and the sources. A
// waterfall's base series and its "all other goods" step are drawing
// aids, not figures of the source, and are not in it.
func CompareTable(cs []data.Comparison, o CompareOptions, level string) Table {
	t := Table{
		Title:    fmt.Sprintf("%s – %s: sector by sector, period against period (US$)", o.Reporter.Name, o.Partner.Name),
		FileName: safeFileName(o.Reporter.ISO3 + "-" + o.Partner.ISO3 + "-compare"),
		Columns: []Column{{Name: "dataset"}, {Name: "reported_by"}, {Name: "flow"}, {Name: "period_a"}, {Name: "period_b"},
			{Name: "classification"}, {Name: "code"}, {Name: "sector"},
			{Name: "a_usd", Money: true}, {Name: "a_bound"}, {Name: "b_usd", Money: true}, {Name: "b_bound"},
			{Name: "change_usd", Money: true}, {Name: "change_pct"}, {Name: "notes"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Partner", o.Partner.ISO3 + " " + o.Partner.Name},
			{"Source", o.Source},
			{"Level", cmpOr(level, "the coarsest each source states")},
			{"Change", "b − a, only where both figures are exact, and change_pct in percent of a; a sector stated in one period only has no change (missing is not zero)"},
			{"TOTAL rows", "the all-goods figures as the source states them, never the sum of the sectors"},
		},
	}
	if len(cs) > 0 {
		t.FileName = safeFileName(t.FileName + "-" + cs[0].A.Label() + "-" + cs[0].B.Label())
	}
	seen := map[int64]bool{}
	for _, c := range cs {
		for _, s := range append([]data.SectorChange{c.Total}, c.Sectors...) {
			a, aBound := figureCells(s.A)
			b, bBound := figureCells(s.B)
			change, pct := Cell{}, Cell{}
			if s.Known {
				change, pct = numOrEmpty(s.Delta), numOrEmpty(s.Pct)
			}
			t.Rows = append(t.Rows, []Cell{num(float64(c.DatasetID)), text(c.ReportedBy), text(string(c.Flow)),
				text(c.A.Label()), text(c.B.Label()),
				text(string(s.Product.Classification)), text(s.Product.Code), text(s.Product.Name),
				a, aBound, b, bBound, change, pct,
				text(notesOf(map[string]data.Figure{"a": s.A, "b": s.B})), text(addSources(&t, seen, s.A, s.B))})
		}
	}
	return t
}

// PartnerSeriesTable is the table behind PartnerLines and PartnerShares:
// per period and partner, the figure, its share of the reporter's trade
// with the World as the source states it, and the sources.
func PartnerSeriesTable(s data.PartnerSeries, o PartnersOptions) Table {
	t := Table{
		Title:    fmt.Sprintf("%s's %s, chosen partners over time (US$)", o.Reporter.Name, flowWords(s.Flow)),
		FileName: safeFileName(o.Reporter.ISO3 + "-partners-" + string(s.Flow) + "-series"),
		Columns: []Column{{Name: "period"}, {Name: "period_kind"}, {Name: "period_start"}, {Name: "period_end"},
			{Name: "partner"}, {Name: "partner_name"}, {Name: "flow"},
			{Name: "value_usd", Money: true}, {Name: "bound"}, {Name: "world_usd", Money: true}, {Name: "share_of_world"},
			{Name: "notes"}, {Name: "dataset"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Dataset", strconv.FormatInt(s.DatasetID, 10)},
			{"Source", o.Source},
			{"Share", "of the reporter's trade with the World as the same source states it; empty where either figure is not stated exactly"},
		},
	}
	seen := map[int64]bool{}
	for i, p := range s.Periods {
		world := data.Figure{}
		if i < len(s.World) {
			world = s.World[i]
		}
		w, _ := figureCells(world)
		if world.Bound != data.Exact {
			w = Cell{}
		}
		addSources(&t, seen, world) // the shares rest on it: listed under Sources
		for _, l := range s.Lines {
			f := data.Figure{}
			if i < len(l.Figures) {
				f = l.Figures[i]
			}
			v, bound := figureCells(f)
			share := Cell{}
			if i < len(l.Shares) {
				share = numOrEmpty(l.Shares[i])
			}
			notes := ""
			if f.Conflict {
				notes = "sources disagree"
			}
			t.Rows = append(t.Rows, append(periodCells(p), text(l.Partner), text(o.partnerName(l.Partner)), text(string(s.Flow)),
				v, bound, w, share, text(notes), num(float64(s.DatasetID)), text(addSources(&t, seen, f))))
		}
	}
	return t
}
