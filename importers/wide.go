package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"tradedash/data"
)

// wide reads tables with periods as columns, as statistics offices
// publish them (WITS and IMF tables, whose key columns are on every row,
// are keyed layouts of their own, in wits.go): title rows, a unit row such as
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
	span := h.periods[0].text
	if n := len(h.periods); n > 1 {
		span += " … " + h.periods[n-1].text
	}
	// No row number: head holds the rows that are not blank, so i+1 need
	// not be the header's row; the Report's HeaderRow is.
	return 5, fmt.Sprintf("wide table: %d period columns (%s)", len(h.periods), span)
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
	month  int  // 1..12 for a month without a year ("Jan"): the year comes from --year or a title
}

var (
	reWideYear   = regexp.MustCompile(`^(\d{4})$`)
	reWideFiscal = regexp.MustCompile(`^(?i:FY)?\s*(\d{4})\s*[-–/]\s*(\d{2}|\d{4})$`)
	reWideIMF    = regexp.MustCompile(`^(\d{4})\s*M(\d{1,2})$`)
	reWideQ      = regexp.MustCompile(`^(\d{4})\s*Q([1-4])$`)
	reWideISO    = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	reWideName   = regexp.MustCompile(`^([A-Za-z]{3,9})\.?[\s\-/']*(\d{4})$`)
)

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// widePeriod reads a header cell as a period: "2019", "2022-23",
// "FY2022-23", "2020M01", "2020Q1", "2020-01", "Jan 2020"; footnote marks such as
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
	case reWideQ.MatchString(t):
		m := reWideQ.FindStringSubmatch(t)
		q := atoi(m[2])
		p = data.Period{Start: data.NewMonth(atoi(m[1]), 3*q-2), End: data.NewMonth(atoi(m[1]), 3*q)}
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

// monthOnly reads a header cell that names a month without a year
// ("Jan", "January", "Sept."); 0 when it is not one.
func monthOnly(h string) int {
	if len(h) > 12 {
		return 0
	}
	t := strings.TrimSuffix(stripFootnote(trimSpace(h)), ".")
	return monthNames[strings.ToLower(t)]
}

// findWideHeader returns the first row of head that has a label cell and
// then period cells, and no numbers other than period labels.
func findWideHeader(head [][]string, fiscalStart int) (int, *wideHeader) {
	for i, cells := range head {
		h := &wideHeader{labels: cells}
		label, other := false, false
		for c, cell := range cells {
			cell = trimSpace(cell)
			if cell == "" {
				continue
			}
			if p, fiscal, ok := widePeriod(cell, fiscalStart); ok {
				h.periods = append(h.periods, wideColumn{col: c, text: cell, period: p, fiscal: fiscal})
				continue
			}
			if m := monthOnly(cell); m > 0 && (len(h.periods) > 0 || label) {
				h.periods = append(h.periods, wideColumn{col: c, text: cell, month: m})
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
	// errRow and errCell place a refused unit: its row (0: not in the
	// file) and cell; errHeader says the cell is in the header.
	errRow    int
	errCell   string
	errHeader bool
}

var (
	// reUSD is a statement in US dollars; a bare "$" or "dollars" counts
	// once otherDollar has found no other country's dollar in the text.
	reUSD = regexp.MustCompile(`(?i)(\bu\.?\s?s\.?\s?\$|\busd\b|\bu\.?\s?s\.?\s+dollars?\b|\bunited\s+states\s+dollars?\b|\bdollars?\b|\$)`)
	// reDollarSign is a dollar sign with letters before it: "HK$", "C$",
	// "NT$"; "US$" and "U.S.$" are told apart in otherDollar.
	reDollarSign = regexp.MustCompile(`(?i)\b([a-z]{1,3})\$`)
	// reOtherDollar names another country's dollar, by ISO 4217 code (in
	// capitals, as written) or by name.
	reOtherDollar = regexp.MustCompile(`\b(?:HKD|CAD|AUD|NZD|SGD|TWD|JMD|TTD|BSD|BBD|BZD|BND|FJD|XCD|NAD|LRD|GYD|SRD|KYD|BMD|SBD|ZWL)\b|` +
		`(?i:\b(?:canadian|australian|hong\s*kong|new\s+zealand|singapore|new\s+taiwan|taiwan|jamaican|fiji(?:an)?|bahamian|barbados|belize|brunei|` +
		`east\s+caribbean|namibian|liberian|guyana(?:ese)?|surinamese|cayman(?:\s+islands)?|bermudian|solomon\s+islands|zimbabwe(?:an)?|trinidad\s+and\s+tobago)\s+dollars?\b)`)
	reThousand = regexp.MustCompile(`(?i)(\bthousands?\b|'000|\b000s?\b|\b1[,.]?000\b|\bth\.)`)
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
	if d := otherDollar(text); d != "" {
		return 0, "", false, fmt.Sprintf("%q states values in %s, a currency other than US dollars; convert them, or give --unit if they are US$", text, d)
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

// otherDollar finds a dollar of a country other than the United States
// in text ("HK$", "C$", "Canadian dollars", "AUD"); "" when there is none.
func otherDollar(text string) string {
	for _, m := range reDollarSign.FindAllStringSubmatchIndex(text, -1) {
		prefix := strings.ToUpper(text[m[2]:m[3]])
		if prefix == "US" || prefix == "USD" || prefix == "S" && strings.HasSuffix(strings.ToUpper(text[:m[2]]), "U.") {
			continue // "US$", "USD$", "U.S.$"
		}
		return text[m[0]:m[1]]
	}
	return reOtherDollar.FindString(text)
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
			c = trimSpace(c)
			if sc, name, ok, err := parseUnit(c); ok {
				return unitFound{scale: sc, name: name, from: fmt.Sprintf("row %d %q", rowOf(i), c)}
			} else if err != "" {
				return unitFound{err: err, errRow: rowOf(i), errCell: c}
			}
		}
	}
	for _, c := range header {
		c = trimSpace(c)
		if sc, name, ok, err := parseUnit(c); ok {
			return unitFound{scale: sc, name: name, from: fmt.Sprintf("header row %d %q", rowOf(len(above)), c)}
		} else if err != "" {
			return unitFound{err: err, errRow: rowOf(len(above)), errCell: c, errHeader: true}
		}
	}
	return unitFound{}
}

// titleFlow is the flow words a title may use.
const titleFlow = `re-?exports?|re-?imports?|exports?|imports?`

// titlePatterns are the titles that name a reporter, maybe a flow and
// maybe a partner, as statistics offices write them; each has the groups
// r (reporter), f (flow, absent: not stated) and p (partner, optional).
var titlePatterns = []*regexp.Regexp{
	// "Pakistan: exports to Russia", "India - imports from World"
	regexp.MustCompile(`(?i)^(?P<r>.+?)\s*[:–—-]\s*(?:total\s+)?(?P<f>` + titleFlow + `)\b(?:\s+(?:to|from|with)\s+(?P<p>.+?))?$`),
	// "Pakistan's exports to Russia", "India’s imports from China by commodity"
	regexp.MustCompile(`(?i)^(?P<r>.+?)['’]s?\s+(?:total\s+|merchandise\s+)?(?P<f>` + titleFlow + `)\b(?:\s+(?:to|from|with)\s+(?P<p>.+?))?$`),
	// "Exports of Pakistan to the Russian Federation"
	regexp.MustCompile(`(?i)^(?:total\s+|merchandise\s+)?(?P<f>` + titleFlow + `)\s+(?:of|by)\s+(?P<r>.+?)(?:\s+(?:to|from|with)\s+(?P<p>.+?))?$`),
	// "Trade between India and Russia": the flow is not stated
	regexp.MustCompile(`(?i)^(?:bilateral\s+|merchandise\s+)?trade\s+between\s+(?P<r>.+?)\s+and\s+(?P<p>.+?)$`),
	// "India's trade with Russia"
	regexp.MustCompile(`(?i)^(?P<r>.+?)['’]s?\s+(?:bilateral\s+|total\s+|merchandise\s+)?trade\s+with\s+(?P<p>.+?)$`),
}

// reBracketed is a parenthesised or bracketed aside in a title, such as
// "(US$ million)", dropped before matching.
var reBracketed = regexp.MustCompile(`\s*[(\[][^()\[\]]*[)\]]`)

// titleFound is what a title row says about the table.
type titleFound struct {
	reporter, flow, partner string // ISO3 keys and a flow; "" when not stated
	row                     int    // its row number
	text                    string // as written
}

// fromTitle reads reporter, flow and partner from the title rows: the
// first row whose text names a known reporter in one of titlePatterns.
// rowOf gives the row number of above[i].
func (w *wide) fromTitle(above [][]string, rowOf func(int) int) titleFound {
	for i, cells := range above {
		for _, c := range cells {
			if len(c) > maxLabel {
				continue
			}
			c = trimSpace(c)
			t := strings.TrimRight(strings.TrimSpace(reBracketed.ReplaceAllString(c, "")), ".:;,")
			for _, re := range titlePatterns {
				m := re.FindStringSubmatch(t)
				if m == nil {
					continue
				}
				group := func(name string) string {
					if k := re.SubexpIndex(name); k > 0 {
						return m[k]
					}
					return ""
				}
				rc, ok := w.countryIn(group("r"), true)
				if !ok {
					continue
				}
				tf := titleFound{reporter: rc.ISO3, row: rowOf(i), text: c}
				if f, ok := parseFlow(group("f")); ok {
					tf.flow = string(f)
				}
				if pc, ok := w.countryIn(group("p"), false); ok {
					tf.partner = pc.ISO3
				}
				return tf
			}
		}
	}
	return titleFound{}
}

// titleCut are the words after which a title's country name has ended:
// "Russia, 2019-2023", "Russia by commodity", "Russia during 2022-23".
var titleCut = regexp.MustCompile(`(?i)(,|;|\s+(?:in|during|by|for|since|over|from|at|\d{4}))`)

// countryIn finds the country a title's phrase names: the whole phrase,
// else its start up to a word that ends a name. A reporter may follow a
// table number ("Table 3: Pakistan"), so its text after the last colon is
// tried too.
func (w *wide) countryIn(text string, reporter bool) (data.Country, bool) {
	var tries []string
	add := func(t string) {
		t = strings.TrimSpace(t)
		tries = append(tries, t)
		if len(t) > 4 && strings.EqualFold(t[:4], "the ") {
			tries = append(tries, t[4:])
		}
	}
	add(text)
	if reporter {
		if k := strings.LastIndexAny(text, ":–—"); k >= 0 {
			add(text[k+len(string([]rune(text[k:])[0])):])
		}
	}
	for _, loc := range titleCut.FindAllStringIndex(text, -1) {
		add(text[:loc[0]])
	}
	for _, t := range tries {
		if t == "" {
			continue
		}
		if c, err := w.ref.Country(t); err == nil {
			return c, true
		}
	}
	return data.Country{}, false
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
	// worldLabels are the total labels that name the World itself: a row
	// so labelled among partners is trade with every partner, whereas a
	// bare "Total" adds up the partners listed, often a selection.
	worldLabels = map[string]bool{"world": true, "world total": true, "total world": true, "all countries": true, "total all countries": true, "all partners": true}
)

// reOwnTotal is a total label with a country's name before it, as
// statistics offices write them: "India's Total Export", "Pakistan's
// total imports".
var reOwnTotal = regexp.MustCompile(`^(.+?)['’]s?\s+total\s+(exports?|imports?|trade)$`)

// totalLabel reports whether a row label is a total, whether it names the
// World, the flow it states ("India's Total Export": export; "Total
// trade": turnover), if any, and the country whose total it says it is
// ("India's …"), if any.
func (w *wide) totalLabel(label string) (isTotal, isWorld bool, flow data.Flow, of string) {
	if len(label) > maxLabel {
		return false, false, "", ""
	}
	norm := strings.ToLower(strings.Join(strings.Fields(label), " "))
	if totalLabels[norm] {
		return true, worldLabels[norm], totalFlow(norm), ""
	}
	m := reOwnTotal.FindStringSubmatch(norm)
	if m == nil {
		return false, false, "", ""
	}
	c, err := w.ref.Country(m[1])
	if err != nil {
		return false, false, "", ""
	}
	return true, false, totalFlow(norm), c.ISO3
}

// totalFlow is the flow a total's label states: "total exports" export,
// "total trade" turnover (exports and imports together); none for "total".
func totalFlow(label string) data.Flow {
	words := strings.Fields(label)
	switch last := words[len(words)-1]; {
	case last == "trade" && len(words) > 1:
		return data.Turnover
	case strings.HasPrefix(last, "export") || strings.HasPrefix(last, "import"):
		f, _ := parseFlow(last)
		return f
	}
	return ""
}

// footnote reports whether a row's first cell begins a footnote.
func footnote(first string) bool {
	for _, p := range []string{"source", "note", "*", "(", "footnote", "compiled", "p:", "provisional"} {
		if strings.HasPrefix(strings.ToLower(first), p) {
			return true
		}
	}
	return false
}

// emitRowObservations emits the observations a table row of periods as
// columns gave: a row the layout refused (ferr) is left out under
// --skip-bad-rows, and an observation the store refuses is placed in its
// row. It returns how many it emitted.
func emitRowObservations(o Options, sheet string, row int, obs []data.Observation, ferr *Error, emit func(data.Observation) error) (int, error) {
	if ferr != nil {
		if skipBadRow(o, ferr) {
			return 0, nil
		}
		return 0, ferr
	}
	for i, ob := range obs {
		if err := emit(ob); err != nil {
			if errors.Is(err, data.ErrInvalid) {
				return i, &Error{Sheet: sheet, Row: row, Msg: msgOf(err)}
			}
			return i, fmt.Errorf("row %d: %w", row, err)
		}
	}
	return len(obs), nil
}

// wideSetup is what a wide table's rows are read with, found from the
// header, the title rows and the options.
type wideSetup struct {
	h                       *wideHeader
	unit                    unitFound
	reporter, flow, partner string
	labelCol, nameCol       int
	kind                    labelKind
	headerRow               int
	// seenPartner and seenProduct say what the rows of a labelAuto
	// column were so far, to read its Total row as the same kind.
	seenPartner, seenProduct bool
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
	st, ferr := w.setup(above, func(i int) int {
		if i < len(aboveAt) {
			return aboveAt[i]
		}
		return headerRow
	}, h, headerRow)
	if ferr != nil {
		ferr.Sheet = rows.Sheet()
		return ferr
	}
	n, footer := 0, false
	err := eachRow(ctx, rows, func(row int, cells []string) error {
		if footer {
			return nil
		}
		first := ""
		for _, c := range cells {
			if c = trimSpace(c); c != "" {
				first = c
				break
			}
		}
		if footnote(first) {
			footer = true
			return nil
		}
		obs, ferr := w.row(st, rows.Sheet(), row, cells)
		emitted, err := emitRowObservations(w.o, rows.Sheet(), row, obs, ferr, emit)
		n += emitted
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return &Error{Sheet: rows.Sheet(), Msg: "no cell under the header states a value; nothing to import"}
	}
	return nil
}

// setup reads what the rows need from the header, the rows above it and
// the options: the periods, unit, reporter, flow, partner and label column.
func (w *wide) setup(above [][]string, rowOf func(int) int, h *wideHeader, headerRow int) (*wideSetup, *Error) {
	fail := func(msg string) (*wideSetup, *Error) { return nil, &Error{Row: headerRow, Msg: msg} }
	title := w.fromTitle(above, rowOf)
	year, _ := w.year(above, rowOf)
	span := fiscalSpan(above, rowOf)
	if span.start > 0 && w.o.FiscalStartMonth > 0 && span.start != w.o.FiscalStartMonth {
		return nil, &Error{Row: span.row, Value: span.text,
			Msg: fmt.Sprintf("the title says fiscal years start in %s, but --fiscal-start-month says %s: leave the flag out, or correct it", time.Month(span.start), time.Month(w.o.FiscalStartMonth))}
	}
	for i, p := range h.periods {
		if p.fiscal && span.start > 0 {
			if fp, _, ok := widePeriod(p.text, span.start); ok {
				h.periods[i].period, h.periods[i].fiscal, p.fiscal = fp, false, false
				continue
			}
		}
		switch {
		case p.fiscal:
			return nil, &Error{Row: headerRow, Column: p.text, Value: p.text,
				Msg: fmt.Sprintf("%q is a fiscal year, but its start month is not known: no title row states the fiscal year's months, such as \"Fiscal years (July-June)\" (give --fiscal-start-month: 7 for Pakistan's July–June, 4 for India's April–March)", p.text)}
		case p.month > 0 && year == 0:
			return nil, &Error{Row: headerRow, Column: p.text, Value: p.text,
				Msg: fmt.Sprintf("%q is a month without a year, and no title row states one: give --year", p.text)}
		case p.month > 0:
			h.periods[i].period = data.Period{Start: data.NewMonth(year, p.month), End: data.NewMonth(year, p.month)}
		}
	}
	st := &wideSetup{h: h, headerRow: headerRow, labelCol: -1, nameCol: -1, kind: labelAuto}
	st.unit = w.findUnit(above, h.labels, rowOf)
	switch {
	case st.unit.err != "" && st.unit.errRow > 0:
		e := &Error{Row: st.unit.errRow, Value: st.unit.errCell, Msg: st.unit.err}
		if st.unit.errHeader {
			e.Column = st.unit.errCell
		}
		return nil, e
	case st.unit.err != "":
		return fail(st.unit.err)
	case st.unit.name == "":
		return fail(`no unit is stated above the table or in its header (expected a row such as "(value in thousand US$)" or "US$ million"; or give --unit)`)
	}
	st.reporter, st.flow, st.partner = title.reporter, title.flow, title.partner
	if w.o.Reporter != "" {
		st.reporter = w.o.Reporter
	}
	if w.o.Flow != "" {
		st.flow = w.o.Flow
	}
	if w.o.Partner != "" {
		st.partner = w.o.Partner
	}
	switch {
	case st.reporter == "" && st.flow == "":
		return fail(`a wide table needs its reporter and flow: give --reporter and --flow, or a title row such as "Pakistan: exports to …" or "Pakistan's exports to Russia"`)
	case st.reporter == "":
		return fail(`a wide table needs its reporter: give --reporter, or a title row that names it, such as "Pakistan's exports to Russia"`)
	case st.flow == "" && title.row > 0:
		return fail(fmt.Sprintf("the title in row %d, %q, does not say whether the figures are exports or imports: give --flow", title.row, title.text))
	case st.flow == "":
		return fail(`a wide table needs its flow: give --flow, or a title row such as "Pakistan: exports to …"`)
	}

	// The label column: the last left of the periods that is not a serial number.
	for c := 0; c < h.periods[0].col && c < len(h.labels); c++ {
		n := normalizeHeader(h.labels[c])
		switch {
		case ignoredHeaders[n]:
		case partnerHeaders[n]:
			st.labelCol, st.kind = c, labelPartner
		case productCodeHeaders[n]:
			if st.kind != labelPartner {
				st.labelCol, st.kind = c, labelProduct
			}
		case productNameHeaders[n]:
			if st.kind == labelProduct {
				st.nameCol = c
			} else if st.kind != labelPartner {
				st.labelCol, st.kind = c, labelProduct
			}
		default:
			if st.labelCol < 0 {
				st.labelCol = c
			}
		}
	}
	if st.labelCol < 0 {
		return fail("the header has no partner or product column left of the periods")
	}
	if st.kind == labelProduct && st.partner == "" {
		return fail("the rows are products but no partner is stated: give --partner (World for a total)")
	}
	return st, nil
}

// row reads one data row's observations, one per period cell that states
// a value; none for a sub-heading without figures.
func (w *wide) row(st *wideSetup, sheet string, row int, cells []string) ([]data.Observation, *Error) {
	h := st.h
	cell := func(i int) string {
		if i >= 0 && i < len(cells) {
			return trimSpace(cells[i])
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
		return nil, nil // a sub-heading, a unit row or a footnote without a mark
	}
	label := cell(st.labelCol)
	fail := func(col int, value, msg string) *Error {
		e := &Error{Sheet: sheet, Row: row, Value: value, Msg: msg}
		if col < len(h.labels) {
			e.Column = trimSpace(h.labels[col])
		}
		return e
	}
	labelCol := st.labelCol
	if name := cell(st.nameCol); label == "" && name != "" {
		// A total row often leaves the code empty and writes its label
		// in the name column: "India's Total Export".
		if total, _, _, _ := w.totalLabel(name); total {
			label, labelCol = name, st.nameCol
		}
	}
	if label == "" {
		return nil, fail(st.labelCol, "", "the row has figures but no partner or product")
	}
	for _, c := range []int{st.labelCol, st.nameCol} {
		if v := cell(c); strings.Contains(v, codeMarker) {
			return nil, fail(c, v, codeMarkerMsg(v))
		}
	}
	base := data.Observation{Reporter: st.reporter, Partner: st.partner, Flow: data.Flow(st.flow), Product: data.TotalProduct, Bound: data.Exact}
	isTotal, isWorld, saysFlow, whose := w.totalLabel(label)
	if saysFlow != "" && saysFlow != data.Flow(st.flow) {
		return nil, fail(labelCol, label, fmt.Sprintf("the total row says %s, but the table's flow is %s (from --flow or the title)", saysFlow, st.flow))
	}
	if whose != "" && st.reporter != "" && whose != st.reporter {
		return nil, fail(labelCol, label, fmt.Sprintf("the total row is %s's, but the table's reporter is %s (from --reporter or the title)", whose, st.reporter))
	}
	rowKind := st.kind
	if rowKind == labelAuto {
		rowKind = w.autoKind(st, label, isTotal, isWorld)
	}
	switch {
	case rowKind == labelPartner && (isWorld || isTotal && st.partner == "WLD"):
		// "World", or a Total under a title (or --partner) that says the
		// table covers every partner.
		base.Partner = "WLD"
	case rowKind == labelPartner && isTotal:
		return nil, w.listedTotal(st, sheet, row, label, base, cell, fail)
	case rowKind == labelPartner:
		c, err := w.ref.Country(label)
		if err != nil {
			return nil, fail(st.labelCol, label, fmt.Sprintf("%q is not a known country or area (expected an ISO3 or ISO2 code, a UN M49 or Comtrade code, or a name in English or another UN language)", label))
		}
		base.Partner = c.ISO3
	case isTotal:
	default:
		if st.partner == "" {
			return nil, fail(st.labelCol, label, "the rows are products but no partner is stated: give --partner (World for a total)")
		}
		p, err := w.product(label, cell(st.nameCol))
		if err != nil {
			return nil, fail(st.labelCol, label, msgOf(err))
		}
		base.Product = p
	}
	return periodObservations(w.file, sheet, row, base, h.periods, st.unit.scale, w.o, cell, fail)
}

// periodObservations makes one observation of base per period column of a
// row whose cell states a value, scaled by 10^scale to US$; cells that
// state none ("", "..", "-") go to o.Skipped once the row is whole.
func periodObservations(file, sheet string, row int, base data.Observation, periods []wideColumn, scale int, o Options,
	cell func(int) string, fail func(col int, value, msg string) *Error) ([]data.Observation, *Error) {
	var obs []data.Observation
	var left []*Error
	for _, p := range periods {
		v := cell(p.col)
		value, ok, perr := parseNumber(v)
		switch {
		case perr != nil:
			return nil, fail(p.col, v, perr.Error())
		case !ok:
			e := fail(p.col, v, "no value; cell left out")
			e.File = file
			left = append(left, e)
			continue
		}
		ob := base
		ob.Period = p.period
		var err error
		if ob.ValueUSD, err = scaleDecimal(value, scale); err != nil {
			return nil, fail(p.col, v, err.Error())
		}
		ob.SourceRef = fmt.Sprintf("%s, row %d, column %s", file, row, p.text)
		if sheet != "" {
			ob.SourceRef = fmt.Sprintf("%s, sheet %s, row %d, column %s", file, sheet, row, p.text)
		}
		if err := ob.Validate(); err != nil {
			return nil, fail(p.col, v, msgOf(err))
		}
		obs = append(obs, ob)
	}
	if o.Skipped != nil {
		for _, e := range left {
			o.Skipped(e)
		}
	}
	return obs, nil
}

// autoKind decides whether a row of a column whose header does not say
// is a partner or a product: a country is a partner, other text a
// product; a Total row is what the rows above it were, else a product
// total when the title names the partner (the rows are then the
// products traded with it), else a partner total.
func (w *wide) autoKind(st *wideSetup, label string, isTotal, isWorld bool) labelKind {
	switch {
	case isWorld:
		return labelPartner
	case isTotal && st.seenProduct, isTotal && !st.seenPartner && st.partner != "":
		return labelProduct
	case isTotal:
		return labelPartner
	}
	if _, err := w.ref.Country(label); err == nil {
		st.seenPartner = true
		return labelPartner
	}
	st.seenProduct = true
	return labelProduct
}

// listedTotal reads a Total row under partner rows. It adds up the
// partners listed, which are often a selection ("exports to selected
// countries"), so it is not trade with the World and is not stored; its
// figures go to Options.listedTotal, which checks the rows above against
// them.
func (w *wide) listedTotal(st *wideSetup, sheet string, row int, label string, base data.Observation,
	cell func(int) string, fail func(col int, value, msg string) *Error) *Error {
	var totals []data.Observation
	for _, p := range st.h.periods {
		v := cell(p.col)
		value, ok, perr := parseNumber(v)
		switch {
		case perr != nil:
			return fail(p.col, v, perr.Error())
		case !ok:
			continue
		}
		o := base
		o.Partner, o.Period = "", p.period
		var err error
		if o.ValueUSD, err = scaleDecimal(value, st.unit.scale); err != nil {
			return fail(p.col, v, err.Error())
		}
		totals = append(totals, o)
	}
	if w.o.listedTotal != nil {
		w.o.listedTotal(row, label, totals)
	}
	return nil
}

// reYearInTitle is a calendar year stated in a title row.
var reYearInTitle = regexp.MustCompile(`\b(19\d{2}|20\d{2})\b`)

// year is the year of month columns without one: Options.Year, else the
// single year a title row states ("… January–June 2023"); 0 when neither.
func (w *wide) year(above [][]string, rowOf func(int) int) (int, string) {
	if w.o.Year != 0 {
		return w.o.Year, "given with --year"
	}
	for i, cells := range above {
		for _, c := range cells {
			if len(c) > maxLabel {
				continue
			}
			ys := reYearInTitle.FindAllString(c, -1)
			if len(ys) == 0 {
				continue
			}
			if slices.ContainsFunc(ys, func(y string) bool { return y != ys[0] }) {
				return 0, "" // a range of years is not the year of the months
			}
			y, _ := strconv.Atoi(ys[0])
			return y, fmt.Sprintf("row %d %q", rowOf(i), trimSpace(c))
		}
	}
	return 0, ""
}

// fiscalStated is a fiscal year's span as a title row states it.
type fiscalStated struct {
	start int    // its first month; 0 when no row states one
	row   int    // the row that does
	text  string // the cell that does: "Fiscal years (July-June)"
}

// reMonthSpan is a span of months: "July-June", "Apr–Mar", "April to March".
var reMonthSpan = regexp.MustCompile(`(?i)\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s*(?:-|–|—|to|through)\s*(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b`)

// fiscalSpan finds a title cell that states the fiscal year's months:
// "Fiscal years (July-June)", "Financial year April–March", "FY: Jul to
// Jun". The cell must speak of a fiscal or financial year, and the span
// must be twelve months ending the month before it starts, so that a
// title such as "January–June 2023" (half a year) is not read as one.
func fiscalSpan(above [][]string, rowOf func(int) int) fiscalStated {
	for i, cells := range above {
		for _, c := range cells {
			c = trimSpace(c)
			if c == "" || len(c) > maxLabel {
				continue
			}
			lower := strings.ToLower(c)
			if !strings.Contains(lower, "fiscal") && !strings.Contains(lower, "financial") && !reWordFY.MatchString(c) {
				continue
			}
			m := reMonthSpan.FindStringSubmatch(c)
			if m == nil {
				continue
			}
			start, end := monthNames[strings.ToLower(m[1])], monthNames[strings.ToLower(m[2])]
			if start > 1 && end == start-1 {
				return fiscalStated{start: start, row: rowOf(i), text: c}
			}
		}
	}
	return fiscalStated{}
}

// reWordFY is "FY" as a word.
var reWordFY = regexp.MustCompile(`\bFY\b`)

// describe says where the header, unit, title and year were found, by
// their row numbers rows. It reads the unit again with them, as Detect
// knows only the rows' order, so that Description says the right row.
func (w *wide) describe(head [][]string, rows []int) detection {
	i, h := findWideHeader(head, w.o.FiscalStartMonth)
	d := detection{header: i}
	if h == nil {
		return d
	}
	rowOf := func(j int) int {
		if j < len(rows) {
			return rows[j]
		}
		return j + 1
	}
	w.unit = w.findUnit(head[:i], head[i], rowOf)
	if w.unit.name != "" {
		d.unit, d.unitFrom = w.unit.name, w.unit.from
	}
	var labels []string
	monthly := false
	for _, p := range h.periods {
		labels = append(labels, p.text)
		monthly = monthly || p.month > 0
	}
	d.details = append(d.details, fmt.Sprintf("%d period columns: %s", len(labels), strings.Join(labels, ", ")))
	if monthly {
		if y, from := w.year(head[:i], rowOf); y != 0 {
			d.details = append(d.details, fmt.Sprintf("months read in %d (%s)", y, from))
		}
	}
	if w.o.FiscalStartMonth == 0 {
		if span := fiscalSpan(head[:i], rowOf); span.start > 0 {
			d.details = append(d.details, fmt.Sprintf("fiscal years start in %s, from the title in row %d %q", time.Month(span.start), span.row, span.text))
		}
	}
	if t := w.fromTitle(head[:i], rowOf); t.reporter != "" {
		found := "reporter " + t.reporter
		if t.flow != "" {
			found += ", flow " + t.flow
		}
		if t.partner != "" {
			found += ", partner " + t.partner
		}
		d.details = append(d.details, fmt.Sprintf("%s from the title in row %d %q", found, t.row, t.text))
	}
	return d
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
	for _, label := range []string{code, name} { // "Section XI: Textiles…" as the code or the name
		if n, ok := sectionForm(label); ok {
			if p, err := w.ref.Product(data.HSSection, n); err == nil {
				return p, nil
			}
		}
	}
	if p, err := w.ref.Product(data.Sector, strings.Join(strings.Fields(code), " ")); err == nil {
		return p, nil
	}
	p := data.Product{Classification: data.Sector, Code: strings.Join(strings.Fields(code), " "), Name: name}
	return p, p.Validate()
}
