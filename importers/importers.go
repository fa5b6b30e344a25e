// Package importers turns trade files into data.Observation rows and stores
// them as one dataset.
//
// Two questions are kept apart. A reader turns a container into rows of
// cells: CSV/TSV (encoding, delimiter and line-end detection) or one sheet
// of an Excel workbook (.xlsx, .xlsm), chosen by sniffing the bytes, never
// the file name; .xls, encrypted workbooks and OpenDocument spreadsheets
// are refused with what to do instead. A Layout turns rows into
// observations: the tradedash canonical long format, UN Comtrade's legacy
// and Plus files, CEPII BACI, generic long tables whose columns are found
// by normalised header text and synonyms, and wide tables with periods as
// columns: WITS and IMF DOTS tables, whose key columns are on every row,
// and statistics offices' tables, keyed by a title. Layouts are tried in one explicit ordered
// list, and the best-scoring one parses the file.
//
// Every error about the file's content is an *Error that says where it is
// (file, sheet, row, column, value) and what was expected; it wraps
// data.ErrInvalid.
package importers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"tradedash/data"
)

// Error is a problem with a file's content, located as precisely as it can
// be: `india.csv: row 12, column "Trade Value (US$)": "12x" is not a number`.
// Row numbers are the ones a spreadsheet program shows (the header is
// usually row 1). It wraps data.ErrInvalid.
type Error struct {
	File   string // the file's name as given, never a server path
	Sheet  string // empty for CSV
	Row    int    // 1-based; 0 when the problem is not in one row
	Column string // the header text of the column at fault; empty if none
	Value  string // the offending cell, if any
	Msg    string // what is wrong and what was expected
}

// Error writes the place first, then the message.
func (e *Error) Error() string {
	var place []string
	if e.Sheet != "" {
		place = append(place, fmt.Sprintf("sheet %q", e.Sheet))
	}
	if e.Row > 0 {
		place = append(place, "row "+strconv.Itoa(e.Row))
	}
	if e.Column != "" {
		place = append(place, fmt.Sprintf("column %q", e.Column))
	}
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if len(place) > 0 {
		b.WriteString(strings.Join(place, ", "))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Longest cell text and message an Error keeps: a 100 MB cell must not
// make a 100 MB message, API answer or log line.
const (
	maxValueShown = 200
	maxMsg        = 2000
)

// clip shortens a long Value, where the message quotes it too, and a long
// message, saying how long the value was.
func (e *Error) clip() {
	if len(e.Value) > maxValueShown {
		if len(e.Msg) > maxMsg {
			e.Msg = strings.ReplaceAll(e.Msg, strconv.Quote(e.Value), quoteValue(e.Value))
		}
		e.Value = clipValue(e.Value)
	}
	if len(e.Msg) > maxMsg {
		e.Msg = strings.ToValidUTF8(e.Msg[:maxMsg], "") + "…"
	}
}

// clipValue is the start of a long cell's text, for messages.
func clipValue(s string) string {
	if len(s) <= maxValueShown {
		return s
	}
	return strings.ToValidUTF8(s[:maxValueShown], "") + "…"
}

// quoteValue quotes a cell's text for a message: a long one clipped, with
// its length.
func quoteValue(s string) string {
	if len(s) <= maxValueShown {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%q (%d bytes)", clipValue(s), len(s))
}

// codeMarker is go-echarts' marker for JavaScript: its renderer strips the
// quotes around any string that carries it, so a label "__f__alert(1)__f__"
// would become code in a page that used Render. tradedash never renders
// that way, but the marker is refused at import so that no stored label
// can carry it to any page, export or future renderer.
const codeMarker = "__f__"

// codeMarkerMsg says why value, text that carries codeMarker, is refused.
func codeMarkerMsg(value string) string {
	return fmt.Sprintf("%s contains %q, go-echarts' marker for JavaScript code: chart labels would treat such text as code, so it cannot be stored (remove %q from it)",
		quoteValue(value), codeMarker, codeMarker)
}

// Unwrap makes errors.Is(err, data.ErrInvalid) true: a bad file is bad input.
func (e *Error) Unwrap() error { return data.ErrInvalid }

// Options says what the file does not: the dataset's name and source, how
// to read fiscal years, and the reporter or partner when the file has no
// column for it.
type Options struct {
	Name             string // dataset name; default: the file name without its extension
	Source           string // who published the figures, and where
	FiscalStartMonth int    // 2..12: "2022-23" starts in this month (7 for Pakistan, 4 for India); 0: fiscal labels are errors
	Reporter         string // the reporter when the file has no reporter column (ISO3, code or name)
	Partner          string // the partner when the file has no partner column
	Flow             string // the trade flow when the file has no flow column (wide tables): export, import, re-export, re-import
	Unit             string // the unit of the values, overriding what a wide table's title or a long table's value header states: "US$", "thousand US$", "million US$"
	Format           string // force a layout by its name (see LayoutNames); default: detect it
	Sheet            string // the workbook sheet to read, hidden or not; default: the first visible worksheet that has data (unused for CSV)
	// Map names, for a long table, the column that holds a role (one of
	// MapRoles: reporter, partner, period, flow, product, value), by its
	// header text or its letter ("D"). A mapped role is read from that
	// column and never detected; the other roles still are. A mapping
	// that names no column of the header refuses the file.
	Map map[string]string
	// Year is the calendar year of files that state none: a long table
	// without a period column, a wide table whose columns are months
	// without a year ("Jan", "Feb", …). 0: such files are refused.
	Year int
	// CountryCodes maps the numeric country codes of a CEPII BACI file to
	// countries, as BACI's country_codes_V*.csv states them (see
	// ReadBACICountryCodes); nil: the codes are read as ISO numeric or UN
	// Comtrade codes.
	CountryCodes *BACICountryCodes
	// SkipBadRows leaves out rows whose content is wrong (a value that is
	// not a number, a country that does not exist) instead of refusing
	// the file; every one is listed in the Report. Without it, any bad row
	// refuses the whole file and nothing is stored.
	SkipBadRows bool
	// SampleRows is how many observations a Report keeps as a sample:
	// 0 means 10, a negative number none.
	SampleRows int
	// Skipped, when set, is told about every row left out because it
	// states no value ("", "..", "n.a.", "-"). Such rows are not errors:
	// the source gives no figure, so none is stored.
	Skipped func(*Error)
	// Progress, when set, is told how many observations have been read,
	// every ProgressEvery observations and once at the end, for a
	// progress display.
	Progress func(rows int64)
	// ProgressEvery is how many observations there are between two
	// Progress calls: 0 means 10,000. A caller that knows a file's size
	// (the upload's preview counted its rows) sets about a hundredth of
	// it, so that a small file's bar moves too.
	ProgressEvery int64

	badRow func(*Error) // set by begin when SkipBadRows is
	// warn adds a warning to the Report: rows a layout read but did not
	// store (a WITS share, an IMF status flag). Set by begin.
	warn func(string)
	// listedTotal is told about a wide table's Total row under partner
	// rows, which is not stored: its row, label and one observation per
	// period that states a figure, with no partner. Set by begin.
	listedTotal func(row int, label string, totals []data.Observation)
}

// Rows is a stream of rows of cells, as a reader yields them.
type Rows interface {
	// Next returns the next row's number (1-based, as a spreadsheet shows
	// it) and cells; io.EOF after the last row. A bad row is an *Error.
	Next() (row int, cells []string, err error)
	// Sheet names the worksheet the rows come from; empty for CSV.
	Sheet() string
}

// Layout turns rows into observations. Detect scores the first rows of a
// file (0: not this layout, with the reason); Parse reads every row,
// header included, and calls emit once per observation.
type Layout interface {
	Name() string
	Detect(head [][]string) (score int, reason string)
	Parse(ctx context.Context, rows Rows, emit func(data.Observation) error) error
}

// layouts lists the layouts Import tries for one file, most specific
// first; on equal scores the earlier one wins.
func layouts(ref *data.Reference, file string, o Options) []Layout {
	return []Layout{
		newLong("tradedash-long", ref, file, o, canonicalSignature),
		newLong("comtrade-legacy", ref, file, o, comtradeLegacySignature),
		newComtradePlus(ref, file, o),
		newBACI(ref, file, o),
		newKeyed(witsSpec, ref, file, o),
		newKeyed(imfSpec, ref, file, o),
		newLong("long", ref, file, o, nil),
		newWide(ref, file, o),
	}
}

// LayoutNames lists the layouts' names in the order they are tried: the
// values Options.Format accepts.
func LayoutNames() []string {
	var names []string
	for _, l := range layouts(nil, "", Options{}) {
		names = append(names, l.Name())
	}
	return names
}

// headRows is how many rows detection looks at.
const headRows = 10

// Import reads one file from r and stores it into s as one dataset, all or
// nothing: the dataset records the sha256 of the bytes and the detected
// layout as its format. name is the file's name as the user gave it: errors
// start with it, and its last element is kept as the dataset's original
// name (and default name, without the extension). A file already
// imported is refused with an error wrapping data.ErrDuplicate, and the
// existing dataset is returned with it.
func Import(ctx context.Context, s *data.Store, name string, r io.Reader, o Options) (data.Dataset, error) {
	d, _, err := ImportReport(ctx, s, name, r, o)
	return d, err
}

// ImportReport is Import, also returning what reading the file found (nil
// when the file could not be opened; only the File, Sheet and a guess at
// the Header when its layout was not found).
func ImportReport(ctx context.Context, s *data.Store, name string, r io.Reader, o Options) (data.Dataset, *Report, error) {
	rd, guess, err := begin(s.Reference(), name, r, o)
	if err != nil {
		return data.Dataset{}, guess, err
	}
	defer rd.close()
	d, err := s.Import(ctx, rd.dataset(name), func(emit func(data.Observation) error) error {
		return rd.produce(ctx, emit)
	})
	if err != nil {
		if errors.Is(err, data.ErrDuplicate) {
			d, err := existing(ctx, s, rd.src.sha256, name, err)
			return d, rd.report, err
		}
		return data.Dataset{}, rd.report, encodingHint(locate(err, name, ""), rd.src)
	}
	rd.report.Rows = d.RowCount
	rd.report.Warnings = append(rd.report.Warnings, duplicateWarnings(name, d)...)
	return d, rd.report, nil
}

// encodingHint adds to a refusal of a CSV cell with letters outside ASCII,
// in a file that is not UTF-8, that the file was read as Windows-1252: a
// Cyrillic (Windows-1251) or other file comes out as "Ðîññèÿ", which
// names no country, and the message should say why.
func encodingHint(err error, src *source) error {
	var e *Error
	if src.validUTF8 || !errors.As(err, &e) || e.Sheet != "" || e.Value == "" || isASCII(e.Value) {
		return err
	}
	if src.encoding == encCP1251 {
		e.Msg += `; the file was read as Windows-1251 (Cyrillic): if it is in another encoding, save it as "CSV UTF-8"`
		return err
	}
	e.Msg += `; the file is not UTF-8, so it was read as Windows-1252 (Western European): if it is in another encoding, save it as "CSV UTF-8"`
	return err
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// description is what the layout says about how it read the file (the
// unit of a wide table and where it was stated), for the dataset's record.
func description(l Layout) string {
	if d, ok := l.(interface{ Description() string }); ok {
		return d.Description()
	}
	return ""
}

// resolveDefaults turns the default reporter and partner into ISO3 keys.
func resolveDefaults(ref *data.Reference, o *Options) error {
	for _, d := range []struct {
		what string
		v    *string
	}{{"reporter", &o.Reporter}, {"partner", &o.Partner}} {
		if strings.TrimSpace(*d.v) == "" {
			*d.v = ""
			continue
		}
		c, err := ref.Country(*d.v)
		if err != nil {
			return fmt.Errorf("%w: default %s: %s", data.ErrInvalid, d.what, msgOf(err))
		}
		*d.v = c.ISO3
	}
	if f := strings.TrimSpace(o.Flow); f != "" {
		fl, ok := parseFlow(f)
		if !ok {
			return fmt.Errorf("%w: default flow %q is not a trade flow (expected export, import, re-export or re-import)", data.ErrInvalid, f)
		}
		o.Flow = string(fl)
	}
	return nil
}

// baseName is the file's name without its directories: what the dataset
// and its source references keep, so that no local path is stored.
func baseName(name string) string {
	b := filepath.Base(filepath.ToSlash(name))
	if i := strings.LastIndexAny(b, `/\`); i >= 0 {
		b = b[i+1:]
	}
	if b == "." || b == "/" {
		return ""
	}
	return b
}

// existing finds the dataset that already holds a file's bytes.
func existing(ctx context.Context, s *data.Store, sum, name string, dup error) (data.Dataset, error) {
	sets, err := s.Datasets(ctx)
	if err != nil {
		return data.Dataset{}, errors.Join(fmt.Errorf("%s: %w", name, dup), err)
	}
	for _, d := range sets {
		if d.SHA256 == sum {
			return d.Dataset, fmt.Errorf("%s: %w: already imported as dataset %d %q on %s", name, data.ErrDuplicate,
				d.ID, d.Name, d.ImportedAt.UTC().Format("2006-01-02 15:04"))
		}
	}
	return data.Dataset{}, fmt.Errorf("%s: %w", name, dup)
}

// headInfo is what detection looked at and concluded: the head rows,
// their row numbers, and the chosen layout's reason.
type headInfo struct {
	cells  [][]string
	rows   []int
	reason string
}

// open sniffs the bytes, starts a reader on them and picks the layout. The
// returned rows start again at the top of the file.
func open(ref *data.Reference, name string, src *source, o Options) (Layout, Rows, headInfo, error) {
	var hi headInfo
	rows, err := newRows(src, name, o)
	if err != nil {
		return nil, nil, hi, locate(err, name, "")
	}
	if e, ok := rows.(interface{ encoding() string }); ok {
		src.encoding = e.encoding()
	}
	pr := &peekRows{rows: rows}
	for len(pr.buf) < headRows {
		row, cells, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, hi, locate(err, name, rows.Sheet())
		}
		pr.buf = append(pr.buf, peeked{row, cells})
	}
	for _, p := range pr.buf {
		hi.cells = append(hi.cells, p.cells)
		hi.rows = append(hi.rows, p.row)
	}
	head := hi.cells
	var (
		best    Layout
		score   int
		reasons []string
	)
	if o.Format != "" {
		for _, l := range layouts(ref, baseName(name), o) {
			if l.Name() == o.Format {
				sc, why := l.Detect(head) // a wide table remembers the unit it found
				hi.reason = "given with --format"
				if sc > 0 && why != "" {
					hi.reason += "; " + why
				}
				if _, ok := l.(*long); !ok && mapped(o.Map) {
					return nil, nil, hi, &Error{File: name, Sheet: rows.Sheet(), Msg: fmt.Sprintf("a column mapping applies to long tables, not to the layout %q", o.Format)}
				}
				return l, &locatedRows{Rows: pr, file: name}, hi, nil
			}
		}
		return nil, nil, hi, fmt.Errorf("%s: %w: unknown format %q (expected one of %s)", name, data.ErrInvalid, o.Format, strings.Join(LayoutNames(), ", "))
	}
	for _, l := range layouts(ref, baseName(name), o) {
		sc, why := l.Detect(head)
		if sc > score {
			best, score, hi.reason = l, sc, why
		}
		if sc <= 0 && why != "" && l.Name() == "long" {
			reasons = append(reasons, why) // the generic layout's reason says most
		}
	}
	if mapped(o.Map) {
		if _, ok := best.(*long); !ok {
			return nil, nil, hi, mapRefused(ref, name, rows.Sheet(), pr, head, o)
		}
	}
	if best == nil {
		row := 0
		if len(pr.buf) > 0 {
			row = pr.buf[0].row
		}
		msg := "the file has no rows"
		if len(reasons) > 0 {
			msg = reasons[len(reasons)-1]
		}
		if what := notTradeData(head); what != "" {
			msg = what
		}
		return nil, nil, hi, &Error{File: name, Sheet: rows.Sheet(), Row: row, Msg: msg}
	}
	return best, &locatedRows{Rows: pr, file: name}, hi, nil
}

// locate fills in the file (and sheet) of an *Error, so layouts need not know them.
func locate(err error, file, sheet string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e.File == "" {
			e.File = file
		}
		if e.Sheet == "" {
			e.Sheet = sheet
		}
		e.clip()
		return e // not the transaction's errors.Join around it: callers may type-assert
	}
	if file == "" {
		return err
	}
	return fmt.Errorf("%s: %w", file, err)
}

// peeked is one row read ahead for detection.
type peeked struct {
	row   int
	cells []string
}

// peekRows replays the rows read for detection, then reads on.
type peekRows struct {
	rows Rows
	buf  []peeked
}

func (p *peekRows) Next() (int, []string, error) {
	if len(p.buf) > 0 {
		r := p.buf[0]
		p.buf = p.buf[1:]
		return r.row, r.cells, nil
	}
	return p.rows.Next()
}

func (p *peekRows) Sheet() string { return p.rows.Sheet() }

// locatedRows names the file in the reader's own errors.
type locatedRows struct {
	Rows
	file string
}

func (l *locatedRows) Next() (int, []string, error) {
	row, cells, err := l.Rows.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		err = locate(err, l.file, l.Sheet())
	}
	return row, cells, err
}

// source is a file's bytes, readable from any offset (a workbook's zip
// directory is at its end), with what one pass over them told us.
type source struct {
	reader    *io.SectionReader
	sha256    string
	size      int64
	validUTF8 bool
	encoding  string   // how a CSV file's bytes are read; empty for a workbook
	cleanups  []func() // run by close, the last registered first
}

// onClose has fn run when the source is closed, before what was
// registered earlier: a reader's own cleanup (a workbook's temporary
// files) comes before the source's.
func (s *source) onClose(fn func()) { s.cleanups = append(s.cleanups, fn) }

// close releases what reading the source took. It is a method, not a
// field holding a func, so that a `defer src.close()` written before a
// reader registers its cleanup still runs it.
func (s *source) close() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
}

// spool reads r once to hash it and check its encoding, and returns a way
// to read the same bytes again: r itself when it can seek and read at an
// offset (an *os.File, a multipart upload), else a temporary file. CSV
// rows are never all in memory. A workbook is, for now: excelize reads the
// whole file (up to maxUnzipped), until the fast sheet scanner planned in
// the issue streams the sheet's XML from the zip.
func spool(r io.Reader) (*source, error) {
	h := sha256.New()
	u := &utf8Check{valid: true}
	if rs, ok := r.(interface {
		io.ReadSeeker
		io.ReaderAt
	}); ok {
		start, err := rs.Seek(0, io.SeekCurrent)
		if err == nil {
			n, err := io.Copy(io.MultiWriter(h, u), rs)
			if err != nil {
				return nil, fmt.Errorf("read: %w", err)
			}
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, fmt.Errorf("read: %w", err)
			}
			return &source{reader: io.NewSectionReader(rs, start, n), sha256: hex.EncodeToString(h.Sum(nil)), size: n, validUTF8: u.done()}, nil
		}
	}
	f, err := os.CreateTemp("", "tradedash-import-*")
	if err != nil {
		return nil, fmt.Errorf("spool the upload: %w", err)
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	n, err := io.Copy(io.MultiWriter(f, h, u), r)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("read: %w", err)
	}
	src := &source{reader: io.NewSectionReader(f, 0, n), sha256: hex.EncodeToString(h.Sum(nil)), size: n, validUTF8: u.done()}
	src.onClose(cleanup)
	return src, nil
}

// utf8Check is a writer that reports whether everything written to it
// was valid UTF-8, carrying a rune split across two writes.
type utf8Check struct {
	valid bool
	carry []byte
}

func (u *utf8Check) Write(p []byte) (int, error) {
	if !u.valid {
		return len(p), nil
	}
	b := append(u.carry, p...)
	// Keep back an incomplete rune at the end for the next write.
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(b[:cut]) {
		u.valid = false
	}
	u.carry = append(u.carry[:0:0], b[cut:]...)
	return len(p), nil
}

// done reports the verdict once everything is written.
func (u *utf8Check) done() bool { return u.valid && len(u.carry) == 0 }

// mapRefused says why a file given a column mapping is not read as a
// long table: what the generic long layout found wrong with its header
// (a mapping that names no column, a role still missing), located at the
// first row that is not blank.
func mapRefused(ref *data.Reference, name, sheet string, pr *peekRows, head [][]string, o Options) error {
	l := newLong("long", ref, baseName(name), o, nil)
	_, _, why := l.findHeader(head)
	row := 0
	for i, p := range pr.buf {
		if !blank(head[i]) {
			row = p.row
			break
		}
	}
	return &Error{File: name, Sheet: sheet, Row: row, Msg: why}
}

// duplicateWarnings lists the figures the file stated twice, as the store
// found them, after a count when there are more than it lists.
func duplicateWarnings(name string, d data.Dataset) []string {
	if d.DuplicatesFound == 0 {
		return nil
	}
	out := []string{fmt.Sprintf("%s states %d figures more than once (same reporter, partner, period, flow and product)", baseName(name), d.DuplicatesFound)}
	for _, dup := range d.Duplicates {
		out = append(out, dup.String())
	}
	if d.DuplicatesFound > len(d.Duplicates) {
		out = append(out, fmt.Sprintf("… and %d more", d.DuplicatesFound-len(d.Duplicates)))
	}
	return out
}
