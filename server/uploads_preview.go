package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tradedash/data"
	"tradedash/importers"
)

// Previews: an upload parsed as its import would be, into a throwaway
// store, so that the admin sees what tradedash understood before
// anything is written.

// previewResult is what parsing a file found, before anything is stored.
type previewResult struct {
	File, SHA256        string
	Size                int64
	Layout, LayoutAbout string
	// How the importers read the file, from their Report: why the layout
	// was chosen, the header's row, the unit and where it is stated, and
	// further findings (a reporter taken from a title, a Total row left
	// out). Set even when the file is refused, once its layout is known.
	Reason, Sheet, Encoding string
	HeaderRow               int
	Header                  []string              // the header row's cells: the columns a mapping can choose
	Columns                 []importers.ColumnUse // the column each role was read from, detected or mapped
	Unit, UnitFrom          string
	Details                 []string
	Rows                    int64
	Skipped, Reporters      int
	FirstMonth              data.Month
	LastMonth               data.Month
	Periods                 []data.Period
	Pairs                   []data.Pair
	Observations            []data.Observation
	Warnings                []string
	Errors                  []importErrorJSON
	Duplicate               *data.Dataset
	Sheets                  []importers.Sheet // a workbook's worksheets; none for CSV
}

// layoutAbout says, for each layout the importers know, what made the file
// look like it.
var layoutAbout = map[string]string{
	"tradedash-long":  "The header has every column of tradedash's own long format (reporter, partner, period, flow, product classification, code and name, value_usd, bound, quantity, unit, source_ref, source_quote).",
	"comtrade-legacy": "The header has the columns of UN Comtrade's legacy CSV (Classification, Aggregate Level, Is Leaf Code, Trade Flow Code, Reporter ISO, Partner ISO, Commodity Code, Trade Value (US$)).",
	"long":            "A long table, one figure per row: its reporter, partner, period, flow and value columns were found by their header names.",
	"comtrade-plus":   "The header has the columns of a UN Comtrade Plus download (reporterISO, partnerISO, flowCode, cmdCode, primaryValue).",
	"baci":            "The header is CEPII BACI's (t, i, j, k, v, q): HS6 flows, values in thousand US$.",
	"wits":            "The header has the key columns of a World Bank WITS download (Reporter Name, Partner Name, Trade Flow, Product Group, Indicator) and years as columns: reporter, partner, flow, product and unit are read on every row, and indicators that are not values in US$ (shares, counts) are left out.",
	"imf-dots":        "The header has the key columns of the IMF's Direction of Trade Statistics (Country Name, Indicator Name, Counterpart Country Name, Attribute) and periods as columns: countries are read by name, imports valued CIF, and the unit comes from the options, as DOTS says only \"US Dollars\" and publishes millions.",
	"wide":            "A wide table: periods as columns, one partner or product per row; the reporter, flow and unit come from the title rows or the options.",
}

// preview parses an upload as an import would, into a throwaway SQLite
// database in os.TempDir, and reads back what it holds. It is the real
// import path, so the preview cannot promise what the import then refuses.
// The importers' Report says how the file was read (layout and why,
// header row, unit) and what to check (totals that differ from their
// parts, a unit assumed). Problems with the file's content are the
// preview's findings, not errors.
func (s *Server) preview(ctx context.Context, up *upload, o importers.Options) (previewResult, error) {
	r := previewResult{File: up.name, SHA256: up.sha256, Size: up.size}
	if d, err := s.datasetWithSHA(ctx, up.sha256); err != nil {
		return r, err
	} else if d != nil {
		r.Duplicate = d
		r.Warnings = append(r.Warnings, fmt.Sprintf("This file was already imported as dataset %d, %q: committing it again is refused.", d.ID, d.Name))
	}
	dir, err := os.MkdirTemp("", "tradedash-preview-*")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	tmp, err := data.Open(ctx, filepath.Join(dir, "preview.db"), s.ref)
	if err != nil {
		return r, fmt.Errorf("preview database: %w", err)
	}
	defer tmp.Close()
	o.Skipped = func(e *importers.Error) {
		if r.Skipped++; r.Skipped <= previewWarnings {
			r.Warnings = append(r.Warnings, "Left out, as it states no value: "+e.Error())
		}
	}
	f, err := os.Open(up.path)
	if err != nil {
		return r, err
	}
	defer f.Close()
	// What is wrong with a workbook that lists no sheets, the import says.
	r.Sheets, _ = importers.Sheets(f, up.size)
	d, rep, err := importers.ImportReport(ctx, tmp, up.name, f, o)
	r.addReport(rep)
	if err != nil {
		if r.Errors = importErrors(up.name, err); r.Errors != nil {
			return r, nil
		}
		return r, err
	}
	if r.Skipped > previewWarnings {
		r.Warnings = append(r.Warnings, fmt.Sprintf("…and %d more rows left out for stating no value.", r.Skipped-previewWarnings))
	}
	return r, r.fill(ctx, tmp, d)
}

// addReport takes what the importers' report found; nil when the file
// could not be opened or its layout not found.
func (r *previewResult) addReport(rep *importers.Report) {
	if rep == nil {
		return
	}
	r.Layout, r.Reason, r.Sheet, r.Encoding, r.HeaderRow = rep.Layout, rep.Reason, rep.Sheet, rep.Encoding, rep.HeaderRow
	r.Unit, r.UnitFrom, r.Details = rep.Unit, rep.UnitFrom, rep.Details
	r.Header, r.Columns = rep.Header, rep.Columns
	r.LayoutAbout = layoutText(rep.Layout)
	// The rows left out for stating no value are listed one by one
	// above, with their places; the report's count of them is not repeated.
	noValue := fmt.Sprintf("%d rows or cells state no value", rep.NoValue)
	for _, w := range rep.Warnings {
		if rep.NoValue > 0 && strings.HasPrefix(w, noValue) {
			continue
		}
		r.Warnings = append(r.Warnings, w)
	}
}

// layoutText says what a layout is, for the preview.
func layoutText(layout string) string {
	if t := layoutAbout[layout]; t != "" {
		return t
	}
	return fmt.Sprintf("The importers recognised the layout %q.", layout)
}

// fill reads back what the preview database holds of dataset d.
func (r *previewResult) fill(ctx context.Context, tmp *data.Store, d data.Dataset) error {
	r.Layout, r.Rows = d.Format, d.RowCount
	r.LayoutAbout = layoutText(d.Format)
	var err error
	if r.Observations, err = tmp.DatasetObservations(ctx, d.ID, previewRows); err != nil {
		return err
	}
	if r.Periods, err = tmp.DatasetPeriods(ctx, d.ID); err != nil {
		return err
	}
	if r.Pairs, err = tmp.Pairs(ctx, d.ID, 0); err != nil {
		return err
	}
	sums, err := tmp.Datasets(ctx)
	for _, sum := range sums {
		r.Reporters, r.FirstMonth, r.LastMonth = sum.Reporters, sum.FirstMonth, sum.LastMonth
	}
	return err
}
