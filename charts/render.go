package charts

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"tradedash/data"
	"tradedash/templates"
)

// Image sizes a caller may ask for, in pixels, and the defaults.
const (
	MinWidth, MaxWidth   = 200, 4000
	MinHeight, MaxHeight = 150, 3000
	DefaultWidth         = 1200
	DefaultHeight        = 675
)

// MaxOptionBytes bounds the option (with its meta) of a chart drawn as an
// image. Our charts need a few kilobytes, a 200-leaf treemap about 50 KB;
// JSON.parse of a huge option runs in Go and cannot be interrupted, so it
// is refused before it reaches JavaScript.
const MaxOptionBytes = 4 << 20

// Themes of an exported image: the page's light and dark schemes.
const (
	ThemeLight = "light"
	ThemeDark  = "dark"
)

// backgrounds are the page's own background colours (app.css --bg), drawn
// behind an exported image because ECharts' SVG leaves it transparent.
var backgrounds = map[string]string{ThemeLight: "#ffffff", ThemeDark: "#15191f"}

// ImageOptions sizes and colours an exported image.
type ImageOptions struct {
	Width, Height int    // pixels; 0 means the default
	Theme         string // "light" or "dark"; "" means light
	// PixelRatio is a PNG's pixels per SVG pixel, 1 to 3; 0 means 2.
	PixelRatio int
}

// withDefaults fills in the zero fields.
func (o ImageOptions) withDefaults() ImageOptions {
	if o.Width == 0 {
		o.Width = DefaultWidth
	}
	if o.Height == 0 {
		o.Height = DefaultHeight
	}
	if o.Theme == "" {
		o.Theme = ThemeLight
	}
	if o.PixelRatio == 0 {
		o.PixelRatio = DefaultPixelRatio
	}
	return o
}

// Validate checks the size and theme, after defaults.
func (o ImageOptions) Validate() error {
	o = o.withDefaults()
	switch {
	case o.Width < MinWidth || o.Width > MaxWidth:
		return fmt.Errorf("%w: width must be %d to %d pixels, not %d", data.ErrInvalid, MinWidth, MaxWidth, o.Width)
	case o.Height < MinHeight || o.Height > MaxHeight:
		return fmt.Errorf("%w: height must be %d to %d pixels, not %d", data.ErrInvalid, MinHeight, MaxHeight, o.Height)
	case backgrounds[o.Theme] == "":
		return fmt.Errorf("%w: theme must be light or dark, not %q", data.ErrInvalid, o.Theme)
	case o.PixelRatio < 1 || o.PixelRatio > 3:
		return fmt.Errorf("%w: pixel ratio must be 1 to 3, not %d", data.ErrInvalid, o.PixelRatio)
	}
	return nil
}

// ErrRenderTimeout is returned when a chart takes longer to draw than the
// renderer allows. It wraps context.DeadlineExceeded, so that callers that
// map deadlines to "try again later" treat it the same way.
var ErrRenderTimeout = fmt.Errorf("charts: drawing the image took too long: %w", context.DeadlineExceeded)

// ErrUnsafeImage is returned when a drawn SVG holds a script, an event
// handler or a javascript: link. ECharts never writes one from our
// options; the check is there so that a future ECharts or option cannot
// turn an exported image into a carrier for code from an uploaded file.
var ErrUnsafeImage = errors.New("charts: the drawn SVG holds active content")

// RendererOptions configure a Renderer; zero values mean the defaults.
type RendererOptions struct {
	// Engines is how many JavaScript engines may draw at once, each about
	// 10 MiB once warm: it bounds both CPU and memory. Default 2.
	Engines int
	// Timeout bounds one drawing. Default 5 s.
	Timeout time.Duration
	// CacheEntries is how many drawn images are kept, by content; default
	// 64, negative for none.
	CacheEntries int
}

// Renderer draws charts as SVG on the server with the vendored ECharts, in
// a bounded pool of warm goja engines, so an image looks as the page does
// without a browser; PNG rasterises that SVG with resvg (png.go). The pool
// bounds CPU and memory: each engine is about 10 MiB of JavaScript and,
// once it drew a PNG, the wasm memory of its largest PNG. It is safe for
// concurrent use; results are cached by content.
type Renderer struct {
	timeout time.Duration
	engines chan *engine // a slot per engine; nil until first used
	cache   *lru
}

// NewRenderer returns a Renderer. Engines start on first use: the first
// drawing in each pays for running ECharts' source (about half a second).
func NewRenderer(o RendererOptions) *Renderer {
	if o.Engines <= 0 {
		o.Engines = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.CacheEntries == 0 {
		o.CacheEntries = 64
	}
	r := &Renderer{timeout: o.Timeout, engines: make(chan *engine, o.Engines), cache: newLRU(o.CacheEntries)}
	for range o.Engines {
		r.engines <- nil
	}
	return r
}

// spec is what reaches JavaScript, as one JSON string: the option and the
// meta its bound labels read.
type spec struct {
	Option map[string]any `json:"option"`
	Meta   Meta           `json:"meta"`
}

// ImageKey names the image of c at o by content: the sha256 of the option
// and meta as JSON, the size, the theme and the drawing code (ECharts,
// format.js, our prelude). It is the cache key and a good ETag.
func ImageKey(c Chart, o ImageOptions) (string, error) {
	_, key, err := prepare(c, o)
	return key, err
}

func prepare(c Chart, o ImageOptions) ([]byte, string, error) {
	o = o.withDefaults()
	if err := o.Validate(); err != nil {
		return nil, "", err
	}
	if c.Option == nil {
		return nil, "", fmt.Errorf("%w: chart %q has no option", data.ErrInvalid, c.ID)
	}
	js, err := json.Marshal(spec{Option: c.Option, Meta: c.Meta})
	if err != nil {
		return nil, "", fmt.Errorf("charts: option of %q: %w", c.ID, err)
	}
	if len(js) > MaxOptionBytes {
		return nil, "", fmt.Errorf("%w: chart %q is too large to draw as an image (%d bytes of option, at most %d)", data.ErrInvalid, c.ID, len(js), MaxOptionBytes)
	}
	h := sha256.New()
	h.Write(codeVersion())
	var n [8]byte
	for _, v := range []int{o.Width, o.Height, o.PixelRatio, len(js)} {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	io.WriteString(h, o.Theme+"\x00")
	h.Write(js)
	return js, hex.EncodeToString(h.Sum(nil)), nil
}

// SVG draws c as an SVG document of the given size and theme, with the
// page's formatters and background. It waits for a free engine (or for
// ctx), and gives up with ErrRenderTimeout after the renderer's timeout.
func (r *Renderer) SVG(ctx context.Context, c Chart, o ImageOptions) ([]byte, error) {
	o = o.withDefaults()
	js, key, err := prepare(c, o)
	if err != nil {
		return nil, err
	}
	if svg, ok := r.cache.get(key); ok {
		return svg, nil
	}
	var e *engine
	select {
	case e = <-r.engines:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	svg, e, err := r.draw(ctx, e, string(js), o)
	r.engines <- e
	if err != nil {
		return nil, err
	}
	r.cache.put(key, svg)
	return svg, nil
}

// draw runs one drawing on e, starting its JavaScript engine if need be.
// After a failure or an interrupt, e's JavaScript engine is dropped (its
// state may be half-changed) and started afresh on the next drawing.
func (r *Renderer) draw(ctx context.Context, e *engine, js string, o ImageOptions) ([]byte, *engine, error) {
	if e == nil {
		e = &engine{}
	}
	// Starting an engine runs only our own code, in bounded time; the
	// deadline is for the drawing, which depends on the option.
	if e.vm == nil {
		if err := e.startJS(); err != nil {
			return nil, e, err
		}
	}
	vm := e.vm
	timer := time.AfterFunc(r.timeout, func() { vm.Interrupt(ErrRenderTimeout) })
	stopCtx := context.AfterFunc(ctx, func() { vm.Interrupt(ctx.Err()) })
	res, err := e.render(goja.Undefined(), vm.ToValue(js), vm.ToValue(o.Width), vm.ToValue(o.Height), vm.ToValue(o.Theme))
	// If either fired, even after render returned, the engine may carry a
	// pending interrupt: never reuse it.
	if reusable := timer.Stop() && stopCtx(); !reusable || err != nil {
		e.dropJS()
	}
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			if v, ok := ie.Value().(error); ok {
				return nil, e, v
			}
		}
		return nil, e, fmt.Errorf("charts: drawing the image: %w", err)
	}
	svg, err := finishSVG(res.String(), o)
	return svg, e, err
}

// finishSVG puts the theme's background behind the drawing and refuses
// active content.
func finishSVG(svg string, o ImageOptions) ([]byte, error) {
	end := strings.IndexByte(svg, '>')
	if !strings.HasPrefix(svg, "<svg") || end < 0 {
		return nil, fmt.Errorf("charts: ECharts returned no SVG document")
	}
	var b bytes.Buffer
	b.Grow(len(svg) + 128)
	b.WriteString(svg[:end+1])
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="%s"/>`, o.Width, o.Height, backgrounds[o.Theme])
	b.WriteString(svg[end+1:])
	out := b.Bytes()
	if err := checkSVG(out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkSVG parses svg as XML and refuses scripts, foreign content, event
// handler attributes and javascript: or data: links.
func checkSVG(svg []byte) error {
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("charts: the drawn SVG is not well-formed XML: %w", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch strings.ToLower(el.Name.Local) {
		case "script", "foreignobject", "iframe", "object", "embed", "use":
			return fmt.Errorf("%w: a <%s> element", ErrUnsafeImage, el.Name.Local)
		}
		for _, a := range el.Attr {
			name := strings.ToLower(a.Name.Local)
			val := strings.ToLower(strings.Join(strings.Fields(a.Value), ""))
			if strings.HasPrefix(name, "on") || (name == "href" || strings.HasSuffix(name, ":href")) &&
				(strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:")) ||
				strings.Contains(val, "javascript:") {
				return fmt.Errorf("%w: attribute %s on <%s>", ErrUnsafeImage, a.Name.Local, el.Name.Local)
			}
		}
	}
}

// --- engines ----------------------------------------------------------------

// prelude gives ECharts what it expects of a browser and a DOM-less
// runtime lacks. ECharts schedules deferred work with setTimeout that an
// SSR drawing never needs (the drawing is synchronous), so a no-op is
// enough; console swallows its warnings.
const prelude = `"use strict";
var setTimeout = function () { return 0; };
var clearTimeout = function () {};
var setInterval = function () { return 0; };
var clearInterval = function () {};
var console = { log: function () {}, info: function () {}, warn: function () {}, error: function () {}, debug: function () {} };
`

// renderJS draws one chart. The option arrives as a JSON string and is
// read with JSON.parse only: nothing from a data file is ever evaluated.
// A map series' boundaries are the page's own (static/world.json), read
// with JSON.parse and registered on the engine's first map, as the page
// registers them once fetched.
// The page's dark scheme shows its own background through the chart, so
// does the image (our background rect).
const renderJS = `(function (specJSON, width, height, theme) {
  var spec = JSON.parse(specJSON);
  var option = tradedashFormat.decorate(spec.option, spec.meta);
  [].concat(option.series || []).forEach(function (s) {
    if (s && s.type === "map" && s.map && !echarts.getMap(s.map)) {
      var geo = tradedashMapJSON(String(s.map));
      if (geo) echarts.registerMap(s.map, JSON.parse(geo));
    }
  });
  option.animation = false;
  option.backgroundColor = "transparent";
  var chart = echarts.init(null, theme === "dark" ? "dark" : null, { renderer: "svg", ssr: true, width: width, height: height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
})`

// platformJS hands ECharts our text measure (render_fonts.go): without a
// canvas it estimates widths from a table of Arial proportions and counts
// one em for any other character, so labels would be laid out for widths
// the drawn text does not have.
const platformJS = `echarts.setPlatformAPI({
  measureText: function (text, font) {
    return { width: tradedashMeasureText(text == null ? "" : String(text), font || "12px sans-serif") };
  }
});`

const (
	echartsPath = "static/vendor/echarts-5.6.0.min.js"
	formatPath  = "static/format.js"
	worldPath   = "static/world.json"
)

// programs holds ECharts and our scripts compiled once per process; each
// engine runs them in its own runtime.
type programs struct {
	prelude, echarts, platform, format, render *goja.Program
	version                                    []byte // sha256 of all their sources, the map and the fonts
	world                                      string // the boundaries of MapName, as JSON
}

var loadPrograms = sync.OnceValues(func() (*programs, error) {
	h := sha256.New()
	src := func(name string) (string, error) {
		b, err := templates.FS.ReadFile(name)
		h.Write(b)
		return string(b), err
	}
	ec, err := src(echartsPath)
	if err != nil {
		return nil, fmt.Errorf("charts: read ECharts: %w", err)
	}
	fm, err := src(formatPath)
	if err != nil {
		return nil, fmt.Errorf("charts: read formatters: %w", err)
	}
	world, err := src(worldPath)
	if err != nil {
		return nil, fmt.Errorf("charts: read map boundaries: %w", err)
	}
	io.WriteString(h, prelude+platformJS+renderJS)
	h.Write(liberationRegular)
	h.Write(liberationBold)
	h.Write(droidFallbackGz)
	h.Write(naskhArabicGz)
	p := &programs{version: h.Sum(nil), world: world}
	for _, c := range []struct {
		dst       **goja.Program
		name, src string
	}{{&p.prelude, "prelude.js", prelude}, {&p.echarts, echartsPath, ec}, {&p.platform, "platform.js", platformJS}, {&p.format, formatPath, fm}, {&p.render, "render.js", renderJS}} {
		if *c.dst, err = goja.Compile(c.name, c.src, false); err != nil {
			return nil, fmt.Errorf("charts: compile %s: %w", c.name, err)
		}
	}
	return p, nil
})

// codeVersion identifies the drawing code, for ImageKey; nil (and so a key
// that still names the option) if ECharts cannot be read, which SVG will
// then report.
func codeVersion() []byte {
	p, err := loadPrograms()
	if err != nil {
		return nil
	}
	return p.version
}

// engine is one goja runtime with ECharts loaded, and, once a PNG was
// asked for, one resvg instance; used by one goroutine at a time, through
// the Renderer's pool.
type engine struct {
	vm     *goja.Runtime
	render goja.Callable
	png    *resvgInstance
}

func (e *engine) startJS() error {
	p, err := loadPrograms()
	if err != nil {
		return err
	}
	vm := goja.New()
	// A native function: goja's reflection wrapper of a plain Go func
	// would cost more than the measuring.
	measure := func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(measureText(call.Argument(0).String(), call.Argument(1).String()))
	}
	if err := vm.Set("tradedashMeasureText", measure); err != nil {
		return err
	}
	mapJSON := func(call goja.FunctionCall) goja.Value {
		if call.Argument(0).String() == MapName {
			return vm.ToValue(p.world)
		}
		return vm.ToValue("")
	}
	if err := vm.Set("tradedashMapJSON", mapJSON); err != nil {
		return err
	}
	for _, prog := range []*goja.Program{p.prelude, p.echarts, p.platform, p.format} {
		if _, err := vm.RunProgram(prog); err != nil {
			return fmt.Errorf("charts: start ECharts: %w", err)
		}
	}
	v, err := vm.RunProgram(p.render)
	if err != nil {
		return fmt.Errorf("charts: start ECharts: %w", err)
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return errors.New("charts: render.js is not a function")
	}
	e.vm, e.render = vm, fn
	return nil
}

func (e *engine) dropJS() { e.vm, e.render = nil, nil }

// --- cache ------------------------------------------------------------------

// lru keeps the most recently drawn images by key.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *lruEntry, most recent first
	byKey map[string]*list.Element
}

type lruEntry struct {
	key string
	svg []byte
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *lru) get(key string) ([]byte, bool) {
	if c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry).svg, true
}

func (c *lru) put(key string, svg []byte) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		return
	}
	c.byKey[key] = c.order.PushFront(&lruEntry{key, svg})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*lruEntry).key)
	}
}

// Media types of Renderer.SVG's and Renderer.PNG's output.
const (
	SVGContentType = "image/svg+xml"
	PNGContentType = "image/png"
)
