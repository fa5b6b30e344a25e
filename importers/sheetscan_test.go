package importers

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// sheetRead is what one reader made of one sheet.
type sheetRead struct {
	Rows []numbered
	Err  string
}

// readBoth reads a sheet of the workbook b twice: with the fast scanner
// (which may hand over to excelize) and with excelize alone. scanned
// says whether the scanner read the whole sheet itself.
func readBoth(tb testing.TB, b []byte, sheet string) (fast, slow sheetRead, scanned bool) {
	tb.Helper()
	read := func(scanner bool) (sheetRead, bool) {
		src, err := spool(bytes.NewReader(b))
		if err != nil {
			tb.Fatal(err)
		}
		defer src.close()
		var out sheetRead
		x, err := openXLSX(src, sheet, scanner)
		if err != nil {
			out.Err = err.Error()
			return out, false
		}
		started := x.scan != nil
		for range 2_000_000 {
			n, cells, err := x.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				out.Err = err.Error()
				break
			}
			out.Rows = append(out.Rows, numbered{n, cells})
		}
		return out, started && !x.fellBack
	}
	fast, scanned = read(true)
	slow, _ = read(false)
	return fast, slow, scanned
}

// sheetNames lists a workbook's sheets as excelize reads them.
func sheetNames(tb testing.TB, b []byte) []string {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	return f.GetSheetList()
}

// diffWorkbooks checks every sheet of each workbook: the scanner's rows
// (row numbers and cells) and errors equal excelize's. It returns how
// many sheets the scanner read to the end by itself.
func diffWorkbooks(t *testing.T, books map[string][]byte) (scanned, sheets int) {
	t.Helper()
	for name, b := range books {
		for _, sheet := range sheetNames(t, b) {
			fast, slow, whole := readBoth(t, b, sheet)
			if !sameRead(slow, fast) {
				t.Errorf("%s, sheet %q (-excelize +scanner):\n%s", name, sheet, cmp.Diff(slow, fast))
			}
			sheets++
			if whole {
				scanned++
			} else {
				t.Logf("%s, sheet %q: read by excelize", name, sheet)
			}
		}
	}
	return scanned, sheets
}

// TestSheetScannerMatchesExcelize is the differential test of the fast
// sheet scanner: for every sheet of every workbook in testdata/xlsx (from
// Excel, LibreOffice, Gnumeric, Google Sheets, Apple Numbers, WPS,
// openpyxl, XlsxWriter, SheetJS and others), of the workbooks excelize
// writes in these tests, and of the workbooks in ../shared/data (read in
// place, never copied: some have no licence), the rows the scanner gives
// equal those excelize's Rows gives, exactly.
func TestSheetScannerMatchesExcelize(t *testing.T) {
	t.Parallel()
	books := map[string][]byte{
		"excelizeWorkbook":  excelizeWorkbook(t, plainBook),
		"errorCellBook":     excelizeWorkbook(t, errorCellBook),
		"wideRowBook":       excelizeWorkbook(t, wideRowBook),
		"edgeCases":         edgeCaseWorkbook(t, 50, false),
		"edgeCases1904":     edgeCaseWorkbook(t, 50, true),
		"strictNamespace":   strictWorkbook(t),
		"prefixedNamespace": prefixedWorkbook(t),
	}
	var files []string
	for _, pattern := range []string{
		filepath.Join(xlsxDir, "*.xls[xm]"),
		filepath.Join("..", "..", "shared", "data", "*", "*.xls[xm]"),
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d workbooks found", len(files))
	}
	for _, p := range files {
		if strings.HasSuffix(p, "pass_protected.xlsx") {
			continue // not a zip: refused before either reader
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		books[p] = b
	}
	scanned, sheets := diffWorkbooks(t, books)
	t.Logf("%d of %d sheets read by the scanner to the end", scanned, sheets)
	// The scanner must do the work, not hand every sheet over: all but
	// the sheets with ISO date cells (t="d") and chart sheets.
	if sheets < 60 || scanned < sheets-8 {
		t.Errorf("the scanner read only %d of %d sheets to the end", scanned, sheets)
	}
}

// TestSheetScannerStreamed: a worksheet over maxXMLPart is streamed from
// the zip (excelize is given an empty one), and reads as excelize reads
// it; so does the same workbook once the scanner must hand over to
// excelize in the middle of the sheet.
func TestSheetScannerStreamed(t *testing.T) {
	t.Parallel()
	b := edgeCaseWorkbook(t, 70000, false)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	big := ""
	for _, f := range zr.File {
		if streamedPart(f) {
			big = f.Name
		}
	}
	if big == "" {
		for _, f := range zr.File {
			t.Logf("%s %d", f.Name, f.UncompressedSize64)
		}
		t.Fatal("no worksheet is big enough to be streamed")
	}
	// A row near 20,000 gets an ISO date cell, which the scanner leaves
	// to excelize.
	part := string(readPart(t, b, big))
	at := strings.Index(part, `<row r="2000`)
	if at < 0 {
		t.Fatal("no row 2000x")
	}
	row := part[at : at+strings.Index(part[at:], ">")]
	handOver := rewritePart(t, b, big, row+">", row+`><c t="d"><v>2019-03-01T00:00:00Z</v></c>`)
	for name, book := range map[string][]byte{"streamed": b, "handOver": handOver} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fast, slow, whole := readBoth(t, book, "Data")
			if whole != (name == "streamed") {
				t.Errorf("read by the scanner to the end: %v", whole)
			}
			if len(slow.Rows) < 52000 || slow.Err != "" {
				t.Fatalf("excelize read %d rows, error %q", len(slow.Rows), slow.Err)
			}
			if !sameRead(slow, fast) {
				t.Errorf("(-excelize +scanner):\n%s", cmp.Diff(slow, fast))
			}
		})
	}
}

// sameRead compares two reads quickly (cmp.Diff takes seconds on tens
// of thousands of rows; it only explains a difference).
func sameRead(a, b sheetRead) bool {
	return a.Err == b.Err && slices.EqualFunc(a.Rows, b.Rows, func(x, y numbered) bool {
		return x.Row == y.Row && slices.Equal(x.Cells, y.Cells)
	})
}

// edgeCaseWorkbook writes, with excelize's StreamWriter, a sheet "Data"
// of rows rows (made-up test values, not statistics) that has what the
// scanner must read as excelize does: strings that need escaping, _xHHHH_
// escapes, leading and trailing spaces, numbers at and past 15 digits,
// negative and tiny numbers, booleans, formulas with and without cached
// results, dates in each date kind (and in a time-only format), gaps
// between rows and between cells; and a second sheet with header merges.
// A big sheet (over 1,000 rows) has dates in one row of 40.
func edgeCaseWorkbook(tb testing.TB, rows int, date1904 bool) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.SetSheetName("Sheet1", "Data"); err != nil {
		tb.Fatal(err)
	}
	style := func(code string) int {
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			tb.Fatal(err)
		}
		return id
	}
	day, month, year, tod := style("d mmm yyyy"), style("mmm-yy"), style("yyyy"), style("hh:mm")
	builtin, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		tb.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Data")
	if err != nil {
		tb.Fatal(err)
	}
	texts := []string{"India", "Côte d'Ivoire", "a < b & c > d", " padded ", "line\nbreak", "tab\there", "_x0041_ escaped", "Россия", "中国", "\"quoted\"", "'apos'"}
	numbers := []any{0, -1, 1234567.891, 0.1, 1e-7, 123456789012345678.0, -0.5, 2019, 8595602512225, 6226189464.5, 1.0 / 3}
	r := 1
	for i := 0; r <= rows; i++ {
		cells := []any{
			texts[i%len(texts)],
			numbers[i%len(numbers)],
			excelize.Cell{StyleID: day, Value: 43466 + i%400},
			excelize.Cell{StyleID: month, Value: float64(43466+i%400) + 0.75},
			excelize.Cell{StyleID: year, Value: 40000 + i%3000},
			excelize.Cell{StyleID: tod, Value: 0.5},
			excelize.Cell{StyleID: builtin, Value: []any{-5, 0, 1, 59, 60, 61, 2958465, 3e6, 0.999999}[i%9]},
			i%2 == 0,
			excelize.Cell{Formula: "B" + fmt.Sprint(r) + "*2", Value: i},
			excelize.Cell{Formula: "A1"},
			nil,
			fmt.Sprintf("%04d", i%9999),
		}
		if rows > 1000 && i%40 != 0 {
			// excelize's date formatting, the reference, takes some 100 µs a cell
			cells[2], cells[3], cells[4], cells[6] = i, float64(i)+0.75, -i, 0.5
		}
		if i%5 == 3 {
			cells = cells[:2] // a short row
		}
		cell, _ := excelize.CoordinatesToCellName(1+i%3, r)
		if err := sw.SetRow(cell, cells); err != nil {
			tb.Fatal(err)
		}
		r += 1 + i%4/3 // every fourth row leaves a gap
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if _, err := f.NewSheet("Header"); err != nil {
		tb.Fatal(err)
	}
	for cell, v := range map[string]any{"A1": "Exports, thousand US$", "A3": "Partner", "B3": 2019, "C3": 2020, "B2": "Year", "A4": "China", "B4": 12.5, "C4": time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)} {
		if err := f.SetCellValue("Header", cell, v); err != nil {
			tb.Fatal(err)
		}
	}
	for _, m := range [][2]string{{"A1", "D1"}, {"B2", "C2"}, {"A3", "A4"}} {
		if err := f.MergeCell("Header", m[0], m[1]); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// strictWorkbook is lo_long.xlsx with its worksheet in Strict OOXML's
// namespace.
func strictWorkbook(tb testing.TB) []byte {
	return rewritePart(tb, mustRead(tb, "lo_long.xlsx"), "xl/worksheets/sheet1.xml",
		`xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`, `xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"`)
}

// prefixedWorkbook is lo_long.xlsx with every worksheet element under a
// namespace prefix, x:, and cells without r attributes.
func prefixedWorkbook(tb testing.TB) []byte {
	b := mustRead(tb, "lo_long.xlsx")
	part := readPart(tb, b, "xl/worksheets/sheet1.xml")
	s := strings.Replace(string(part), `xmlns="`, `xmlns:x="`, 1)
	s = strings.ReplaceAll(s, "<", "<x:")
	s = strings.NewReplacer("<x:/", "</x:", "<x:?", "<?", "<x:!", "<!").Replace(s)
	s = cellRef.ReplaceAllString(s, `<x:$1`)
	return rewritePart(tb, b, "xl/worksheets/sheet1.xml", string(part), s)
}

// cellRef matches the r attribute of a row or cell.
var cellRef = regexp.MustCompile(`<x:(row|c) r="[A-Z]*[0-9]+"`)

// readPart returns one part of a zip.
func readPart(tb testing.TB, b []byte, name string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				tb.Fatal(err)
			}
			defer rc.Close()
			part, err := io.ReadAll(rc)
			if err != nil {
				tb.Fatal(err)
			}
			return part
		}
	}
	tb.Fatalf("no part %s", name)
	return nil
}

// fuzzBook is a workbook with one worksheet, whose XML the fuzzer
// writes: shared strings, a date style of each kind and a time style.
func fuzzBook(tb testing.TB, sheetXML []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="17"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="4"/></cellXfs></styleSheet>`},
		{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>Reporter</t></si><si><t xml:space="preserve"> India </t></si><si><r><t>Rich </t></r><r><rPr><b/></rPr><t>text</t></r></si><si><t>_x0041_&amp;</t></si></sst>`},
		{"xl/worksheets/sheet1.xml", string(sheetXML)},
	} {
		w, err := zw.Create(p[0])
		if err != nil {
			tb.Fatal(err)
		}
		io.WriteString(w, p[1])
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzSheetScanner runs the scanner and excelize on the same worksheet
// XML, in a workbook with shared strings and date styles: they must give
// the same rows and errors, and the scanner must not panic. The seeds
// are the worksheets of every workbook in testdata/xlsx, and a few
// written for the cases the scanner hands over to excelize.
func FuzzSheetScanner(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(xlsxDir, "*.xls[xm]"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			continue // the encrypted workbook
		}
		for _, zf := range zr.File {
			name := strings.ToLower(partName(zf))
			if !strings.Contains(name, "worksheets/") || !strings.HasSuffix(name, ".xml") || zf.UncompressedSize64 > 64<<10 {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				f.Fatal(err)
			}
			part, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(part)
		}
	}
	const ns = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	for _, body := range []string{
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>3</v></c><c t="s"><v> 2</v></c><c t="s"><v>9</v></c></row>`,
		`<row><c><v>43466</v></c><c s="1"><v>43466.5</v></c><c s="2"><v>-1</v></c><c s="3"><v>60</v></c><c s="4"><v>1.5</v></c><c s="5"><v>1234.5</v></c></row>`,
		`<row r="3"><c r="C3" t="inlineStr"><is><t>a&#x41;&lt;</t><r><t>b</t></r></is></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="str"><f>A1</f><v>x</v></c><c><f>1/0</f></c></row>`,
		`<row r="2"/><row r="1"><c><v>1</v></c></row>`,
		`<!-- comment --><row r="1"><c r="$A$1"><v>1</v></c></row>`,
		`<row r="1"><c r="A1" t="d"><v>2019-03-01T00:00:00Z</v></c></row>`,
		`<row r="1"><c r="A1"><v>1.0000000000000002</v></c><c><v>00012</v></c><c><v>1e3</v></c><c><v>0x10</v></c><c><v>Inf</v></c><c><v>1_000</v></c></row>`,
	} {
		f.Add([]byte(ns + body + `</sheetData></worksheet>`))
	}
	f.Fuzz(func(t *testing.T, sheetXML []byte) {
		b := fuzzBook(t, sheetXML)
		fast, slow, _ := readBoth(t, b, "S")
		if diff := cmp.Diff(slow, fast); diff != "" {
			t.Errorf("(-excelize +scanner):\n%s", diff)
		}
	})
}

// benchRead reads the first sheet of book with or without the scanner.
func benchRead(b *testing.B, scanner bool) {
	path := benchFile(b, "long100k.xlsx", 100_000, writeLongXLSX)
	book, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(book)))
	b.ReportAllocs()
	for b.Loop() {
		src, err := spool(bytes.NewReader(book))
		if err != nil {
			b.Fatal(err)
		}
		x, err := openXLSX(src, "", scanner)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, _, err := x.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		src.close()
		if n != 100_001 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(100_001*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSheetScanner reads a 100,000-row long table with the scanner.
func BenchmarkSheetScanner(b *testing.B) { benchRead(b, true) }

// BenchmarkSheetExcelize reads it with excelize's Rows alone.
func BenchmarkSheetExcelize(b *testing.B) { benchRead(b, false) }

// TestInternTextByColumn: internText gives back the text in every case;
// a column of repeated names keeps sharing one string per name, and a
// column of figures that are nearly all new stops filling the table.
func TestInternTextByColumn(t *testing.T) {
	t.Parallel()
	s := newSheetScanner(nil, nil, nil, nil)
	names := []string{"India", "Russian Federation", "China", "World"}
	first := map[string]*byte{}
	for i := range 3 * internWindow {
		name := names[i*7/3%len(names)] // runs and changes
		figure := strconv.Itoa(i*7919 + 13)
		got := s.internText([]byte(name), 0)
		if got != name {
			t.Fatalf("column A: %q, want %q", got, name)
		}
		if p, ok := first[name]; !ok {
			first[name] = unsafe.StringData(got)
		} else if p != unsafe.StringData(got) {
			t.Fatalf("row %d: %q is a new string, not the one interned", i, name)
		}
		if got := s.internText([]byte(figure), 1); got != figure {
			t.Fatalf("column B: %q, want %q", got, figure)
		}
	}
	if s.byCol[0].off || !s.byCol[1].off {
		t.Errorf("interning off: names %v, figures %v; want false, true", s.byCol[0].off, s.byCol[1].off)
	}
	if n := len(s.intern); n > internWindow+len(names) {
		t.Errorf("%d texts interned; the figures should have stopped after %d", n, internWindow)
	}
	if got := s.internText([]byte("x"), maxInternCols+5); got != "x" {
		t.Errorf("a column past maxInternCols: %q", got)
	}
}
