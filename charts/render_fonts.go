package charts

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
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

// The fallback fonts, for the scripts Liberation Sans lacks: Droid Sans
// Fallback (Apache-2.0) for Chinese, Japanese and Korean, Noto Naskh Arabic
// (SIL OFL 1.1) for Arabic, Urdu and Persian; see fonts/NOTICE.md. Names in
// these scripts come from uploaded files. They are embedded compressed,
// which halves what they add to the binary (1.7 MB instead of 3.6 MB), and
// decompressed on the first text that needs them.
var (
	//go:embed fonts/DroidSansFallback.ttf.gz
	droidFallbackGz []byte
	//go:embed fonts/NotoNaskhArabic-Regular.ttf.gz
	naskhArabicGz []byte
)

// fallbackFaces are the fallback fonts' metrics and files, in the order a
// glyph is looked for in them, decompressed once per process.
var fallbackFaces = sync.OnceValues(func() ([]*faceMetrics, error) {
	var out []*faceMetrics
	for _, gz := range [][]byte{droidFallbackGz, naskhArabicGz} {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, fmt.Errorf("charts: read embedded fallback font: %w", err)
		}
		ttf, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("charts: read embedded fallback font: %w", err)
		}
		m, err := newLazyFaceMetrics(ttf)
		if err != nil {
			return nil, fmt.Errorf("charts: read embedded fallback font: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
})

// needsFallback reports whether r is a character that Liberation Sans
// lacks and a fallback font has; such text needs the fallback fonts, both
// to be measured and to be drawn.
func needsFallback(r rune) bool {
	if r < 0x0370 {
		return false // Latin: all in Liberation Sans
	}
	faces, err := metrics()
	if err != nil {
		return false
	}
	if _, ok := faces[0].advance[r]; ok {
		return false
	}
	fb, err := fallbackFaces()
	if err != nil {
		return false
	}
	for _, m := range fb {
		if _, ok := m.lookup(r); ok {
			return true
		}
	}
	return false
}

// fallbackFontsFor returns the fallback font files that text (an SVG
// document) needs: none for the usual Latin and Cyrillic labels, so resvg
// is not handed 3.6 MB of fonts to parse for every chart.
func fallbackFontsFor(text []byte) [][]byte {
	var need []bool
	var fb []*faceMetrics
	for _, r := range string(text) {
		if r < 0x0370 || !needsFallback(r) {
			continue
		}
		if fb == nil {
			fb, _ = fallbackFaces()
			need = make([]bool, len(fb))
		}
		for i, m := range fb {
			if _, ok := m.lookup(r); ok {
				need[i] = true
				break
			}
		}
	}
	var out [][]byte
	for i, n := range need {
		if n {
			out = append(out, fb[i].ttf)
		}
	}
	return out
}

// faceMetrics holds what measuring needs of one font: advance widths and
// kerning in font units, read once.
type faceMetrics struct {
	ttf        []byte
	unitsPerEm float64
	advance    map[rune]float64 // runes the font maps
	glyph      map[rune]sfnt.GlyphIndex
	font       *sfnt.Font
	mu         sync.Mutex
	kern       map[[2]sfnt.GlyphIndex]float64 // pairs asked so far
	lazy       bool                           // advance and glyph fill as runes are asked for
}

// newLazyFaceMetrics reads a font whose advances are looked up as runes are
// asked for: a CJK font maps some 45,000 characters, of which a chart uses
// a handful.
func newLazyFaceMetrics(ttf []byte) (*faceMetrics, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, err
	}
	return &faceMetrics{ttf: ttf, unitsPerEm: float64(f.UnitsPerEm()), advance: map[rune]float64{}, glyph: map[rune]sfnt.GlyphIndex{},
		font: f, kern: map[[2]sfnt.GlyphIndex]float64{}, lazy: true}, nil
}

// lookup returns r's advance in font units, and whether the font maps r.
func (m *faceMetrics) lookup(r rune) (float64, bool) {
	if !m.lazy {
		adv, ok := m.advance[r]
		return adv, ok
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if adv, ok := m.advance[r]; ok {
		return adv, true
	}
	if _, ok := m.glyph[r]; ok { // asked before: not in the font
		return 0, false
	}
	var b sfnt.Buffer
	g, err := m.font.GlyphIndex(&b, r)
	if err != nil || g == 0 {
		m.glyph[r] = 0
		return 0, false
	}
	adv, err := m.font.GlyphAdvance(&b, g, fixed.I(int(m.unitsPerEm)), font.HintingNone)
	if err != nil {
		m.glyph[r] = 0
		return 0, false
	}
	m.glyph[r] = g
	m.advance[r] = float64(adv) / 64
	return m.advance[r], true
}

func newFaceMetrics(ttf []byte) (*faceMetrics, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, err
	}
	upem := f.UnitsPerEm()
	m := &faceMetrics{ttf: ttf, unitsPerEm: float64(upem), advance: map[rune]float64{}, glyph: map[rune]sfnt.GlyphIndex{}, font: f,
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
// same font. A character the font lacks is measured in the first fallback
// font that has it, glyph by glyph, as resvg will draw it; one it has not
// either counts one em, as ECharts' own estimate does for characters it
// does not know. Arabic letters count their isolated forms, which a shaped
// word's joined forms make a little narrower.
func (m *faceMetrics) width(s string, size float64) float64 {
	var px float64
	prev := rune(-1)
	for _, r := range s {
		adv, ok := m.advance[r]
		if !ok {
			px += fallbackEm(r) * size
			prev = -1
			continue
		}
		units := adv
		if prev >= 0 {
			units += m.kerning(prev, r)
		}
		px += units * size / m.unitsPerEm
		prev = r
	}
	return px
}

// fallbackEm is r's advance in ems in the first fallback font that maps
// it, or one em.
func fallbackEm(r rune) float64 {
	fb, err := fallbackFaces()
	if err != nil {
		return 1
	}
	for _, f := range fb {
		if adv, ok := f.lookup(r); ok {
			return adv / f.unitsPerEm
		}
	}
	return 1
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
// will draw it in; characters it lacks in the fallback fonts (which have
// one weight). ECharts' default is 12px sans-serif.
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
