package importers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The fast paths of the per-row work must give what the general paths
// give; these tests compare the two on generated cells.

// TestPlainDecimalFastPath compares parseNumber on plain decimals
// ("1234", "0012.50") with the same cell behind a "+", which the fast
// path does not take.
func TestPlainDecimalFastPath(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 7))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	cells := []string{"0", "00", "0.0", "1.234", "007", strings.Repeat("9", 400), strings.Repeat("9", 400) + ".5"}
	for range 2000 {
		s := digits(1 + rng.IntN(18))
		if rng.IntN(2) == 0 {
			s += "." + digits(1+rng.IntN(6))
		}
		cells = append(cells, s)
	}
	for _, s := range cells {
		if !plainDecimal(s) {
			t.Fatalf("plainDecimal(%q) = false", s)
		}
		got, gotOK, gotErr := parseNumber(s)
		want, wantOK, wantErr := parseNumber("+" + s)
		if got != want || gotOK != wantOK || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("parseNumber(%q) = %v, %v, %v; the general path gives %v, %v, %v", s, got, gotOK, gotErr, want, wantOK, wantErr)
		}
	}
	for _, s := range []string{"", ".5", "5.", "1.2.3", "1,234", "-5", "+5", "1e5", "1 234", "12a", "١٢"} {
		if plainDecimal(s) {
			t.Errorf("plainDecimal(%q) = true", s)
		}
	}
}

// TestParseFlowASCIIFastPath compares parseFlow on ASCII cells with the
// same cell followed by a no-break space, which sends it down the
// Unicode path (the space is dropped there as any punctuation is).
func TestParseFlowASCIIFastPath(t *testing.T) {
	t.Parallel()
	cells := []string{"Export", "EXPORTS", " import ", "Re-Export", "re_imports", "RX", "rm", "x", "M", "1", "2", "3", "4",
		"Total trade", "trade-turnover", "Turnover", "", "5", "exp", "Import/Export", strings.Repeat("export", 5), "X 1"}
	for _, v := range cells {
		f, ok := parseFlow(v)
		wf, wok := parseFlow(v + "\u00a0")
		if f != wf || ok != wok {
			t.Errorf("parseFlow(%q) = %q, %v; the Unicode path gives %q, %v", v, f, ok, wf, wok)
		}
	}
}

// TestRowCacheSameAsFresh reads generated rows with one reader that
// keeps what it resolved, and each row again with a fresh reader that
// keeps nothing: observations and errors must be the same, including a
// bad cell met after a good one and a bad cell met twice.
func TestRowCacheSameAsFresh(t *testing.T) {
	t.Parallel()
	ref := mustReference(t)
	l := newLong("long", ref, "gen.csv", Options{}, nil)
	header := []string{"Reporter", "Partner ISO", "Year", "Flow", "HS code", "Product name", "Value (US$)"}
	cols, why := l.columns(header)
	if cols == nil {
		t.Fatal(why)
	}
	reporters := []string{"France", "FRA", " france ", "Côte d'Ivoire", "842", "Atlantis", "", "DEU"}
	partners := []string{"USA", "WLD", "Narnia", "CHN", "IND"}
	flows := []string{"Export", "M", "re-export", "sideways", ""}
	periods := []string{"2019", " 2019", "201903", "2019-03", "2019-13", "201913", "FY2019-20", "2019/20", "next year", ""}
	products := []string{"8", "08", "0801", "TOTAL", "total goods", "1234567", "Machinery", ""}
	rng := rand.New(rand.NewPCG(11, 13))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	cached := &rowReader{l: l, cols: cols, cache: newRowCache()}
	var bad int
	var cells []string
	for row := 2; row < 6000; row++ {
		// Mostly a new row; else the last one with one cell changed,
		// as sorted files run, so that each cell's last value is met
		// again both after it resolved and after it failed.
		if prev := cells; prev == nil || rng.IntN(2) == 0 {
			year := strconv.Itoa(2000 + rng.IntN(20))
			if rng.IntN(3) == 0 {
				year = pick(periods)
			}
			cells = []string{pick(reporters), pick(partners), year, pick(flows),
				pick(products), pick([]string{"", "Fruit", "Edible fruit"}), fmt.Sprint(rng.IntN(100000))}
		} else {
			cells = slices.Clone(prev)
			switch i := rng.IntN(5); i {
			case 0:
				cells[0] = pick(reporters)
			case 1:
				cells[1] = pick(partners)
			case 2:
				cells[2] = pick(periods)
			case 3:
				cells[3] = pick(flows)
			default:
				cells[4] = pick(products)
			}
		}
		cached.row, cached.cells = row, cells
		got, gotErr := cached.observation()
		fresh := &rowReader{l: l, cols: cols, row: row, cells: cells}
		want, wantErr := fresh.observation()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("row %d %q: cached %+v, fresh %+v", row, cells, got, want)
		}
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("row %d %q: cached error %v, fresh %v", row, cells, gotErr, wantErr)
		}
		var e *Error
		if errors.As(gotErr, &e) {
			bad++
		}
	}
	if bad == 0 || bad > 5900 {
		t.Fatalf("%d of the generated rows failed; the test should mix good and bad rows", bad)
	}
	if c := cached.cache; len(c.countries.m) == 0 || len(c.flows.m) == 0 || len(c.periods.m) == 0 || len(c.products.m) == 0 {
		t.Fatalf("the cache kept nothing: %d countries, %d flows, %d periods, %d products",
			len(c.countries.m), len(c.flows.m), len(c.periods.m), len(c.products.m))
	}
}

// TestTrimSpaceFastPath compares trimSpace with strings.TrimFunc(s,
// isSpace) on cells generated from every ASCII byte, the Unicode spaces
// isSpace knows, other runes and invalid UTF-8, at either end.
func TestTrimSpaceFastPath(t *testing.T) {
	t.Parallel()
	var parts []string
	for c := range 128 {
		parts = append(parts, string(rune(c)))
	}
	parts = append(parts, "\u0085", "\u00A0", "\u2007", "\u2009", "\u202F", "\u200B", "\uFEFF", "\u3000", "é", "€", "\xff", "\x80", "\xe2\x80", "")
	rng := rand.New(rand.NewPCG(5, 9))
	for range 200000 {
		s := parts[rng.IntN(len(parts))] + []string{"", "x", "1 2", "IND"}[rng.IntN(4)] + parts[rng.IntN(len(parts))]
		if got, want := trimSpace(s), strings.TrimFunc(s, isSpace); got != want {
			t.Fatalf("trimSpace(%q) = %q, want %q", s, got, want)
		}
	}
}
