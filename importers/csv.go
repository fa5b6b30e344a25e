package importers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// sniffSize is how much of the file is looked at before reading it as CSV.
const sniffSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// newCSVRows sniffs the start of r and returns its rows, or an *Error
// saying what the file is instead (empty, a workbook, a web page, a plain
// message). validUTF8 comes from a pass over the whole file: when false,
// the file is read as Windows-1252, the encoding Excel uses when it saves
// "CSV" on a Western-European Windows, or as Windows-1251 when its letters
// look Cyrillic (Excel's "CSV" on a Russian Windows).
func newCSVRows(r io.Reader, validUTF8 bool) (*csvRows, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read: %w", err)
	}
	if err := sniff(head); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, utf8BOM) {
		br.Discard(len(utf8BOM))
		head = head[len(utf8BOM):]
	}
	delim, err := delimiter(head)
	if err != nil {
		return nil, err
	}
	var in io.Reader = br
	enc := encUTF8
	if !validUTF8 {
		enc = guessEncoding(head, r)
		if enc == encCP1251 {
			in = charmap.Windows1251.NewDecoder().Reader(in)
		} else {
			in = &cp1252Reader{r: in}
		}
	}
	// encoding/csv ends lines at \n (dropping a \r before it); old Mac
	// files end them with a bare \r.
	if bytes.IndexByte(head, '\r') >= 0 && bytes.IndexByte(head, '\n') < 0 {
		in = &crReader{r: in}
	}
	cr := csv.NewReader(in)
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // layouts check the width, with better messages
	return &csvRows{r: cr, enc: enc}, nil
}

// sniff refuses what is not delimited text, saying what it looks like.
func sniff(head []byte) error {
	notCSV := func(msg string) error { return &Error{Msg: msg} }
	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(head, utf8BOM))) == 0:
		return notCSV("the file is empty")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		switch {
		case bytes.Contains(head, []byte("xl/")), bytes.Contains(head, []byte("[Content_Types].xml")):
			return notCSV("this is an Excel workbook (.xlsx), not CSV text")
		case bytes.Contains(head, []byte("opendocument.spreadsheet")):
			return notCSV("this is an OpenDocument spreadsheet (.ods), which this build cannot read; save the sheet as CSV (UTF-8)")
		}
		return notCSV("this is a zip archive, not a CSV file; unzip it and import the CSV inside")
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return notCSV("this is an Excel 97–2003 workbook (.xls), which this build cannot read; save the sheet as CSV (UTF-8)")
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return notCSV("this is a PDF document, not a CSV file")
	case bytes.HasPrefix(head, []byte{0x1F, 0x8B}):
		return notCSV("this is a gzip-compressed file; decompress it first")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}), looksUTF16(head):
		return notCSV(`this is UTF-16 text (Excel's "Unicode Text"), which this build cannot read; save it as "CSV UTF-8"`)
	case bytes.IndexByte(head, 0) >= 0:
		return notCSV("this is a binary file, not CSV text")
	}
	t := bytes.ToLower(bytes.TrimSpace(bytes.TrimPrefix(head, utf8BOM)))
	switch {
	case bytes.HasPrefix(t, []byte("<?xml")) && bytes.Contains(t, []byte("urn:schemas-microsoft-com:office:spreadsheet")):
		return notCSV("this is an Excel 2003 XML spreadsheet, which this build cannot read; save the sheet as CSV (UTF-8)")
	case bytes.HasPrefix(t, []byte("<?xml")) && !bytes.Contains(t, []byte("<html")):
		return notCSV("this is an XML document, not a CSV file")
	case looksHTML(t):
		return notCSV("this is an HTML web page, not a CSV file (an error or login page saved under a .csv name, or a web table saved as .xls?); open it in a spreadsheet and save it as CSV")
	case looksJSON(t):
		return notCSV("this is JSON (an API response?), not a CSV file")
	}
	return nil
}

// looksHTML reports whether lower-cased text starts with markup.
func looksHTML(t []byte) bool {
	if len(t) < 2 || t[0] != '<' {
		return false
	}
	c := t[1]
	return c == '!' || c == '/' || c == '?' || 'a' <= c && c <= 'z'
}

// looksJSON reports whether trimmed text starts like a JSON object or array.
func looksJSON(t []byte) bool {
	if t[0] == '{' {
		return true
	}
	if t[0] != '[' {
		return false
	}
	rest := bytes.TrimLeft(t[1:], " \t\r\n")
	return len(rest) > 0 && strings.IndexByte(`{["]`, rest[0]) >= 0
}

// looksUTF16 spots BOM-less UTF-16 text: a NUL in every other byte.
func looksUTF16(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	n := min(len(b), 512) &^ 1
	var even, odd int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	return even > n/4 || odd > n/4
}

// delimiter picks the comma, semicolon or tab by counting them, outside
// quotes, on the first line that has any (a title line may come before the
// header). A file whose first lines have none is not a table; the classic
// case is a web service's error message ("Result too large…") saved under
// a .csv name.
func delimiter(head []byte) (rune, error) {
	rest := head
	for range headRows {
		var line []byte
		line, rest = nextLine(rest)
		counts := map[rune]int{}
		quoted := false
		for _, c := range line {
			switch {
			case c == '"':
				quoted = !quoted
			case !quoted && (c == ',' || c == ';' || c == '\t'):
				counts[rune(c)]++
			}
		}
		best, n := rune(0), 0
		for _, d := range []rune{',', ';', '\t'} {
			if counts[d] > n {
				best, n = d, counts[d]
			}
		}
		if n > 0 {
			return best, nil
		}
		if len(rest) == 0 {
			break
		}
	}
	first, _ := nextLine(head)
	text := strings.ToValidUTF8(string(first), "?")
	if len(text) > 120 {
		text = strings.ToValidUTF8(text[:120], "") + "…"
	}
	return 0, &Error{Row: 1, Msg: fmt.Sprintf("this is not a table: its first line has no comma, semicolon or tab: %q (a web service's message saved as a file?)", strings.TrimSpace(text))}
}

// nextLine returns the first non-blank line of b and what follows it; a
// line break inside quotes does not end the line.
func nextLine(b []byte) (line, rest []byte) {
	start := 0
	for start < len(b) && (b[start] == '\n' || b[start] == '\r') {
		start++
	}
	quoted := false
	for i := start; i < len(b); i++ {
		switch b[i] {
		case '"':
			quoted = !quoted
		case '\n', '\r':
			if !quoted {
				return b[start:i], b[i:]
			}
		}
	}
	return b[start:], nil
}

// csvRows yields a CSV file's records with the row numbers a spreadsheet
// would show: blank lines count as rows, and a quoted cell spanning
// several lines is still one row.
type csvRows struct {
	r       *csv.Reader
	enc     string // encUTF8, encCP1252 or encCP1251
	row     int    // row number of the last record
	lastEnd int    // line on which the last record ended
}

func (c *csvRows) Sheet() string { return "" }

// encoding names how the file's bytes are read, for the Report.
func (c *csvRows) encoding() string { return c.enc }

func (c *csvRows) Next() (int, []string, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			row := c.row + max(1, pe.StartLine-c.lastEnd)
			return 0, nil, &Error{Row: row, Msg: csvMessage(pe)}
		}
		return 0, nil, fmt.Errorf("read: %w", err)
	}
	start, _ := c.r.FieldPos(0)
	c.row += max(1, start-c.lastEnd)
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.lastEnd = last + strings.Count(rec[len(rec)-1], "\n")
	return c.row, rec, nil
}

// csvMessage explains encoding/csv's errors in a spreadsheet user's words.
func csvMessage(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("a quote mark (\") inside a cell that does not start with one (line %d, character %d); quote the whole cell and double the quote mark", pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("a quoted cell is not closed, or its closing quote mark is followed by more text (line %d, character %d)", pe.Line, pe.Column)
	}
	return fmt.Sprintf("line %d: %v", pe.Line, pe.Err)
}

// crReader turns bare carriage returns into newlines.
type crReader struct{ r io.Reader }

func (c *crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// cp1252Reader decodes Windows-1252 into UTF-8. Bytes 0xA0–0xFF are
// Latin-1, the same code points; 0x80–0x9F hold the typographic marks in
// cp1252High. The five undefined bytes map to the C1 controls, as browsers do.
type cp1252Reader struct {
	r   io.Reader
	raw [4096]byte
	buf []byte // decoded bytes
	out []byte // the part of buf not yet returned
	err error
}

var cp1252High = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

func (d *cp1252Reader) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		var n int
		n, d.err = d.r.Read(d.raw[:])
		d.buf = d.buf[:0]
		for _, b := range d.raw[:n] {
			switch {
			case b < 0x80:
				d.buf = append(d.buf, b)
			case b < 0xA0:
				d.buf = utf8.AppendRune(d.buf, cp1252High[b-0x80])
			default:
				d.buf = utf8.AppendRune(d.buf, rune(b))
			}
		}
		d.out = d.buf
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// The encodings a CSV file is read in, as a Report names them.
const (
	encUTF8   = "UTF-8"
	encCP1252 = "Windows-1252 (Western European)"
	encCP1251 = "Windows-1251 (Cyrillic)"
)

// guessMaxBytes is how far guessEncoding reads for letters outside ASCII
// when the first sniffSize bytes have none.
const guessMaxBytes = 16 << 20

// guessEncoding tells Windows-1251 from Windows-1252 in a file that is not
// UTF-8. Both put letters at 0xC0–0xFF, but they are used differently:
// Cyrillic words are made of such bytes only ("Россия" is six of them in a
// row), while in Western-European text an accented letter sits between
// ASCII letters ("Côte", "Türkiye"). So the file is Cyrillic when more of
// its high letters follow another high letter than follow an ASCII one.
// head is the file's start; when it holds no high byte, r (a section
// reader over the whole file) is read further.
func guessEncoding(head []byte, r io.Reader) string {
	var c encodingCount
	c.count(head)
	if c.high == 0 {
		if sr, ok := r.(*io.SectionReader); ok {
			buf := make([]byte, sniffSize)
			for off := int64(len(head)); off < guessMaxBytes && c.high < 64; off += int64(len(buf)) {
				n, err := sr.ReadAt(buf, off)
				c.count(buf[:n])
				if err != nil {
					break
				}
			}
		}
	}
	if c.afterHigh > c.afterASCII {
		return encCP1251
	}
	return encCP1252
}

// encodingCount tallies, for the letters at 0xC0–0xFF, what came before.
type encodingCount struct {
	high, afterHigh, afterASCII int
	prev                        byte
}

func (c *encodingCount) count(b []byte) {
	for _, x := range b {
		if x >= 0xC0 {
			c.high++
			switch p := c.prev; {
			case p >= 0xC0:
				c.afterHigh++
			case 'a' <= p && p <= 'z', 'A' <= p && p <= 'Z':
				c.afterASCII++
			}
		}
		c.prev = x
	}
}
