package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
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
		break
	}
	return 0, "not CEPII BACI: the first row is not t,i,j,k,v,q"
}

func isBACIHeader(cells []string) bool {
	for len(cells) > len(baciHeader) && strings.TrimFunc(cells[len(cells)-1], isSpace) == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) != len(baciHeader) {
		return false
	}
	for i, c := range cells {
		if strings.ToLower(strings.TrimFunc(strings.TrimPrefix(c, "\uFEFF"), isSpace)) != baciHeader[i] {
			return false
		}
	}
	return true
}

// Parse reads the header, then one export per row.
func (b *baci) Parse(ctx context.Context, rows Rows, emit func(data.Observation) error) error {
	header := false
	n := 0
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
		if blank(cells) {
			continue
		}
		if !header {
			if !isBACIHeader(cells) {
				return &Error{Sheet: rows.Sheet(), Row: row, Msg: fmt.Sprintf("the header is %q (expected t,i,j,k,v,q)", cells)}
			}
			header = true
			continue
		}
		o, err := b.observation(rows.Sheet(), row, cells)
		emitted, err := emitRow(o, err, b.file, rows.Sheet(), row, b.o, emit)
		if err != nil {
			return err
		}
		if emitted {
			n++
		}
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
				e.Value = strings.TrimFunc(cells[col], isSpace)
			}
		}
		return e
	}
	if len(cells) > len(baciHeader) && !blank(cells[len(baciHeader):]) {
		return o, fail(-1, fmt.Sprintf("the row has %d cells but the header only %d", len(cells), len(baciHeader)))
	}
	cell := func(i int) string {
		if i < len(cells) {
			return strings.TrimFunc(cells[i], isSpace)
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
		country, err := b.ref.Country(v)
		if err != nil {
			return o, fail(c.col, fmt.Sprintf("%q is not a known BACI country code (expected the %s's numeric code, such as 699 for India)", v, c.what))
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
