package charts

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"tradedash/data"
)

// Table is the data behind a chart, as it is downloaded: a header, rows of
// cells, and the facts a reader needs to trust it (query, sources).
type Table struct {
	Title    string
	FileName string
	Columns  []Column
	Rows     [][]Cell
	// About lists what the table is and where it comes from, as
	// label–value pairs: the query, the dataset, its source and licence.
	About [][2]string
	// Sources lists every observation behind the figures.
	Sources []data.Source
}

// Column is a table column; Money columns hold US dollars.
type Column struct {
	Name  string
	Money bool
}

// Cell is a number or a text; a nil Number and empty Text is an empty cell.
type Cell struct {
	Number *float64
	Text   string
}

func num(v float64) Cell { return Cell{Number: &v} }
func text(s string) Cell { return Cell{Text: s} }

// BilateralTable is the table behind Bilateral: one row per period and
// reporting side, exact figures, and the sources of each row.
func BilateralTable(rows []data.PeriodTotals, o BilateralOptions) Table {
	t := Table{
		Title:    fmt.Sprintf("%s – %s trade (US$)", o.Reporter.Name, o.Partner.Name),
		FileName: fileName(o.Reporter.ISO3, o.Partner.ISO3, "bilateral", rows),
		Columns: []Column{{Name: "period"}, {Name: "period_kind"}, {Name: "period_start"}, {Name: "period_end"},
			{Name: "reported_by"}, {Name: "mirror"},
			{Name: "exports_usd", Money: true}, {Name: "imports_usd", Money: true}, {Name: "turnover_usd", Money: true}, {Name: "balance_usd", Money: true},
			{Name: "notes"}, {Name: "dataset"}, {Name: "source_refs"}},
		About: [][2]string{
			{"Reporter", o.Reporter.ISO3 + " " + o.Reporter.Name},
			{"Partner", o.Partner.ISO3 + " " + o.Partner.Name},
			{"Dataset", strconv.FormatInt(o.DatasetID, 10) + " " + o.Dataset},
			{"Source", o.Source},
			{"Exports", "the reporter's exports to the partner; mirror rows are the partner's reported imports"},
			{"Notes", "at_least / at_most: the source gives a bound; derived: computed from the other figures; sources disagree: no single value"},
		},
	}
	for _, r := range rows {
		var notes, refs []string
		seen := map[int64]bool{}
		row := []Cell{text(r.Period.Label()), text(string(r.Period.Kind())),
			text(fmt.Sprintf("%04d-%02d", r.Period.Start.Year(), r.Period.Start.Number())),
			text(fmt.Sprintf("%04d-%02d", r.Period.End.Year(), r.Period.End.Number())),
			text(r.ReportedBy), text(strconv.FormatBool(r.ReportedBy != o.Reporter.ISO3))}
		for _, f := range []struct {
			name string
			fig  data.Figure
		}{{"exports", r.Exports}, {"imports", r.Imports}, {"turnover", r.Turnover}, {"balance", r.Balance}} {
			switch {
			case f.fig.Conflict:
				row = append(row, Cell{})
				notes = append(notes, f.name+": sources disagree")
			case f.fig.Known && !math.IsNaN(f.fig.Value) && !math.IsInf(f.fig.Value, 0):
				row = append(row, num(f.fig.Value))
				if f.fig.Bound != data.Exact {
					notes = append(notes, f.name+": "+string(f.fig.Bound))
				} else if f.fig.Derived {
					notes = append(notes, f.name+": derived")
				}
			default:
				row = append(row, Cell{})
			}
			for _, s := range f.fig.Sources {
				if !seen[s.ObservationID] {
					seen[s.ObservationID] = true
					refs = append(refs, s.Ref)
					t.Sources = append(t.Sources, s)
				}
			}
		}
		row = append(row, text(strings.Join(notes, "; ")), num(float64(r.DatasetID)), text(strings.Join(refs, " | ")))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// neutralise stops a spreadsheet from reading a text cell as a formula
// (CSV injection): text starting with = + - @, a tab or a carriage return
// gets a leading apostrophe. Numbers are never touched, so a negative
// balance stays a number.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes the table as UTF-8 CSV with a header row. Numbers are
// written in full ("-772000000"), never in exponent form.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i, c := range row {
			if c.Number != nil {
				rec[i] = strconv.FormatFloat(*c.Number, 'f', -1, 64)
			} else {
				rec[i] = neutralise(c.Text)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the table as an Excel workbook: sheet "Data" with a
// bold, frozen header and money columns formatted #,##0; sheet "Sources"
// with what the table is and every observation behind it.
func (t Table) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet, sources = "Data", "Sources"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	if err != nil {
		return err
	}
	for i, c := range t.Columns {
		if err := setCell(f, sheet, i, 1, text(c.Name), bold); err != nil {
			return err
		}
	}
	for r, row := range t.Rows {
		for i, c := range row {
			style := 0
			if t.Columns[i].Money {
				style = money
			}
			if err := setCell(f, sheet, i, r+2, c, style); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if _, err := f.NewSheet(sources); err != nil {
		return err
	}
	r := 1
	put := func(cells ...Cell) error {
		for i, c := range cells {
			style := 0
			if r == 1 || (len(t.About) > 0 && r == len(t.About)+3) {
				style = bold
			}
			if err := setCell(f, sources, i, r, c, style); err != nil {
				return err
			}
		}
		r++
		return nil
	}
	if err := put(text(t.Title)); err != nil {
		return err
	}
	for _, a := range t.About {
		if err := put(text(a[0]), text(a[1])); err != nil {
			return err
		}
	}
	r++
	if err := put(text("observation"), text("dataset"), text("reporter"), text("flow"), text("value_usd"), text("bound"), text("ref"), text("quote")); err != nil {
		return err
	}
	for _, s := range t.Sources {
		if err := put(num(float64(s.ObservationID)), num(float64(s.DatasetID)), text(s.Reporter), text(string(s.Flow)),
			num(s.ValueUSD), text(string(s.Bound)), text(s.Ref), text(s.Quote)); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func setCell(f *excelize.File, sheet string, col, row int, c Cell, style int) error {
	ref, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return err
	}
	switch {
	case c.Number != nil:
		err = f.SetCellFloat(sheet, ref, *c.Number, -1, 64)
	case c.Text != "":
		// SetCellStr stores text, never a formula; the apostrophe also
		// protects the cell if the workbook is re-saved as CSV.
		err = f.SetCellStr(sheet, ref, neutralise(c.Text))
	}
	if err == nil && style != 0 {
		err = f.SetCellStyle(sheet, ref, ref, style)
	}
	return err
}
