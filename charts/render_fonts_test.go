package charts

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// fontWidth is the width of s at size px by the font file's own advances
// and kerning, read here independently of render_fonts.go's tables.
func fontWidth(tb testing.TB, file, s string, size int) float64 {
	tb.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := sfnt.Parse(b)
	if err != nil {
		tb.Fatal(err)
	}
	// Advances at ppem = units per em are exact font units (× 64).
	upem := int(f.UnitsPerEm())
	var buf sfnt.Buffer
	var w fixed.Int26_6
	var prev sfnt.GlyphIndex
	for i, r := range []rune(s) {
		g, err := f.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			tb.Fatalf("%s has no glyph for %q", file, r)
		}
		adv, err := f.GlyphAdvance(&buf, g, fixed.I(upem), font.HintingNone)
		if err != nil {
			tb.Fatal(err)
		}
		w += adv
		if i > 0 {
			if k, err := f.Kern(&buf, prev, g, fixed.I(upem), font.HintingNone); err == nil {
				w += k
			}
		}
		prev = g
	}
	return float64(w) / 64 * float64(size) / float64(upem)
}

// TestSVGTextWidthsAreTheFonts draws right-aligned titles: ECharts places
// a title's left edge at the width minus the text's measured width, so the
// drawn x shows the width it measured, which must be the embedded font's.
func TestSVGTextWidthsAreTheFonts(t *testing.T) {
	translate := regexp.MustCompile(`<text[^>]*transform="translate\(([0-9.]+) 0\)"`)
	for _, tc := range []struct {
		label, weight, file string
		size                int
	}{
		{"Pakistan – Russia trade", "bold", "fonts/LiberationSans-Bold.ttf", 20},
		{"Пакистан – Россия, AVATAR 2023", "normal", "fonts/LiberationSans-Regular.ttf", 14},
	} {
		c := Chart{ID: "probe", Option: map[string]any{
			"title": map[string]any{"text": tc.label, "right": 0, "top": 0, "padding": 0,
				"textStyle": map[string]any{"fontSize": tc.size, "fontWeight": tc.weight}},
		}}
		svg := mustSVG(t, testRenderer(), c, ImageOptions{Width: 600, Height: 200})
		m := translate.FindSubmatch(svg)
		if m == nil {
			t.Fatalf("%q: no translated <text> in %s", tc.label, svg)
		}
		x, _ := strconv.ParseFloat(string(m[1]), 64)
		want := fontWidth(t, tc.file, tc.label, tc.size)
		if got := 600 - x; math.Abs(got-want) > 0.05 {
			t.Errorf("%q (%s %dpx): ECharts measured %.3f px, the font's advances give %.3f px", tc.label, tc.weight, tc.size, got, want)
		}
	}
}

func TestMeasureTextFonts(t *testing.T) {
	for _, tc := range []struct {
		font string
		file string
		size int
	}{
		{"12px sans-serif", "fonts/LiberationSans-Regular.ttf", 12},
		{"normal normal 16px Microsoft YaHei", "fonts/LiberationSans-Regular.ttf", 16},
		{"bolder 18px sans-serif", "fonts/LiberationSans-Bold.ttf", 18},
		{"normal 600 11px sans-serif", "fonts/LiberationSans-Bold.ttf", 11},
		{"", "fonts/LiberationSans-Regular.ttf", 12},
	} {
		want := fontWidth(t, tc.file, "Exports 2015", tc.size)
		if got := measureText("Exports 2015", tc.font); math.Abs(got-want) > 1e-9 {
			t.Errorf("measureText(%q) = %.3f, want %.3f", tc.font, got, want)
		}
	}
	// A character no embedded font has (Devanagari) counts one em, as
	// ECharts' estimate does.
	if needsFallback('क') {
		t.Fatal("a fallback font has Devanagari: pick another missing character")
	}
	if got := measureText("क", "20px sans-serif"); got != 20 {
		t.Errorf("a missing glyph measures %v, want one em (20)", got)
	}
}

func BenchmarkMeasureText(b *testing.B) {
	if _, err := metrics(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		measureText("2023 (RUS data)", "12px sans-serif")
	}
}
