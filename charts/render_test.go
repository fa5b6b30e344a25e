package charts

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tradedash/data"
	"tradedash/templates"
)

// testRenderer is shared by the tests so ECharts starts once per engine.
var testRenderer = sync.OnceValue(func() *Renderer { return NewRenderer(RendererOptions{Timeout: 5 * time.Minute}) })

func mustSVG(tb testing.TB, r *Renderer, c Chart, o ImageOptions) []byte {
	tb.Helper()
	svg, err := r.SVG(context.Background(), c, o)
	if err != nil {
		tb.Fatal(err)
	}
	return svg
}

// svgFacts is what a test needs to know of a drawn SVG.
type svgFacts struct {
	root      xml.StartElement
	firstRect xml.StartElement // first element inside the root
	text      string           // all character data, decoded, one line per element
	series    map[string]bool  // ECharts' ecmeta_series_index values
	elements  map[string]int
	attrs     []string // every attribute name=value, lower-cased names
}

func parseSVG(tb testing.TB, svg []byte) svgFacts {
	tb.Helper()
	f := svgFacts{series: map[string]bool{}, elements: map[string]int{}}
	d := xml.NewDecoder(bytes.NewReader(svg))
	var text strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				f.root = t.Copy()
			} else if depth == 2 && f.firstRect.Name.Local == "" {
				f.firstRect = t.Copy()
			}
			f.elements[t.Name.Local]++
			for _, a := range t.Attr {
				f.attrs = append(f.attrs, strings.ToLower(a.Name.Local)+"="+a.Value)
				if a.Name.Local == "ecmeta_series_index" {
					f.series[a.Value] = true
				}
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			text.Write(t)
			text.WriteByte('\n')
		}
	}
	f.text = text.String()
	return f
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestRenderBilateralSVG(t *testing.T) {
	rows, o := fixture()
	svg := mustSVG(t, testRenderer(), Bilateral(rows, o), ImageOptions{Width: 1600, Height: 900})
	f := parseSVG(t, svg)
	if f.root.Name.Local != "svg" || attr(f.root, "width") != "1600" || attr(f.root, "height") != "900" {
		t.Errorf("root = %v, want a 1600x900 <svg>", f.root)
	}
	if f.firstRect.Name.Local != "rect" || attr(f.firstRect, "fill") != "#ffffff" || attr(f.firstRect, "width") != "1600" {
		t.Errorf("first element = %v, want the white background rect", f.firstRect)
	}
	for _, want := range []string{
		"Pakistan – Russia trade", "US$ · Official statements", "Source: APP, TASS",
		"FY2022-23", "2015", "(RUS data)", "Exports", "Imports", "Turnover", "Balance",
		"≥ 1.00 B", // the bound label from format.js
		"-600.0 M", // the value axis through scaleValue
	} {
		if !strings.Contains(f.text, want) {
			t.Errorf("SVG text lacks %q", want)
		}
	}
	if len(f.series) != 4 {
		t.Errorf("series drawn: %v, want 4 (exports, imports, turnover, balance)", f.series)
	}
	if f.elements["path"] < 8 {
		t.Errorf("only %d paths drawn", f.elements["path"])
	}
}

func TestRenderDarkTheme(t *testing.T) {
	rows, o := fixture()
	f := parseSVG(t, mustSVG(t, testRenderer(), Bilateral(rows, o), ImageOptions{Theme: ThemeDark}))
	if attr(f.firstRect, "fill") != "#15191f" || attr(f.root, "width") != "1200" || attr(f.root, "height") != "675" {
		t.Errorf("dark default-size image: root %v, background %v", f.root, f.firstRect)
	}
}

// assertInert fails if svg holds anything a browser could run.
func assertInert(t *testing.T, svg []byte) {
	t.Helper()
	f := parseSVG(t, svg)
	low := bytes.ToLower(svg)
	for _, bad := range []string{"<script", "javascript:", "<foreignobject"} {
		if bytes.Contains(low, []byte(bad)) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	for _, a := range f.attrs {
		if strings.HasPrefix(a, "on") {
			t.Errorf("SVG has an event attribute %s", a)
		}
	}
}

func TestRenderHostileNames(t *testing.T) {
	rows, o := fixture()
	o.Reporter.Name = "</script><script>alert(1)</script>"
	o.Dataset = "__f__function(){alert(2)}__f__"
	o.Source = `" onload="alert(3)`
	c := Bilateral(rows, o)
	svg := mustSVG(t, testRenderer(), c, ImageOptions{})
	assertInert(t, svg)
	f := parseSVG(t, svg)
	// The names are drawn as text, escaped, not dropped.
	for _, want := range []string{"</script><script>alert(1)</script> – Russia trade", `Source: " onload="alert(3)`, "function(){alert(2)}"} {
		if !strings.Contains(f.text, want) {
			t.Errorf("SVG text lacks %q:\n%s", want, f.text)
		}
	}

	// An option that bypasses clean: goja does not honour go-echarts'
	// __f__ markers, so the text stays text.
	c.Option["title"] = map[string]any{"text": "__f__function(){return 'x'}__f__", "subtext": "<svg onload=alert(4)>", "link": "javascript:alert(5)"}
	assertInert(t, mustSVG(t, testRenderer(), c, ImageOptions{}))
}

func TestCheckSVGRefusesActiveContent(t *testing.T) {
	for _, svg := range []string{
		`<svg><script>alert(1)</script></svg>`,
		`<svg><rect onclick="alert(1)"/></svg>`,
		`<svg><a href=" javascript:alert(1)"><text>x</text></a></svg>`,
		`<svg><image xlink:href="data:image/svg+xml,x" xmlns:xlink="http://www.w3.org/1999/xlink"/></svg>`,
		`<svg><foreignObject><div/></foreignObject></svg>`,
	} {
		if err := checkSVG([]byte(svg)); !errors.Is(err, ErrUnsafeImage) {
			t.Errorf("checkSVG(%s) = %v, want ErrUnsafeImage", svg, err)
		}
	}
	if err := checkSVG([]byte(`<svg><rect`)); err == nil {
		t.Error("checkSVG accepted broken XML")
	}
}

func TestImageOptionsValidate(t *testing.T) {
	for _, o := range []ImageOptions{{Width: 199}, {Width: 4001}, {Height: 149}, {Height: 3001}, {Theme: "blue"}} {
		if err := o.Validate(); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("%+v: Validate = %v, want ErrInvalid", o, err)
		}
		rows, opt := fixture()
		if _, err := testRenderer().SVG(context.Background(), Bilateral(rows, opt), o); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("%+v: SVG = %v, want ErrInvalid", o, err)
		}
	}
	for _, o := range []ImageOptions{{}, {Width: 200, Height: 150, Theme: "dark"}, {Width: 4000, Height: 3000, Theme: "light"}} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

func TestImageKey(t *testing.T) {
	rows, o := fixture()
	c := Bilateral(rows, o)
	k1, err := ImageKey(c, ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	same, _ := ImageKey(c, ImageOptions{Width: DefaultWidth, Height: DefaultHeight, Theme: ThemeLight})
	dark, _ := ImageKey(c, ImageOptions{Theme: ThemeDark})
	wide, _ := ImageKey(c, ImageOptions{Width: 1600})
	o.Source = "someone else"
	other, _ := ImageKey(Bilateral(rows, o), ImageOptions{})
	if k1 != same || k1 == dark || k1 == wide || k1 == other || len(k1) != 64 {
		t.Errorf("keys: %s %s %s %s %s", k1, same, dark, wide, other)
	}
}

func TestRenderCache(t *testing.T) {
	rows, o := fixture()
	c := Bilateral(rows, o)
	r := NewRenderer(RendererOptions{Engines: 1, Timeout: 5 * time.Minute})
	a := mustSVG(t, r, c, ImageOptions{Width: 800, Height: 600})
	b := mustSVG(t, r, c, ImageOptions{Width: 800, Height: 600})
	if &a[0] != &b[0] {
		t.Error("the second identical drawing was not served from the cache")
	}
	if r.cache.order.Len() != 1 {
		t.Errorf("cache holds %d entries", r.cache.order.Len())
	}
	small := newLRU(2)
	small.put("a", []byte("a"))
	small.put("b", []byte("b"))
	small.get("a")
	small.put("c", []byte("c"))
	if _, ok := small.get("b"); ok {
		t.Error("the least recently used entry was kept")
	}
	if _, ok := small.get("a"); !ok {
		t.Error("a recently used entry was evicted")
	}
}

// hugeChart has so many categories that ECharts takes far longer than the
// test's deadline to draw it.
func hugeChart(n int) Chart {
	cats := make([]any, n)
	vals := make([]any, n)
	for i := range n {
		cats[i] = fmt.Sprintf("P%d", i)
		vals[i] = float64(i)
	}
	return Chart{ID: "huge", Option: map[string]any{
		"xAxis":  []any{map[string]any{"type": "category", "data": cats, "axisLabel": map[string]any{"interval": 0}}},
		"yAxis":  []any{map[string]any{"type": "value"}},
		"series": []any{map[string]any{"type": "bar", "name": "v", "data": vals}},
	}}
}

func TestRenderDeadline(t *testing.T) {
	r := NewRenderer(RendererOptions{Engines: 1, Timeout: 3 * time.Second, CacheEntries: -1})
	if _, err := r.SVG(context.Background(), hugeChart(1_000_000), ImageOptions{}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a 1e6-category option: err = %v, want ErrInvalid (too large)", err)
	}
	start := time.Now()
	_, err := r.SVG(context.Background(), hugeChart(200_000), ImageOptions{})
	if !errors.Is(err, ErrRenderTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrRenderTimeout", err)
	}
	t.Logf("gave up after %v", time.Since(start))
	// The interrupted engine is replaced; the renderer still draws (a
	// small chart, well within the 3 s even under -race on a busy machine).
	f := parseSVG(t, mustSVG(t, r, hugeChart(3), ImageOptions{}))
	if !strings.Contains(f.text, "P2") {
		t.Errorf("the replaced engine drew %q", f.text)
	}
}

func TestRenderCancelled(t *testing.T) {
	r := NewRenderer(RendererOptions{Engines: 1, CacheEntries: -1, Timeout: 5 * time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := r.SVG(ctx, hugeChart(200_000), ImageOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
}

func TestRenderConcurrent(t *testing.T) {
	// The test is of sharing two engines among six drawings, not of
	// speed: a timeout far beyond any drawing, so that -race on a busy
	// machine does not fail it.
	r := NewRenderer(RendererOptions{Engines: 2, CacheEntries: -1, Timeout: 5 * time.Minute})
	rows, o := fixture()
	c := Bilateral(rows, o)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Go(func() {
			o := ImageOptions{Width: 600 + 100*i, Height: 400, PixelRatio: 1}
			if i%3 == 2 {
				_, err := r.PNG(context.Background(), c, o)
				errs <- err
				return
			}
			svg, err := r.SVG(context.Background(), c, o)
			if err == nil && !bytes.Contains(svg, fmt.Appendf(nil, `width="%d"`, 600+100*i)) {
				err = fmt.Errorf("drawing %d has the wrong size", i)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestFormatJSMatchesAppJS keeps the formatters of exported images the
// same as the page's until app.js loads format.js itself.
func TestFormatJSMatchesAppJS(t *testing.T) {
	app, err := templates.FS.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	format, err := templates.FS.ReadFile(formatPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"scaleValue", "boundLabel", "treemapLabel"} {
		// Both files define it two spaces in, inside their IIFE; it runs to
		// the first line that closes it at that indentation.
		re := regexp.MustCompile(`(?ms)^  function ` + name + `\(.*?^  \}$`)
		a, f := re.Find(app), re.Find(format)
		if a == nil || f == nil {
			t.Errorf("%s: found in app.js %v, in format.js %v", name, a != nil, f != nil)
			continue
		}
		if !bytes.Equal(a, f) {
			t.Errorf("%s differs between app.js and format.js:\n%s\n---\n%s", name, a, f)
		}
	}
}

func BenchmarkRenderBilateralSVG(b *testing.B) {
	r := NewRenderer(RendererOptions{Engines: 1, CacheEntries: -1, Timeout: 5 * time.Minute})
	rows, o := fixture()
	c := Bilateral(rows, o)
	mustSVG(b, r, c, ImageOptions{}) // start the engine
	b.ReportAllocs()
	cpu := cpuMeter()
	for b.Loop() {
		mustSVG(b, r, c, ImageOptions{Width: 1600, Height: 900})
	}
	cpu(b)
}
