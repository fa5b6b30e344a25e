package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"tradedash/data"
)

// baciHeader is the header of CEPII's BACI files, exactly.
var baciHeader = []string{"t", "i", "j", "k", "v", "q"}

// baci reads CEPII BACI: one row per year (t), exporter (i), importer (j)
// and HS6 product (k), with the value (v) in thousands of US dollars and
// the quantity (q) in tonnes. Countries are BACI's numeric codes, which
// are ISO numeric except where BACI follows Comtrade (India 699, USA 842,
// France 251…). Each row is the exporter's export.
type baci struct {
	ref  *data.Reference
	o    Options
	file string
}

func newBACI(ref *data.Reference, file string, o Options) *baci {
	return &baci{ref: ref, o: o, file: file}
}

// Name is the format recorded on the dataset.
func (b *baci) Name() string { return "baci" }

// Detect claims a file whose first non-blank row is exactly t,i,j,k,v,q.
func (b *baci) Detect(head [][]string) (int, string) {
	for _, cells := range head {
		if blank(cells) {
			continue
		}
		if isBACIHeader(cells) {
			return 30, "CEPII BACI: header t,i,j,k,v,q"
		}
		if isBACICodesHeader(cells) {
			return 0, notTradeData([][]string{cells})
		}
		break
	}
	return 0, "not CEPII BACI: the first row is not t,i,j,k,v,q"
}

func isBACIHeader(cells []string) bool {
	for len(cells) > len(baciHeader) && trimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) != len(baciHeader) {
		return false
	}
	for i, c := range cells {
		if strings.ToLower(trimSpace(strings.TrimPrefix(c, "\uFEFF"))) != baciHeader[i] {
			return false
		}
	}
	return true
}

// Parse reads the header, then one export per row.
func (b *baci) Parse(ctx context.Context, rows Rows, emit func(data.Observation) error) error {
	header := false
	n := 0
	err := eachRow(ctx, rows, func(row int, cells []string) error {
		if !header {
			if !isBACIHeader(cells) {
				return &Error{Sheet: rows.Sheet(), Row: row, Msg: fmt.Sprintf("the header is %q (expected t,i,j,k,v,q)", cells)}
			}
			header = true
			return nil
		}
		o, err := b.observation(rows.Sheet(), row, cells)
		emitted, err := emitRow(o, err, b.file, rows.Sheet(), row, b.o, emit)
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

func (b *baci) observation(sheet string, row int, cells []string) (data.Observation, error) {
	var o data.Observation
	fail := func(col int, msg string) *Error {
		e := &Error{Sheet: sheet, Row: row, Msg: msg}
		if col >= 0 {
			e.Column = baciHeader[col]
			if col < len(cells) {
				e.Value = trimSpace(cells[col])
			}
		}
		return e
	}
	if len(cells) > len(baciHeader) && !blank(cells[len(baciHeader):]) {
		return o, fail(-1, fmt.Sprintf("the row has %d cells but the header only %d", len(cells), len(baciHeader)))
	}
	cell := func(i int) string {
		if i < len(cells) {
			return trimSpace(cells[i])
		}
		return ""
	}
	t := cell(0)
	y, err := strconv.Atoi(t)
	if err != nil || len(t) != 4 {
		return o, fail(0, fmt.Sprintf("%q is not a year (expected four digits such as 2019)", t))
	}
	o.Period = data.Year(y)
	for _, c := range []struct {
		col  int
		dst  *string
		what string
	}{{1, &o.Reporter, "exporter"}, {2, &o.Partner, "importer"}} {
		v := cell(c.col)
		if v == "" || !allDigits(v) {
			return o, fail(c.col, fmt.Sprintf("%q is not a BACI country code (expected the %s's numeric code, such as 699 for India)", v, c.what))
		}
		country, _, err := b.o.CountryCodes.country(b.ref, v)
		if err != nil {
			if b.o.CountryCodes != nil {
				return o, fail(c.col, fmt.Sprintf("%q is not a known BACI country code: %s", v, msgOf(err)))
			}
			return o, fail(c.col, fmt.Sprintf("%q is not a known BACI country code (expected the %s's numeric code, such as 699 for India; or give BACI's country-codes file, --country-codes)", v, c.what))
		}
		*c.dst = country.ISO3
	}
	o.Flow = data.Export
	k := cell(3)
	if !allDigits(k) || len(k) < 5 || len(k) > 6 {
		return o, fail(3, fmt.Sprintf("%q is not an HS6 product code (expected 5 or 6 digits; a lost leading zero is restored)", k))
	}
	if len(k) == 5 {
		k = "0" + k
	}
	o.Product = hsProduct(b.ref, k)
	v := cell(4)
	value, ok, perr := parseNumber(v)
	switch {
	case perr != nil:
		return o, fail(4, perr.Error()+" (BACI values are in thousands of US dollars)")
	case !ok:
		return o, &skipped{fail(4, "no value; row left out")}
	}
	if o.ValueUSD, err = scaleDecimal(value, 3); err != nil {
		return o, fail(4, err.Error())
	}
	if q, ok, err := parseNumber(cell(5)); err != nil {
		return o, fail(5, err.Error()+" (BACI quantities are in tonnes)")
	} else if ok {
		o.Quantity, o.QtyUnit = &q, "t"
	}
	o.Bound = data.Exact
	o.SourceRef = fmt.Sprintf("%s, row %d", b.file, row)
	if sheet != "" {
		o.SourceRef = fmt.Sprintf("%s, sheet %s, row %d", b.file, sheet, row)
	}
	if err := o.Validate(); err != nil {
		return o, fail(-1, msgOf(err))
	}
	return o, nil
}

// hsProduct is the HS product with a code, from the reference list when
// it is there, else with its parent heading or chapter.
func hsProduct(ref *data.Reference, code string) data.Product {
	if p, err := ref.Product(data.HS, code); err == nil {
		return p
	}
	p := data.Product{Classification: data.HS, Code: code}
	if len(code) > 2 {
		p.ParentClassification, p.ParentCode = data.HS, code[:len(code)-2]
	}
	return p
}

// scaleDecimal multiplies v by 10^exp as decimal arithmetic would: the
// shortest decimal that reads back as v, with the point moved, so that
// 1234.567 thousand is 1234567 exactly and 171.94 million 171940000, not
// the float product 171939999.99999997.
func scaleDecimal(v float64, exp int) (float64, error) {
	m, e, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e")
	n, _ := strconv.Atoi(e)
	r, err := strconv.ParseFloat(m+"e"+strconv.Itoa(n+exp), 64)
	if err != nil {
		return 0, fmt.Errorf("%v times 10^%d is too large", v, exp)
	}
	return r, nil
}

// baciCodesHeader is the header of CEPII BACI's country_codes_V*.csv.
var baciCodesHeader = []string{"country_code", "country_name_abbreviation", "country_name_full", "iso_2digit_alpha", "iso_3digit_alpha"}

// isBACICodesHeader reports whether cells are that header (a BOM, spaces
// and case aside).
func isBACICodesHeader(cells []string) bool {
	for len(cells) > len(baciCodesHeader) && trimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) != len(baciCodesHeader) {
		return false
	}
	for i, c := range cells {
		if strings.ToLower(trimSpace(strings.TrimPrefix(c, "\uFEFF"))) != baciCodesHeader[i] {
			return false
		}
	}
	return true
}

// notTradeData says what a file is when it is a known companion of trade
// data rather than trade data itself; "" when it is not one.
func notTradeData(head [][]string) string {
	for _, cells := range head {
		if blank(cells) {
			continue
		}
		if isBACICodesHeader(cells) {
			return "this is CEPII BACI's country-codes file (country_code, country_name_abbreviation, …, iso_3digit_alpha), not trade figures: give it with --country-codes when importing BACI files"
		}
		return ""
	}
	return ""
}

// BACICountryCodes is CEPII BACI's own list of its numeric country codes
// (country_codes_V202401.csv and its like), which says what each code in
// a BACI file stands for. Most are ISO 3166 numeric or UN Comtrade codes,
// which tradedash knows without it; a few are BACI's own (58
// Belgium-Luxembourg, 280 the Federal Republic of Germany, 711 the
// Southern African Customs Union) and are read through the list's ISO3.
type BACICountryCodes struct {
	File  string            // the list's name as given, for messages
	codes map[string]string // numeric code → ISO3 key; "" when the list gives none
	names map[string]string // numeric code → the list's name, for messages
}

// Len is how many codes the list has.
func (c *BACICountryCodes) Len() int { return len(c.codes) }

// ReadBACICountryCodes reads BACI's country-codes CSV (UTF-8, a BOM
// allowed). Each code keeps the list's ISO3 when the reference knows that
// country; a code whose ISO3 is "N/A" or unknown (Czechoslovakia, the
// USSR) is left to the reference's reading of the code, and refused in a
// row only if that fails too.
func ReadBACICountryCodes(ref *data.Reference, name string, r io.Reader) (*BACICountryCodes, error) {
	src, err := spool(r)
	if err != nil {
		return nil, err
	}
	defer src.close()
	rows, err := newCSVRows(io.NewSectionReader(src.reader, 0, src.size), src.validUTF8)
	if err != nil {
		return nil, locate(err, name, "")
	}
	c := &BACICountryCodes{File: baseName(name), codes: map[string]string{}, names: map[string]string{}}
	header := false
	for {
		row, cells, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, locate(err, name, "")
		}
		if blank(cells) {
			continue
		}
		if !header {
			if !isBACICodesHeader(cells) {
				return nil, &Error{File: name, Row: row, Msg: fmt.Sprintf("the header is %q (expected BACI's %s)", cells, strings.Join(baciCodesHeader, ","))}
			}
			header = true
			continue
		}
		cell := func(i int) string {
			if i < len(cells) {
				return trimSpace(cells[i])
			}
			return ""
		}
		code := strings.TrimLeft(cell(0), "0")
		if code == "" || !allDigits(code) {
			return nil, &Error{File: name, Row: row, Column: "country_code", Value: cell(0), Msg: fmt.Sprintf("%q is not a numeric country code", cell(0))}
		}
		if _, dup := c.codes[code]; dup {
			return nil, &Error{File: name, Row: row, Column: "country_code", Value: cell(0), Msg: fmt.Sprintf("code %s is listed twice", code)}
		}
		iso := ""
		if country, err := ref.Country(cell(4)); err == nil && len(cell(4)) == 3 {
			iso = country.ISO3
		}
		c.codes[code], c.names[code] = iso, cell(1)
	}
	if len(c.codes) == 0 {
		return nil, &Error{File: name, Msg: "the country-codes file lists no codes"}
	}
	return c, nil
}

// country resolves a BACI code: through the list's ISO3 when it has one,
// else as an ISO numeric or Comtrade code.
func (c *BACICountryCodes) country(ref *data.Reference, code string) (data.Country, string, error) {
	code = strings.TrimLeft(code, "0")
	if c != nil {
		if iso := c.codes[code]; iso != "" {
			country, err := ref.Country(iso)
			return country, c.names[code], err
		}
	}
	country, err := ref.Country(code)
	if c == nil {
		return country, "", err
	}
	name, listed := c.names[code]
	if err != nil && listed {
		return country, name, fmt.Errorf("%s lists code %s as %q, which has no country tradedash knows", c.File, code, name)
	}
	if !listed {
		return country, "", fmt.Errorf("code %s is not in %s", code, c.File)
	}
	return country, name, err
}

// own lists the codes the list gives a country for that the reference
// alone reads otherwise or not at all, "58 Belgium-Luxembourg → BEL".
func (c *BACICountryCodes) own(ref *data.Reference) []string {
	var codes []int
	for code, iso := range c.codes {
		if iso == "" {
			continue
		}
		if byCode, err := ref.Country(code); err == nil && byCode.ISO3 == iso {
			continue
		}
		n, _ := strconv.Atoi(code)
		codes = append(codes, n)
	}
	slices.Sort(codes)
	var out []string
	for _, n := range codes {
		code := strconv.Itoa(n)
		out = append(out, fmt.Sprintf("%s %s → %s", code, c.names[code], c.codes[code]))
	}
	return out
}

// describe says where the header is, BACI's unit, and which country
// codes are read through BACI's own list.
func (b *baci) describe(head [][]string, _ []int) detection {
	d := detection{header: -1, unit: "thousand US$", unitFrom: "CEPII BACI states v in thousands of US dollars"}
	for i, cells := range head {
		if !blank(cells) {
			d.header = i
			break
		}
	}
	if c := b.o.CountryCodes; c != nil {
		msg := fmt.Sprintf("country codes read with %s (%d codes)", c.File, c.Len())
		if own := c.own(b.ref); len(own) > 0 {
			msg += "; codes it gives a country that ISO/Comtrade codes alone would not: " + strings.Join(own, ", ")
		}
		d.details = append(d.details, msg)
	}
	return d
}
