package importers

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// expectedNumber is what a value cell should look like.
const expectedNumber = "expected a number such as 1234567, 1,234,567.89, 1.234.567,89 or 1 234,5"

// missingValues are the ways statistical tables say "no figure".
var missingValues = map[string]bool{
	"": true, "-": true, "–": true, "—": true, "..": true, "...": true, "…": true, ":": true,
	"n.a.": true, "n.a": true, "na": true, "n/a": true, "n.av.": true, "not available": true,
}

// parseNumber reads a value cell as statisticians and spreadsheets write it.
// It returns ok=false, with no error, for the marks of a missing figure
// ("", "-", "..", "n.a.", "NA"). Grouping and decimal separators are decided
// per value:
//
//   - spaces (also no-break and thin spaces) and apostrophes only group;
//   - with both "," and "." the last one is the decimal separator
//     ("1,234,567.89", "1.234.567,89");
//   - a separator that occurs twice or more groups ("1,234,567", "1.234.567");
//   - a single "." is a decimal point ("12.5", "1.234");
//   - a single "," is a thousands separator when exactly three digits follow
//     it and one to three non-zero-led digits precede it ("1,234"), else a
//     decimal comma ("1,5", "0,125", "1234,5").
//
// Groups must be well placed: 1–3 digits then groups of 3, or the Indian
// lakh/crore grouping ("12,34,567"). A leading "+", "-" or "−", a "$" or
// "US$", an exponent ("1.5E+09", as Excel writes wide numbers) and
// footnote marks ("123*", "123 (p)", "123¹") are allowed. NaN, infinities,
// hex floats, "1_000" and anything else are errors saying what was expected;
// a result is never NaN or infinite.
func parseNumber(s string) (float64, bool, error) {
	t := trimSpace(s)
	if plainDecimal(t) {
		// "1234" or "1234.5", as programs write figures: what the rules
		// below make of it is this, without the work.
		if v, err := strconv.ParseFloat(t, 64); err == nil && !math.IsInf(v, 0) {
			return v, true, nil
		}
	}
	if missingValues[strings.ToLower(t)] {
		return 0, false, nil
	}
	fail := func(why string) (float64, bool, error) {
		if why == "" {
			return 0, false, fmt.Errorf("%s is not a number (%s)", quoteValue(s), expectedNumber)
		}
		return 0, false, fmt.Errorf("%s is not a number: %s", quoteValue(s), why)
	}
	t = stripFootnote(t)
	neg := false
	if r, n := utf8.DecodeRuneInString(t); r == '-' || r == '+' || r == '−' {
		neg = r != '+'
		t = t[n:]
	}
	if u, ok := strings.CutPrefix(t, "US$"); ok {
		t = strings.TrimLeftFunc(u, isSpace)
	} else if u, ok := strings.CutPrefix(t, "$"); ok {
		t = strings.TrimLeftFunc(u, isSpace)
	}
	if t == "" {
		return fail("")
	}
	var digits string // plain "123.45" or "1.5e9" for strconv
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		m, err := mantissa(t[:i])
		if err != "" || !isExponent(t[i+1:]) {
			return fail("")
		}
		digits = m + "e" + t[i+1:]
	} else {
		d, why := grouped(t)
		if d == "" {
			return fail(why)
		}
		digits = d
	}
	v, err := strconv.ParseFloat(digits, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0):
		return fail("it is too large")
	case err != nil, math.IsNaN(v), math.IsInf(v, 0):
		return fail("")
	}
	if neg {
		v = -v
	}
	if v == 0 {
		v = 0 // no negative zero
	}
	return v, true, nil
}

// trimSpace is strings.TrimFunc(s, isSpace). Nearly every cell starts
// and ends with an ASCII byte that is not white space, and is then
// returned as it is, without decoding a rune at either end: the only
// white space isSpace finds among ASCII bytes is unicode.IsSpace's six,
// and a multi-byte rune neither starts nor ends with an ASCII byte.
func trimSpace(s string) string {
	if n := len(s); n == 0 || s[0] < utf8.RuneSelf && !asciiSpace(s[0]) && s[n-1] < utf8.RuneSelf && !asciiSpace(s[n-1]) {
		return s
	}
	return strings.TrimFunc(s, isSpace)
}

// asciiSpace is isSpace for an ASCII byte.
func asciiSpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}

// isSpace is unicode.IsSpace plus the no-break and thin spaces that
// typesetting and French or Swiss number formats use to group digits.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00A0' || r == '\u2007' || r == '\u2009' || r == '\u202F' || r == '\u200B' || r == '\uFEFF'
}

// stripFootnote removes trailing footnote marks: "*", "†", "‡", "§", "#",
// superscript digits, and a parenthesised or bracketed letter code such as
// "(p)", "(e)", "[r]" or "(prov.)". A bare trailing letter is kept, so "1e5"
// stays an exponent; a parenthesised number such as "(1)" is not a
// footnote mark anyone can tell from an accounting negative, so it is kept
// (and refused).
func stripFootnote(t string) string {
	for {
		u := strings.TrimRightFunc(t, func(r rune) bool {
			return strings.ContainsRune("*†‡§#¹²³⁰⁴⁵⁶⁷⁸⁹", r) || isSpace(r)
		})
		if n := len(u); n >= 3 && (u[n-1] == ')' || u[n-1] == ']') {
			open := strings.LastIndexAny(u, "([")
			if open > 0 && isFootnoteCode(u[open+1:n-1]) {
				u = strings.TrimRightFunc(u[:open], isSpace)
			}
		}
		if u == t {
			return t
		}
		t = u
	}
}

// isFootnoteCode reports whether s is a short letter code such as "p",
// "e", "r", "prov." or "est".
func isFootnoteCode(s string) bool {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" || len(s) > 5 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// isExponent reports whether s is an exponent: an optional sign and one to
// three digits.
func isExponent(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return len(s) >= 1 && len(s) <= 3 && allDigits(s)
}

// mantissa reads the part before an exponent: digits with at most one
// decimal point or comma, no grouping.
func mantissa(s string) (string, string) {
	i := strings.IndexAny(s, ".,")
	if i < 0 {
		if s == "" || !allDigits(s) {
			return "", "bad"
		}
		return s, ""
	}
	a, b := s[:i], s[i+1:]
	if a == "" || b == "" || !allDigits(a) || !allDigits(b) {
		return "", "bad"
	}
	return a + "." + b, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// sepClass groups the separators that may appear between digits.
type sepClass int

const (
	sepComma sepClass = iota + 1
	sepDot
	sepSpace // any kind of space
	sepApos  // ' or ’ (Swiss)
)

func classify(r rune) sepClass {
	switch {
	case r == ',':
		return sepComma
	case r == '.':
		return sepDot
	case r == '\'' || r == '’':
		return sepApos
	case r == ' ' || r == '\u00A0' || r == '\u2007' || r == '\u2009' || r == '\u202F':
		return sepSpace
	}
	return 0
}

// grouped turns digits with separators into "1234567.89", or returns ""
// and why (empty for the generic message).
func grouped(s string) (string, string) {
	var runs []string         // digit runs
	var seps []sepClass       // separators between runs
	leadingDot := s[0] == '.' // ".5"
	if leadingDot {
		s = s[1:]
	}
	for s != "" {
		i := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return "", ""
		}
		runs = append(runs, s[:i])
		s = s[i:]
		if s == "" {
			break
		}
		r, n := utf8.DecodeRuneInString(s)
		c := classify(r)
		if c == 0 {
			return "", ""
		}
		seps = append(seps, c)
		s = s[n:]
		if s == "" {
			return "", "" // a trailing separator
		}
	}
	if leadingDot {
		if len(seps) > 0 || len(runs) != 1 {
			return "", ""
		}
		return "0." + runs[0], ""
	}
	if len(seps) == 0 {
		return runs[0], ""
	}
	var count [5]int
	for _, c := range seps {
		count[c]++
	}
	if count[sepSpace] > 0 && count[sepApos] > 0 {
		return "", "it mixes spaces and apostrophes as thousands separators"
	}
	group := sepSpace
	if count[sepApos] > 0 {
		group = sepApos
	}
	last := seps[len(seps)-1]
	decimal := false // the last separator is the decimal one
	switch {
	case count[sepComma] > 0 && count[sepDot] > 0:
		if last != sepComma && last != sepDot || count[last] != 1 || count[sepSpace]+count[sepApos] > 0 {
			return "", "its separators do not say which one is the decimal point"
		}
		decimal = true
		group = sepComma + sepDot - last
	case count[sepComma]+count[sepDot] > 0:
		p, n := sepComma, count[sepComma]
		if n == 0 {
			p, n = sepDot, count[sepDot]
		}
		switch {
		case count[group] > 0: // "1 234,5": the spaces group, so the comma is decimal
			if n != 1 || last != p {
				return "", "its separators do not say which one is the decimal point"
			}
			decimal = true
		case n >= 2:
			group = p
		case p == sepDot:
			decimal = true
		default: // one comma: "1,234" groups, "1,5" and "0,125" are decimal
			first := runs[0]
			decimal = !(len(runs[1]) == 3 && len(first) <= 3 && first[0] != '0')
			group = sepComma
		}
	}
	intRuns := runs
	frac := ""
	if decimal {
		intRuns, frac = runs[:len(runs)-1], runs[len(runs)-1]
	}
	for i, c := range seps[:len(intRuns)-1] {
		if c != group {
			return "", fmt.Sprintf("separator %d is not the thousands separator the others are", i+1)
		}
	}
	if !wellGrouped(intRuns) {
		return "", "its thousands separators are misplaced"
	}
	d := strings.Join(intRuns, "")
	if frac != "" {
		d += "." + frac
	}
	return d, ""
}

// wellGrouped reports whether digit groups are placed as thousands
// (1–3 digits, then threes) or as Indian lakhs and crores (1–2 digits,
// then twos, then a final three).
func wellGrouped(runs []string) bool {
	if len(runs) == 1 {
		return true
	}
	first, rest := runs[0], runs[1:]
	if len(first) > 3 || first[0] == '0' {
		return false
	}
	western, indian := true, len(first) <= 2
	for i, r := range rest {
		if len(r) != 3 {
			western = false
		}
		if i < len(rest)-1 && len(r) != 2 || i == len(rest)-1 && len(r) != 3 {
			indian = false
		}
	}
	return western || indian
}

// plainDecimal reports whether t is digits, optionally followed by a
// point and more digits: a number every rule of parseNumber reads as
// strconv does. (A single "." is a decimal point; there is no sign, so
// no negative zero.)
func plainDecimal(t string) bool {
	i := 0
	for i < len(t) && '0' <= t[i] && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	if i == len(t) {
		return true
	}
	if t[i] != '.' || i+1 == len(t) {
		return false
	}
	for _, c := range []byte(t[i+1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
