package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"tradedash/data"
)

// wide reads tables with periods as columns, as the IMF (DOTS/IMTS), WITS
// and statistics offices publish them: title rows, a unit row such as
// "(value in thousand US$)", a header whose period columns are years,
// fiscal years or months, one partner or product per row, a Total row and
// footnotes below. The reporter and flow come from Options or from a title
// such as "Pakistan: exports to selected countries".
type wide struct {
	ref  *data.Reference
	o    Options
	file string
	// unit is what Detect found, kept so that Description can say it.
	unit unitFound
}

func newWide(ref *data.Reference, file string, o Options) *wide {
	return &wide{ref: ref, o: o, file: file}
}

// Name is the format recorded on the dataset.
func (w *wide) Name() string { return "wide" }

// Detect finds a header with period columns right of a label column. It
// scores below the long layouts: a long table's own header always wins.
func (w *wide) Detect(head [][]string) (int, string) {
	i, h := findWideHeader(head, w.o.FiscalStartMonth)
	if h == nil {
		return 0, "not a wide table: no header row with years, fiscal years or months as columns"
	}
	w.unit = w.findUnit(head[:i], head[i], func(j int) int { return j + 1 })
	return 5, fmt.Sprintf("wide table: %d period columns (%s…) in row %d", len(h.periods), h.labels[0], i+1)
}

// Description says where the unit was found, for the dataset's record.
func (w *wide) Description() string {
	if w.unit.scale == 0 {
		return ""
	}
	return fmt.Sprintf("Wide table; values read in %s (%s).", w.unit.name, w.unit.from)
}

// wideHeader is a header row's period columns and label columns.
type wideHeader struct {
	periods []wideColumn
	labels  []string // the header's cells as written
}

type wideColumn struct {
	col    int
	text   string
	period data.Period
	fiscal bool // a fiscal year whose start month is not known
}

var (
	reWideYear   = regexp.MustCompile(`^(\d{4})$`)
	reWideFiscal = regexp.MustCompile(`^(?i:FY)?\s*(\d{4})\s*[-–/]\s*(\d{2}|\d{4})$`)
	reWideIMF    = regexp.MustCompile(`^(\d{4})\s*M(\d{1,2})$`)
	reWideISO    = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	reWideName   = regexp.MustCompile(`^([A-Za-z]{3,9})\.?[\s\-/']*(\d{4})$`)
)

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// widePeriod reads a header cell as a period: "2019", "2022-23",
// "FY2022-23", "2020M01", "2020-01", "Jan 2020"; footnote marks such as
// "(P)" are dropped. fiscal reports a fiscal year with no start month.
func widePeriod(h string, fiscalStart int) (p data.Period, fiscal, ok bool) {
	if len(h) > maxLabel {
		return p, false, false
	}
	t := stripFootnote(strings.Join(strings.FieldsFunc(h, isSpace), " "))
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	switch {
	case reWideYear.MatchString(t):
		p = data.Year(atoi(t))
	case reWideFiscal.MatchString(t):
		m := reWideFiscal.FindStringSubmatch(t)
		start, end := atoi(m[1]), atoi(m[2])
		if len(m[2]) == 2 {
			end += start / 100 * 100
			if end < start {
				end += 100
			}
		}
		if end != start+1 {
			if reWideISO.MatchString(t) && end%100 >= 1 && end%100 <= 12 {
				p = data.Period{Start: data.NewMonth(start, end%100), End: data.NewMonth(start, end%100)}
				break
			}
			return p, false, false
		}
		if fiscalStart == 0 {
			return p, true, true
		}
		p = data.Fiscal(start, fiscalStart)
	case reWideIMF.MatchString(t):
		m := reWideIMF.FindStringSubmatch(t)
		n := atoi(m[2])
		if n < 1 || n > 12 {
			return p, false, false
		}
		p = data.Period{Start: data.NewMonth(atoi(m[1]), n), End: data.NewMonth(atoi(m[1]), n)}
	case reWideName.MatchString(t):
		m := reWideName.FindStringSubmatch(t)
		n, known := monthNames[strings.ToLower(m[1])]
		if !known {
			return p, false, false
		}
		p = data.Period{Start: data.NewMonth(atoi(m[2]), n), End: data.NewMonth(atoi(m[2]), n)}
	default:
		return p, false, false
	}
	return p, false, p.Validate() == nil
}

// findWideHeader returns the first row of head that has a label cell and
// then period cells, and no numbers other than period labels.
func findWideHeader(head [][]string, fiscalStart int) (int, *wideHeader) {
	for i, cells := range head {
		h := &wideHeader{labels: cells}
		label, other := false, false
		for c, cell := range cells {
			cell = strings.TrimFunc(cell, isSpace)
			if cell == "" {
				continue
			}
			if p, fiscal, ok := widePeriod(cell, fiscalStart); ok {
				h.periods = append(h.periods, wideColumn{col: c, text: cell, period: p, fiscal: fiscal})
				continue
			}
			if _, ok, _ := parseNumber(cell); ok {
				other = true
				break
			}
			if len(h.periods) == 0 {
				label = true
			}
		}
		if label && !other && len(h.periods) > 0 {
			return i, h
		}
	}
	return -1, nil
}

// unitFound is a unit and where it was read.
type unitFound struct {
	scale int    // the power of ten that turns a cell into US$; with name "" not found
	name  string // "thousand US$"
	from  string // `row 3 "(value in thousand US$)"`
	err   string // a unit that is not US$
}

var (
	reUSD      = regexp.MustCompile(`(?i)(us\s?\$|\busd\b|\bus\s+dollars?\b|\bdollars?\b|\$)`)
	reThousand = regexp.MustCompile(`(?i)(\bthousands?\b|'000|\b000s?\b|\bth\.)`)
	reMillion  = regexp.MustCompile(`(?i)(\bmillions?\b|\bmn\b|\bmln\b|\bmio\b)`)
	reBillion  = regexp.MustCompile(`(?i)(\bbillions?\b|\bbn\b|\bbln\b)`)
	reOtherCur = regexp.MustCompile(`(?i)(\brupees?\b|\brs\b|\bpkr\b|\binr\b|\brub\b|\broubles?\b|\brubles?\b|\beuros?\b|\beur\b|\bcrores?\b|\blakhs?\b|\byuan\b|\bcny\b)`)
)

// maxLabel is the longest cell read as a period, a unit statement or a
// title: longer text is none of them, and running the regular
// expressions over a 100 MB cell would take a minute.
const maxLabel = 1000

// parseUnit reads a unit statement: US dollars, in units, thousands,
// millions or billions. ok is false when text states no unit.
func parseUnit(text string) (scale int, name string, ok bool, err string) {
	if len(text) > maxLabel {
		return 0, "", false, ""
	}
	usd := reUSD.MatchString(text)
	if !usd {
		if reOtherCur.MatchString(text) && (strings.Contains(strings.ToLower(text), "value") || strings.Contains(strings.ToLower(text), "unit")) {
			return 0, "", false, fmt.Sprintf("%q states values in a currency other than US dollars; convert them, or give --unit if they are US$", text)
		}
		return 0, "", false, ""
	}
	switch {
	case reBillion.MatchString(text):
		return 9, "billion US$", true, ""
	case reMillion.MatchString(text):
		return 6, "million US$", true, ""
	case reThousand.MatchString(text):
		return 3, "thousand US$", true, ""
	}
	return 0, "US$", true, ""
}

// findUnit looks for the unit in the rows above the header, then in the
// header's cells; Options.Unit, when given, overrides both.
// rowOf gives the spreadsheet row number of above[i]; the header is the
// row after the last of them.
func (w *wide) findUnit(above [][]string, header []string, rowOf func(i int) int) unitFound {
	if w.o.Unit != "" {
		sc, name, ok, _ := parseUnit(w.o.Unit)
		if !ok {
			return unitFound{err: fmt.Sprintf("--unit %q is not a unit (expected US$, thousand US$, million US$ or billion US$)", w.o.Unit)}
		}
		return unitFound{scale: sc, name: name, from: "given with --unit"}
	}
	for i, cells := range above {
		for _, c := range cells {
			c = strings.TrimFunc(c, isSpace)
			if sc, name, ok, err := parseUnit(c); ok {
				return unitFound{scale: sc, name: name, from: fmt.Sprintf("row %d %q", rowOf(i), c)}
			} else if err != "" {
				return unitFound{err: err}
			}
		}
	}
	for _, c := range header {
		c = strings.TrimFunc(c, isSpace)
		if sc, name, ok, err := parseUnit(c); ok {
			return unitFound{scale: sc, name: name, from: fmt.Sprintf("header row %d %q", rowOf(len(above)), c)}
		} else if err != "" {
			return unitFound{err: err}
		}
	}
	return unitFound{}
}

// reTitle is a title that names the reporter and the flow, and maybe the
// partner: "Pakistan: exports to Russia", "India - imports from World".
var reTitle = regexp.MustCompile(`(?i)^\s*(.+?)\s*[:–—-]\s*(re-?exports?|re-?imports?|exports?|imports?)\b\s*(?:(?:to|from|with)\s+(.+?))?\s*[.:]?\s*$`)

// fromTitle reads reporter, flow and partner from the title rows; each
// is "" when no title states it.
func (w *wide) fromTitle(above [][]string) (reporter, flow, partner string) {
	for _, cells := range above {
		for _, c := range cells {
			if len(c) > maxLabel {
				continue
			}
			m := reTitle.FindStringSubmatch(strings.TrimFunc(c, isSpace))
			if m == nil {
				continue
			}
			rc, err := w.ref.Country(m[1])
			if err != nil {
				continue
			}
			f, _ := parseFlow(m[2])
			if m[3] != "" {
				if pc, err := w.ref.Country(m[3]); err == nil {
					partner = pc.ISO3
				}
			}
			return rc.ISO3, string(f), partner
		}
	}
	return "", "", ""
}

// labelKind says what the rows' label column holds.
type labelKind int

const (
	labelAuto    labelKind = iota // decided per row: a country, else a product
	labelPartner                  // partner names or codes
	labelProduct                  // HS codes or sector names
)

var (
	partnerHeaders = map[string]bool{"partner": true, "partners": true, "country": true, "countries": true, "partner country": true,
		"partner name": true, "destination": true, "origin": true, "country name": true, "economy": true, "partner economy": true,
		"country region": true, "countries regions": true, "region": true, "country territory": true, "trading partner": true}
	productCodeHeaders = map[string]bool{"hs code": true, "hscode": true, "hs": true, "code": true, "product code": true,
		"commodity code": true, "hs2": true, "hs4": true, "hs6": true, "hs chapter": true, "chapter": true}
	productNameHeaders = map[string]bool{"commodity": true, "commodities": true, "product": true, "products": true,
		"description": true, "sector": true, "sectors": true, "product name": true, "commodity description": true,
		"product description": true, "section": true, "item": true, "items": true}
	ignoredHeaders = map[string]bool{"s no": true, "sno": true, "sr no": true, "no": true, "serial": true, "rank": true, "s n": true, "#": true, "": true}
	totalLabels    = map[string]bool{"total": true, "world": true, "grand total": true, "all countries": true, "total exports": true,
		"total imports": true, "total trade": true, "all commodities": true, "all products": true, "total all countries": true, "world total": true}
)

// footnote reports whether a row's first cell begins a footnote.
func footnote(first string) bool {
	for _, p := range []string{"source", "note", "*", "(", "footnote", "compiled", "p:", "provisional"} {
		if strings.HasPrefix(strings.ToLower(first), p) {
			return true
		}
	}
	return false
}

// Parse finds the header, reads the title and unit above it, then one
// observation per period cell of every data row.
func (w *wide) Parse(ctx context.Context, rows Rows, emit func(data.Observation) error) error {
	var (
		above   [][]string
		aboveAt []int // their row numbers
		h       *wideHeader
	)
	headerRow := 0
	for h == nil {
		row, cells, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return &Error{Sheet: rows.Sheet(), Msg: "no header row with years, fiscal years or months as columns"}
		}
		if err != nil {
			return err
		}
		if _, hh := findWideHeader([][]string{cells}, w.o.FiscalStartMonth); hh != nil {
			h, headerRow = hh, row
			break
		}
		if len(above) >= headRows*4 {
			return &Error{Sheet: rows.Sheet(), Row: row, Msg: "no header row with years, fiscal years or months as columns"}
		}
		above, aboveAt = append(above, cells), append(aboveAt, row)
	}
	for _, p := range h.periods {
		if p.fiscal {
			return &Error{Sheet: rows.Sheet(), Row: headerRow, Column: p.text, Value: p.text,
				Msg: fmt.Sprintf("%q is a fiscal year, but its start month is not known (give --fiscal-start-month: 7 for Pakistan's July–June, 4 for India's April–March)", p.text)}
		}
	}
	unit := w.findUnit(above, h.labels, func(i int) int {
		if i < len(aboveAt) {
			return aboveAt[i]
		}
		return headerRow
	})
	switch {
	case unit.err != "":
		return &Error{Sheet: rows.Sheet(), Row: headerRow, Msg: unit.err}
	case unit.name == "":
		return &Error{Sheet: rows.Sheet(), Row: headerRow, Msg: `no unit is stated above the table or in its header (expected a row such as "(value in thousand US$)" or "US$ million"; or give --unit)`}
	}
	reporter, flow, partner := w.fromTitle(above)
	if w.o.Reporter != "" {
		reporter = w.o.Reporter
	}
	if w.o.Flow != "" {
		flow = w.o.Flow
	}
	if w.o.Partner != "" {
		partner = w.o.Partner
	}
	if reporter == "" || flow == "" {
		return &Error{Sheet: rows.Sheet(), Row: headerRow, Msg: `a wide table needs its reporter and flow: give --reporter and --flow, or a title row such as "Pakistan: exports to …"`}
	}

	// The label column: the last left of the periods that is not a serial number.
	labelCol, kind, nameCol := -1, labelAuto, -1
	for c := 0; c < h.periods[0].col && c < len(h.labels); c++ {
		n := normalizeHeader(h.labels[c])
		switch {
		case ignoredHeaders[n]:
		case partnerHeaders[n]:
			labelCol, kind = c, labelPartner
		case productCodeHeaders[n]:
			if kind != labelPartner {
				labelCol, kind = c, labelProduct
			}
		case productNameHeaders[n]:
			if kind == labelProduct {
				nameCol = c
			} else if kind != labelPartner {
				labelCol, kind = c, labelProduct
			}
		default:
			if labelCol < 0 {
				labelCol = c
			}
		}
	}
	if labelCol < 0 {
		return &Error{Sheet: rows.Sheet(), Row: headerRow, Msg: "the header has no partner or product column left of the periods"}
	}
	if kind != labelPartner && partner == "" {
		if kind == labelProduct {
			return &Error{Sheet: rows.Sheet(), Row: headerRow, Msg: "the rows are products but no partner is stated: give --partner (World for a total)"}
		}
	}

	n, footer := 0, false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, cells, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if blank(cells) || footer {
			continue
		}
		first := ""
		for _, c := range cells {
			if c = strings.TrimFunc(c, isSpace); c != "" {
				first = c
				break
			}
		}
		if footnote(first) {
			footer = true
			continue
		}
		cell := func(i int) string {
			if i >= 0 && i < len(cells) {
				return strings.TrimFunc(cells[i], isSpace)
			}
			return ""
		}
		empty := true
		for _, p := range h.periods {
			if cell(p.col) != "" {
				empty = false
			}
		}
		if empty {
			continue // a sub-heading, a unit row or a footnote without a mark
		}
		label := cell(labelCol)
		fail := func(col int, value, msg string) *Error {
			e := &Error{Sheet: rows.Sheet(), Row: row, Value: value, Msg: msg}
			if col < len(h.labels) {
				e.Column = strings.TrimFunc(h.labels[col], isSpace)
			}
			return e
		}
		if label == "" {
			return fail(labelCol, "", "the row has figures but no partner or product")
		}
		base := data.Observation{Reporter: reporter, Partner: partner, Flow: data.Flow(flow), Product: data.TotalProduct, Bound: data.Exact}
		isTotal := totalLabels[strings.ToLower(strings.Join(strings.Fields(label), " "))]
		rowKind := kind
		if rowKind == labelAuto {
			rowKind = labelProduct
			if _, err := w.ref.Country(label); err == nil || isTotal {
				rowKind = labelPartner
			}
		}
		switch {
		case rowKind == labelPartner && isTotal:
			base.Partner = "WLD"
		case rowKind == labelPartner:
			c, err := w.ref.Country(label)
			if err != nil {
				return fail(labelCol, label, fmt.Sprintf("%q is not a known country or area (expected an ISO3 or ISO2 code, a UN M49 or Comtrade code, or an English name)", label))
			}
			base.Partner = c.ISO3
		case isTotal:
		default:
			if partner == "" {
				return fail(labelCol, label, "the rows are products but no partner is stated: give --partner (World for a total)")
			}
			p, err := w.product(label, cell(nameCol))
			if err != nil {
				return fail(labelCol, label, msgOf(err))
			}
			base.Product = p
		}
		for _, p := range h.periods {
			v := cell(p.col)
			value, ok, perr := parseNumber(v)
			switch {
			case perr != nil:
				return fail(p.col, v, perr.Error())
			case !ok:
				if w.o.Skipped != nil {
					e := fail(p.col, v, "no value; cell left out")
					e.File = w.file
					w.o.Skipped(e)
				}
				continue
			}
			o := base
			o.Period = p.period
			if o.ValueUSD, err = scaleDecimal(value, unit.scale); err != nil {
				return fail(p.col, v, err.Error())
			}
			o.SourceRef = fmt.Sprintf("%s, row %d, column %s", w.file, row, p.text)
			if s := rows.Sheet(); s != "" {
				o.SourceRef = fmt.Sprintf("%s, sheet %s, row %d, column %s", w.file, s, row, p.text)
			}
			if err := o.Validate(); err != nil {
				return fail(p.col, v, msgOf(err))
			}
			if err := emit(o); err != nil {
				if errors.Is(err, data.ErrInvalid) {
					return fail(p.col, v, msgOf(err))
				}
				return fmt.Errorf("row %d: %w", row, err)
			}
			n++
		}
	}
	if n == 0 {
		return &Error{Sheet: rows.Sheet(), Msg: "no cell under the header states a value; nothing to import"}
	}
	return nil
}

// product reads a product label: TOTAL, an HS code (a lost leading zero
// restored) or a sector name.
func (w *wide) product(code, name string) (data.Product, error) {
	switch {
	case strings.EqualFold(code, "total"):
		return data.TotalProduct, nil
	case allDigits(code) && len(code) <= 6:
		if len(code)%2 == 1 {
			code = "0" + code
		}
		p := hsProduct(w.ref, code)
		if p.Name == "" {
			p.Name = name
		}
		return p, p.Validate()
	case allDigits(code):
		return data.Product{}, fmt.Errorf("%q is not an HS code (expected 2, 4 or 6 digits)", code)
	}
	if p, err := w.ref.Product(data.Sector, strings.Join(strings.Fields(code), " ")); err == nil {
		return p, nil
	}
	p := data.Product{Classification: data.Sector, Code: strings.Join(strings.Fields(code), " "), Name: name}
	return p, p.Validate()
}
