package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"tradedash/data"
)

// field is a part of an observation that a column can hold.
type field int

const (
	fReporterISO field = iota
	fReporterCode
	fReporterName
	fPartnerISO
	fPartnerCode
	fPartnerName
	fPeriod
	fFlow
	fClass
	fProduct
	fProductName
	fValue
	fBound
	fQty
	fQtyUnit
	fSourceRef
	fSourceQuote
	nFields
)

// synonyms lists, for each field, the normalised header texts that name
// it, best first: with "Trade Flow" and "Trade Flow Code" both present,
// "Trade Flow" is read. Header text is normalised by normalizeHeader, so
// "Trade Value (US$)", "trade_value_usd" and "tradeValueUSD" are all
// "trade value usd". Comtrade Plus's camelCase names are included.
var synonyms = [nFields][]string{
	fReporterISO:  {"reporter iso", "reporter iso3", "reporter iso code"},
	fReporterCode: {"reporter code", "reporter m49", "rt code"},
	fReporterName: {"reporter", "reporter name", "reporter desc", "reporter country", "reporting country", "exporter", "country", "rt title"},
	fPartnerISO:   {"partner iso", "partner iso3", "partner iso code"},
	fPartnerCode:  {"partner code", "partner m49", "pt code"},
	fPartnerName:  {"partner", "partner name", "partner desc", "partner country", "destination", "destination country", "country of destination", "origin", "origin country", "country of origin", "pt title"},
	fPeriod:       {"period", "ref period", "year", "ref year", "time period"},
	fFlow:         {"flow", "trade flow", "flow desc", "trade flow code", "flow code", "rg code"},
	fClass:        {"product classification", "product class"},
	fProduct:      {"product code", "commodity code", "cmd code", "hs code", "hs", "hs2", "hs4", "hs6", "product", "sector code", "sector"},
	fProductName:  {"product name", "commodity", "commodity name", "commodity description", "cmd desc", "cmd description", "product description", "sector name"},
	fValue:        {"value usd", "value", "trade value usd", "trade value", "primary value", "value in usd"},
	fBound:        {"bound", "value bound"},
	fQty:          {"quantity", "qty"},
	fQtyUnit:      {"quantity unit", "qty unit", "qty unit abbr", "quantity unit abbr", "unit"},
	fSourceRef:    {"source ref", "source reference", "source url"},
	fSourceQuote:  {"source quote", "quote"},
}

// fieldNames says what a missing required field is, in messages.
var fieldNames = [nFields]string{
	fReporterName: "the reporter", fPartnerName: "the partner", fPeriod: "the period",
	fFlow: "the trade flow", fValue: "the value",
}

// The header texts that identify a layout beyond the generic long table.
var (
	canonicalSignature = []string{"reporter", "partner", "period", "flow", "product classification", "product code",
		"product name", "value usd", "bound", "quantity", "quantity unit", "source ref", "source quote"}
	comtradeLegacySignature = []string{"classification", "aggregate level", "is leaf code", "trade flow code",
		"reporter iso", "partner iso", "commodity code", "trade value usd"}
)

// long reads long tables: one observation per row, columns found by
// header text. With a signature it only claims files whose header has
// every one of those columns, so that the dataset's format names the
// source's layout (UN Comtrade legacy, tradedash canonical).
type long struct {
	name      string
	ref       *data.Reference
	o         Options // Reporter and Partner already resolved to ISO3 keys
	file      string  // base name, for source references
	signature []string
	// unit is the value column's unit Detect found, kept so that
	// Description can say it.
	unit unitFound
	// check, when set, vets a parsed row against columns only its layout
	// knows (Comtrade Plus's freqCode and refMonth).
	check func(r *rowReader, o *data.Observation) *Error
}

func newLong(name string, ref *data.Reference, file string, o Options, signature []string) *long {
	return &long{name: name, ref: ref, o: o, file: file, signature: signature}
}

// Name is the format recorded on the dataset.
func (l *long) Name() string { return l.name }

// Detect looks for the header among the first rows.
func (l *long) Detect(head [][]string) (int, string) {
	_, cols, why := l.findHeader(head)
	if cols == nil {
		return 0, why
	}
	l.unit = cols.unit
	if l.signature == nil {
		return 10, "long table: " + cols.found()
	}
	for _, s := range l.signature {
		if !cols.has[s] {
			return 0, fmt.Sprintf("not %s: no %q column", l.name, s)
		}
	}
	full := l.signature
	title := "tradedash long format"
	if l.name == "comtrade-legacy" {
		full, title = comtradeLegacyHeader, "Comtrade legacy"
	}
	n := 0
	for _, h := range full {
		if cols.has[normalizeHeader(h)] {
			n++
		}
	}
	return 20, fmt.Sprintf("%s: %d of %d headers matched", title, n, len(full))
}

// comtradeLegacyHeader is the whole header of UN Comtrade's legacy CSV, in
// its order, for saying how much of it a file has.
var comtradeLegacyHeader = []string{"Classification", "Year", "Period", "Period Desc.", "Aggregate Level", "Is Leaf Code",
	"Trade Flow Code", "Trade Flow", "Reporter Code", "Reporter", "Reporter ISO", "Partner Code", "Partner", "Partner ISO",
	"2nd Partner Code", "2nd Partner", "2nd Partner ISO", "Customs Proc. Code", "Customs", "Mode of Transport Code",
	"Mode of Transport", "Commodity Code", "Commodity", "Qty Unit Code", "Qty Unit", "Qty", "Alt Qty Unit Code",
	"Alt Qty Unit", "Alt Qty", "Netweight (kg)", "Gross weight (kg)", "Trade Value (US$)", "CIF Trade Value (US$)",
	"FOB Trade Value (US$)", "Flag"}

// found says which column was read for each field, for a Report:
// `reporter "Exporter", partner "Destination", …`.
func (c *columns) found() string {
	var parts []string
	for _, f := range []struct {
		name string
		fs   []field
	}{{"reporter", []field{fReporterISO, fReporterCode, fReporterName}}, {"partner", []field{fPartnerISO, fPartnerCode, fPartnerName}},
		{"period", []field{fPeriod}}, {"flow", []field{fFlow}}, {"product", []field{fProduct, fProductName}}, {"value", []field{fValue}}} {
		for _, fi := range f.fs {
			if c.idx[fi] >= 0 {
				parts = append(parts, fmt.Sprintf("%s %q", f.name, c.names[c.idx[fi]]))
				break
			}
		}
	}
	return strings.Join(parts, ", ")
}

// describe says where the header is and what unit the value column is
// read in: the one --unit gives, else the one its header states ("Trade
// Value (US$ thousand)"), else US dollars.
func (l *long) describe(head [][]string, _ []int) detection {
	i, cols, _ := l.findHeader(head)
	d := detection{header: i, unit: "US$"}
	if cols == nil {
		return d
	}
	col := cols.names[cols.idx[fValue]]
	d.unit = cols.unit.name
	switch {
	case cols.unit.from != "":
		d.unitFrom = cols.unit.from
	case l.name == "comtrade-plus":
		d.unitFrom = fmt.Sprintf("UN Comtrade Plus states %s in US dollars", col)
	default:
		d.unitFrom = fmt.Sprintf("assumed: the value column's header %q states no unit", col)
	}
	d.columns, d.cells = l.uses(cols), cols.names
	var fixed []string
	if l.o.Year != 0 && cols.idx[fPeriod] < 0 {
		fixed = append(fixed, fmt.Sprintf("period %d (--year)", l.o.Year))
	}
	if l.o.Flow != "" && cols.idx[fFlow] < 0 {
		fixed = append(fixed, "flow "+l.o.Flow+" (--flow)")
	}
	if len(fixed) > 0 {
		d.details = append(d.details, "every row has "+strings.Join(fixed, " and "))
	}
	return d
}

// findHeader returns the index of the first row of head that is a usable
// header, and its columns; else why the first non-blank row is not.
func (l *long) findHeader(head [][]string) (int, *columns, string) {
	why := "the file has no header row"
	first := true
	for i, cells := range head {
		if blank(cells) {
			continue
		}
		cols, err := l.columns(cells)
		if err == "" {
			return i, cols, ""
		}
		if first {
			why, first = err, false
		}
	}
	return -1, nil, why
}

// columns says which column holds which field.
type columns struct {
	idx   [nFields]int // -1 when absent
	names []string     // the header as written, for messages
	has   map[string]bool
	pos   map[string]int // normalised header text → its first column
	unit  unitFound      // the value column's unit; from "" when assumed US$
}

// columns matches a header row; it returns why it is not a usable header.
func (l *long) columns(header []string) (*columns, string) {
	c := &columns{names: make([]string, len(header)), has: map[string]bool{}, pos: map[string]int{}}
	norm := make([]string, len(header))
	for i, h := range header {
		c.names[i] = trimSpace(h)
		norm[i] = normalizeHeader(h)
		if !c.has[norm[i]] {
			c.pos[norm[i]] = i
		}
		c.has[norm[i]] = true
	}
	for f := range nFields {
		c.idx[f] = -1
	}
	taken, why := l.applyMap(c)
	if why != "" {
		return nil, why
	}
	for f := range nFields {
		if l.roleMapped(f) {
			continue // read from the column the mapping gives, or not at all
		}
	find:
		for _, syn := range synonyms[f] {
			for i, n := range norm {
				if taken[i] {
					continue // a mapped column means what the mapping says
				}
				if f == fValue {
					n = withoutScale(n) // "trade value usd thousand" is "trade value usd"
				}
				if n != syn {
					continue
				}
				if c.idx[f] >= 0 {
					return nil, fmt.Sprintf("columns %q and %q both mean %s; keep one", c.names[c.idx[f]], c.names[i], syn)
				}
				c.idx[f] = i
			}
			if c.idx[f] >= 0 {
				break find
			}
		}
	}
	if c.idx[fValue] >= 0 {
		c.unit = l.valueUnit(c.names[c.idx[fValue]])
	} else if l.o.Unit == "" {
		// "Value (HK$ thousand)" is not a value header only because of its
		// currency: say so, rather than that there is no value column.
		for _, n := range c.names {
			if _, _, _, uerr := parseUnit(n); uerr != "" && strings.Contains(normalizeHeader(n), "value") {
				uerr, _, _ = strings.Cut(uerr, "; convert")
				return nil, fmt.Sprintf("column %q: %s; convert them to US dollars, or, if they are US dollars, say so in the header (\"Value (US$ thousand)\")", n, uerr)
			}
		}
	}
	var missing []field
	if l.o.Reporter == "" && c.idx[fReporterISO] < 0 && c.idx[fReporterCode] < 0 && c.idx[fReporterName] < 0 {
		missing = append(missing, fReporterName)
	}
	if l.o.Partner == "" && c.idx[fPartnerISO] < 0 && c.idx[fPartnerCode] < 0 && c.idx[fPartnerName] < 0 {
		missing = append(missing, fPartnerName)
	}
	for _, f := range []field{fPeriod, fFlow, fValue} {
		if c.idx[f] < 0 && (f != fFlow || l.o.Flow == "") && (f != fPeriod || l.o.Year == 0) {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return c, ""
	}
	var parts []string
	for _, f := range missing {
		syn := synonyms[f]
		switch f {
		case fReporterName:
			syn = []string{"reporter", "reporter iso", "reporter code", "exporter", "country"}
		case fPartnerName:
			syn = []string{"partner", "partner iso", "partner code", "destination", "origin"}
		}
		hint := ""
		switch f {
		case fPeriod:
			hint = ", or give --year"
		case fFlow:
			hint = ", or give --flow"
		}
		var q []string
		for _, s := range syn[:min(len(syn), 4)] {
			q = append(q, fmt.Sprintf("%q", s))
		}
		parts = append(parts, fmt.Sprintf("%s (a column named %s%s)", fieldNames[f], strings.Join(q, ", "), hint))
	}
	shown := c.names
	if len(shown) > 12 {
		shown = append(shown[:12:12], "…")
	}
	return nil, fmt.Sprintf("the header has no column for %s; its columns are %q", strings.Join(parts, "; nor for "), shown)
}

// scaleWords are the words of a normalised header that state a value's
// scale rather than what the column is: "Value (US$ thousand)", "Value
// (1000 USD)", "Value, US$ mn" and "Value (million US$)" are all a value
// in US dollars, at a scale that valueUnit reads.
var scaleWords = map[string]bool{"thousand": true, "thousands": true, "000": true, "1000": true, "th": true,
	"million": true, "millions": true, "mn": true, "mln": true, "mio": true,
	"billion": true, "billions": true, "bn": true, "bln": true}

// withoutScale drops the scale words from a normalised header.
func withoutScale(norm string) string {
	if !strings.Contains(norm, " ") {
		return norm
	}
	words := strings.Fields(norm)
	kept := words[:0:0]
	for _, w := range words {
		if !scaleWords[w] {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// valueUnit is the unit of the value column headed header: the one given
// with Options.Unit (begin has checked it), else the one the header
// states, as wide tables read theirs; else US$ with from "".
func (l *long) valueUnit(header string) unitFound {
	sc, name, ok, uerr := parseUnit(header)
	if !ok && uerr == "" { // "trade_value_usd_bn": words joined by underscores
		sc, name, ok, uerr = parseUnit(normalizeHeader(header))
	}
	if l.o.Unit != "" {
		gsc, gname, gok, _ := parseUnit(l.o.Unit)
		if gok {
			from := "given with --unit"
			if ok && sc != gsc {
				from += fmt.Sprintf(", overriding the value column's header %q", header)
			}
			return unitFound{scale: gsc, name: gname, from: from}
		}
	}
	if ok {
		return unitFound{scale: sc, name: name, from: fmt.Sprintf("the value column's header %q", header)}
	}
	if uerr != "" { // "Value (HK$ thousand)": refused in Parse, at the header
		return unitFound{name: "US$", err: uerr, errCell: header, errHeader: true}
	}
	return unitFound{name: "US$"}
}

// Description says the unit when it was not US dollars, for the dataset's
// record.
func (l *long) Description() string {
	if l.unit.scale == 0 {
		return ""
	}
	return fmt.Sprintf("Long table; values read in %s (%s).", l.unit.name, l.unit.from)
}

// Parse reads the header, then one observation per non-blank row.
func (l *long) Parse(ctx context.Context, rows Rows, emit func(data.Observation) error) error {
	var (
		cols     *columns
		firstErr error
	)
	for i := 0; cols == nil; i++ {
		row, cells, err := rows.Next()
		if errors.Is(err, io.EOF) {
			if firstErr != nil {
				return firstErr
			}
			return &Error{Sheet: rows.Sheet(), Msg: "the file has no header row"}
		}
		if err != nil {
			return err
		}
		if blank(cells) {
			continue
		}
		c, why := l.columns(cells)
		if c != nil && c.unit.err != "" {
			return &Error{Sheet: rows.Sheet(), Row: row, Column: c.unit.errCell, Msg: c.unit.err}
		}
		if c != nil {
			cols = c
			break
		}
		if firstErr == nil {
			firstErr = &Error{Sheet: rows.Sheet(), Row: row, Msg: why}
		}
		if i >= headRows-1 {
			return firstErr
		}
	}
	n := 0
	// One reader for every row: it keeps what resolving the rows learns
	// (countries, flows, products by their cells' text) and the buffer
	// the rows' addresses are written in.
	r := &rowReader{l: l, cols: cols, sheet: rows.Sheet(), cache: newRowCache()}
	err := eachRow(ctx, rows, func(row int, cells []string) error {
		r.row, r.cells = row, cells
		o, err := r.observation()
		emitted, err := emitRow(o, err, l.file, rows.Sheet(), row, l.o, emit)
		if emitted {
			n++
		}
		return err
	})
	if err != nil {
		return err
	}
	return nothingStated(n, rows.Sheet())
}

// emitRow hands one row's observation to emit, the step every layout ends
// a row with. A row that states no value (a *skipped error) is reported
// to o.Skipped and left out; an invalid observation becomes an *Error
// located at the row. It reports whether the row was emitted.
//
// With Options.SkipBadRows, a row with an *Error is reported as bad and
// left out instead; errors that are not about the row's content (the
// database's) still abort.
func emitRow(obs data.Observation, err error, file, sheet string, row int, o Options, emit func(data.Observation) error) (bool, error) {
	if err != nil {
		var skip *skipped
		if errors.As(err, &skip) {
			if o.Skipped != nil {
				skip.e.File = file
				o.Skipped(skip.e)
			}
			return false, nil
		}
		if skipBadRow(o, err) {
			return false, nil
		}
		return false, err
	}
	if err := emit(obs); err != nil {
		if errors.Is(err, data.ErrInvalid) {
			e := &Error{Sheet: sheet, Row: row, Msg: msgOf(err)}
			if skipBadRow(o, e) {
				return false, nil
			}
			return false, e
		}
		return false, fmt.Errorf("row %d: %w", row, err)
	}
	return true, nil
}

// nothingStated refuses a file none of whose rows gave a value.
func nothingStated(emitted int, sheet string) error {
	if emitted == 0 {
		return &Error{Sheet: sheet, Msg: "no row under the header states a value; nothing to import"}
	}
	return nil
}

// skipped marks a row left out because it states no value.
type skipped struct{ e *Error }

func (s *skipped) Error() string { return s.e.Error() }

// rowReader turns one row into an observation, locating its errors.
type rowReader struct {
	l     *long
	cols  *columns
	sheet string
	row   int
	cells []string
	cache *rowCache // nil: resolve every cell afresh
	// mapped are the fields that have a column, in field order; filled
	// on the first row.
	mapped []field
}

// rowCache remembers, for one file, what cells resolved to, by their
// trimmed text: a long table repeats a few dozen countries, flows,
// periods and products over millions of rows, and resolving them anew
// (folding case and accents, looking up aliases, matching a period's
// patterns) was most of a row's cost. Each also remembers its last
// cell, which answers the runs a sorted file is made of without
// hashing. Only successes are kept; a cell that fails is resolved
// again, so that its row's error is made as before. Each map stops
// growing at maxCachedCells entries.
type rowCache struct {
	countries cellMemo[string, string]      // cell → ISO3
	country   [nFields]last[string, string] // the last country read from each field
	flows     cellMemo[string, data.Flow]
	periods   cellMemo[string, data.Period]
	products  cellMemo[productCells, data.Product]
	ref       []byte // buffer the row's address is written in
	prefix    string // "file, sheet S, row " (without the number)
}

// productCells are the cells a product is read from.
type productCells struct{ code, name, class string }

// maxCachedCells bounds each of rowCache's maps.
const maxCachedCells = 4096

func newRowCache() *rowCache { return &rowCache{} }

// last is a key and its value, once set.
type last[K comparable, V any] struct {
	key K
	val V
	ok  bool
}

// cellMemo is a map of cells to what they resolved to, with the last
// one found kept beside it.
type cellMemo[K comparable, V any] struct {
	m    map[K]V
	last last[K, V]
}

func (c *cellMemo[K, V]) get(k K) (V, bool) {
	if c.last.ok && c.last.key == k {
		return c.last.val, true
	}
	v, ok := c.m[k]
	if ok {
		c.last = last[K, V]{k, v, true}
	}
	return v, ok
}

// keep adds k (as clone makes it, so that the map does not hold on to
// the row's cells) unless the map is full.
func (c *cellMemo[K, V]) keep(k K, v V, clone func(K) K) {
	if c.m == nil {
		c.m = map[K]V{}
	}
	if len(c.m) < maxCachedCells {
		k = clone(k)
		c.m[k] = v
		c.last = last[K, V]{k, v, true}
	}
}

// cell returns the trimmed cell of field f, and whether the column exists.
func (r *rowReader) cell(f field) (string, bool) {
	i := r.cols.idx[f]
	if i < 0 {
		return "", false
	}
	if i >= len(r.cells) {
		return "", true
	}
	return trimSpace(r.cells[i]), true
}

// named returns the trimmed cell under the header whose normalised text
// is name, and its header as written ("" when there is no such column).
func (r *rowReader) named(name string) (value, header string) {
	i, ok := r.cols.pos[name]
	if !ok {
		return "", ""
	}
	if i < len(r.cells) {
		value = trimSpace(r.cells[i])
	}
	return value, r.cols.names[i]
}

// fail locates msg at field f's column (none when f < 0).
func (r *rowReader) fail(f field, value, msg string) *Error {
	e := &Error{Sheet: r.sheet, Row: r.row, Value: value, Msg: msg}
	if f >= 0 && r.cols.idx[f] >= 0 {
		e.Column = r.cols.names[r.cols.idx[f]]
	}
	return e
}

func (r *rowReader) observation() (data.Observation, error) {
	var o data.Observation
	if extra := len(r.cells) - len(r.cols.names); extra > 0 && !blank(r.cells[len(r.cols.names):]) {
		return o, r.fail(-1, "", fmt.Sprintf("the row has %d cells but the header only %d", len(r.cells), len(r.cols.names)))
	}
	// Every text cell the observation is made of may end up in a label.
	// The cells are looked at untrimmed: trimming removes white space
	// only, so it cannot make or break the marker.
	if r.mapped == nil {
		for f := range nFields {
			if r.cols.idx[f] >= 0 {
				r.mapped = append(r.mapped, f)
			}
		}
	}
	for _, f := range r.mapped {
		if i := r.cols.idx[f]; i < len(r.cells) && strings.Contains(r.cells[i], codeMarker) {
			v, _ := r.cell(f)
			return o, r.fail(f, v, codeMarkerMsg(v))
		}
	}
	var err *Error
	if o.Reporter, err = r.country(fReporterISO, fReporterCode, fReporterName, r.l.o.Reporter, "reporter"); err != nil {
		return o, err
	}
	if o.Partner, err = r.country(fPartnerISO, fPartnerCode, fPartnerName, r.l.o.Partner, "partner"); err != nil {
		return o, err
	}
	if o.Period, err = r.period(); err != nil {
		return o, err
	}
	if o.Flow, err = r.flow(); err != nil {
		return o, err
	}
	if o.Product, err = r.product(); err != nil {
		return o, err
	}
	v, _ := r.cell(fValue)
	value, ok, perr := parseNumber(v)
	switch {
	case perr != nil:
		return o, r.fail(fValue, v, perr.Error())
	case !ok:
		return o, &skipped{r.fail(fValue, v, "no value; row left out")}
	}
	o.ValueUSD = value
	if sc := r.cols.unit.scale; sc != 0 {
		if o.ValueUSD, perr = scaleDecimal(value, sc); perr != nil {
			return o, r.fail(fValue, v, perr.Error())
		}
	}
	if o.Bound, err = r.bound(); err != nil {
		return o, err
	}
	if err := r.quantity(&o); err != nil {
		return o, err
	}
	o.SourceRef, _ = r.cell(fSourceRef)
	if o.SourceRef == "" {
		o.SourceRef = r.place()
	}
	o.SourceQuote, _ = r.cell(fSourceQuote)
	if r.l.check != nil {
		ob := o // a copy, so that o need not live on the heap for layouts without a check
		if err := r.l.check(r, &ob); err != nil {
			return ob, err
		}
		o = ob
	}
	if err := o.Validate(); err != nil {
		return o, r.fail(-1, "", msgOf(err))
	}
	return o, nil
}

// place is the row's address, the source reference of a figure whose
// file gives none.
func (r *rowReader) place() string {
	c := r.cache
	if c == nil {
		c = &rowCache{}
	}
	if c.prefix == "" {
		s := r.l.file
		if r.sheet != "" {
			s += ", sheet " + r.sheet
		}
		c.prefix = s + ", row "
	}
	c.ref = strconv.AppendInt(append(c.ref[:0], c.prefix...), int64(r.row), 10)
	return string(c.ref)
}

// country resolves the first non-empty of the ISO, code and name cells,
// falling back to the next when one is empty or unknown; def applies when
// the file has none of the columns.
func (r *rowReader) country(iso, code, name field, def, what string) (string, *Error) {
	var first *Error
	present := field(-1)
	for _, f := range []field{iso, code, name} {
		v, ok := r.cell(f)
		if ok && present < 0 {
			present = f
		}
		if v == "" {
			continue
		}
		if iso, ok := r.cache.countryOf(f, v); ok {
			return iso, nil
		}
		c, err := r.l.ref.Country(v)
		if err == nil {
			r.cache.keepCountry(f, v, c.ISO3)
			return c.ISO3, nil
		}
		if first == nil {
			first = r.fail(f, v, fmt.Sprintf("%q is not a known country or area (expected an ISO3 or ISO2 code, a UN M49 or Comtrade code, or a name in English or another UN language)", v))
		}
	}
	switch {
	case first != nil:
		return "", first
	case present < 0:
		return def, nil
	}
	return "", r.fail(present, "", "the "+what+" is empty (expected a country)")
}

func (r *rowReader) period() (data.Period, *Error) {
	v, ok := r.cell(fPeriod)
	if !ok && r.l.o.Year != 0 {
		return data.Year(r.l.o.Year), nil
	}
	if p, ok := r.cache.period(v); ok {
		return p, nil
	}
	s := v
	// Comtrade writes months as 201903.
	if len(s) == 6 && allDigits(s) && s[4:] >= "01" && s[4:] <= "12" {
		s = s[:4] + "-" + s[4:]
	}
	p, err := data.ParsePeriod(s, r.l.o.FiscalStartMonth)
	if err != nil {
		msg := msgOf(err)
		if strings.Contains(msg, "start month is not known") {
			msg += " (give the fiscal year's start month, --fiscal-start-month)"
		}
		return p, r.fail(fPeriod, v, msg)
	}
	r.cache.keepPeriod(v, p)
	return p, nil
}

// flowWords maps a normalised flow cell to a flow: words, Comtrade Plus
// letters (X, M, RX, RM) and Comtrade legacy codes (1 import, 2 export,
// 3 re-export, 4 re-import).
var flowWords = map[string]data.Flow{
	"export": data.Export, "exports": data.Export, "x": data.Export, "2": data.Export,
	"import": data.Import, "imports": data.Import, "m": data.Import, "1": data.Import,
	"reexport": data.ReExport, "reexports": data.ReExport, "rx": data.ReExport, "3": data.ReExport,
	"reimport": data.ReImport, "reimports": data.ReImport, "rm": data.ReImport, "4": data.ReImport,
	"turnover": data.Turnover, "totaltrade": data.Turnover, "tradeturnover": data.Turnover,
}

func (r *rowReader) flow() (data.Flow, *Error) {
	v, ok := r.cell(fFlow)
	if !ok && r.l.o.Flow != "" {
		return data.Flow(r.l.o.Flow), nil
	}
	if f, ok := r.cache.flow(v); ok {
		return f, nil
	}
	if f, ok := parseFlow(v); ok {
		r.cache.keepFlow(v, f)
		return f, nil
	}
	return "", r.fail(fFlow, v, fmt.Sprintf("%q is not a trade flow (expected export, import, re-export, re-import or turnover; X, M, RX or RM; or Comtrade's 2, 1, 3 or 4)", v))
}

func (r *rowReader) bound() (data.Bound, *Error) {
	v, _ := r.cell(fBound)
	if v == "" {
		return data.Exact, nil
	}
	switch strings.ToLower(strings.Join(strings.FieldsFunc(v, func(c rune) bool { return c == '_' || c == '-' || isSpace(c) }), " ")) {
	case "", "exact", "=":
		return data.Exact, nil
	case "at least", ">=", "≥", "more than", "over":
		return data.AtLeast, nil
	case "at most", "<=", "≤", "less than", "under":
		return data.AtMost, nil
	}
	return "", r.fail(fBound, v, fmt.Sprintf("%q is not a bound (expected exact, at_least or at_most)", v))
}

// parseFlow reads a flow cell: a word, a Comtrade Plus letter code or a
// Comtrade legacy number, in any case and spacing.
func parseFlow(v string) (data.Flow, bool) {
	// ASCII fast path: fold into a small buffer, no string built.
	var buf [24]byte
	n, ascii := 0, true
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= utf8.RuneSelf:
			ascii = false
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		default:
			continue
		}
		if !ascii || n == len(buf) {
			ascii = false
			break
		}
		buf[n] = c
		n++
	}
	if ascii {
		f, ok := flowWords[string(buf[:n])]
		return f, ok
	}
	k := strings.Map(func(c rune) rune {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			return unicode.ToLower(c)
		}
		return -1
	}, v)
	f, ok := flowWords[k]
	return f, ok
}

// totalWords are the product cells that mean all goods.
var totalWords = map[string]bool{"total": true, "all commodities": true, "all products": true, "all goods": true, "total goods": true}

// product reads the product from the classification and code columns;
// without a classification it is inferred from the code: TOTAL, an HS
// code of 1–6 digits (a lost leading zero restored: "8" is chapter "08"),
// else a sector named by the text. Without any product column the row is
// all goods.
func (r *rowReader) product() (data.Product, *Error) {
	codeField := fProduct
	code, ok := r.cell(fProduct)
	name, _ := r.cell(fProductName)
	if !ok {
		codeField = fProductName
		if code, ok = r.cell(fProductName); !ok {
			return data.TotalProduct, nil
		}
	}
	class, _ := r.cell(fClass)
	key := productCells{code, name, class}
	if p, ok := r.cache.product(key); ok {
		return p, nil
	}
	p, err := r.resolveProduct(codeField, code, name, class)
	if err == nil {
		r.cache.keepProduct(key, p)
	}
	return p, err
}

// resolveProduct is product for cells the cache does not hold.
func (r *rowReader) resolveProduct(codeField field, code, name, class string) (data.Product, *Error) {
	if code == "" {
		return data.Product{}, r.fail(codeField, "", "the product is empty (expected TOTAL, an HS code or a sector name)")
	}
	var c data.ProductClassification
	switch strings.ToLower(class) {
	case "":
		switch {
		case totalWords[strings.ToLower(strings.Join(strings.Fields(code), " "))]:
			return data.TotalProduct, nil
		case allDigits(code) && len(code) <= 6:
			c = data.HS
		case allDigits(code):
			return data.Product{}, r.fail(codeField, code, fmt.Sprintf("%q is not an HS code (expected 2, 4 or 6 digits; national tariff lines are not supported)", code))
		default:
			if n, ok := sectionForm(code); ok {
				if p, err := r.l.ref.Product(data.HSSection, n); err == nil {
					return p, nil
				}
			}
			c = data.Sector
		}
	case "total":
		c = data.Total
	case "hs":
		c = data.HS
	case "hs-section", "hs section":
		c = data.HSSection
	case "sector":
		c = data.Sector
	default:
		return data.Product{}, r.fail(fClass, class, fmt.Sprintf("%q is not a product classification (expected TOTAL, HS, HS-section or sector)", class))
	}
	switch c {
	case data.Total:
		code = strings.ToUpper(code)
	case data.HS:
		if allDigits(code) && len(code)%2 == 1 {
			code = "0" + code
		}
	case data.HSSection:
		if n, ok := sectionForm(code); ok {
			code = n
		}
		code = strings.ToUpper(code)
	case data.Sector:
		code = strings.Join(strings.Fields(code), " ")
	}
	if p, err := r.l.ref.Product(c, code); err == nil {
		return p, nil
	}
	p := data.Product{Classification: c, Code: code, Name: name}
	if c == data.HS && len(code) > 2 {
		p.ParentClassification, p.ParentCode = data.HS, code[:len(code)-2]
	}
	if err := p.Validate(); err != nil {
		return p, r.fail(codeField, code, msgOf(err))
	}
	return p, nil
}

// sectionForm reads an HS section written out in a product cell: "Section
// XI", "HS section XI", "HS-section xi", "Section XI: Textiles and textile
// articles", "SECTION XI - Textiles". It returns the numeral in upper case;
// the caller checks it against the reference list. What it does not read
// stays free text, because it could mean something else: a bare "XI" (a
// roman numeral alone says nothing of the code list), an arabic "Section
// 11" (SITC numbers its sections 0 to 9 in arabic digits), a range
// ("Section XVI-XVII", "Sections I to IV").
func sectionForm(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if len(t) > 2 && strings.EqualFold(t[:2], "hs") {
		t = strings.TrimLeft(t[2:], " -_")
	}
	if len(t) < len("section") || !strings.EqualFold(t[:len("section")], "section") {
		return "", false
	}
	t = t[len("section"):]
	rest := strings.TrimLeftFunc(t, unicode.IsSpace)
	if len(rest) == len(t) {
		return "", false // "Sections", "SectionXI"
	}
	numeral, after := romanWord(rest)
	if numeral == "" {
		return "", false
	}
	// A range or list of sections is not one section.
	next, after := nextWord(after)
	if w, _ := romanWord(next); w != "" {
		return "", false
	}
	if strings.EqualFold(next, "to") || strings.EqualFold(next, "and") {
		if w, _ := nextWord(after); w != "" {
			if r, _ := romanWord(w); r != "" {
				return "", false
			}
		}
	}
	return strings.ToUpper(numeral), true
}

// romanWord returns the roman numeral (I, V and X only: HS has 21
// sections) that s starts with, if it is a whole word, and the text after it.
func romanWord(s string) (string, string) {
	n := 0
	for n < len(s) && strings.IndexByte("IVXivx", s[n]) >= 0 {
		n++
	}
	if n == 0 {
		return "", s
	}
	if r, _ := utf8.DecodeRuneInString(s[n:]); n < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return "", s
	}
	return s[:n], s[n:]
}

// nextWord skips spaces and punctuation and returns the following run of
// letters and digits, and the text after it.
func nextWord(s string) (string, string) {
	start := strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
	if start < 0 {
		return "", ""
	}
	s = s[start:]
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if end < 0 {
		return s, ""
	}
	return s[:end], s[end:]
}

// quantity reads the optional quantity and its unit. Comtrade writes
// "0" with the unit "No Quantity" when it has none.
func (r *rowReader) quantity(o *data.Observation) *Error {
	v, ok := r.cell(fQty)
	if !ok {
		return nil
	}
	unit, _ := r.cell(fQtyUnit)
	if strings.EqualFold(unit, "no quantity") || strings.EqualFold(unit, "n/a") {
		unit = ""
	}
	q, ok, err := parseNumber(v)
	switch {
	case err != nil:
		return r.fail(fQty, v, err.Error())
	case !ok, q == 0 && unit == "":
		return nil
	case unit == "":
		return r.fail(fQty, v, fmt.Sprintf("the quantity %s has no unit (expected a unit column such as %q)", v, "quantity_unit"))
	}
	o.Quantity, o.QtyUnit = &q, unit
	return nil
}

// normalizeHeader folds header text for matching: camelCase split
// ("reporterISO" → "reporter iso"), lower case, "US$" and "$" read as
// "usd", other punctuation as spaces, runs of spaces collapsed.
func normalizeHeader(s string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range strings.TrimPrefix(trimSpace(s), "\uFEFF") {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
		prev = r
	}
	t := strings.ReplaceAll(b.String(), "us$", " usd ")
	t = strings.ReplaceAll(t, "$", " usd ")
	return strings.Join(strings.FieldsFunc(t, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// eachRow calls fn with every row left in rows that is not blank, in
// order: the loop over the data rows that every layout's Parse ends with.
// It stops when the rows end (nil), when reading or fn fails, or when ctx
// is done (checked before each row, so that a cancelled import stops
// within a row).
func eachRow(ctx context.Context, rows Rows, fn func(row int, cells []string) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, cells, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if blank(cells) {
			continue
		}
		if err := fn(row, cells); err != nil {
			return err
		}
	}
}

// blank reports whether every cell is empty or spaces.
func blank(cells []string) bool {
	for _, c := range cells {
		if trimSpace(c) != "" {
			return false
		}
	}
	return true
}

// msgOf is err's message without the sentinel's "invalid: " prefix, for
// an *Error that wraps data.ErrInvalid itself.
func msgOf(err error) string {
	m := err.Error()
	for _, s := range []error{data.ErrInvalid, data.ErrNotFound, data.ErrDuplicate} {
		m = strings.TrimPrefix(m, s.Error()+": ")
	}
	return m
}

// country is the country cell v of field f resolved to, if known.
func (c *rowCache) countryOf(f field, v string) (string, bool) {
	if c == nil {
		return "", false
	}
	if l := &c.country[f]; l.ok && l.key == v {
		return l.val, true
	}
	iso, ok := c.countries.get(v)
	if ok {
		c.country[f] = last[string, string]{v, iso, true}
	}
	return iso, ok
}

func (c *rowCache) keepCountry(f field, v, iso string) {
	if c != nil {
		c.countries.keep(v, iso, strings.Clone)
		c.country[f] = last[string, string]{v, iso, true}
	}
}

func (c *rowCache) flow(v string) (data.Flow, bool) {
	if c == nil {
		return "", false
	}
	return c.flows.get(v)
}

func (c *rowCache) keepFlow(v string, f data.Flow) {
	if c != nil {
		c.flows.keep(v, f, strings.Clone)
	}
}

func (c *rowCache) period(v string) (data.Period, bool) {
	if c == nil {
		return data.Period{}, false
	}
	return c.periods.get(v)
}

func (c *rowCache) keepPeriod(v string, p data.Period) {
	if c != nil {
		c.periods.keep(v, p, strings.Clone)
	}
}

func (c *rowCache) product(k productCells) (data.Product, bool) {
	if c == nil {
		return data.Product{}, false
	}
	return c.products.get(k)
}

func (c *rowCache) keepProduct(k productCells, p data.Product) {
	if c != nil {
		c.products.keep(k, p, func(k productCells) productCells {
			return productCells{strings.Clone(k.code), strings.Clone(k.name), strings.Clone(k.class)}
		})
	}
}
