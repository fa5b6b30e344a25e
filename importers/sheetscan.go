package importers

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The fast sheet scanner: a hand-written streaming reader of a
// worksheet's <sheetData>, about ten times faster than excelize's Rows(),
// which runs every cell through encoding/xml's tokenizer.
//
// It yields exactly the cells excelize's Rows().Columns() yields for the
// same part, with the styles rewritten by isoDates (xlsx.go): the
// differential test (sheetscan_test.go) checks that on every workbook
// the tests have. To keep that promise it reads only a plain subset of
// XML and gives up, with errFallback, on anything outside it: a
// comment, CDATA section or processing instruction inside the sheet's
// data, a DOCTYPE, an encoding other than UTF-8, an unknown entity or
// element, a malformed tag, a row number that does not increase, a cell
// reference it cannot read, an ISO 8601 date cell (t="d"), a row longer
// than maxRowBytes. xlsxRows then reads the sheet on with excelize from
// the row where the scanner stopped, so excelize decides what such a
// file means.

// errFallback says that the scanner met something only excelize reads.
var errFallback = errors.New("the sheet needs the excelize reader")

// maxRowBytes is the longest row, in bytes of XML, that the scanner
// holds; a longer one is read by excelize.
const maxRowBytes = 16 << 20

// sheetScanner reads the rows of one worksheet part as a stream.
type sheetScanner struct {
	r      io.Reader
	buf    []byte
	pos    int // buf[pos:end] is read but not yet parsed
	end    int
	eof    bool
	sst    []string
	kinds  []dateKind                    // by cell style index
	dates  func(dateKind, string) string // a date-styled number as text
	row    int                           // the number of the last row read
	state  int                           // scanStart, scanRows or scanDone
	dataNS []byte                        // the qualified name of sheetData, for its end tag
	cells  []string                      // reused for each row before it is copied out
	intern map[string]string             // short texts, shared between rows (see internText)
	byCol  []internCol                   // internText's memory of each column
	tag    tagInfo                       // the tag last parsed
	attrs  []attr                        // the attributes of the tag last parsed
	text   []byte                        // scratch for decoded text
}

const (
	scanStart = iota
	scanRows
	scanDone
)

// attr is one attribute of the tag last parsed: local name and raw value.
type attr struct {
	local []byte
	value []byte // raw, entities not yet decoded
}

// tagInfo describes the tag last parsed.
type tagInfo struct {
	end       bool   // </name>
	selfClose bool   // <name/>
	qname     []byte // the name as written, prefix included
	local     []byte
	nattr     int
	dirty     bool // an attribute value needs decoding
}

// newSheetScanner reads the worksheet XML from r. sst are the workbook's
// shared strings as excelize reads them, kinds the date kind of each
// cell style, dates formats a date-styled number as excelize does.
func newSheetScanner(r io.Reader, sst []string, kinds []dateKind, dates func(dateKind, string) string) *sheetScanner {
	return &sheetScanner{r: r, buf: make([]byte, 256<<10), sst: sst, kinds: kinds, dates: dates, intern: map[string]string{}}
}

// errMore means the buffer ends inside what is being parsed.
var errMore = errors.New("more input needed")

// fill reads more input, keeping buf[pos:end]; it grows the buffer when
// the unparsed part fills it, up to maxRowBytes.
func (s *sheetScanner) fill() error {
	if s.eof {
		return io.ErrUnexpectedEOF
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxRowBytes {
			return errFallback
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return err
			}
			s.eof = true
			if n == 0 {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if n > 0 {
			return nil
		}
	}
}

// Next returns the next row element's number and cells (nil for a row
// without a non-empty cell), io.EOF after </sheetData>, errFallback when
// excelize must read on from this row, or the input's error.
func (s *sheetScanner) Next() (int, []string, error) {
	for {
		if s.state == scanDone {
			return 0, nil, io.EOF
		}
		var (
			n     int
			cells []string
			err   error
		)
		start := s.pos
		if s.state == scanStart {
			err = s.prologue()
		} else {
			n, cells, err = s.parseRow()
		}
		switch {
		case err == nil:
		case errors.Is(err, errMore):
			s.pos = start
			if ferr := s.fill(); ferr != nil {
				if errors.Is(ferr, io.ErrUnexpectedEOF) {
					return 0, nil, errFallback // a truncated part: excelize decides
				}
				return 0, nil, ferr
			}
			continue
		default:
			s.pos = start
			return 0, nil, err
		}
		if s.state == scanRows && n > 0 {
			s.row = n
			return n, cells, nil
		}
	}
}

// prologue skips what comes before the rows, up to and including
// <sheetData>. Elements named row or c before it would be read by
// excelize as rows and cells: those are left to excelize.
func (s *sheetScanner) prologue() error {
	b := s.buf[:s.end]
	i := s.pos
	if s.pos == 0 && len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		i = 3
	}
	for {
		j, err := s.skipText(b, i)
		if err != nil {
			return err
		}
		i = j
		if i+1 >= len(b) {
			return errMore
		}
		switch b[i+1] {
		case '?':
			k := indexFrom(b, i+2, "?>")
			if k < 0 {
				return errMore
			}
			if err := checkDecl(b[i:k]); err != nil {
				return err
			}
			i = k + 2
			continue
		case '!':
			if len(b) < i+4 {
				return errMore
			}
			if b[i+2] != '-' || b[i+3] != '-' {
				return errFallback // DOCTYPE or CDATA
			}
			k := indexFrom(b, i+4, "-->")
			if k < 0 {
				return errMore
			}
			i = k + 3
			continue
		}
		j, err = s.parseTag(b, i)
		if err != nil {
			return err
		}
		t := &s.tag
		if !s.attrsOK() {
			return errFallback
		}
		switch string(t.local) {
		case "row", "c":
			return errFallback
		case "sheetData":
			if t.end {
				return errFallback
			}
			s.pos = j
			if t.selfClose {
				s.state = scanDone
				return nil
			}
			s.dataNS = append(s.dataNS[:0], t.qname...)
			s.state = scanRows
			return nil
		}
		i = j
	}
}

// checkDecl refuses an XML declaration that names an encoding other
// than UTF-8 (encoding/xml would convert it).
func checkDecl(pi []byte) error {
	if len(pi) < 5 || string(pi[:5]) != "<?xml" || len(pi) > 5 && !isSpace(rune(pi[5])) {
		return nil
	}
	k := strings.Index(string(pi), "encoding")
	if k < 0 {
		return nil
	}
	rest := strings.TrimLeft(string(pi[k+len("encoding"):]), " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return errFallback
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || rest[0] != '"' && rest[0] != '\'' {
		return errFallback
	}
	enc, _, ok := strings.Cut(rest[1:], rest[:1])
	if !ok || !strings.EqualFold(enc, "utf-8") {
		return errFallback
	}
	return nil
}

func indexFrom(b []byte, i int, sep string) int {
	if i > len(b) {
		return -1
	}
	k := strings.Index(string(b[i:]), sep)
	if k < 0 {
		return -1
	}
	return i + k
}

// skipText passes over character data up to the next '<', which must be
// in b. Text outside the cells is ignored by excelize, but it must be
// well-formed, or encoding/xml would stop there.
func (s *sheetScanner) skipText(b []byte, i int) (int, error) {
	j := i
	for j < len(b) && b[j] != '<' {
		j++
	}
	if j == len(b) {
		return 0, errMore
	}
	if _, ok := s.decode(b[i:j], false); !ok {
		return 0, errFallback
	}
	return j, nil
}

// skipSpace passes over white space up to the next '<'; any other text
// there is left to excelize.
func skipSpace(b []byte, i int) (int, error) {
	for ; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
		case '<':
			return i, nil
		default:
			return 0, errFallback
		}
	}
	return 0, errMore
}

// parseTag parses the tag at b[i] == '<' into s.tag and s.attrs and
// returns the index after it. Only start and end tags are read.
func (s *sheetScanner) parseTag(b []byte, i int) (int, error) {
	t := &s.tag
	*t = tagInfo{}
	i++
	if i >= len(b) {
		return 0, errMore
	}
	if b[i] == '/' {
		t.end = true
		i++
	}
	if i >= len(b) {
		return 0, errMore
	}
	if b[i] == '!' || b[i] == '?' {
		return 0, errFallback
	}
	start := i
	i, colon := scanName(b, start)
	if i >= len(b) {
		return 0, errMore
	}
	if i == start || colon == start || colon == i-1 {
		return 0, errFallback
	}
	t.qname = b[start:i]
	t.local = t.qname
	if colon >= 0 {
		t.local = b[colon+1 : i]
	}
	for {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
		if i >= len(b) {
			return 0, errMore
		}
		switch b[i] {
		case '>':
			return i + 1, nil
		case '/':
			if t.end {
				return 0, errFallback
			}
			if i+1 >= len(b) {
				return 0, errMore
			}
			if b[i+1] != '>' {
				return 0, errFallback
			}
			t.selfClose = true
			return i + 2, nil
		}
		if t.end || !isWS(b[i-1]) {
			return 0, errFallback // an attribute must follow white space
		}
		// An attribute: name = "value".
		ns := i
		var acolon int
		i, acolon = scanName(b, ns)
		if i >= len(b) {
			return 0, errMore
		}
		if i == ns || acolon == ns || acolon == i-1 {
			return 0, errFallback
		}
		local := b[ns:i]
		if acolon >= 0 {
			local = b[acolon+1 : i]
		}
		for i < len(b) && isWS(b[i]) {
			i++
		}
		if i >= len(b) {
			return 0, errMore
		}
		if b[i] != '=' {
			return 0, errFallback
		}
		i++
		for i < len(b) && isWS(b[i]) {
			i++
		}
		if i >= len(b) {
			return 0, errMore
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return 0, errFallback
		}
		vs := i + 1
		e := bytes.IndexByte(b[vs:], q)
		if e < 0 {
			return 0, errMore
		}
		i = vs + e
		if bytes.IndexByte(b[vs:i], '<') >= 0 {
			return 0, errFallback
		}
		if !t.dirty && !clean(b[vs:i]) {
			t.dirty = true
		}
		if t.nattr == 0 {
			s.attrs = s.attrs[:0]
		}
		s.attrs = append(s.attrs, attr{local: local, value: b[vs:i]})
		t.nattr++
		i++
	}
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Byte classes: dirty bytes need decoding (see clean), name bytes may be
// in a name (see nameByte).
var dirtyByte, nameByteTab, nameStartTab [256]bool

func init() {
	for c := range 256 {
		dirtyByte[c] = c == '&' || c == '\r' || c < 0x20 && c != '\t' && c != '\n' || c >= 0x80
		nameStartTab[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		nameByteTab[c] = nameStartTab[c] || '0' <= c && c <= '9' || c == '-' || c == '.'
	}
}

// nameByte reports whether c may be in an XML name as the scanner reads
// names: ASCII letters, digits, '_', '-', '.'; a name with other
// characters (non-ASCII ones included) is left to excelize.
// scanName reads an XML name ("c", "x:row") from b[start:]: end is the
// index after it, colon that of its first ':' (-1 if none).
func scanName(b []byte, start int) (end, colon int) {
	colon = -1
	i := start
	for ; i < len(b); i++ {
		c := b[i]
		if c == ':' && colon < 0 {
			colon = i
			continue
		}
		if !nameByte(c, i == start) {
			break
		}
	}
	return i, colon
}

func nameByte(c byte, first bool) bool {
	if first {
		return nameStartTab[c]
	}
	return nameByteTab[c]
}

// decode returns text with entities and line ends as encoding/xml gives
// it, or false where encoding/xml would stop with a syntax error. With
// keep false it only checks.
func (s *sheetScanner) decode(raw []byte, keep bool) (string, bool) {
	if clean(raw) {
		if !keep {
			return "", true
		}
		return string(raw), true
	}
	out := s.text[:0]
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&':
			k := i + 1
			for k < len(raw) && raw[k] != ';' && k-i < 12 {
				k++
			}
			if k >= len(raw) || raw[k] != ';' {
				return "", false
			}
			ent := string(raw[i+1 : k])
			switch ent {
			case "lt":
				out = append(out, '<')
			case "gt":
				out = append(out, '>')
			case "amp":
				out = append(out, '&')
			case "apos":
				out = append(out, '\'')
			case "quot":
				out = append(out, '"')
			default:
				if len(ent) < 2 || ent[0] != '#' {
					return "", false
				}
				var (
					n   uint64
					err error
				)
				if ent[1] == 'x' {
					n, err = strconv.ParseUint(ent[2:], 16, 32)
				} else {
					n, err = strconv.ParseUint(ent[1:], 10, 32)
				}
				if err != nil || !xmlChar(rune(n)) || ent[1] == '+' || len(ent) > 2 && ent[1] == 'x' && ent[2] == '+' {
					return "", false
				}
				out = utf8.AppendRune(out, rune(n))
			}
			i = k + 1
		case c == '\r':
			out = append(out, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case c < 0x80:
			if c < 0x20 && c != '\t' && c != '\n' {
				return "", false
			}
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 || !xmlChar(r) {
				return "", false
			}
			out = append(out, raw[i:i+size]...)
			i += size
		}
	}
	s.text = out
	if !keep {
		return "", true
	}
	return string(out), true
}

// xmlChar is encoding/xml's isInCharacterRange.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// attrsOK checks every attribute value of the last tag.
func (s *sheetScanner) attrsOK() bool {
	if !s.tag.dirty {
		return true
	}
	for _, a := range s.attrs[:s.tag.nattr] {
		if _, ok := s.decode(a.value, false); !ok {
			return false
		}
	}
	return true
}

// attrInt is strconv.Atoi of the decoded value of the last attribute
// with the local name (excelize matches attributes by local name, the
// last one winning), and whether there is one; plain digits, as row
// numbers are written, are read without making a string.
func (s *sheetScanner) attrInt(local string) (int, bool, error) {
	var raw []byte
	found := false
	for _, a := range s.attrs[:s.tag.nattr] {
		if string(a.local) == local {
			raw, found = a.value, true
		}
	}
	if !found {
		return 0, false, nil
	}
	if n := len(raw); n > 0 && n <= 9 {
		v := 0
		for _, c := range raw {
			if c < '0' || c > '9' {
				v = -1
				break
			}
			v = v*10 + int(c-'0')
		}
		if v >= 0 {
			return v, true, nil
		}
	}
	text, _ := s.decode(raw, true)
	v, err := strconv.Atoi(text)
	return v, true, err
}

// parseRow parses one row element, or the end of sheetData.
func (s *sheetScanner) parseRow() (int, []string, error) {
	b := s.buf[:s.end]
	i, err := skipSpace(b, s.pos)
	if err != nil {
		return 0, nil, err
	}
	j, err := s.parseTag(b, i)
	if err != nil {
		return 0, nil, err
	}
	t := &s.tag
	if t.end {
		if string(t.qname) != string(s.dataNS) {
			return 0, nil, errFallback
		}
		s.pos = j
		s.state = scanDone
		return 0, nil, nil
	}
	if string(t.local) != "row" || !s.attrsOK() {
		return 0, nil, errFallback
	}
	num := s.row + 1
	if n, ok, err := s.attrInt("r"); ok {
		if err != nil || n <= s.row || n > maxSheetRows {
			return 0, nil, errFallback
		}
		num = n
	}
	rowName := t.qname
	cells := s.cells[:0]
	if !t.selfClose {
		col := 0
		for {
			i, err = skipSpace(b, j)
			if err != nil {
				return 0, nil, err
			}
			j, err = s.parseTag(b, i)
			if err != nil {
				return 0, nil, err
			}
			if t.end {
				if !bytes.Equal(t.qname, rowName) {
					return 0, nil, errFallback
				}
				break
			}
			if string(t.local) != "c" {
				return 0, nil, errFallback
			}
			var val string
			var keep bool
			col++
			j, col, val, keep, err = s.parseCell(b, j, col)
			if err != nil {
				return 0, nil, err
			}
			if keep {
				if col > maxColumns {
					return 0, nil, errFallback // excelize says how far the row goes
				}
				for len(cells) < col-1 {
					cells = append(cells, "")
				}
				cells = append(cells, val)
			}
		}
	}
	// excelize reads a row's cells on to the next row's start, and takes
	// in whatever comes before it: the row is the scanner's only when a
	// plain next row, or the end of the sheet's data, follows.
	if err := s.peekNext(b, j, num); err != nil {
		return 0, nil, err
	}
	s.pos = j
	s.cells = cells
	var out []string
	if len(cells) > 0 {
		out = make([]string, len(cells))
		copy(out, cells)
	}
	return num, out, nil
}

// peekNext checks what follows row num at b[j]: a row start with no r
// attribute or a greater row number, or the end of sheetData.
func (s *sheetScanner) peekNext(b []byte, j, num int) error {
	k, err := skipSpace(b, j)
	if err != nil {
		return err
	}
	if _, err := s.parseTag(b, k); err != nil {
		return err
	}
	t := &s.tag
	if t.end {
		if !bytes.Equal(t.qname, s.dataNS) {
			return errFallback
		}
		return nil
	}
	if string(t.local) != "row" || !s.attrsOK() {
		return errFallback
	}
	if n, ok, err := s.attrInt("r"); ok {
		if err != nil || n <= num || n > maxSheetRows {
			return errFallback
		}
	}
	return nil
}

// maxSheetRows is Excel's (and excelize's) last row.
const maxSheetRows = 1048576

// cell is what a <c> element holds.
type cell struct {
	t         string
	v         []byte // the text of <v>, entities decoded
	s         int
	hasV      bool
	formula   bool
	inline    bool // an <is> child
	inlineVal string
}

// parseCell parses the cell whose start tag was just read (s.tag), from
// b[j], and returns its column, its value as excelize gives it, and
// whether excelize keeps it (a value, or a formula).
func (s *sheetScanner) parseCell(b []byte, j, col int) (int, int, string, bool, error) {
	t := &s.tag
	if !s.attrsOK() {
		return 0, 0, "", false, errFallback
	}
	var c cell
	for _, a := range s.attrs[:t.nattr] {
		v := a.value
		if t.dirty && !clean(v) {
			d, _ := s.decode(v, true)
			v = []byte(d)
		}
		switch string(a.local) {
		case "r":
			n, ok := columnOf(v)
			if !ok {
				return 0, 0, "", false, errFallback
			}
			col = n
		case "s":
			n, ok := atoi(v)
			if !ok {
				return 0, 0, "", false, errFallback
			}
			c.s = n
		case "t":
			switch string(v) {
			case "", "n":
				c.t = ""
			case "s":
				c.t = "s"
			case "b":
				c.t = "b"
			case "str":
				c.t = "str"
			case "inlineStr":
				c.t = "inlineStr"
			case "e":
				c.t = "e"
			default:
				c.t = string(v)
			}
		}
	}
	if !t.selfClose {
		cname := t.qname
		for {
			var err error
			if j, err = s.nextTag(b, j); err != nil {
				return 0, 0, "", false, err
			}
			if t.end {
				if !bytes.Equal(t.qname, cname) {
					return 0, 0, "", false, errFallback
				}
				break
			}
			if !s.attrsOK() {
				return 0, 0, "", false, errFallback
			}
			switch string(t.local) {
			case "v":
				if c.hasV {
					return 0, 0, "", false, errFallback
				}
				c.hasV = true
				if !t.selfClose {
					c.v, j, err = s.textBytes(b, j)
					if err != nil {
						return 0, 0, "", false, err
					}
				}
			case "f":
				c.formula = true
				if !t.selfClose {
					if _, j, err = s.textElement(b, j); err != nil {
						return 0, 0, "", false, err
					}
				}
			case "is":
				if c.inline {
					return 0, 0, "", false, errFallback
				}
				c.inline = true
				if !t.selfClose {
					c.inlineVal, j, err = s.inlineString(b, j, col)
					if err != nil {
						return 0, 0, "", false, err
					}
				}
			default:
				return 0, 0, "", false, errFallback
			}
		}
	}
	val, err := s.value(&c, col)
	if err != nil {
		return 0, 0, "", false, err
	}
	return j, col, val, val != "" || c.formula, nil
}

// textBytes reads the text of an element whose start tag was just read
// up to its end tag, which must follow with no element between. The
// bytes are the buffer's own when the text has no entity to decode.
func (s *sheetScanner) textBytes(b []byte, j int) ([]byte, int, error) {
	name := s.tag.qname
	k := bytes.IndexByte(b[j:], '<')
	if k < 0 {
		return nil, 0, errMore
	}
	k += j
	raw := b[j:k]
	e, err := s.parseTag(b, k)
	if err != nil {
		return nil, 0, err
	}
	if !s.tag.end || !bytes.Equal(s.tag.qname, name) {
		return nil, 0, errFallback
	}
	if clean(raw) {
		return raw, e, nil
	}
	v, ok := s.decode(raw, true)
	if !ok {
		return nil, 0, errFallback
	}
	return []byte(v), e, nil
}

// textElement is textBytes as a string.
func (s *sheetScanner) textElement(b []byte, j int) (string, int, error) {
	v, e, err := s.textBytes(b, j)
	return string(v), e, err
}

// clean reports whether text needs no decoding: no entity, no carriage
// return, no control or non-ASCII character.
func clean(raw []byte) bool {
	for _, c := range raw {
		if dirtyByte[c] {
			return false
		}
	}
	return true
}

// atoi is strconv.ParseInt(v, 10, 64) for a style index: false where it
// would fail.
func atoi(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 18 {
		n, err := strconv.ParseInt(string(v), 10, 64)
		return int(n), err == nil
	}
	neg := false
	i := 0
	if v[0] == '+' || v[0] == '-' {
		neg = v[0] == '-'
		i = 1
		if len(v) == 1 {
			return 0, false
		}
	}
	n := 0
	for ; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int(v[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// nextTag parses the tag after any white space from b[j:] into s.tag and
// returns the index after it.
func (s *sheetScanner) nextTag(b []byte, j int) (int, error) {
	i, err := skipSpace(b, j)
	if err != nil {
		return 0, err
	}
	return s.parseTag(b, i)
}

// inlineString reads an <is> element's content as excelize's
// xlsxSI.String() joins it: its <t>, then each run's <t>; phonetic runs
// and run properties left out.
func (s *sheetScanner) inlineString(b []byte, j, col int) (string, int, error) {
	isName := s.tag.qname
	var (
		first string
		hasT  bool
		runs  []string
	)
	for {
		var err error
		if j, err = s.nextTag(b, j); err != nil {
			return "", 0, err
		}
		t := &s.tag
		if t.end {
			if !bytes.Equal(t.qname, isName) {
				return "", 0, errFallback
			}
			break
		}
		if !s.attrsOK() {
			return "", 0, errFallback
		}
		switch string(t.local) {
		case "t":
			if hasT {
				return "", 0, errFallback
			}
			hasT = true
			if !t.selfClose {
				var tb []byte
				if tb, j, err = s.textBytes(b, j); err != nil {
					return "", 0, err
				}
				first = s.internText(tb, col)
			}
		case "r":
			if t.selfClose {
				continue
			}
			var run string
			if run, j, err = s.run(b, j); err != nil {
				return "", 0, err
			}
			runs = append(runs, run)
		case "rPh", "phoneticPr":
			if !t.selfClose {
				if j, err = s.skipElement(b, j); err != nil {
					return "", 0, err
				}
			}
		default:
			return "", 0, errFallback
		}
	}
	if len(runs) == 0 {
		if first == "" {
			return "", j, nil
		}
		return bstrUnmarshal(first), j, nil
	}
	v := first + strings.Join(runs, "")
	if v == "" {
		return "", j, nil
	}
	return bstrUnmarshal(v), j, nil
}

// internText returns text, a cell's in column col, as a string, shared
// with earlier equal short texts: a long table repeats its country
// names, flows and codes on every row. Each column remembers its last
// text, which answers a sorted column's runs without hashing, and stops
// looking texts up once most of its texts are new (a column of
// figures), whose lookups and insertions only cost time and fill the
// table the other columns share.
func (s *sheetScanner) internText(b []byte, col int) string {
	var ic *internCol
	if col >= 0 && col < maxInternCols {
		for col >= len(s.byCol) {
			s.byCol = append(s.byCol, internCol{})
		}
		ic = &s.byCol[col]
		if string(b) == ic.last {
			return ic.last
		}
		if ic.off {
			ic.last = string(b)
			return ic.last
		}
	}
	x, ok := s.intern[string(b)]
	if !ok {
		x = string(b)
		if len(s.intern) < 1<<16 && len(x) <= 32 {
			s.intern[x] = x
		}
	}
	if ic != nil {
		ic.last = x
		if ic.looked++; ok {
			ic.hits++
		}
		if ic.looked == internWindow {
			ic.off = ic.hits < internWindow/4
			ic.looked, ic.hits = 0, 0
		}
	}
	return x
}

// internCol is what internText remembers of one column.
type internCol struct {
	last         string
	looked, hits int // lookups in the table, and those that found the text, in this window
	off          bool
}

// internText judges a column by windows of internWindow lookups, and
// remembers the first maxInternCols columns.
const (
	internWindow  = 4096
	maxInternCols = 1024
)

// run reads a rich-text run <r>: its <t>, with <rPr> skipped.
func (s *sheetScanner) run(b []byte, j int) (string, int, error) {
	rName := s.tag.qname
	var (
		v    string
		hasT bool
	)
	for {
		var err error
		if j, err = s.nextTag(b, j); err != nil {
			return "", 0, err
		}
		t := &s.tag
		if t.end {
			if !bytes.Equal(t.qname, rName) {
				return "", 0, errFallback
			}
			return v, j, nil
		}
		if !s.attrsOK() {
			return "", 0, errFallback
		}
		switch string(t.local) {
		case "t":
			if hasT {
				return "", 0, errFallback
			}
			hasT = true
			if !t.selfClose {
				if v, j, err = s.textElement(b, j); err != nil {
					return "", 0, err
				}
			}
		case "rPr":
			if !t.selfClose {
				if j, err = s.skipElement(b, j); err != nil {
					return "", 0, err
				}
			}
		default:
			return "", 0, errFallback
		}
	}
}

// skipElement passes over the content and end tag of the element whose
// start tag was just read, checking that it is well-formed.
func (s *sheetScanner) skipElement(b []byte, j int) (int, error) {
	names := []string{string(s.tag.qname)}
	for len(names) > 0 {
		i, err := s.skipText(b, j)
		if err != nil {
			return 0, err
		}
		j, err = s.parseTag(b, i)
		if err != nil {
			return 0, err
		}
		t := &s.tag
		switch {
		case t.end:
			if string(t.qname) != names[len(names)-1] {
				return 0, errFallback
			}
			names = names[:len(names)-1]
		case !s.attrsOK():
			return 0, errFallback
		case !t.selfClose:
			names = append(names, string(t.qname))
		}
	}
	return j, nil
}

// columnOf reads the column of a cell reference such as "AB12" as
// excelize does; references it might read differently ("$A$1", "ab12")
// are left to it.
func columnOf(ref []byte) (int, bool) {
	i, col := 0, 0
	for i < len(ref) && 'A' <= ref[i] && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	if i == 0 || i > 3 || col > 16384 || i == len(ref) || ref[i] == '0' {
		return 0, false
	}
	row := 0
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		row = row*10 + int(c-'0')
		if row > maxSheetRows {
			return 0, false
		}
	}
	return col, true
}

// value is the cell's text as excelize's getValueFrom gives it, with the
// style table isoDates wrote: strings as they are, booleans as TRUE and
// FALSE, numbers as their shortest decimal (or to 15 significant
// digits), and numbers in a date style as ISO dates.
func (s *sheetScanner) value(c *cell, col int) (string, error) {
	switch c.t {
	case "b":
		switch string(c.v) {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
		return string(c.v), nil
	case "d":
		return "", errFallback
	case "s":
		if len(c.v) == 0 {
			return "", nil
		}
		idx, ok := atoi(c.v)
		if !ok {
			idx, _ = strconv.Atoi(strings.TrimSpace(string(c.v)))
		}
		if idx < 0 || idx >= len(s.sst) {
			return "", nil // excelize's invalid-index error is dropped by Rows
		}
		return s.sst[idx], nil
	case "str":
		return s.internText(c.v, col), nil
	case "inlineStr":
		if c.inline {
			return c.inlineVal, nil
		}
		return string(c.v), nil
	}
	var v string
	if plainNumber(c.v) {
		v = s.internText(c.v, col)
	} else {
		v = string(c.v)
		if ok, prec, x := isNumeric(v); ok {
			if prec > 15 {
				v = strconv.FormatFloat(x, 'G', 15, 64)
			} else {
				v = strconv.FormatFloat(x, 'f', -1, 64)
			}
		}
	}
	if c.s > 0 && c.s < len(s.kinds) && s.kinds[c.s] != notDate {
		if ok, _, x := isNumeric(v); ok && x >= 0 {
			return s.dates(s.kinds[c.s], v), nil
		}
	}
	return v, nil
}

// plainNumber reports whether v is a decimal that excelize's number
// formatting leaves as it is: an optional minus, an integer part without
// leading zeros, an optional fraction without trailing zeros, at most 15
// digits in all.
func plainNumber(v []byte) bool {
	i, digits := 0, 0
	if len(v) > 0 && v[0] == '-' {
		i, digits = 1, 1 // excelize counts the sign as a digit
	}
	start := i
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	intLen := i - start
	if intLen == 0 || intLen > 1 && v[start] == '0' {
		return false
	}
	digits += intLen
	if i < len(v) {
		if v[i] != '.' {
			return false
		}
		i++
		fs := i
		for i < len(v) && '0' <= v[i] && v[i] <= '9' {
			i++
		}
		if i != len(v) || i == fs || v[i-1] == '0' {
			return false
		}
		digits += i - fs
	}
	if string(v) == "-0" {
		return false
	}
	return digits <= 15
}

// isNumeric is excelize's test of a number and its digit count.
func isNumeric(s string) (bool, int, float64) {
	if strings.Contains(s, "_") {
		return false, 0, 0
	}
	flt, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false, 0, 0
	}
	noSci := strconv.FormatFloat(flt, 'f', -1, 64)
	return true, len(noSci) - strings.Count(noSci, "."), flt
}

// bstrExp and bstrUnmarshal are excelize's decoding of the _xHHHH_
// escapes Excel writes for characters XML cannot hold.
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

func bstrUnmarshal(s string) (result string) {
	if !strings.Contains(s, "_x") {
		return s
	}
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			result += "_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			v, _ := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`)
			result += v
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}
