package importers

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxStreamedSheet caps the XML of one worksheet that the fast scanner
// streams from the zip (it is never held whole, in memory or on disk):
// reading that much takes some seconds, not gigabytes.
const maxStreamedSheet = 4 << 30

// partName is a zip entry's name as excelize keys it.
func partName(f *zip.File) string { return strings.ReplaceAll(f.Name, `\`, "/") }

// streamedPart reports whether a part is a worksheet that excelize would
// unzip to a temporary file (one over maxXMLPart): the fast scanner
// streams such a part instead, and excelize is not given it.
func streamedPart(f *zip.File) bool {
	return strings.HasPrefix(strings.ToLower(partName(f)), "xl/worksheets/sheet") &&
		f.UncompressedSize64 > maxXMLPart && !f.FileInfo().IsDir()
}

// stubSheet is the worksheet excelize is given in place of a streamed one.
const stubSheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`

// litePackage returns the workbook with each streamed worksheet emptied,
// for excelize, and those worksheets' parts by name; nil and none when
// no part is streamed. The other parts are copied still compressed.
func litePackage(zr *zip.Reader) ([]byte, map[string]*zip.File, error) {
	streamed := map[string]*zip.File{}
	for _, f := range zr.File {
		if streamedPart(f) {
			streamed[partName(f)] = f
		}
	}
	if len(streamed) == 0 {
		return nil, nil, nil
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if streamedPart(f) {
			w, err := zw.Create(f.Name)
			if err != nil {
				return nil, nil, err
			}
			if _, err := io.WriteString(w, stubSheet); err != nil {
				return nil, nil, err
			}
			continue
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return nil, nil, err
		}
		h := f.FileHeader
		w, err := zw.CreateRaw(&h)
		if err != nil {
			return nil, nil, err
		}
		if _, err := io.Copy(w, raw); err != nil {
			return nil, nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	return out.Bytes(), streamed, nil
}

// fastPath starts the fast scanner on a workbook's sheets.
type fastPath struct {
	f        *excelize.File
	streamed map[string]*zip.File
	sst      []string
	sstRead  bool
	sstOK    bool
	sstBig   bool // excelize keeps the shared strings in a temporary file
	dates    func(dateKind, string) string
}

func newFastPath(f *excelize.File, zr *zip.Reader, streamed map[string]*zip.File) *fastPath {
	p := &fastPath{f: f, streamed: streamed}
	for _, zf := range zr.File {
		if strings.EqualFold(partName(zf), "xl/sharedStrings.xml") && zf.UncompressedSize64 > maxXMLPart {
			p.sstBig = true
		}
	}
	return p
}

// fastScan is a scanner with the part it reads.
type fastScan struct {
	*sheetScanner
	closer io.Closer
}

func (s *fastScan) close() {
	if s.closer != nil {
		s.closer.Close()
		s.closer = nil
	}
}

// sharedStrings returns the workbook's shared strings as excelize reads
// them, or false when excelize keeps them in a temporary file (over
// maxXMLPart), which only its own reader reads.
func (p *fastPath) sharedStrings(sheet string) ([]string, bool) {
	if p.sstRead {
		return p.sst, p.sstOK
	}
	p.sstRead = true
	// excelize loads the shared strings when a row iterator first reads
	// cells: reading a row of any sheet loads them.
	rows, err := p.f.Rows(sheet)
	if err != nil {
		return nil, false
	}
	rows.Columns()
	rows.Close()
	sst := p.f.SharedStrings
	if sst == nil || p.sstBig {
		return nil, false
	}
	p.sst = make([]string, len(sst.SI))
	for i := range sst.SI {
		p.sst[i] = sst.SI[i].String()
	}
	p.sstOK = true
	return p.sst, true
}

// scanner starts the fast scanner on a sheet, or returns nil when the
// sheet is for excelize alone. kinds are the cell styles' date kinds.
func (p *fastPath) scanner(sheet string, kinds []dateKind) (*fastScan, error) {
	sst, ok := p.sharedStrings(sheet)
	if !ok {
		return nil, nil
	}
	name := sheetPart(p.f, sheet)
	if name == "" {
		return nil, nil
	}
	if p.dates == nil {
		props, err := p.f.GetWorkbookProps()
		if err != nil {
			return nil, err
		}
		if p.dates, err = newDateFormatter(props.Date1904 != nil && *props.Date1904); err != nil {
			return nil, err
		}
	}
	if zf, ok := p.streamed[name]; ok {
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		return &fastScan{newSheetScanner(rc, sst, kinds, p.dates), rc}, nil
	}
	b, _ := p.f.Pkg.Load(name)
	data, _ := b.([]byte)
	if data == nil {
		return nil, nil
	}
	return &fastScan{sheetScanner: newSheetScanner(bytes.NewReader(data), sst, kinds, p.dates)}, nil
}

// hasData is hasData (xlsx.go) for every sheet: a streamed one is
// scanned to its first non-blank cell.
func (p *fastPath) hasData(f *excelize.File, sheet string) bool {
	if _, ok := p.streamed[sheetPart(f, sheet)]; !ok {
		return hasData(f, sheet)
	}
	s, err := p.scanner(sheet, nil)
	if err != nil || s == nil {
		return true
	}
	defer s.close()
	for {
		_, cells, err := s.Next()
		if err != nil {
			return !errors.Is(err, io.EOF)
		}
		if !blank(cells) {
			return true
		}
	}
}

// newDateFormatter returns a function that writes a date-styled number
// as excelize writes it with the ISO formats isoDates gives date styles:
// a one-sheet workbook in memory, with the same date system, holds one
// cell per date kind, and excelize formats each value put there. Dates
// repeat (a period column), so each answer is remembered.
func newDateFormatter(date1904 bool) (func(dateKind, string) string, error) {
	g := excelize.NewFile()
	if date1904 {
		if err := g.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			return nil, err
		}
	}
	var cells [len(isoFormats)]string
	for k := dateYear; k <= dateDay; k++ {
		st, err := g.NewStyle(&excelize.Style{CustomNumFmt: &isoFormats[k]})
		if err != nil {
			return nil, err
		}
		cells[k] = string(rune('A'+int(k))) + "1"
		if err := g.SetCellStyle("Sheet1", cells[k], cells[k], st); err != nil {
			return nil, err
		}
	}
	memo := map[string]string{}
	return func(k dateKind, v string) string {
		key := string(rune('0'+int(k))) + v
		if s, ok := memo[key]; ok {
			return s
		}
		s := v
		if err := g.SetCellDefault("Sheet1", cells[k], v); err == nil {
			if got, err := g.GetCellValue("Sheet1", cells[k]); err == nil {
				s = got
			}
		}
		if len(memo) >= 1<<16 {
			clear(memo)
		}
		memo[key] = s
		return s
	}, nil
}
