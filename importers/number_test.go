package importers

import (
	"math"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
	}{
		{"0", 0},
		{"-0", 0},
		{"1234567", 1234567},
		{"1,234,567", 1234567},
		{"1.234.567", 1234567},
		{"1.234.567,89", 1234567.89},
		{"1,234,567.89", 1234567.89},
		{"1 234,5", 1234.5},
		{"1\u00a0234\u00a0567", 1234567},
		{"1\u202f234,25", 1234.25},
		{"1\u2009234.5", 1234.5},
		{"1'234'567.50", 1234567.5},
		{"1’234", 1234},
		{"12.5", 12.5},
		{"1.234", 1.234}, // a single point is a decimal point
		{"1,234", 1234},  // a comma before exactly three digits groups
		{"1,5", 1.5},
		{"0,125", 0.125},
		{"1234,5", 1234.5},
		{"12345,678", 12345.678},
		{"12,34,567", 1234567},        // Indian grouping
		{"1,23,45,678.5", 12345678.5}, // crores
		{".5", 0.5},
		{"  42  ", 42},
		{"+42", 42},
		{"-1,234", -1234},
		{"−7", -7}, // U+2212 minus sign
		{"$1,234", 1234},
		{"US$ 5", 5},
		{"123*", 123},
		{"123 (p)", 123},
		{"6226189464**", 6226189464},
		{"7 [e]", 7},
		{"8 (prov.)", 8},
		{"9¹", 9},
		{"1.5E+09", 1.5e9},
		{"4.78883729111E+11", 478883729111},
		{"2e3", 2000},
		{"1,5e3", 1500},
		{"007", 7},
		{"478883729111", 478883729111},
	}
	for _, tt := range tests {
		got, ok, err := parseNumber(tt.in)
		if err != nil || !ok || got != tt.want || math.Signbit(got) != math.Signbit(tt.want) {
			t.Errorf("parseNumber(%q) = %v, %v, %v; want %v, true, nil", tt.in, got, ok, err, tt.want)
		}
	}
}

func TestParseNumberMissing(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "  ", "-", "–", "—", "..", "...", "…", ":", "n.a.", "N.A.", "NA", "na", "n/a", " - "} {
		got, ok, err := parseNumber(in)
		if err != nil || ok || got != 0 {
			t.Errorf("parseNumber(%q) = %v, %v, %v; want a missing value", in, got, ok, err)
		}
	}
}

func TestParseNumberRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"12x", "abc", "NaN", "nan", "Inf", "+Inf", "-Infinity", "infinity", "0x1p3", "0x10", "0X1E3",
		"1_000", "1e999", "-1e400", "1,2,3", "1,234,56", "1.234,567.8", "12.", "1,", ",5", "1..2", "1,,2",
		"1 234'567", "0,123,456", "1234,567,890", "1.2.3,4,5", "--1", "+-1", "1-", "(123)", "(p)", "*",
		"1e", "e5", "1.5e+", "1e1234", "1 234.567.890", "١٢٣", "12%", "1/2", "1.0.0.0.0.0.1", "1 2 3",
		"1\n234", "1.2e3.4", "$", "US$", "1,234.56.7",
	} {
		got, ok, err := parseNumber(in)
		if err == nil {
			t.Errorf("parseNumber(%q) = %v, %v, nil; want an error", in, got, ok)
			continue
		}
		if ok || got != 0 {
			t.Errorf("parseNumber(%q) = %v, %v with error %v; want 0, false", in, got, ok, err)
		}
		if !strings.Contains(err.Error(), "is not a number") {
			t.Errorf("parseNumber(%q) error %q does not say it is not a number", in, err)
		}
	}
}

func TestParseNumberMessage(t *testing.T) {
	t.Parallel()
	_, _, err := parseNumber("12x")
	if err == nil || !strings.Contains(err.Error(), `"12x" is not a number (expected`) {
		t.Errorf("error = %v; want it to quote the value and say what was expected", err)
	}
	_, _, err = parseNumber("1,2,3")
	if err == nil || !strings.Contains(err.Error(), "misplaced") {
		t.Errorf("error = %v; want it to say the separators are misplaced", err)
	}
}

// FuzzParseNumber checks that parseNumber never panics, never returns
// NaN or an infinity, and never returns a value with an error.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1,234,567", "1.234.567,89", "1 234,5", "12.5", "-", "..", "n.a.", "123*", "123 (p)",
		"NaN", "Inf", "0x1p3", "1_000", "1e308", "1e309", "12,34,567", "$1", "1'234", ".5", "−5", "1.5E+09", "9¹", "(e)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok, err := parseNumber(s)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("parseNumber(%q) = %v", s, v)
		}
		if err != nil && (ok || v != 0) {
			t.Fatalf("parseNumber(%q) = %v, %v with error %v", s, v, ok, err)
		}
		if !ok && v != 0 {
			t.Fatalf("parseNumber(%q) = %v for a missing value", s, v)
		}
	})
}
