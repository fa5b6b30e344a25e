package importers

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// readAll returns every row a CSV reader yields, with row numbers.
func readAll(tb testing.TB, b []byte) ([]int, [][]string, error) {
	tb.Helper()
	u := &utf8Check{valid: true}
	u.Write(b)
	rows, err := newCSVRows(bytes.NewReader(b), u.done())
	if err != nil {
		return nil, nil, err
	}
	var nums []int
	var cells [][]string
	for {
		n, c, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return nums, cells, nil
		}
		if err != nil {
			return nums, cells, err
		}
		nums = append(nums, n)
		cells = append(cells, c)
	}
}

func TestCSVRefuses(t *testing.T) {
	t.Parallel()
	var xlsx bytes.Buffer
	zw := zip.NewWriter(&xlsx)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"} {
		w, _ := zw.Create(name)
		io.WriteString(w, "<?xml version=\"1.0\"?><x/>")
	}
	zw.Close()
	var plainZip bytes.Buffer
	zw = zip.NewWriter(&plainZip)
	w, _ := zw.Create("data.csv")
	io.WriteString(w, "a,b\n1,2\n")
	zw.Close()
	file := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "the file is empty"},
		{"blank", []byte("\xef\xbb\xbf \r\n\r\n\t\n"), "the file is empty"},
		{"xlsx", xlsx.Bytes(), "Excel workbook (.xlsx)"},
		{"zip", plainZip.Bytes(), "zip archive"},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00"), "Excel 97–2003 workbook"},
		{"pdf", []byte("%PDF-1.7\n..."), "PDF"},
		{"gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0}, "gzip"},
		{"utf16 bom", []byte("\xff\xfer\x00e\x00p\x00\t\x00"), "UTF-16"},
		{"utf16 no bom", []byte("r\x00e\x00p\x00o\x00r\x00t\x00e\x00r\x00\t\x00p\x00"), "UTF-16"},
		{"binary", []byte("abc\x00\x01\x02def,ghi"), "binary"},
		{"html", file("web_page.csv"), "HTML web page"},
		{"html doctype", []byte("<!DOCTYPE html>\n<html><body>error</body></html>"), "HTML web page"},
		{"xml", []byte("<?xml version=\"1.0\"?>\n<data><row/></data>"), "XML document"},
		{"excel xml", []byte("<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"), "Excel 2003 XML"},
		{"json", []byte(`{"error": "Result too large"}`), "JSON"},
		{"json array", []byte(" [\n {\"a\": 1}]"), "JSON"},
		{"comtrade message", file("comtrade_result_too_large.csv"), `not a table: its first line has no comma, semicolon or tab: "Result too large: you do not have permissions to access such a large resultset."`},
		{"one word", []byte("hello\n"), "no comma, semicolon or tab"},
		{"bare quote", []byte("a,b\n1,x\"y\n"), "row 2"},
		{"open quote", []byte("a,b\n1,\"xy\n"), "not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := readAll(t, tt.in)
			if err == nil {
				t.Fatalf("no error; want one containing %q", tt.want)
			}
			asError(t, err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestCSVDialects(t *testing.T) {
	t.Parallel()
	want := [][]string{{"reporter", "partner", "value"}, {"IND", "RUS", "1,5"}, {"PAK", "Côte d’Ivoire", "2"}}
	tests := []struct {
		name string
		in   string
	}{
		{"comma LF", "reporter,partner,value\nIND,RUS,\"1,5\"\nPAK,Côte d’Ivoire,2\n"},
		{"comma CRLF BOM", "\xef\xbb\xbfreporter,partner,value\r\nIND,RUS,\"1,5\"\r\nPAK,Côte d’Ivoire,2\r\n"},
		{"semicolon CR", "reporter;partner;value\rIND;RUS;1,5\rPAK;Côte d’Ivoire;2\r"},
		{"tab no final newline", "reporter\tpartner\tvalue\nIND\tRUS\t1,5\nPAK\tCôte d’Ivoire\t2"},
		{"semicolon cp1252", "reporter;partner;value\r\nIND;RUS;1,5\r\nPAK;C\xf4te d\x92Ivoire;2\r\n"},
		{"quoted header", "\"reporter\";\"partner, country\";value\nIND;RUS;1,5\nPAK;Côte d’Ivoire;2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			nums, got, err := readAll(t, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			w := want
			if tt.name == "quoted header" {
				w = slices.Clone(want)
				w[0] = []string{"reporter", "partner, country", "value"}
			}
			if !slices.EqualFunc(got, w, slices.Equal) {
				t.Errorf("rows = %q; want %q", got, w)
			}
			if !slices.Equal(nums, []int{1, 2, 3}) {
				t.Errorf("row numbers = %v; want 1 2 3", nums)
			}
		})
	}
}

// TestCSVRowNumbers checks that rows are numbered as a spreadsheet shows
// them: blank lines count, a cell with line breaks does not.
func TestCSVRowNumbers(t *testing.T) {
	t.Parallel()
	in := "a,b\n\n1,\"two\nlines\"\n2,x\n\n\n3,\"three\r\nmore\r\nlines\"\r\n4,y\n"
	nums, rows, err := readAll(t, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 3, 4, 7, 8}; !slices.Equal(nums, want) {
		t.Errorf("row numbers = %v; want %v", nums, want)
	}
	if rows[1][1] != "two\nlines" || rows[3][1] != "three\nmore\nlines" {
		t.Errorf("multi-line cells = %q, %q", rows[1][1], rows[3][1])
	}
	_, _, err = readAll(t, []byte("a,b\n1,2\n\n3,\"x\"y\n"))
	if e := asError(t, err); e.Row != 4 {
		t.Errorf("bad quote reported in row %d; want 4 (%v)", e.Row, err)
	}
}

func TestCP1252(t *testing.T) {
	t.Parallel()
	var raw []byte
	for b := 0x20; b < 0x100; b++ {
		raw = append(raw, byte(b))
	}
	got, err := io.ReadAll(&cp1252Reader{r: bytes.NewReader(raw)})
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(got) {
		t.Fatal("decoded text is not UTF-8")
	}
	s := string(got)
	for _, want := range []string{"€", "‚ƒ„…†‡ˆ‰Š‹Œ", "Ž", "‘’“”•–—˜™š›œ", "žŸ", "\u00a0¡", "ÔÕÖ×ØÙÚÛÜÝÞß", "õö÷øùúûüýþÿ"} {
		if !strings.Contains(s, want) {
			t.Errorf("decoded text lacks %q", want)
		}
	}
	if n := utf8.RuneCountInString(s); n != len(raw) {
		t.Errorf("decoded %d runes from %d bytes", n, len(raw))
	}
}

// TestUTF8Check feeds valid UTF-8 one byte at a time, so every multi-byte
// rune is split across writes, and invalid text in one go.
func TestUTF8Check(t *testing.T) {
	t.Parallel()
	u := &utf8Check{valid: true}
	for _, b := range []byte("Côte d’Ivoire, Türkiye, 𝄞") {
		u.Write([]byte{b})
	}
	if !u.done() {
		t.Error("valid UTF-8 split byte by byte reported invalid")
	}
	for _, in := range []string{"C\xf4te", "abc\xe2\x80", "\xff"} {
		u := &utf8Check{valid: true}
		u.Write([]byte(in))
		if u.done() {
			t.Errorf("%q reported valid", in)
		}
	}
}

// FuzzRead runs sniffing, the CSV reader, detection and the layouts on
// arbitrary bytes: they may refuse them, but must not panic, and any
// refusal of the content must be an *Error.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"long_mixed.csv", "semicolon_cp1252.csv", "tab_cr_bom.tsv", "bad_value.csv", "comtrade_result_too_large.csv", "web_page.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("reporter,partner,year,flow,value\nPAK,RUS,2020,export,\"1\n2\"\n"))
	// Seeds from the adversarial suite (adversarial_test.go at the top).
	const head = "reporter,partner,year,flow,value\n"
	for _, s := range []string{
		"", "\xEF\xBB\xBF" + head + "PAK,RUS,2001,export,5\n",
		"reporter;partner;year;flow;value\nPakistan;\xD0\xEE\xF1\xF1\xE8\xFF;2001;export;5\n", // Windows-1251
		"reporter;partner;year;flow;value\nPakistan;C\xF4te d'Ivoire;2001;export;5\n",         // Latin-1
		"reporter,partner,year,flow,value\rPAK,RUS,2001,export,5\r",
		head + "PAK,RUS,2001,export,NaN\nPAK,RUS,2002,export,-Inf\nPAK,RUS,2003,export,1e308\nPAK,RUS,2004,export,-0\n",
		"reporter;partner;year;flow;value\nPAK;RUS;2001;export;1\u00a0234\u202f567\nPAK;RUS;2002;export;1'234'567,5\nPAK;RUS;2003;export;12,34,567\n",
		head + "PAK,</script><script>alert(1)</script>,2001,export,5\n",
		head + "PAK,RUS,2001,export," + strings.Repeat("9", 100<<10) + "\n",
		`{"error":{"code":429,"message":"Too many requests"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parse(t, "fuzz.csv", b, Options{FiscalStartMonth: 7})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			return
		}
		for _, o := range p.obs {
			if err := o.Validate(); err != nil {
				t.Fatalf("emitted an invalid observation %+v: %v", o, err)
			}
		}
	})
}

// TestTitleLine: a title line without delimiters may come before the header.
func TestTitleLine(t *testing.T) {
	t.Parallel()
	p, err := parse(t, "titled.csv", []byte("India's trade with Russia\n\nreporter;partner;year;flow;value\nIND;RUS;2019;import;6226189464\n"), Options{})
	if err != nil || len(p.obs) != 1 || p.obs[0].ValueUSD != 6226189464 || p.obs[0].SourceRef != "titled.csv, row 4" {
		t.Errorf("parse = %+v, %v", p, err)
	}
}
