package charts

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The fonts of every server-side image: Liberation Sans 2.1.5 (SIL OFL 1.1,
// see fonts/NOTICE.md), which has the metrics of the Arial the page's
// charts use. They are embedded so that text is measured (by ECharts'
// layout) and drawn (by resvg) with the same font on any server, whatever
// fonts it has installed.
var (
	//go:embed fonts/LiberationSans-Regular.ttf
	liberationRegular []byte
	//go:embed fonts/LiberationSans-Bold.ttf
	liberationBold []byte
)

// embeddedFamily is the family name the embedded fonts declare.
const embeddedFamily = "Liberation Sans"

// faceMetrics holds what measuring needs of one font: advance widths and
// kerning in font units, read once.
type faceMetrics struct {
	unitsPerEm float64
	advance    map[rune]float64 // runes the font maps
	glyph      map[rune]sfnt.GlyphIndex
	font       *sfnt.Font
	mu         sync.Mutex
	kern       map[[2]sfnt.GlyphIndex]float64 // pairs asked so far
}

func newFaceMetrics(ttf []byte) (*faceMetrics, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, err
	}
	upem := f.UnitsPerEm()
	m := &faceMetrics{unitsPerEm: float64(upem), advance: map[rune]float64{}, glyph: map[rune]sfnt.GlyphIndex{}, font: f,
		kern: map[[2]sfnt.GlyphIndex]float64{}}
	var b sfnt.Buffer
	// Liberation Sans maps only Basic Multilingual Plane characters.
	for r := rune(0); r < 0x10000; r++ {
		g, err := f.GlyphIndex(&b, r)
		if err != nil || g == 0 {
			continue
		}
		// At ppem = units per em, a 26.6 advance is font units × 64.
		adv, err := f.GlyphAdvance(&b, g, fixed.I(int(upem)), font.HintingNone)
		if err != nil {
			return nil, err
		}
		m.advance[r] = float64(adv) / 64
		m.glyph[r] = g
	}
	return m, nil
}

// kerning returns the pair's kerning in font units (0 if the font has none
// for it). The font's 'kern' table is read on first use of each pair.
func (m *faceMetrics) kerning(a, b rune) float64 {
	ga, gb := m.glyph[a], m.glyph[b]
	if ga == 0 || gb == 0 {
		return 0
	}
	key := [2]sfnt.GlyphIndex{ga, gb}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.kern[key]; ok {
		return v
	}
	var buf sfnt.Buffer
	k, err := m.font.Kern(&buf, ga, gb, fixed.I(int(m.unitsPerEm)), font.HintingNone)
	v := 0.0
	if err == nil {
		v = float64(k) / 64
	}
	m.kern[key] = v
	return v
}

// width is the advance width of s at size px: the sum of its characters'
// advances and kerning, as a browser's canvas measureText gives it for the
// same font. A character the font lacks counts one em, as ECharts' own
// estimate does for characters it does not know.
func (m *faceMetrics) width(s string, size float64) float64 {
	var units float64
	prev := rune(-1)
	for _, r := range s {
		adv, ok := m.advance[r]
		if !ok {
			adv = m.unitsPerEm
		}
		units += adv
		if prev >= 0 {
			units += m.kerning(prev, r)
		}
		prev = r
	}
	return units * size / m.unitsPerEm
}

// metrics are the regular and bold faces' metrics, read once per process.
var metrics = sync.OnceValues(func() ([2]*faceMetrics, error) {
	var out [2]*faceMetrics
	for i, ttf := range [][]byte{liberationRegular, liberationBold} {
		m, err := newFaceMetrics(ttf)
		if err != nil {
			return out, fmt.Errorf("charts: read embedded font: %w", err)
		}
		out[i] = m
	}
	return out, nil
})

// fontSize finds the pixel size in a CSS font shorthand such as
// "bolder 18px sans-serif" or "normal 400 12px Microsoft YaHei"; 12 if
// it names none, as ECharts' default.
func fontSize(cssFont string) float64 {
	for f := range strings.FieldsSeq(cssFont) {
		if n, ok := strings.CutSuffix(f, "px"); ok {
			if v, err := strconv.ParseFloat(n, 64); err == nil && v > 0 {
				return v
			}
		}
	}
	return 12
}

// measureText is ECharts' platform measureText for server-side drawing:
// the width of text in the CSS font shorthand cssFont, measured with the
// embedded Liberation Sans (bold for bold, bolder or weights of 600 and
// up), whatever family the option names, because that is the font resvg
// will draw it in. ECharts' default is 12px sans-serif.
func measureText(text, cssFont string) float64 {
	faces, err := metrics()
	if err != nil {
		return 0
	}
	size := fontSize(cssFont)
	face := faces[0]
	for f := range strings.FieldsSeq(cssFont) {
		if f == "bold" || f == "bolder" {
			face = faces[1]
		} else if w, err := strconv.Atoi(f); err == nil && w >= 600 && w <= 1000 {
			face = faces[1]
		}
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	return face.width(text, size)
}
