package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"tradedash/data"
)

// keyed reads the wide tables whose key columns are on every row rather
// than in a title: World Bank WITS's "Download data" files ("Reporter
// Name", "Partner Name", "Trade Flow", "Product Group", "Indicator", then
// one column per year) and the IMF's Direction of Trade (DOTS/IMTS) bulk
// CSV ("Country Name", "Country Code", "Indicator Name", "Indicator Code",
// "Counterpart Country Name", "Counterpart Country Code", "Attribute",
// then years, quarters "2019Q1" and months "2019M01"). Reporter, partner,
// flow, product and unit are read per row; rows whose indicator is not a
// trade value in US$ (shares, counts, growth, balances, IMF status flags)
// are not stored, and one warning per indicator says how many were left
// out.
type keyed struct {
	spec *keyedSpec
	ref  *data.Reference
	o    Options
	file string
	// notStored counts, per indicator, the rows left out and why, in the
	// order first met.
	notStored map[string]*notStoredRows
	order     []string
	// units are the units the rows stated, for the dataset's record.
	units []string
}

// notStoredRows is an indicator whose rows are not stored.
type notStoredRows struct {
	n   int
	why string
}

// keyedSpec is one publisher's layout: the header's key columns, as
// written, and which of them holds what.
type keyedSpec struct {
	name  string // the layout's name, as Options.Format takes it
	title string // the publisher's, for messages: "WITS"
	keys  []string
	// The key columns' headers by role; "" when the layout has none.
	reporter, partner, flow, product, indicator, attribute string
	// fobImports says that imports valued FOB are a second valuation of
	// the CIF imports the same file states (IMF DOTS): storing both would
	// state each import twice, so only the CIF ones are stored.
	fobImports bool
	// bareDollars, when set, is why an indicator in "US Dollars" with no
	// magnitude does not state the unit, and what to do: the IMF's DOTS
	// names its indicators so but publishes millions.
	bareDollars string
}

var (
	witsSpec = &keyedSpec{name: "wits", title: "WITS",
		keys:     []string{"Reporter Name", "Partner Name", "Trade Flow", "Product Group", "Indicator"},
		reporter: "Reporter Name", partner: "Partner Name", flow: "Trade Flow", product: "Product Group", indicator: "Indicator"}
	imfSpec = &keyedSpec{name: "imf-dots", title: "IMF DOTS",
		keys: []string{"Country Name", "Country Code", "Indicator Name", "Indicator Code", "Counterpart Country Name",
			"Counterpart Country Code", "Attribute"},
		reporter: "Country Name", partner: "Counterpart Country Name", indicator: "Indicator Name", attribute: "Attribute",
		fobImports:  true,
		bareDollars: `the indicator says "US Dollars" but not in what magnitude: the IMF's Direction of Trade Statistics publishes its figures in millions of US$ (its series carry a unit multiplier of 6) under such names; give --unit "million US$" if this file comes from DOTS, or --unit US$ if its figures are whole dollars`}
)

func newKeyed(spec *keyedSpec, ref *data.Reference, file string, o Options) *keyed {
	return &keyed{spec: spec, ref: ref, o: o, file: file, notStored: map[string]*notStoredRows{}}
}

// Name is the format recorded on the dataset.
func (k *keyed) Name() string { return k.spec.name }

// keyedHeader is a header row's key columns and period columns.
type keyedHeader struct {
	cols    map[string]int // by key header, as the spec writes it
	periods []wideColumn
	labels  []string
	matched int // key headers found
}

// header reads one row as the layout's header: every key column found,
// and at least one period column.
func (k *keyed) header(cells []string) *keyedHeader {
	h := &keyedHeader{cols: map[string]int{}, labels: cells}
	want := map[string]string{}
	for _, key := range k.spec.keys {
		want[normalizeHeader(key)] = key
	}
	for c, cell := range cells {
		if len(cell) > maxLabel {
			continue
		}
		if key, ok := want[normalizeHeader(cell)]; ok {
			if _, dup := h.cols[key]; !dup {
				h.cols[key] = c
				h.matched++
			}
			continue
		}
		if p, fiscal, ok := widePeriod(trimSpace(cell), 0); ok && !fiscal {
			h.periods = append(h.periods, wideColumn{col: c, text: trimSpace(cell), period: p})
		}
	}
	return h
}

// find returns the index in head of the first row that is the layout's
// header, and that header; -1 and the best partial match when none is.
func (k *keyed) find(head [][]string) (int, *keyedHeader) {
	var best *keyedHeader
	for i, cells := range head {
		h := k.header(cells)
		if h.matched == len(k.spec.keys) && len(h.periods) > 0 {
			return i, h
		}
		if best == nil || h.matched > best.matched {
			best = h
		}
	}
	return -1, best
}

// Detect scores a header that has every key column of the layout and
// period columns: as specific as Comtrade Plus's.
func (k *keyed) Detect(head [][]string) (int, string) {
	i, h := k.find(head)
	if i < 0 {
		n := 0
		if h != nil {
			n = h.matched
		}
		return 0, fmt.Sprintf("not %s: %d of its %d key columns (%s)", k.spec.title, n, len(k.spec.keys), strings.Join(k.spec.keys, ", "))
	}
	return 30, fmt.Sprintf("%s: %d of %d key columns (%s) and %d period columns (%s)", k.spec.title, h.matched, len(k.spec.keys),
		strings.Join(k.spec.keys, ", "), len(h.periods), periodSpan(h.periods))
}

// periodSpan is "1988 … 2022", or the single period's label.
func periodSpan(ps []wideColumn) string {
	s := ps[0].text
	if n := len(ps); n > 1 {
		s += " … " + ps[n-1].text
	}
	return s
}

// Description says where the units were read, for the dataset's record.
func (k *keyed) Description() string {
	col := k.spec.indicator
	if len(k.units) == 0 {
		return fmt.Sprintf("%s table; units read per row from the %q column.", k.spec.title, col)
	}
	return fmt.Sprintf("%s table; values read in %s, per row from the %q column.", k.spec.title, strings.Join(k.units, " and "), col)
}

// describe says where the header was and which units its first rows state.
func (k *keyed) describe(head [][]string, rows []int) detection {
	i, h := k.find(head)
	d := detection{header: i}
	if i < 0 {
		return d
	}
	var units, from []string
	ind := h.cols[k.spec.indicator]
	for j := i + 1; j < len(head); j++ {
		if ind >= len(head[j]) {
			continue
		}
		text := trimSpace(head[j][ind])
		v := readIndicator(text, k.spec)
		if !v.ok {
			continue
		}
		v, stated, known := k.unitOf(v)
		if known && !contains(units, v.unit) {
			units = append(units, v.unit)
			row := j + 1
			if j < len(rows) {
				row = rows[j]
			}
			how := ""
			if !stated {
				how = " (which says no magnitude: --unit gives it)"
			}
			from = append(from, fmt.Sprintf("row %d %q%s", row, text, how))
		}
	}
	if len(units) > 0 {
		k.units = units // for Description, which the dataset is made with before Parse
		d.unit = strings.Join(units, ", ")
		d.unitFrom = fmt.Sprintf("per row, from the %q column: %s", k.spec.indicator, strings.Join(from, ", "))
	}
	var labels []string
	for _, p := range h.periods {
		labels = append(labels, p.text)
	}
	d.details = append(d.details, fmt.Sprintf("%d period columns: %s", len(labels), periodSpan(h.periods)))
	d.cells = nil
	return d
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// indicator is what an indicator's text says about its rows' figures.
type indicator struct {
	ok    bool      // a trade value in US$, stored
	flow  data.Flow // the flow it states; "" none
	scale int       // the power of ten to US$
	unit  string    // "thousand US$"
	why   string    // when not ok: why its rows are not stored
}

var (
	reIndicatorFlow = regexp.MustCompile(`(?i)\b(re-?exports?|re-?imports?|exports?|imports?)\b`)
	// reNotValue are the words of indicators that are not values: shares,
	// growth rates, counts, indices and ratios.
	reNotValue = regexp.MustCompile(`(?i)(%|\bshare\b|\bgrowth\b|\bno\.?\s+of\b|\bnumber\b|\bcount\b|\bindex\b|\bratio\b|\bper\s*cent\b|\bpercent(age)?\b|\bindicator\b)`)
	// reVagueScale is a magnitude parseUnit does not read: "US$ Mil" is
	// millions in English and thousands in Spanish ("mil").
	reVagueScale = regexp.MustCompile(`(?i)\b(mil|m|k|mill?s?)\b\.?`)
	reBalance    = regexp.MustCompile(`(?i)\bbalance\b`)
	reFOB        = regexp.MustCompile(`(?i)(\bfree\s+on\s+board\b|\bf\.?o\.?b\.?\b)`)
)

// readIndicator classifies an indicator: a trade value in US$ with its
// flow and unit ("Export (US$ Thousand)", "Goods, Value of Exports, Free
// on board (FOB), US Dollars"), or a kind of row not stored, with why.
func readIndicator(text string, spec *keyedSpec) indicator {
	notValue := indicator{why: "not a value in US$"}
	switch {
	case len(text) > maxLabel || text == "":
		return notValue
	case reBalance.MatchString(text):
		return indicator{why: "a trade balance (exports minus imports), not a flow"}
	case reNotValue.MatchString(text):
		return notValue
	}
	scale, unit, ok, _ := parseUnit(text)
	if !ok {
		return notValue
	}
	if m := reVagueScale.FindString(text); m != "" && scale == 0 {
		return indicator{why: fmt.Sprintf("its unit %q could mean thousands or millions, so its figures are not read", m)}
	}
	m := reIndicatorFlow.FindString(text)
	flow, known := parseFlow(m)
	if !known {
		return indicator{why: "states no trade flow (export or import)"}
	}
	if spec.fobImports && flow == data.Import && reFOB.MatchString(text) {
		return indicator{why: "imports valued FOB; the same file's CIF imports are the import figures stored"}
	}
	return indicator{ok: true, flow: flow, scale: scale, unit: unit}
}

// unitOf settles the unit of an indicator read as a value: the one it
// states, or, for an indicator in bare "US Dollars" where the layout says
// that does not state the magnitude (bareDollars), the one --unit gives;
// known is false when neither does.
func (k *keyed) unitOf(ind indicator) (_ indicator, stated, known bool) {
	if ind.scale != 0 || k.spec.bareDollars == "" {
		return ind, true, true
	}
	if k.o.Unit == "" {
		return ind, false, false
	}
	ind.scale, ind.unit, _, _ = parseUnit(k.o.Unit)
	return ind, false, true
}

// keyedSetup is what the rows are read with.
type keyedSetup struct {
	h   *keyedHeader
	col func(role string) int // -1 when the layout has no such column
}

// Parse finds the header, then reads one observation per period cell of
// every row whose indicator is a trade value; it warns once per
// indicator whose rows it left out.
func (k *keyed) Parse(ctx context.Context, rows Rows, emit func(data.Observation) error) error {
	var h *keyedHeader
	seen := 0
	for h == nil {
		row, cells, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return &Error{Sheet: rows.Sheet(), Msg: fmt.Sprintf("no %s header (%s, then periods as columns)", k.spec.title, strings.Join(k.spec.keys, ", "))}
		}
		if err != nil {
			return err
		}
		if hh := k.header(cells); hh.matched == len(k.spec.keys) && len(hh.periods) > 0 {
			h = hh
			break
		}
		if seen++; seen >= headRows*4 {
			return &Error{Sheet: rows.Sheet(), Row: row, Msg: fmt.Sprintf("no %s header (%s, then periods as columns)", k.spec.title, strings.Join(k.spec.keys, ", "))}
		}
	}
	st := &keyedSetup{h: h, col: func(role string) int {
		if role == "" {
			return -1
		}
		return h.cols[role]
	}}
	n := 0
	err := eachRow(ctx, rows, func(row int, cells []string) error {
		obs, ferr := k.row(st, rows.Sheet(), row, cells)
		emitted, err := emitRowObservations(k.o, rows.Sheet(), row, obs, ferr, emit)
		n += emitted
		return err
	})
	if err != nil {
		return err
	}
	if k.o.warn != nil {
		for _, ind := range k.order {
			ns := k.notStored[ind]
			rowsWord := "rows"
			if ns.n == 1 {
				rowsWord = "row"
			}
			k.o.warn(fmt.Sprintf("%s: %d %s not stored: %s", ind, ns.n, rowsWord, ns.why))
		}
	}
	if n == 0 {
		return &Error{Sheet: rows.Sheet(), Msg: fmt.Sprintf("no row states a trade value in US$ (expected an %q such as %s); nothing to import",
			k.spec.indicator, k.example())}
	}
	return nil
}

// example is an indicator of the layout that is a trade value.
func (k *keyed) example() string {
	if k.spec == imfSpec {
		return `"Goods, Value of Exports, Free on board (FOB), US Dollars"`
	}
	return `"Export (US$ Thousand)"`
}

// skip counts a row not stored under its indicator.
func (k *keyed) skip(ind, why string) {
	if len(ind) > maxValueShown {
		ind = clipValue(ind)
	}
	ns := k.notStored[ind]
	if ns == nil {
		if len(k.order) >= 100 { // a file of a million made-up indicators
			ind, why = "other indicators", "not values in US$"
			if ns = k.notStored[ind]; ns == nil {
				ns = &notStoredRows{why: why}
				k.notStored[ind] = ns
				k.order = append(k.order, ind)
			}
		} else {
			ns = &notStoredRows{why: why}
			k.notStored[ind] = ns
			k.order = append(k.order, ind)
		}
	}
	ns.n++
}

// row reads one row's observations; none for a row that is not stored.
func (k *keyed) row(st *keyedSetup, sheet string, row int, cells []string) ([]data.Observation, *Error) {
	h := st.h
	cell := func(i int) string {
		if i >= 0 && i < len(cells) {
			return trimSpace(cells[i])
		}
		return ""
	}
	fail := func(col int, value, msg string) *Error {
		e := &Error{Sheet: sheet, Row: row, Value: value, Msg: msg}
		if col >= 0 && col < len(h.labels) {
			e.Column = trimSpace(h.labels[col])
		}
		return e
	}
	for _, c := range cells {
		if strings.Contains(c, codeMarker) {
			return nil, fail(-1, c, codeMarkerMsg(c))
		}
	}
	indCol := st.col(k.spec.indicator)
	indText := cell(indCol)
	if a := st.col(k.spec.attribute); a >= 0 && !strings.EqualFold(cell(a), "value") {
		k.skip(fmt.Sprintf("%s (%s %q)", indText, k.spec.attribute, cell(a)), "flags, not figures")
		return nil, nil
	}
	ind := readIndicator(indText, k.spec)
	if !ind.ok {
		if indText == "" {
			return nil, fail(indCol, "", fmt.Sprintf("the row has no %s (expected one such as %s)", k.spec.indicator, k.example()))
		}
		k.skip(indText, ind.why)
		return nil, nil
	}
	ind, stated, known := k.unitOf(ind)
	switch {
	case !known:
		return nil, fail(indCol, indText, k.spec.bareDollars)
	case stated && k.o.Unit != "":
		if sc, name, _, _ := parseUnit(k.o.Unit); sc != ind.scale {
			return nil, fail(indCol, indText, fmt.Sprintf("the indicator states values in %s, but --unit says %s: leave --unit out, or correct it", ind.unit, name))
		}
	}
	if !contains(k.units, ind.unit) {
		k.units = append(k.units, ind.unit)
	}
	base := data.Observation{Flow: ind.flow, Product: data.TotalProduct, Bound: data.Exact}
	if fc := st.col(k.spec.flow); fc >= 0 {
		f, ok := parseFlow(cell(fc))
		switch {
		case !ok:
			return nil, fail(fc, cell(fc), fmt.Sprintf("%s is not a trade flow (expected Export or Import)", quoteValue(cell(fc))))
		case f != ind.flow:
			return nil, fail(fc, cell(fc), fmt.Sprintf("the row's flow is %s, but its %s %q states %s", f, k.spec.indicator, indText, ind.flow))
		}
	}
	if k.o.Flow != "" && data.Flow(k.o.Flow) != base.Flow {
		col := st.col(k.spec.flow)
		if col < 0 {
			col = indCol
		}
		return nil, fail(col, cell(col), fmt.Sprintf("the row's flow is %s, but --flow says %s: a flag cannot override the file's own column (leave --flow out)", base.Flow, k.o.Flow))
	}
	for _, c := range []struct {
		col  int
		flag string
		v    *string
	}{{st.col(k.spec.reporter), k.o.Reporter, &base.Reporter}, {st.col(k.spec.partner), k.o.Partner, &base.Partner}} {
		name := cell(c.col)
		country, err := k.country(name)
		if err != nil {
			return nil, fail(c.col, name, err.Error())
		}
		if c.flag != "" && c.flag != country.ISO3 {
			what := "--reporter"
			if c.v == &base.Partner {
				what = "--partner"
			}
			return nil, fail(c.col, name, fmt.Sprintf("the row names %s (%s), but %s says %s: a flag cannot override the file's own column (leave %s out)",
				quoteValue(name), country.ISO3, what, c.flag, what))
		}
		*c.v = country.ISO3
	}
	if pc := st.col(k.spec.product); pc >= 0 {
		p, err := keyedProduct(k.ref, cell(pc))
		if err != nil {
			return nil, fail(pc, cell(pc), msgOf(err))
		}
		base.Product = p
	}
	return periodObservations(k.file, sheet, row, base, h.periods, ind.scale, k.o, cell, fail)
}

// country finds a country or aggregate by its name. Codes are never
// read: the IMF's numeric codes are its own (Pakistan 564, India 534),
// not UN M49, and would name the wrong country.
func (k *keyed) country(name string) (data.Country, error) {
	switch {
	case name == "":
		return data.Country{}, errors.New("no country or area named (expected a name such as \"India\" or \"World\")")
	case allDigits(name):
		return data.Country{}, fmt.Errorf("%q is a code, not a name: %s countries are read by name, as its codes are not UN M49", name, k.spec.title)
	}
	c, err := k.ref.Country(name)
	if err != nil {
		return data.Country{}, fmt.Errorf("%s is not a known country or area (expected a country's name in English, or World; UN M49 and World Bank regions are known, but income groups such as \"High income\" and the IMF's groups such as \"Advanced Economies\" are not in tradedash's reference lists)",
			quoteValue(name))
	}
	if k.spec == imfSpec && c.Group() && c.ISO3 != "WLD" && c.ISO3 != "X097" {
		// The IMF groups countries its own way: its "Europe" or "Sub-Saharan
		// Africa" is not the UN's or the World Bank's region of that name.
		return data.Country{}, fmt.Errorf("%s is one of the IMF's own country groups, whose members differ from the UN or World Bank region of that name (%s): not imported; leave such rows out with --skip-bad-rows, which lists each",
			quoteValue(name), c.ISO3)
	}
	return c, nil
}

// keyedProduct reads a WITS product group: "All Products" is the total,
// any other group a sector.
func keyedProduct(ref *data.Reference, group string) (data.Product, error) {
	g := strings.Join(strings.Fields(group), " ")
	switch strings.ToLower(g) {
	case "all products", "total", "all commodities", "all":
		return data.TotalProduct, nil
	case "":
		return data.Product{}, errors.New(`no product group (expected "All Products" or a group such as "Chemicals")`)
	}
	if p, err := ref.Product(data.Sector, g); err == nil {
		return p, nil
	}
	p := data.Product{Classification: data.Sector, Code: g, Name: g}
	return p, p.Validate()
}
