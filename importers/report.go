package importers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"tradedash/data"
)

// Report is what reading a file found, for a dry run, a preview or the
// summary after an import: the layout and why it was chosen, where the
// header and the unit were, what the rows hold, and what to look at
// before trusting the figures.
type Report struct {
	File      string // the file's name as given
	SHA256    string // of the file's bytes, as the dataset records it
	Layout    string // the layout's name, as Options.Format takes it
	Reason    string // why: "Comtrade legacy: 34 of 35 headers matched"
	Sheet     string // the worksheet read; empty for CSV
	Encoding  string // how a CSV file's bytes were read: "UTF-8", "Windows-1251 (Cyrillic)"
	HeaderRow int    // the header's row number as a spreadsheet shows it; 0 when not known
	// Header is the header row's cells as written, for choosing a
	// column mapping; empty when the layout has no such header (a wide
	// table).
	Header []string
	// Columns says which column each role of a long table was read
	// from, detected or given with Options.Map, in MapRoles order.
	Columns  []ColumnUse
	Unit     string // the unit values were read in: "US$", "thousand US$"
	UnitFrom string // where the unit was stated, or why it was assumed
	// Details are further findings about how the file was read: the
	// reporter taken from a title, the country-codes file used.
	Details []string

	Rows     int64         // observations read (stored, after an import)
	Periods  []data.Period // every period found, in order
	Pairs    []string      // reporter-partner pairs found, "IND-RUS", sorted; at most maxPairsListed
	NumPairs int           // how many pairs there are in all
	// Sample is the first observations read, at most Options.SampleRows.
	Sample []data.Observation

	// NoValue counts rows or cells left out because they state no value
	// ("", "..", "-"): not errors, the source gives no figure.
	NoValue int
	// BadRows are the rows left out with Options.SkipBadRows, each with
	// its place and what was wrong; at most maxBadRowsKept, of BadRowCount.
	BadRows     []*Error
	BadRowCount int
	// Warnings are what a user should check: stated totals that differ
	// from the sum of their parts, a unit assumed rather than stated.
	Warnings []string
}

// Limits on what a Report keeps, so that a file of a million bad rows does
// not make a million-line report in memory.
const (
	maxPairsListed = 200
	maxBadRowsKept = 10000
	progressEvery  = 10000 // observations between two Options.Progress calls, unless ProgressEvery says
)

// detection is what a layout found in the head rows besides its score:
// the header's index in head and the unit, with where it was stated.
type detection struct {
	header   int // index into head; -1 when not known
	unit     string
	unitFrom string
	details  []string
	columns  []ColumnUse // a long table's column per role
	cells    []string    // the header row's cells as written
}

// describer is a layout that can say where it found its header and unit.
// rows are the head rows' numbers as a spreadsheet shows them (blank
// lines are not in head).
type describer interface {
	describe(head [][]string, rows []int) detection
}

// reading is one file opened for reading: its bytes, rows and layout, and
// the report being filled in.
type reading struct {
	src    *source
	layout Layout
	rows   Rows
	o      Options
	report *Report
	rec    *recorder // while produce runs
	ref    *data.Reference
}

// begin checks the options, spools the file, detects its layout and
// starts the report. The caller must close the reading. When the file's
// layout is not found, the report is nil unless rows were read: then it
// holds the likeliest header (headerGuess), so that a column mapping can
// be chosen for a file detection cannot read.
func begin(ref *data.Reference, name string, r io.Reader, o Options) (*reading, *Report, error) {
	rd, err := begin1(ref, name, r, o)
	if err != nil {
		var guess *Report
		var h *headError
		if errors.As(err, &h) {
			err, guess = h.err, &Report{File: name, Sheet: h.sheet, Header: headerGuess(h.head)}
		}
		return nil, guess, err
	}
	return rd, rd.report, nil
}

// headError is a failure to find a file's layout, with the rows detection
// looked at.
type headError struct {
	err   error
	sheet string
	head  [][]string
}

func (h *headError) Error() string { return h.err.Error() }
func (h *headError) Unwrap() error { return h.err }

// headerGuess is the row of head most likely to be the header: the first
// with the most cells that are not blank.
func headerGuess(head [][]string) []string {
	var best []string
	n := 0
	for _, cells := range head {
		k := 0
		for _, c := range cells {
			if trimSpace(c) != "" {
				k++
			}
		}
		if k > n {
			best, n = cells, k
		}
	}
	out := make([]string, len(best))
	for i, c := range best {
		out[i] = trimSpace(c)
	}
	return out
}

func begin1(ref *data.Reference, name string, r io.Reader, o Options) (*reading, error) {
	if o.FiscalStartMonth < 0 || o.FiscalStartMonth > 12 || o.FiscalStartMonth == 1 {
		return nil, fmt.Errorf("%w: fiscal start month %d must be 2..12 (or 0 for calendar years only)", data.ErrInvalid, o.FiscalStartMonth)
	}
	if o.Year != 0 && (o.Year < 1900 || o.Year > 2100) {
		return nil, fmt.Errorf("%w: year %d is not a year between 1900 and 2100", data.ErrInvalid, o.Year)
	}
	if o.Unit != "" {
		if _, _, ok, _ := parseUnit(o.Unit); !ok {
			return nil, fmt.Errorf("%w: --unit %q is not a unit (expected US$, thousand US$, million US$ or billion US$)", data.ErrInvalid, o.Unit)
		}
	}
	if err := resolveDefaults(ref, &o); err != nil {
		return nil, err
	}
	if err := checkMap(o.Map); err != nil {
		return nil, locate(err, name, "")
	}
	rep := &Report{File: name}
	user := o.Skipped
	o.Skipped = func(e *Error) {
		rep.NoValue++
		if user != nil {
			user(e)
		}
	}
	if o.SkipBadRows {
		o.badRow = func(e *Error) {
			rep.BadRowCount++
			if len(rep.BadRows) < maxBadRowsKept {
				if e.File == "" {
					e.File = name
				}
				e.clip()
				rep.BadRows = append(rep.BadRows, e)
			}
		}
	}
	o.warn = func(w string) { rep.Warnings = append(rep.Warnings, w) }
	var rd *reading
	o.listedTotal = func(row int, label string, totals []data.Observation) {
		rep.Details = append(rep.Details, fmt.Sprintf("row %d %q is the sum of the partners listed above it, not trade with the World: not stored, only compared with them (if the table lists every partner, give the partner World: --partner World)", row, label))
		if rd != nil && rd.rec != nil && rd.rec.totals != nil {
			for _, t := range totals {
				rd.rec.totals.addListed(t, row)
			}
		}
	}
	src, err := spool(r)
	if err != nil {
		return nil, err
	}
	layout, rows, head, err := open(ref, name, src, o)
	if err != nil {
		src.close()
		err = encodingHint(err, src)
		if len(head.cells) > 0 {
			var e *Error
			sheet := ""
			if errors.As(err, &e) {
				sheet = e.Sheet
			}
			err = &headError{err: err, sheet: sheet, head: head.cells}
		}
		return nil, err
	}
	rep.SHA256 = src.sha256
	rd = &reading{src: src, layout: layout, rows: rows, o: o, report: rep, ref: ref}
	if err := rd.checkNames(name); err != nil {
		src.close()
		return nil, err
	}
	rep.Layout, rep.Reason, rep.Sheet, rep.Encoding = layout.Name(), head.reason, rows.Sheet(), src.encoding
	if d, ok := layout.(describer); ok {
		det := d.describe(head.cells, head.rows)
		if det.header >= 0 && det.header < len(head.rows) {
			rep.HeaderRow = head.rows[det.header]
		}
		rep.Unit, rep.UnitFrom, rep.Details = det.unit, det.unitFrom, det.details
		rep.Header, rep.Columns = det.cells, det.columns
		if strings.HasPrefix(det.unitFrom, "assumed") || strings.Contains(det.unitFrom, "check the figures") {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("values are read as %s: %s", det.unit, det.unitFrom))
		}
	}
	return rd, nil
}

// checkNames refuses go-echarts' code marker in the names that end up in
// labels besides the rows' own: the sheet's (in every source reference),
// the dataset's (by default the file's) and its source.
func (rd *reading) checkNames(file string) error {
	d := rd.dataset(file)
	name := "the dataset's name"
	if strings.TrimSpace(rd.o.Name) == "" {
		name += " (the file's, as no name was given)"
	}
	for _, n := range []struct{ what, v string }{{"the sheet's name", rd.rows.Sheet()}, {name, d.Name}, {"the source", d.Source}} {
		if strings.Contains(n.v, codeMarker) {
			return &Error{File: file, Sheet: rd.rows.Sheet(), Value: n.v, Msg: n.what + " " + codeMarkerMsg(n.v)}
		}
	}
	return nil
}

func (rd *reading) close() { rd.src.close() }

// dataset is the record an import of this file stores.
func (rd *reading) dataset(name string) data.Dataset {
	base := baseName(name)
	d := data.Dataset{
		Name:         strings.TrimSpace(rd.o.Name),
		Source:       rd.o.Source,
		OriginalName: base,
		Description:  description(rd.layout),
		SHA256:       rd.src.sha256,
		Format:       rd.layout.Name(),
		// In a file, two rows with one key are a repeat or a
		// contradiction; the store reports both (data.Duplicate).
		CheckDuplicates: true,
	}
	if d.Name == "" {
		d.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if d.Name == "" {
		d.Name = "import"
	}
	return d
}

// produce parses every row, recording what passes through emit in the
// report, and adds the findings that need the whole file.
func (rd *reading) produce(ctx context.Context, emit func(data.Observation) error) error {
	rec := newRecorder(rd.report, rd.o, rd.ref)
	rd.rec = rec
	switch rd.layout.Name() {
	case "baci":
		rec.totals = nil // BACI states HS6 flows only, never a total
	case "wide":
		rec.totals.shortfall = true // a wide table's Total row sums the rows above it
	}
	err := rd.layout.Parse(ctx, rd.rows, func(o data.Observation) error {
		if err := emit(o); err != nil {
			return err
		}
		rec.add(o)
		return nil
	})
	rec.finish()
	return err
}

// Check reads a file as Import would, every row, and reports what it
// found without storing anything: the dry run. The report is returned
// with an error whenever the layout was found, so that a refusal still
// says how the file was read (and, when it was not, with a guess at the
// header).
func Check(ctx context.Context, ref *data.Reference, name string, r io.Reader, o Options) (*Report, error) {
	rd, guess, err := begin(ref, name, r, o)
	if err != nil {
		return guess, err
	}
	defer rd.close()
	known := map[string]bool{} // keys the reference has listed
	err = rd.produce(ctx, func(ob data.Observation) error {
		// What the store checks as it writes: a valid observation between
		// countries the reference lists (layouts only give their keys).
		if err := ob.Validate(); err != nil {
			return err
		}
		for _, c := range []string{ob.Reporter, ob.Partner} {
			if known[c] {
				continue
			}
			if _, err := ref.Country(c); err != nil {
				return fmt.Errorf("%w: %q is not a country or aggregate code", data.ErrInvalid, c)
			}
			known[c] = true
		}
		return nil
	})
	if err != nil {
		return rd.report, encodingHint(locate(err, name, ""), rd.src)
	}
	return rd.report, nil
}

// recorder fills in the report from the observations as they are read.
type recorder struct {
	r        *Report
	o        Options
	sample   int
	ids      *keyIDs             // the totals check's, shared
	pairs    map[uint64]struct{} // by obsKey.pair
	lastPair uint64              // the last added to pairs
	// periods says which of ids.periods were observed: the totals
	// check also numbers the periods of a wide table's Total rows,
	// which are not observations.
	periods  []bool
	totals   *partsCheck
	progress int64
}

func newRecorder(r *Report, o Options, ref *data.Reference) *recorder {
	n := o.SampleRows
	if n == 0 {
		n = 10
	}
	totals := newPartsCheck(false, ref)
	return &recorder{r: r, o: o, sample: max(n, 0), ids: totals.ids, pairs: map[uint64]struct{}{}, totals: totals}
}

func (rc *recorder) add(o data.Observation) {
	rc.r.Rows++
	if len(rc.r.Sample) < rc.sample {
		rc.r.Sample = append(rc.r.Sample, o)
	}
	k := rc.ids.of(o)
	if p := k.pair(); p != rc.lastPair || len(rc.pairs) == 0 {
		rc.pairs[p] = struct{}{}
		rc.lastPair = p
	}
	for int(k.period) >= len(rc.periods) {
		rc.periods = append(rc.periods, false)
	}
	rc.periods[k.period] = true
	if rc.totals != nil {
		rc.totals.addKeyed(o, k)
	}
	if rc.o.Progress != nil && rc.r.Rows-rc.progress >= cmp.Or(rc.o.ProgressEvery, progressEvery) {
		rc.progress = rc.r.Rows
		rc.o.Progress(rc.r.Rows)
	}
}

// finish sorts what was found and adds the warnings about the whole file.
func (rc *recorder) finish() {
	r := rc.r
	for id, seen := range rc.periods {
		if seen {
			r.Periods = append(r.Periods, rc.ids.periods.keys[id])
		}
	}
	slices.SortFunc(r.Periods, func(a, b data.Period) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	r.NumPairs = len(rc.pairs)
	for p := range rc.pairs {
		r.Pairs = append(r.Pairs, rc.ids.reporters.keys[p>>32]+"-"+rc.ids.partners.keys[uint32(p)])
	}
	slices.Sort(r.Pairs)
	if len(r.Pairs) > maxPairsListed {
		r.Pairs = r.Pairs[:maxPairsListed]
	}
	if rc.totals != nil {
		r.Warnings = append(r.Warnings, rc.totals.warnings()...)
	}
	if r.NoValue > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d rows or cells state no value (empty, \"..\", \"-\") and were left out", r.NoValue))
	}
	if r.BadRowCount > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d bad rows were skipped (--skip-bad-rows); their figures are not in the dataset", r.BadRowCount))
	}
	if rc.o.Progress != nil && r.Rows != rc.progress {
		rc.o.Progress(r.Rows)
	}
}

// skipBadRow reports a row's *Error to o's bad-row callback and says
// whether the row may be left out; any other error, or none set, aborts.
func skipBadRow(o Options, err error) bool {
	var e *Error
	if o.badRow == nil || !errors.As(err, &e) || e.Row == 0 {
		return false
	}
	o.badRow(e)
	return true
}
