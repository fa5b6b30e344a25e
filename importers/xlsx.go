package importers

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits on what one workbook may make the reader hold. excelize's own
// defaults would let a 1 MiB file unzip to 16 GB.
const (
	// maxUnzipped caps all the package's parts together, unzipped.
	// archive/zip holds every part to the size its header declares.
	maxUnzipped = 256 << 20
	// maxXMLPart is the biggest worksheet or shared-strings part kept in
	// memory; a bigger one is unzipped to a temporary file and streamed.
	maxXMLPart = 16 << 20
	// maxColumns is how many cells a row may have; a cell further right
	// is an error naming its row.
	maxColumns = 1000
)

// newXLSXRows opens an Excel workbook (.xlsx, .xlsm) and streams the rows
// of one worksheet: the one named by sheet, else the first visible
// worksheet that has data (hidden sheets and chart sheets are skipped).
//
// Cells come out as text, so that the layouts treat them as they treat a
// CSV file's:
//
//   - a number as its value, never as displayed: "1,234" formatting or a
//     currency sign change nothing, and a binary artefact such as
//     0.56000000000000005 comes out as "0.56": excelize writes the
//     shortest decimal that reads back as the same float64, or, past 15
//     significant digits, rounds to Excel's 15 (in exponent form for the
//     widest, "1.23456789012346E+22", which the number parser reads);
//   - a number with a date format as an ISO 8601 date at the precision
//     the format shows: "2019" (yyyy), "2019-03" (mmm-yy) or "2019-03-01"
//     (any format with a day; the time of day is dropped), in the 1900 or
//     1904 date system the workbook declares. A year typed as the number
//     2019 is not a date and stays "2019". Time-only and duration formats
//     ([h]:mm) are not dates: those cells give their number;
//   - a formula as its cached result, as Excel last saved it (formulas
//     are never evaluated); an error result as its text ("#N/A",
//     "#DIV/0!"), which the number parser refuses with the cell's place;
//   - shared and inline strings as written; booleans as TRUE or FALSE;
//   - an ISO 8601 date cell (t="d", which Excel does not write) as
//     excelize reads it: a UTC time ("…Z") as a date like the others,
//     any other as the text it holds.
//
// In the first headRows rows, a merged range's value (which the file
// holds only in the range's first cell) is copied into every cell of the
// range, so that a merged header names all the columns under it; not in
// a sheet whose XML is over maxXMLPart (see headerMerges).
//
// Rows are numbered as the spreadsheet numbers them, empty rows counted.
//
// The sheet's XML is read by the fast sheet scanner (sheetscan.go) as a
// stream; excelize reads the rest of the package (workbook, styles,
// shared strings, relationships), and reads on where the scanner gives
// up. A worksheet part over maxXMLPart is never unzipped whole: excelize
// is given the package with that part emptied (see litePackage), and the
// scanner streams it from the zip.
func newXLSXRows(src *source, sheet string) (*xlsxRows, error) {
	return openXLSX(src, sheet, true)
}

// openXLSX is newXLSXRows, with the fast scanner or (for the tests that
// compare the two) without it.
func openXLSX(src *source, sheet string, scanner bool) (x *xlsxRows, err error) {
	defer recoverExcelize(&err, sheet, 0)
	if err := sniffZip(src.reader, src.size); err != nil {
		return nil, err
	}
	if src.size > maxUnzipped {
		return nil, &Error{Msg: fmt.Sprintf("the workbook is larger than %d MiB; save the sheet as CSV", maxUnzipped>>20)}
	}
	zr, err := zip.NewReader(src.reader, src.size)
	if err != nil {
		return nil, openError(err)
	}
	var (
		lite     []byte
		streamed map[string]*zip.File
	)
	if scanner {
		if lite, streamed, err = litePackage(zr); err != nil {
			return nil, openError(err)
		}
	}
	// excelize unzips big parts into TmpDir, and forgets them when opening
	// fails half-way: a directory of our own is removed in every case.
	tmp, err := os.MkdirTemp("", "tradedash-xlsx-*")
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	src.onClose(func() { os.RemoveAll(tmp) })
	open := func(r io.Reader) (*excelize.File, error) {
		f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxXMLPart, TmpDir: tmp})
		if f != nil {
			src.onClose(func() { f.Close() })
		}
		if err != nil {
			return nil, openError(err)
		}
		return f, nil
	}
	var pkg io.Reader = io.NewSectionReader(src.reader, 0, src.size)
	if lite != nil {
		pkg = bytes.NewReader(lite)
	}
	f, err := open(pkg)
	if err != nil {
		return nil, err
	}
	fast := newFastPath(f, zr, streamed)
	name, err := chooseSheet(f, sheet, fast.hasData)
	if err != nil {
		return nil, err
	}
	kinds, err := isoDates(f)
	if err != nil {
		return nil, &Error{Sheet: name, Msg: fmt.Sprintf("cannot read the workbook's number formats: %v", err)}
	}
	x = &xlsxRows{sheet: name, merges: headerMerges(f, name)}
	// excelizeRows reads the sheet with excelize: from the package as
	// given when a part was emptied for the scanner.
	x.excelizeRows = func() (*excelize.Rows, error) {
		g := f
		if _, ok := streamed[sheetPart(f, name)]; ok {
			if g, err = open(io.NewSectionReader(src.reader, 0, src.size)); err != nil {
				return nil, err
			}
			if _, err := isoDates(g); err != nil {
				return nil, &Error{Sheet: name, Msg: fmt.Sprintf("cannot read the workbook's number formats: %v", err)}
			}
		}
		rows, err := g.Rows(name)
		if err != nil {
			return nil, &Error{Sheet: name, Msg: fmt.Sprintf("cannot read the sheet: %v", err)}
		}
		src.onClose(func() { rows.Close() })
		return rows, nil
	}
	if scanner {
		if x.scan, err = fast.scanner(name, kinds); err != nil {
			return nil, &Error{Sheet: name, Msg: fmt.Sprintf("cannot read the sheet: %v", err)}
		}
	}
	if x.scan != nil {
		src.onClose(x.close)
		return x, nil
	}
	if x.rows, err = x.excelizeRows(); err != nil {
		return nil, err
	}
	return x, nil
}

// xlsxRows streams one worksheet's rows: from the fast scanner while it
// can read them, then from excelize.
type xlsxRows struct {
	sheet        string
	scan         *fastScan
	ahead        *scanAhead  // runs scan in its own goroutine, from the first row read
	pending      *scannedRow // read by the scanner, not yet returned; nil or &held
	held         scannedRow  // pending's storage, so that a row costs no allocation
	excelizeRows func() (*excelize.Rows, error)
	rows         *excelize.Rows
	row          int // the number of the row last read
	merges       []mergeRange
	done         bool
	fellBack     bool // the scanner handed over to excelize
}

// scannedRow is a row as the scanner read it.
type scannedRow struct {
	row   int
	cells []string
}

// Sheet names the worksheet, for messages.
func (x *xlsxRows) Sheet() string { return x.sheet }

// Next returns the next row that has a cell.
func (x *xlsxRows) Next() (row int, cells []string, err error) {
	defer recoverExcelize(&err, x.sheet, x.row)
	if x.scan != nil {
		row, cells, err = x.nextScanned()
		if !errors.Is(err, errFallback) {
			return row, cells, err
		}
		// excelize reads on from the row the scanner could not read:
		// its iterator steps through every row number, so x.row steps
		// take it past the rows already returned.
		x.close()
		x.scan = nil
		x.fellBack = true
		if x.rows, err = x.excelizeRows(); err != nil {
			x.done = true
			return 0, nil, err
		}
		// Columns too: it reads on to the next row's start, and
		// excelize's iterator depends on what it has read.
		for range x.row {
			if !x.rows.Next() {
				break
			}
			if _, err := x.rows.Columns(); err != nil {
				break
			}
		}
	}
	return x.next()
}

// close stops the scanner's goroutine, then closes the part it read.
func (x *xlsxRows) close() {
	if x.ahead != nil {
		x.ahead.close()
	}
	if x.scan != nil {
		x.scan.close()
	}
}

// nextScanned is next for the rows the scanner reads. Rows absent from
// the file are stepped through as excelize steps through them, so that
// merged header cells spread into them too.
func (x *xlsxRows) nextScanned() (int, []string, error) {
	for !x.done {
		if x.pending == nil {
			if x.ahead == nil {
				x.ahead = newScanAhead(x.scan)
			}
			n, cells, err := x.ahead.Next()
			switch {
			case errors.Is(err, io.EOF):
				x.done = true
				return 0, nil, io.EOF
			case errors.Is(err, errFallback):
				return 0, nil, err
			case err != nil:
				x.done = true
				var e *Error
				if errors.As(err, &e) {
					e.Sheet, e.Row = x.sheet, x.row+1
					return 0, nil, e
				}
				return 0, nil, &Error{Sheet: x.sheet, Row: x.row + 1, Msg: fmt.Sprintf("the workbook is damaged (%v); save or download it again", err)}
			}
			x.held = scannedRow{n, cells}
			x.pending = &x.held
		}
		if x.pending.row > x.row+1 && x.row < headRows && len(x.merges) > 0 {
			x.row++
			if cells := x.spread(nil); len(cells) > 0 {
				return x.row, cells, nil
			}
			continue
		}
		p := x.pending
		x.row, x.pending = p.row, nil
		if cells := x.spread(p.cells); len(cells) > 0 {
			return x.row, cells, nil
		}
	}
	return 0, nil, io.EOF
}

// next reads on to the next row that has a cell. excelize's iterator
// stops at every row number, those absent from the file included, so
// counting its steps gives the spreadsheet's row numbers.
func (x *xlsxRows) next() (int, []string, error) {
	for !x.done {
		if !x.rows.Next() {
			x.done = true
			if err := x.rows.Error(); err != nil {
				return 0, nil, &Error{Sheet: x.sheet, Row: x.row + 1, Msg: fmt.Sprintf("cannot read the row: %v", err)}
			}
			break
		}
		x.row++
		cells, err := x.rows.Columns()
		if err != nil {
			x.done = true
			return 0, nil, &Error{Sheet: x.sheet, Row: x.row, Msg: fmt.Sprintf("cannot read the row: %v", err)}
		}
		if len(cells) > maxColumns {
			x.done = true
			col, _ := excelize.ColumnNumberToName(len(cells))
			last, _ := excelize.ColumnNumberToName(maxColumns)
			return 0, nil, &Error{Sheet: x.sheet, Row: x.row, Value: cells[len(cells)-1],
				Msg: fmt.Sprintf("the row has a cell in column %s (column %d), but at most %d columns (A to %s) are read; delete what lies beyond", col, len(cells), maxColumns, last)}
		}
		cells = x.spread(cells)
		if len(cells) > 0 {
			return x.row, cells, nil
		}
	}
	return 0, nil, io.EOF
}

// recoverExcelize turns a panic inside excelize into an *Error: the
// workbook is untrusted input, and a bad file must fail alone, not stop
// the program.
func recoverExcelize(err *error, sheet string, row int) {
	if r := recover(); r != nil {
		*err = &Error{Sheet: sheet, Row: row, Msg: fmt.Sprintf("the workbook could not be read (the xlsx library failed: %v)", r)}
	}
}

// openError explains why excelize could not open a package that has a
// workbook's content types.
func openError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unzip size exceeds"):
		return &Error{Msg: fmt.Sprintf("the workbook unzips to more than %d MiB, more than this importer reads; save the sheet as CSV", maxUnzipped>>20)}
	case strings.HasPrefix(msg, "zip: "), strings.HasPrefix(msg, "flate: "), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Msg: fmt.Sprintf("the workbook is damaged (%v); save or download it again", err)}
	}
	return &Error{Msg: fmt.Sprintf("cannot read the workbook: %v", err)}
}

// chooseSheet returns the sheet named want (hidden or not; an exact match
// first, then one that differs in case only, as Excel does), or, when
// want is empty, the first visible sheet that has a cell.
func chooseSheet(f *excelize.File, want string, hasData func(*excelize.File, string) bool) (string, error) {
	names := f.GetSheetList()
	if want != "" {
		if n, ok := SheetNamed(names, want); ok {
			return n, nil
		}
		return "", &Error{Msg: fmt.Sprintf("the workbook has no sheet %q; its sheets are %s", want, listSheets(f, names))}
	}
	for _, n := range names {
		if sheetVisible(f, n) && hasData(f, n) {
			return n, nil
		}
	}
	if len(names) == 0 {
		return "", &Error{Msg: "the workbook has no sheets"}
	}
	return "", &Error{Msg: fmt.Sprintf("no visible worksheet of the workbook has data; its sheets are %s (name a hidden one to read it)", listSheets(f, names))}
}

// SheetNamed is the sheet of names that Options.Sheet = want reads: the
// exact name first, then one that differs in case only, as Excel matches
// sheet names.
func SheetNamed(names []string, want string) (string, bool) {
	for _, n := range names {
		if n == want {
			return n, true
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, want) {
			return n, true
		}
	}
	return "", false
}

// listSheets quotes sheet names for messages, marking hidden ones.
func listSheets(f *excelize.File, names []string) string {
	const most = 20
	var b strings.Builder
	for i, n := range names {
		if i == most {
			fmt.Fprintf(&b, " and %d more", len(names)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
		if !sheetVisible(f, n) {
			b.WriteString(" (hidden)")
		}
	}
	return b.String()
}

// sheetVisible reports whether a sheet is visible, from the workbook's
// own record: excelize's GetSheetVisible says false for a name with a
// character Excel does not allow (such as "/"), which a hand-made file
// can have.
func sheetVisible(f *excelize.File, name string) bool {
	if f.WorkBook == nil {
		return true
	}
	for _, s := range f.WorkBook.Sheets.Sheet {
		if s.Name == name {
			return s.State == "" || s.State == "visible"
		}
	}
	return true
}

// hasData reports whether a sheet has a non-blank cell; a chart sheet has
// no rows. A sheet that cannot be read counts as having data, so that
// reading it says what is wrong.
func hasData(f *excelize.File, sheet string) bool {
	rows, err := f.Rows(sheet)
	if err != nil {
		return true
	}
	defer rows.Close()
	for rows.Next() {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil || !blank(cells) {
			return true
		}
	}
	return rows.Error() != nil
}

// dateKind is how much of a date a number format shows.
type dateKind int

const (
	notDate dateKind = iota
	dateYear
	dateMonth
	dateDay
)

// isoFormats are the formats that write each kind of date in ISO 8601.
var isoFormats = [...]string{dateYear: "yyyy", dateMonth: "yyyy-mm", dateDay: "yyyy-mm-dd"}

// isoDates makes excelize write the cells that have a date format as ISO
// 8601 dates, and every other number as its value.
//
// Raw cell values (excelize's RawCellValue) would lose which numbers are
// dates: that is in the cell's style. So the rows are read formatted, but
// through the workbook's style table rewritten in memory (the file is
// never saved): each cell style with a date format gets the ISO format of
// its precision, and each other style a number format that does not
// exist, which excelize leaves unapplied. Styles are per workbook, so a
// format shared by many cells is classified once.
//
// It returns the date kind of each cell style as rewritten, for the fast
// sheet scanner.
func isoDates(f *excelize.File) ([]dateKind, error) {
	ss := f.Styles
	if ss == nil || ss.CellXfs == nil || len(ss.CellXfs.Xf) == 0 {
		return nil, nil
	}
	custom := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			custom[nf.NumFmtID] = nf.FormatCode
			if nf.FormatCode16 != "" {
				custom[nf.NumFmtID] = nf.FormatCode16
			}
		}
	}
	xfs := len(ss.CellXfs.Xf)
	kinds := make([]dateKind, xfs)
	for i, xf := range ss.CellXfs.Xf {
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		if code, ok := custom[id]; ok {
			kinds[i] = formatDateKind(code)
		} else {
			kinds[i] = builtinDateKind(id)
		}
	}
	var iso [len(isoFormats)]int // number format ID of each ISO format
	for i, k := range kinds {
		if k == notDate || iso[k] != 0 {
			continue
		}
		style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &isoFormats[k]})
		if err != nil {
			return nil, err
		}
		if style < 0 || style >= len(ss.CellXfs.Xf) || ss.CellXfs.Xf[style].NumFmtID == nil {
			return nil, fmt.Errorf("no number format for cell style %d", i)
		}
		iso[k] = *ss.CellXfs.Xf[style].NumFmtID
	}
	none := 1000 // a number format ID that no format has
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf != nil && nf.NumFmtID >= none {
				none = nf.NumFmtID + 1
			}
		}
	}
	for i, k := range kinds {
		id := none
		if k != notDate {
			id = iso[k]
		}
		ss.CellXfs.Xf[i].NumFmtID = &id
	}
	// The styles NewStyle added keep their ISO format, so that a cell
	// whose style index is past the file's own styles is read as
	// excelize reads it.
	out := make([]dateKind, len(ss.CellXfs.Xf))
	for i, xf := range ss.CellXfs.Xf {
		for k := dateYear; k <= dateDay; k++ {
			if xf.NumFmtID != nil && iso[k] != 0 && *xf.NumFmtID == iso[k] {
				out[i] = k
			}
		}
	}
	return out, nil
}

// builtinDateKind classifies Excel's built-in number formats: 14–17 and
// 22 are dates (m/d/yy, d-mmm-yy, d-mmm, mmm-yy, m/d/yy h:mm), 27–31, 36
// and 50–58 the dates of East Asian locales; 18–21, 32–35 and 45–47 are
// times of day or durations.
func builtinDateKind(id int) dateKind {
	switch {
	case id == 17:
		return dateMonth
	case 14 <= id && id <= 16, id == 22, 27 <= id && id <= 31, id == 36, 50 <= id && id <= 58:
		return dateDay
	}
	return notDate
}

// formatDateKind classifies a custom number format code by the date parts
// its first section shows. Quoted text, escaped characters, brackets
// ([Red], [$-409], and the elapsed-time [h] of durations), AM/PM and
// "General" are set aside; then y is a year, d a day, h and s time, and m
// a month unless it follows an h or comes before an s (then minutes).
func formatDateKind(code string) dateKind {
	s := strings.ToLower(code)
	for _, w := range []string{"general", "am/pm", "a/p"} {
		s = strings.ReplaceAll(s, w, "")
	}
	var parts []byte // one letter for each run of date or time letters
	quoted := false
scan:
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ';':
			break scan
		case c == '\\', c == '_', c == '*':
			i++
		case c == '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				break scan
			}
			if t := strings.Trim(s[i+1:i+end], "hms"); t == "" && end > 1 {
				parts = append(parts, 'h') // elapsed time
			}
			i += end
		case strings.IndexByte("ymdhs", c) >= 0 && (i == 0 || s[i-1] != c):
			parts = append(parts, c)
		}
	}
	var year, month, day bool
	for i, c := range parts {
		switch c {
		case 'y':
			year = true
		case 'd':
			day = true
		case 'm':
			minutes := i > 0 && parts[i-1] == 'h' || i+1 < len(parts) && parts[i+1] == 's'
			month = month || !minutes
		}
	}
	switch {
	case day:
		return dateDay
	case month:
		return dateMonth
	case year:
		return dateYear
	}
	return notDate
}

// maxMerges is how many merged ranges in the header rows are spread; a
// real header has a few dozen.
const maxMerges = 1000

// mergeRange is a merged range of cells that reaches into the first
// headRows rows, clipped to them and to maxColumns.
type mergeRange struct {
	c1, r1, c2, r2 int    // 1-based, inclusive
	value          string // the first cell's value, once its row is read
}

// spread copies each merged range's value into all its cells of the
// current row.
func (x *xlsxRows) spread(cells []string) []string {
	if x.row > headRows {
		return cells
	}
	for i := range x.merges {
		m := &x.merges[i]
		if x.row < m.r1 || x.row > m.r2 {
			continue
		}
		if x.row == m.r1 && m.c1 <= len(cells) {
			m.value = cells[m.c1-1]
		}
		if m.value == "" {
			continue
		}
		for len(cells) < m.c2 {
			cells = append(cells, "")
		}
		for c := m.c1; c <= m.c2; c++ {
			cells[c-1] = m.value
		}
	}
	return cells
}

// headerMerges returns the merged ranges that reach into the first
// headRows rows of a sheet.
//
// They are read from the <mergeCells> element that follows the sheet's
// cells, in the sheet's XML as excelize holds it in memory. excelize's
// own GetMergeCells would load the whole sheet into structs, padding
// every row out to its last cell and the sheet out to its last row: a
// small crafted file would then take gigabytes. A sheet too big to be
// kept in memory (over maxXMLPart, streamed from a temporary file) has
// its merged cells left as they are.
func headerMerges(f *excelize.File, sheet string) []mergeRange {
	b := sheetXML(f, sheet)
	i := bytes.LastIndex(b, []byte("sheetData"))
	if i < 0 {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(b[i:]))
	d.Strict = false
	var out []mergeRange
	for n := 0; n < 1<<20 && len(out) < maxMerges; n++ {
		tok, err := d.Token()
		if err != nil {
			break // the end of the fragment, at </worksheet> or before
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "mergeCell" {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local != "ref" {
				continue
			}
			first, last, _ := strings.Cut(a.Value, ":")
			c1, r1, err1 := excelize.CellNameToCoordinates(first)
			c2, r2, err2 := excelize.CellNameToCoordinates(last)
			if err1 != nil || err2 != nil {
				continue
			}
			c1, c2 = min(c1, c2), max(c1, c2)
			r1, r2 = min(r1, r2), max(r1, r2)
			if r1 <= headRows && c1 <= maxColumns {
				out = append(out, mergeRange{c1: c1, r1: r1, c2: min(c2, maxColumns), r2: min(r2, headRows)})
			}
		}
	}
	return out
}

// sheetXML returns a worksheet's XML part as excelize holds it in memory,
// or nil when it is held in a temporary file or cannot be found.
func sheetXML(f *excelize.File, sheet string) []byte {
	p := sheetPart(f, sheet)
	if p == "" {
		return nil
	}
	b, _ := f.Pkg.Load(p)
	xmlBytes, _ := b.([]byte)
	return xmlBytes
}

// sheetPart returns the name of a worksheet's part, found as excelize
// finds it: the package's relationships name the workbook part, whose
// relationships name the sheet's part. It is "" when there is none.
func sheetPart(f *excelize.File, sheet string) string {
	if f.WorkBook == nil {
		return ""
	}
	id := ""
	for _, s := range f.WorkBook.Sheets.Sheet {
		if s.Name == sheet {
			id = s.ID
		}
	}
	workbook := ""
	for _, r := range partRels(f, "_rels/.rels") {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			workbook = strings.TrimPrefix(r.Target, "/")
		}
	}
	if id == "" || workbook == "" {
		return ""
	}
	dir := path.Dir(workbook)
	for _, r := range partRels(f, strings.TrimPrefix(path.Join(dir, "_rels", path.Base(workbook)+".rels"), "/")) {
		if r.ID != id {
			continue
		}
		target := strings.ReplaceAll(r.Target, `\`, "/")
		p := path.Join(dir, target)
		if strings.HasPrefix(target, "/") {
			p = path.Clean(target)
		}
		return strings.TrimPrefix(p, "/")
	}
	return ""
}

// rel is one relationship of an OPC part.
type rel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// partRels reads the relationships part at name, if excelize holds it.
func partRels(f *excelize.File, name string) []rel {
	b, _ := f.Pkg.Load(name)
	data, _ := b.([]byte)
	var rels struct {
		Rels []rel `xml:"Relationship"`
	}
	if len(data) == 0 || xml.Unmarshal(data, &rels) != nil {
		return nil
	}
	return rels.Rels
}
