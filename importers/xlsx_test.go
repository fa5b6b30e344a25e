package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"

	"tradedash/data"
)

// xlsxDir holds the workbooks: third-party files (see ../NOTICE.md) and
// the ones make-fixtures.sh has LibreOffice and Gnumeric write.
const xlsxDir = "testdata/xlsx"

// mustRead reads a file from testdata/xlsx.
func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(xlsxDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// numbered is a row as a reader yields it.
type numbered struct {
	Row   int
	Cells []string
}

// readRows starts the reader that b's bytes call for and returns every
// row, the sheet's name, and the first error.
func readRows(tb testing.TB, b []byte, sheet string) (string, []numbered, error) {
	tb.Helper()
	src, err := spool(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	defer src.close()
	rows, err := newRows(src, "", Options{Sheet: sheet})
	if err != nil {
		return "", nil, err
	}
	var out []numbered
	for {
		n, cells, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return rows.Sheet(), out, nil
		}
		if err != nil {
			return rows.Sheet(), out, err
		}
		out = append(out, numbered{n, cells})
	}
}

// rewritePart returns the zip b with the part name edited: each old
// string (which must be there) replaced by the new one after it.
func rewritePart(tb testing.TB, b []byte, name string, oldNew ...string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		if f.Name == name {
			for i := 0; i < len(oldNew); i += 2 {
				if !bytes.Contains(part, []byte(oldNew[i])) {
					tb.Fatalf("%s has no %q:\n%s", name, oldNew[i], part)
				}
				part = bytes.ReplaceAll(part, []byte(oldNew[i]), []byte(oldNew[i+1]))
			}
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(part)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// The variants of the workbook excelizeWorkbook writes.
const (
	plainBook = iota
	errorCellBook
	wideRowBook
)

// excelizeWorkbook writes, with excelize, the workbook a statistics office
// might publish: a hidden first sheet of notes; then sheet "Data" with a
// merged title, a two-row header whose "Value (US$)" is merged down
// across both rows, a value with a thousands format, a value stored as
// text with separators, an empty row, a month as a date in the 1904 date
// system, a formula with its cached result, and a float artefact in a
// column the layout ignores. The figures for India's 2019 trade with
// Russia and Pakistan are UN Comtrade's (data/demo); the March 2019 figure
// and the shares are test values.
//
// errorCellBook has a #N/A formula result as row 9's value, wideRowBook a
// cell in column XFD of row 5.
func excelizeWorkbook(tb testing.TB, variant int) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	check := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	yes := true
	check(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	check(f.SetSheetName("Sheet1", "Notes"))
	check(f.SetCellValue("Notes", "A1", "Reporter,Partner,Year,Flow,Value: this sheet is hidden and must not be read by default"))
	data, err := f.NewSheet("Data")
	check(err)
	f.SetActiveSheet(data) // excelize keeps the active sheet visible
	check(f.SetSheetVisible("Notes", false))
	thousands, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	check(err)
	month, err := f.NewStyle(&excelize.Style{NumFmt: 17}) // mmm-yy
	check(err)

	sw, err := f.NewStreamWriter("Data")
	check(err)
	rows := []struct {
		cell  string
		cells []any
	}{
		{"A1", []any{"India's trade with selected partners, 2019 (US$)"}},
		{"A2", []any{"Countries", nil, "Trade", nil, nil, "Value (US$)", "Share"}},
		{"A3", []any{"Reporter", "Partner", "Period", "Flow", "Product", nil, "of total"}},
		{"A4", []any{"India", "Russian Federation", 2019, "Import", "TOTAL", excelize.Cell{StyleID: thousands, Value: 6226189464}, 0.56}},
		{"A5", []any{"India", "Russian Federation", 2019, "Export", "TOTAL", "2,871,228,560"}},
		// row 6 is empty
		{"A7", []any{"India", "Pakistan", 2019, "Export", "TOTAL", excelize.Cell{StyleID: thousands, Value: 1186205288}}},
		{"A8", []any{"India", "Pakistan", excelize.Cell{StyleID: month, Value: 42063}, "Export", "TOTAL", 98765}}, // 2019-03-01 in the 1904 system
		{"A9", []any{"India", "Pakistan", 2019, "Import", "TOTAL", excelize.Cell{Formula: "60000000+7312849", Value: 67312849}}},
	}
	if variant == errorCellBook {
		rows[len(rows)-1].cells[5] = excelize.Cell{Formula: "NA()"}
	}
	for _, r := range rows {
		check(sw.SetRow(r.cell, r.cells))
	}
	check(sw.MergeCell("A1", "G1"))
	check(sw.MergeCell("A2", "B2"))
	check(sw.MergeCell("C2", "E2"))
	check(sw.MergeCell("F2", "F3"))
	check(sw.Flush())
	var buf bytes.Buffer
	check(f.Write(&buf))
	// excelize writes neither float artefacts nor error results, and its
	// stream writer cannot go back to row 5: edit the XML.
	edits := []string{`<c r="G4"><v>0.56</v></c>`, `<c r="G4"><v>0.56000000000000005</v></c>`}
	switch variant {
	case errorCellBook:
		edits = append(edits, `<c r="F9" t="str"><f>NA()</f></c>`, `<c r="F9" t="e"><f>NA()</f><v>#N/A</v></c>`)
	case wideRowBook:
		edits = append(edits, `</row><row r="7">`, `<c r="XFD5" t="inlineStr"><is><t>stray</t></is></c></row><row r="7">`)
	}
	return rewritePart(tb, buf.Bytes(), "xl/worksheets/sheet2.xml", edits...)
}

func TestXLSXExcelizeWorkbook(t *testing.T) {
	t.Parallel()
	b := excelizeWorkbook(t, plainBook)
	path := filepath.Join(t.TempDir(), "trade.xlsx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sheet, rows, err := readRows(t, b, "")
	if err != nil {
		t.Fatal(err)
	}
	title := "India's trade with selected partners, 2019 (US$)"
	want := []numbered{
		{1, slices.Repeat([]string{title}, 7)},
		{2, []string{"Countries", "Countries", "Trade", "Trade", "Trade", "Value (US$)", "Share"}},
		{3, []string{"Reporter", "Partner", "Period", "Flow", "Product", "Value (US$)", "of total"}}, // F3 from the merge F2:F3
		{4, []string{"India", "Russian Federation", "2019", "Import", "TOTAL", "6226189464", "0.56"}},
		{5, []string{"India", "Russian Federation", "2019", "Export", "TOTAL", "2,871,228,560"}},
		{7, []string{"India", "Pakistan", "2019", "Export", "TOTAL", "1186205288"}},
		{8, []string{"India", "Pakistan", "2019-03", "Export", "TOTAL", "98765"}},
		{9, []string{"India", "Pakistan", "2019", "Import", "TOTAL", "67312849"}},
	}
	if sheet != "Data" {
		t.Errorf("sheet %q; want Data (Notes is hidden)", sheet)
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	s := mustStore(t)
	d := mustImport(t, s, path, Options{}) // from an *os.File
	if d.RowCount != 5 || d.Format != "long" || d.Name != "trade" {
		t.Errorf("dataset %+v; want 5 rows of format long", d)
	}
	for _, c := range []struct {
		partner string
		flow    data.Flow
		want    float64
	}{{"RUS", data.Import, 6226189464}, {"RUS", data.Export, 2871228560}, {"PAK", data.Export, 1186205288}, {"PAK", data.Import, 67312849}} {
		if got := figure(t, s, "IND", c.partner, 2019, c.flow); got != c.want {
			t.Errorf("IND %s %s 2019 = %.0f; want %.0f", c.flow, c.partner, got, c.want)
		}
	}
	p, err := parse(t, "trade.xlsx", b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, o := range p.obs {
		sum += o.ValueUSD
		if o.Period == monthPeriod(t, "2019-03") && o.ValueUSD != 98765 {
			t.Errorf("March 2019: %+v", o)
		}
	}
	if want := 6226189464.0 + 2871228560 + 1186205288 + 98765 + 67312849; sum != want || len(p.obs) != 5 {
		t.Errorf("%d observations summing to %.0f; want 5 summing to %.0f", len(p.obs), sum, want)
	}
	if ref := p.obs[2].SourceRef; ref != "trade.xlsx, sheet Data, row 7" {
		t.Errorf("source reference %q", ref)
	}

	// A sheet named in the options is read even when hidden; its place is in the errors.
	_, err = Import(context.Background(), s, "trade.xlsx", bytes.NewReader(b), Options{Sheet: "notes"})
	if e := asError(t, err); e.Sheet != "Notes" || !strings.HasPrefix(err.Error(), `trade.xlsx: sheet "Notes", row 1: `) {
		t.Errorf("hidden sheet: %v (%+v)", err, e)
	}
	_, err = Import(context.Background(), s, "trade.xlsx", bytes.NewReader(b), Options{Sheet: "Daten"})
	if asError(t, err); err.Error() != `trade.xlsx: the workbook has no sheet "Daten"; its sheets are "Notes" (hidden), "Data"` {
		t.Errorf("unknown sheet: %v", err)
	}
}

// monthPeriod is a one-month period, as ParsePeriod reads "2019-03".
func monthPeriod(tb testing.TB, s string) data.Period {
	tb.Helper()
	p, err := data.ParsePeriod(s, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestXLSXOtherWriters: the workbooks LibreOffice and Gnumeric write from
// long.csv give exactly the CSV's observations, and the same totals in a
// store.
func TestXLSXOtherWriters(t *testing.T) {
	t.Parallel()
	csvBytes := mustRead(t, "long.csv")
	fromCSV, err := parse(t, "long.csv", csvBytes, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fromCSV.obs) != 10 {
		t.Fatalf("long.csv gives %d observations; want 10", len(fromCSV.obs))
	}
	row := func(ref string) string { return ref[strings.LastIndex(ref, ", row ")+2:] }
	key := cmp.Transformer("key", func(p data.Product) string { return p.Key() })
	// The committed fixtures (make-fixtures.sh), and the same workbooks
	// written now by the LibreOffice and Gnumeric on this machine, so that
	// a new version of either is tested as it writes.
	for _, tt := range []struct {
		name, file, sheet string
		read              func(t *testing.T) []byte
	}{
		{"lo_long.xlsx", "lo_long.xlsx", "lo_long", func(t *testing.T) []byte { return mustRead(t, "lo_long.xlsx") }},
		{"gnumeric_long.xlsx", "gnumeric_long.xlsx", "gnumeric_long.csv", func(t *testing.T) []byte { return mustRead(t, "gnumeric_long.xlsx") }},
		{"written now by LibreOffice", "lo_long.xlsx", "lo_long", func(t *testing.T) []byte { return convertNow(t, "soffice", csvBytes, "lo_long") }},
		{"written now by Gnumeric", "gnumeric_long.xlsx", "gnumeric_long.csv", func(t *testing.T) []byte { return convertNow(t, "ssconvert", csvBytes, "gnumeric_long") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.read(t)
			got, err := parse(t, tt.file, b, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(fromCSV.obs, got.obs, key, cmpopts.IgnoreFields(data.Observation{}, "SourceRef")); diff != "" {
				t.Errorf("observations differ from long.csv's (-csv +xlsx):\n%s", diff)
			}
			for i, o := range got.obs {
				if want := fmt.Sprintf("%s, sheet %s, %s", tt.file, tt.sheet, row(fromCSV.obs[i].SourceRef)); o.SourceRef != want {
					t.Errorf("source reference %q; want %q", o.SourceRef, want)
				}
			}
			if got.format != fromCSV.format {
				t.Errorf("format %s; the CSV's is %s", got.format, fromCSV.format)
			}

			s := mustStore(t)
			d, err := Import(context.Background(), s, tt.file, bytes.NewReader(b), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for _, o := range got.obs {
				sum += o.ValueUSD
			}
			if d.RowCount != 10 || sum != 494889272479 {
				t.Errorf("%d rows summing to %.0f; want 10 summing to 494889272479", d.RowCount, sum)
			}
			if v := figure(t, s, "IND", "RUS", 2019, data.Import); v != 6226189464 {
				t.Errorf("IND imports from RUS 2019 = %.0f", v)
			}
			if v := figure(t, s, "IND", "CIV", 2019, data.Import); v != 505657359 {
				t.Errorf("IND imports from CIV 2019 = %.0f", v)
			}
		})
	}
}

// convertNow writes csv as an .xlsx with LibreOffice ("soffice") or
// Gnumeric ("ssconvert"), as make-fixtures.sh does, from a CSV file named
// base.csv (LibreOffice names the sheet base, Gnumeric base.csv). Both
// are test dependencies (.ci/install-test-deps): a missing one fails.
func convertNow(t *testing.T, tool string, csv []byte, base string) []byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, base+".csv")
	if err := os.WriteFile(in, csv, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, base+".xlsx")
	var cmd *exec.Cmd
	switch tool {
	case "soffice":
		// Comma (44), double quote (34), UTF-8 (76), from line 1; a profile
		// of its own, so that parallel runs do not share one.
		cmd = exec.Command("soffice", "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")), "--headless",
			"--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", dir, in)
	case "ssconvert":
		cmd = exec.Command("ssconvert", "--import-encoding=UTF-8", "--export-type=Gnumeric_Excel:xlsx2", in, out)
	default:
		t.Fatalf("no converter %q", tool)
	}
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s (install it with .ci/install-test-deps): %v\n%s", tool, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%s wrote no %s: %v", tool, out, err)
	}
	return b
}

// TestXLSXRefuses: every file that is not a readable workbook gets its own
// message, located in the file, and leaves the database as it was.
func TestXLSXRefuses(t *testing.T) {
	t.Parallel()
	lo := mustRead(t, "lo_long.xlsx")
	zipOf := func(parts ...string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := 0; i < len(parts); i += 2 {
			w, _ := zw.Create(parts[i])
			io.WriteString(w, parts[i+1])
		}
		zw.Close()
		return buf.Bytes()
	}
	const xlsxTypes = `<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`
	// Zip bombs' directories: parts said to unzip to 300 MiB (archive/zip
	// would hold them to that size, but excelize must not even start),
	// and a worksheet said to unzip to 5 GiB (a big worksheet is streamed
	// by the sheet scanner, up to maxStreamedSheet).
	bombOf := func(part string, size uint64) []byte {
		var bomb bytes.Buffer
		zw := zip.NewWriter(&bomb)
		w, _ := zw.Create("[Content_Types].xml")
		io.WriteString(w, xlsxTypes)
		w, _ = zw.CreateRaw(&zip.FileHeader{Name: part, Method: zip.Store, CompressedSize64: 4, UncompressedSize64: size})
		io.WriteString(w, "<x/>")
		zw.Close()
		return bomb.Bytes()
	}

	tests := []struct {
		name string
		in   []byte
		want string
	}{
		// Only the sniffer says this: excelize never sees the file (it would
		// spend some 20 s deriving a key from an empty password).
		{"calamine_pass_protected.xlsx", mustRead(t, "calamine_pass_protected.xlsx"), "calamine_pass_protected.xlsx: this workbook is password-protected; remove the password in Excel"},
		{"calamine_date.xls", mustRead(t, "calamine_date.xls"), ".xls (Excel 97–2003) is not supported; save as .xlsx or CSV"},
		{"calamine_any_sheets.ods", mustRead(t, "calamine_any_sheets.ods"), "OpenDocument spreadsheets are not supported yet; save as .xlsx or CSV"},
		{"truncated.xlsx", lo[:len(lo)/2], "damaged or incomplete"},
		{"empty.xlsx", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), "an empty zip archive"},
		{"data.zip", zipOf("data.csv", "a,b\n1,2\n"), "a zip archive, not a workbook or a CSV file"},
		{"report.docx", zipOf("[Content_Types].xml", `<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`), "not an Excel workbook"},
		{"book.xlsb", zipOf("[Content_Types].xml", `<Types><Override ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>`), ".xlsb"},
		{"bomb.xlsx", bombOf("xl/sharedStrings.xml", 300<<20), "unzips to more than 256 MiB"},
		{"sheetbomb.xlsx", bombOf("xl/worksheets/sheet1.xml", 5<<30), "unzips to more than 4 GiB"},
		{"notes.xlsx", zipOf("[Content_Types].xml", xlsxTypes), "cannot read the workbook"},
		{"word.doc", append(slices.Clone(cfbMagic), make([]byte, 1024)...), "Office 97–2003 file"},
		{"wide.xlsx", excelizeWorkbook(t, wideRowBook), `wide.xlsx: sheet "Data", row 5: the row has a cell in column XFD (column 16384), but at most 1000 columns (A to ALL) are read`},
		{"na.xlsx", excelizeWorkbook(t, errorCellBook), `na.xlsx: sheet "Data", row 9, column "Value (US$)": "#N/A" is not a number`},
		// Named as a workbook, but not a zip archive: refused whatever the
		// bytes are, saying what they look like.
		{"renamed.xlsx", []byte("Year,Reporter,Partner,Flow,Product,Value\n2019,IND,RUS,export,TOTAL,1\n"), `renamed.xlsx: the file is named .xlsx but is not an Excel workbook (a workbook is a zip archive, starting with the bytes "PK"): it holds delimited text, as a CSV file does; if it is one, name it .csv`},
		{"login.XLSM", []byte("<!DOCTYPE html><html><head><title>Sign in</title></head><body>Session expired</body></html>"), "the file is named .xlsm but is not an Excel workbook (a workbook is a zip archive, starting with the bytes \"PK\"): this is an HTML web page"},
		{"nothing.xlsx", nil, "the file is named .xlsx but is not an Excel workbook (a workbook is a zip archive, starting with the bytes \"PK\"): the file is empty"},
		{"api.xlsx", []byte(`{"error":"Result too large: 250000 records"}`), "is not an Excel workbook (a workbook is a zip archive, starting with the bytes \"PK\"): this is JSON"},
	}
	s := mustStore(t)
	before := mustImport(t, s, filepath.Join(xlsxDir, "lo_long.xlsx"), Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import(context.Background(), s, tt.name, bytes.NewReader(tt.in), Options{})
			if err == nil {
				t.Fatalf("imported; want an error containing %q", tt.want)
			}
			if e := asError(t, err); e.File != tt.name || !strings.HasPrefix(err.Error(), tt.name+": ") {
				t.Errorf("error %q does not start with the file's name", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
	sets, err := s.Datasets(context.Background())
	if err != nil || len(sets) != 1 || sets[0].ID != before.ID || sets[0].RowCount != 10 {
		t.Errorf("after the refusals the store holds %+v (%v); want only dataset %d", sets, err, before.ID)
	}
}

// TestXLSXTempFiles: what excelize unzips to disk is removed after an
// import, whether it succeeds or not. (Not parallel: it sets TMPDIR.)
func TestXLSXTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := mustStore(t)
	// A worksheet part over maxXMLPart, which excelize unzips to a file.
	big := rewritePart(t, mustRead(t, "lo_long.xlsx"), "xl/worksheets/sheet1.xml",
		`</sheetData>`, `</sheetData>`+strings.Repeat(" ", maxXMLPart))
	for _, tt := range []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"big.xlsx", big, true},
		{"na.xlsx", excelizeWorkbook(t, errorCellBook), false},
		{"truncated.xlsx", big[:len(big)-100], false},
	} {
		// Through a reader that cannot seek, so that the upload is spooled too.
		_, err := Import(context.Background(), s, tt.name, io.MultiReader(bytes.NewReader(tt.in)), Options{})
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("%s: left behind in TMPDIR: %v", tt.name, left)
		}
	}
}

// TestXLSXSheets: the default sheet is the first visible worksheet with
// data; a named sheet may be hidden; an unknown name lists the sheets.
func TestXLSXSheets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, sheet string
		want        string // the sheet read, or the error
		first       []string
	}{
		{"calamine_any_sheets.xlsx", "", "Visible", []string{"1", "2"}},
		{"sheetjs_sheet_visibility.xlsx", "", "Visible", []string{"v", "i", "s", "i", "b", "l", "e"}},
		{"sheetjs_sheet_visibility.xlsx", "hidden", "Hidden", []string{"H", "i", "d", "d", "e", "n"}},
		{"sheetjs_sheet_visibility.xlsx", "VeryHidden", "VeryHidden", []string{"V", "e", "r", "y", "H", "i", "d", "d", "e", "n"}},
		{"excelize_Book1.xlsx", "", "Sheet1", []string{"Total:", "237"}},
		{"calamine_errors.xlsx", "", "Feuil1", []string{"#DIV/0!"}},
		{"calamine_any_sheets.xlsx", "Chart", "Chart", nil},
		{"calamine_any_sheets.xlsx", "Missing", `the workbook has no sheet "Missing"; its sheets are "Visible", "Hidden" (hidden), "VeryHidden" (hidden), "Chart"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.sheet, func(t *testing.T) {
			t.Parallel()
			sheet, rows, err := readRows(t, mustRead(t, tt.file), tt.sheet)
			if err != nil {
				if asError(t, err); err.Error() != tt.want {
					t.Errorf("error %q; want %q", err, tt.want)
				}
				return
			}
			if sheet != tt.want {
				t.Errorf("sheet %q; want %q", sheet, tt.want)
			}
			var first []string
			if len(rows) > 0 {
				first = rows[0].Cells
			}
			if !slices.Equal(first, tt.first) {
				t.Errorf("first row %q; want %q", first, tt.first)
			}
		})
	}

	// Only hidden sheets have data.
	f := excelize.NewFile()
	defer f.Close()
	f.NewSheet("Secret")
	f.SetCellValue("Secret", "A1", "x")
	f.SetSheetVisible("Secret", false)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, _, err := readRows(t, buf.Bytes(), "")
	if asError(t, err); err.Error() != `no visible worksheet of the workbook has data; its sheets are "Sheet1", "Secret" (hidden) (name a hidden one to read it)` {
		t.Errorf("hidden data only: %v", err)
	}
}

// TestXLSXValues: how cells come out, in files from several writers.
func TestXLSXValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []numbered // the first rows
	}{
		// LibreOffice, yyyy-mm-dd and [hh]:mm:ss formats (a duration stays a number).
		{"calamine_date.xlsx", []numbered{{1, []string{"2021-01-01", "15"}}, {2, []string{"2021-01-02", "16"}}, {3, []string{"10.6320601851852", "17"}}}},
		// The same dates in the 1904 system: serials 1,462 lower.
		{"calamine_date_1904.xlsx", []numbered{{1, []string{"2021-01-01", "15"}}, {2, []string{"2021-01-02", "16"}}}},
		// ISO 8601 date cells (t="d") with date formats
		// (excelize converts only UTC times, "…Z"; others stay as written).
		{"calamine_date_iso.xlsx", []numbered{{1, []string{"2021-01-01"}}, {2, []string{"2021-01-01T10:10:10"}}}},
		// Error results as their text.
		{"calamine_errors.xlsx", []numbered{{1, []string{"#DIV/0!"}}, {2, []string{"#NAME?"}}, {3, []string{"#VALUE!"}}}},
		// Shared formulas: the cached results.
		{"calamine_shared_formula_simple.xlsx", []numbered{{1, []string{"1", "2"}}, {2, []string{"2", "4"}}, {3, []string{"3", "6"}}}},
		// A number stored as text keeps all its digits.
		{"calamine_string-ref.xlsx", []numbered{{1, []string{"col1"}}, {2, []string{"-8086931554011838357"}}}},
		// A 13-digit number is not written with an exponent.
		{"excelize_OverflowNumericCell.xlsx", []numbered{{1, []string{"8595602512225"}}}},
		// A note above the header, rows numbered from the file.
		{"calamine_header-row.xlsx", []numbered{{3, []string{"", "", "Note 1"}}, {9, []string{"Columns", "Column A", "Column B", "Column C"}}, {10, []string{"put data here", "1", "2", "3"}}}},
		// Merged ranges spread: A1:B1 across, A2:A4 down, B2:D4 both ways.
		{"calamine_merge_cells.xlsx", []numbered{{1, []string{"Row Merge", "Row Merge", "Not Merged"}}, {2, []string{"Column Merge", "Chunk Merged", "Chunk Merged", "Chunk Merged"}}, {3, []string{"Column Merge", "Chunk Merged", "Chunk Merged", "Chunk Merged"}}}},
		// Google Sheets: "44035.0" with date, currency and thousands formats.
		{"sheetjs_DataTypesFormats.xlsx", []numbered{{1, []string{"Date", "2020-07-23"}}, {2, []string{"Date Time", "2020-07-23"}}, {3, []string{"Currency", "123"}}, {4, []string{"Percentage", "0.9876"}}, {5, []string{"Fixed Decimal", "456"}}, {6, []string{"Thousands Separator", "7890"}}}},
		// Russian number formats change nothing; a macro-enabled workbook.
		{"sheetjs_numfmt_1_russian.xlsm", []numbered{{1, []string{"Formatted Number", "Russian (Russia)", "Number Format", "VBA NF", "VBA Format NF", "VBA Format VBA"}}, {2, []string{"1234567.89", "1234567,89", "General", "General", "Ge21eral", "Ge21eral"}}}},
		// Booleans and a date from Apple Numbers.
		{"sheetjs_Attendance.xlsx", []numbered{{2, []string{"Date", "Ben \nAshley", "Tom Brooks", "Jimmy Cooney", "Sue \nDaniels", "Berlinda Fong", "Terry Jones", "Angelina Little", "Linda Smith"}}, {3, []string{"2020-10-01", "FALSE", "TRUE", "TRUE", "TRUE", "TRUE", "TRUE", "FALSE", "TRUE"}}}},
		// Inline strings, an exponent, a t="d" date, a time format (a number).
		{"sheetjs_xlsx-stream-d-date-cell.xlsx", []numbered{{1, []string{"String", "てすと", `&'";<>`, "&amp;"}}, {2, []string{"Integer", "1", "2", "-3"}}, {3, []string{"Float", "1.5", "0.3", "1.23456789E+22"}}, {4, []string{"Boolean", "TRUE", "FALSE"}}, {5, []string{"Date", "2014-02-14"}}, {6, []string{"2 Decimals Built-in format #2", "1.5"}}, {7, []string{"Time Built-in format #18", "1.5"}}}},
		// Parts in wtf/ instead of xl/.
		{"sheetjs_wtf_path.xlsx", []numbered{{1, []string{"1", "2", "3", "", ""}}, {2, []string{"TRUE", "FALSE", ""}}}},
		// Zip entry names with backslashes, a CJK sheet name.
		{"calamine_issue_530.xlsx", []numbered{{1, []string{"报表导出人：", "于国栋"}}}},
		// Strict OOXML namespaces.
		{"calamine_strict_iso_paths.xlsx", []numbered{{1, []string{"Item", "Thickness", "Number Off Bends", "Number Off Fold Tracks", "Number Off Bend Downs", "Number Off Bend Ups", "Minimal Fold Length", "Maximal Fold Length", "Average Fold Length", "FlatSurface Area", "FlatBox X", "FlatBox Y", "PartBox X", "PartBox Y", "PartBox Z", "Weight", "Volume", "GoldenRun"}}, {2, []string{"150-031260-001_B", "1.5", "7", "4", "5", "2", "78.46", "2153.93", "1516.12", "1051527.39333333", "2190", "496.64", "2158", "244", "269.56", "12.61832872", "1577291.09", "104"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			_, rows, err := readRows(t, mustRead(t, tt.file), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) > len(tt.want) {
				rows = rows[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatDateKind(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]dateKind{
		`yyyy\-mm\-dd`:                 dateDay,
		"m/d/yy":                       dateDay,
		"dd/mm/yyyy hh:mm":             dateDay,
		"[$-F800]dddd, mmmm dd, yyyy":  dateDay,
		`d"."mm"."yyyy;@`:              dateDay,
		"mmm-yy":                       dateMonth,
		"[$-409]mmmm yyyy;@":           dateMonth,
		"yyyy-mm":                      dateMonth,
		"yyyy":                         dateYear,
		"YY":                           dateYear,
		"[hh]:mm:ss":                   notDate,
		"h:mm AM/PM":                   notDate,
		"mm:ss":                        notDate,
		"[h]:mm":                       notDate,
		"General":                      notDate,
		"#,##0":                        notDate,
		"0.00E+00":                     notDate,
		`#,##0 "days"`:                 notDate,
		`[Red]#,##0;[Blue]-#,##0`:      notDate,
		`_-* #,##0.00\ "₽"_-;-* #,##0`: notDate,
		`0;"dd";mm`:                    notDate, // only the first section counts
		"@":                            notDate,
		"":                             notDate,
		`"unterminated`:                notDate,
		"[unterminated":                notDate,
		`yyyy\`:                        dateYear,
		"hh:mm:ss.000":                 notDate,
		"[$€-407] #,##0.00":            notDate,
		"[$-411]ggge\"年\"m\"月\"d\"日\"": dateDay,
	} {
		if got := formatDateKind(code); got != want {
			t.Errorf("formatDateKind(%q) = %d; want %d", code, got, want)
		}
	}
}

// oracleRows is what a sheet should give, computed another way: excelize's
// GetRows with raw values, each cell then typed and styled through
// excelize's cell-by-cell API (which loads the whole sheet, fine for
// fixtures), dates converted with ExcelDateToTime, and merged ranges of
// the header rows spread from GetMergeCells.
func oracleRows(tb testing.TB, f *excelize.File, sheet string) []numbered {
	tb.Helper()
	raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		tb.Fatal(err)
	}
	props, _ := f.GetWorkbookProps()
	date1904 := props.Date1904 != nil && *props.Date1904
	for r, cells := range raw {
		for c, v := range cells {
			axis, _ := excelize.CoordinatesToCellName(c+1, r+1)
			typ, _ := f.GetCellType(sheet, axis)
			kind := notDate
			if id, err := f.GetCellStyle(sheet, axis); err == nil && id > 0 {
				if st, err := f.GetStyle(id); err == nil {
					kind = builtinDateKind(st.NumFmt)
					if st.CustomNumFmt != nil {
						kind = formatDateKind(*st.CustomNumFmt)
					}
					if f.Styles.NumFmts != nil && st.CustomNumFmt == nil { // a custom format with a built-in's ID (Apple Numbers)
						for _, nf := range f.Styles.NumFmts.NumFmt {
							if nf.NumFmtID == st.NumFmt {
								kind = formatDateKind(nf.FormatCode)
							}
						}
					}
				}
			}
			switch {
			case typ == excelize.CellTypeBool:
				cells[c] = map[string]string{"1": "TRUE", "0": "FALSE"}[v]
			case typ == excelize.CellTypeDate && kind != notDate && strings.HasSuffix(v, "Z"):
				// excelize reads only UTC ISO times as dates; others stay text.
				if tm, err := time.Parse(time.RFC3339, v); err == nil {
					cells[c] = isoDate(tm, kind)
				}
			case typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber:
				x, err := strconv.ParseFloat(v, 64)
				if err != nil || kind == notDate {
					break
				}
				if tm, err := excelize.ExcelDateToTime(x, date1904); err == nil && x >= 0 {
					if !date1904 && x < 60 { // before Excel's 29 February 1900, which never was
						tm = tm.AddDate(0, 0, 1)
					}
					cells[c] = isoDate(tm.Add(500*time.Microsecond), kind)
				}
			}
		}
	}
	merges, err := f.GetMergeCells(sheet, true)
	if err != nil && len(raw) > 0 { // a chart sheet has neither rows nor merged cells
		tb.Fatal(err)
	}
	for len(raw) < headRows {
		raw = append(raw, nil)
	}
	for _, m := range merges {
		c1, r1, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
		if r1 > headRows || c1 > len(raw[r1-1]) || raw[r1-1][c1-1] == "" {
			continue
		}
		v := raw[r1-1][c1-1]
		for r := r1; r <= min(r2, headRows); r++ {
			for len(raw[r-1]) < c2 {
				raw[r-1] = append(raw[r-1], "")
			}
			for c := c1; c <= c2; c++ {
				raw[r-1][c-1] = v
			}
		}
	}
	var out []numbered
	for i, cells := range raw {
		if len(cells) > 0 {
			out = append(out, numbered{i + 1, cells})
		}
	}
	return out
}

// isoDate writes a date at a precision.
func isoDate(t time.Time, k dateKind) string {
	return t.Format(map[dateKind]string{dateYear: "2006", dateMonth: "2006-01", dateDay: "2006-01-02"}[k])
}

// num15 writes a numeric cell as Excel holds it, to 15 significant
// digits, so that the two ways of writing one number compare equal.
func num15(s string) string {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return s
	}
	x, _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// TestXLSXMatchesGetRows is the differential check that will guard the
// planned fast sheet scanner: for every sheet of every workbook fixture,
// the reader's rows equal those of the oracle above, numbers compared to
// Excel's 15 significant digits.
func TestXLSXMatchesGetRows(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(xlsxDir, "*.xls[xm]"))
	if err != nil || len(files) < 25 {
		t.Fatalf("%d workbooks in %s (%v)", len(files), xlsxDir, err)
	}
	books := map[string][]byte{"excelizeWorkbook": excelizeWorkbook(t, plainBook)}
	for _, path := range files {
		if !strings.HasSuffix(path, "pass_protected.xlsx") {
			books[filepath.Base(path)] = mustRead(t, filepath.Base(path))
		}
	}
	cmpCells := cmp.Comparer(func(a, b string) bool { return a == b || num15(a) == num15(b) })
	for name, b := range books {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, sheet := range f.GetSheetList() {
				_, got, err := readRows(t, b, sheet)
				if err != nil {
					t.Errorf("sheet %q: %v", sheet, err)
					continue
				}
				if diff := cmp.Diff(oracleRows(t, f, sheet), got, cmpCells); diff != "" {
					t.Errorf("sheet %q (-oracle +reader):\n%s", sheet, diff)
				}
			}
		})
	}
}

// BenchmarkXLSXReader reads a 5,000-row long table: the baseline for the
// planned fast sheet scanner.
func BenchmarkXLSXReader(b *testing.B) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	sw.SetRow("A1", []any{"Reporter", "Partner", "Year", "Flow", "Product", "Value (US$)"})
	for r := 2; r <= 5001; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		sw.SetRow(cell, []any{"India", "Russian Federation", 2019, "Import", fmt.Sprintf("%04d", r%9999), 6226189464.5 + float64(r)})
	}
	sw.Flush()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	book := buf.Bytes()
	b.SetBytes(int64(len(book)))
	b.ReportAllocs()
	for b.Loop() {
		if _, rows, err := readRows(b, book, ""); err != nil || len(rows) != 5001 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}

// storedZip rewrites a zip with every part stored uncompressed and without
// a CRC-32 (which archive/zip then does not check).
func storedZip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Store,
			CompressedSize64: uint64(len(part)), UncompressedSize64: uint64(len(part))})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(part)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// lyingSizes rewrites a zip with each part's header declaring half its
// true unzipped size.
func lyingSizes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		h := f.FileHeader
		h.UncompressedSize64 /= 2
		raw, err := f.OpenRaw()
		if err != nil {
			tb.Fatal(err)
		}
		w, err := zw.CreateRaw(&h)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(w, raw); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// FuzzXLSXReader feeds mutated workbooks (and the refused containers) to
// the reader: it must not panic, must refuse with an *Error, and must keep
// its limits: at most maxColumns cells a row, rows in increasing order.
func FuzzXLSXReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(xlsxDir, "*"))
	for _, p := range files {
		if strings.HasSuffix(p, ".sh") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(excelizeWorkbook(f, plainBook))
	f.Add(excelizeWorkbook(f, errorCellBook))
	f.Add(excelizeWorkbook(f, wideRowBook))
	// The same workbooks with their parts stored, not deflated, and no
	// checksums: mutations then reach the XML.
	for _, b := range [][]byte{excelizeWorkbook(f, plainBook), mustRead(f, "lo_long.xlsx"), mustRead(f, "calamine_merge_cells.xlsx"), mustRead(f, "calamine_date_1904.xlsx")} {
		f.Add(storedZip(f, b))
	}
	// Seeds from the adversarial suite (adversarial_test.go at the top),
	// small enough to keep: markup in a sheet name, one with a character
	// Excel forbids, a cell beyond XFD, a negative shared-string index, an
	// entity bomb in the shared strings, and parts whose headers understate
	// their size (read cut short before checkParts).
	lo := mustRead(f, "lo_long.xlsx")
	f.Add(rewritePart(f, lo, "xl/workbook.xml", `name="lo_long"`, `name="&lt;img src=x onerror=alert(1)&gt;"`))
	f.Add(rewritePart(f, lo, "xl/workbook.xml", `name="lo_long"`, `name="a/b"`))
	f.Add(rewritePart(f, lo, "xl/worksheets/sheet1.xml", `</sheetData>`, `<row r="12"><c r="XFE12"><v>1</v></c></row></sheetData>`))
	f.Add(rewritePart(f, lo, "xl/worksheets/sheet1.xml", `</sheetData>`, `<row r="12"><c r="A12" t="s"><v>-1</v></c></row></sheetData>`))
	f.Add(rewritePart(f, lo, "xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`,
		`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>`,
		`<t xml:space="preserve">Reporter</t>`, `<t xml:space="preserve">&c;</t>`))
	f.Add(lyingSizes(f, lo))
	f.Fuzz(func(t *testing.T, b []byte) {
		src, err := spool(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer src.close()
		rows, err := newRows(src, "", Options{})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !strings.HasPrefix(err.Error(), "read: ") {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			return
		}
		last := 0
		for range 100000 {
			n, cells, err := rows.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("row error %v (%T) is not an *Error", err, err)
				}
				return
			}
			if n <= last || n > excelize.TotalRows && rows.Sheet() != "" {
				t.Fatalf("row %d after row %d", n, last)
			}
			if _, workbook := rows.(*xlsxRows); workbook && (len(cells) > maxColumns || len(cells) == 0) {
				t.Fatalf("row %d has %d cells", n, len(cells))
			}
			last = n
		}
	})
}
