package charts

import (
	"bytes"
	"compress/zlib"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"tradedash/data"
)

// resvgWasm is resvg, a complete SVG renderer, built for WebAssembly (npm
// @resvg/resvg-wasm 2.6.2, MPL-2.0; see resvg/NOTICE.md). It rasterises
// the SVG that ECharts draws, so a PNG looks as the SVG does.
//
//go:embed resvg/resvg-2.6.2.wasm
var resvgWasm []byte

// MaxPixels bounds a PNG's size (width × height × pixel ratio², about
// 4 bytes each while drawn).
const MaxPixels = 16 << 20

// DefaultPixelRatio is a PNG's pixels per SVG pixel, as the page's own PNG
// export uses, so images stay sharp in slides and print.
const DefaultPixelRatio = 2

// PNG draws c as the SVG would be, rasterised by resvg at o's pixel ratio
// (default 2) on the theme's background.
func (r *Renderer) PNG(ctx context.Context, c Chart, o ImageOptions) ([]byte, error) {
	o = o.withDefaults()
	if err := o.validatePNG(); err != nil {
		return nil, err
	}
	key, err := ImageKey(c, o)
	if err != nil {
		return nil, err
	}
	key = "png:" + key
	if png, ok := r.cache.get(key); ok {
		return png, nil
	}
	svg, err := r.SVG(ctx, c, o)
	if err != nil {
		return nil, err
	}
	var e *engine
	select {
	case e = <-r.engines:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e == nil {
		e = &engine{}
	}
	png, err := r.rasterise(ctx, e, svg, o, fontsFor(svg))
	if err != nil {
		// Its instance may have been stopped mid-drawing.
		e.closePNG()
	}
	r.engines <- e
	if err != nil {
		return nil, err
	}
	r.cache.put(key, png)
	return png, nil
}

func (o ImageOptions) validatePNG() error {
	o = o.withDefaults()
	if err := o.Validate(); err != nil {
		return err
	}
	if px := o.Width * o.Height * o.PixelRatio * o.PixelRatio; px > MaxPixels {
		return fmt.Errorf("%w: a %dx%d PNG at pixel ratio %d has %d pixels, more than %d; ask for fewer", data.ErrInvalid, o.Width, o.Height, o.PixelRatio, px, MaxPixels)
	}
	return nil
}

// fontsFor returns the font files resvg needs for svg: Liberation Sans,
// and the fallback fonts only if its text has characters they alone have.
func fontsFor(svg []byte) [][]byte {
	return append([][]byte{liberationRegular, liberationBold}, fallbackFontsFor(svg)...)
}

// rasterise runs resvg with fonts on e's wasm instance, starting it if
// need be.
//
// It has no deadline of its own: wazero can stop a wasm call only when
// compiled with WithCloseOnContextDone, which made resvg eight times
// slower here (3.3 s instead of 0.4 s). Its work is bounded instead: the
// SVG comes from ECharts under the renderer's deadline, within
// MaxOptionBytes, and the pixels are capped by MaxPixels.
func (r *Renderer) rasterise(ctx context.Context, e *engine, svg []byte, o ImageOptions, fonts [][]byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.png == nil {
		p, err := newResvg(ctx)
		if err != nil {
			return nil, err
		}
		e.png = p
	}
	png, err := e.png.render(ctx, string(svg), resvgOptions(o), fonts)
	if err != nil {
		return nil, fmt.Errorf("charts: rasterising the SVG: %w", err)
	}
	return png, nil
}

// resvgOptions are resvg's options (as JSON) for a PNG at o. Every family
// falls back to the embedded Liberation Sans, the font ECharts measured the
// text with, and a glyph it lacks to the first embedded fallback font that
// has it (resvg looks through all loaded fonts, as ECharts' measure did);
// system fonts are never read, so a PNG is the same on any server.
func resvgOptions(o ImageOptions) string {
	family := embeddedFamily
	opts, _ := json.Marshal(map[string]any{
		"fitTo": map[string]any{"mode": "zoom", "value": o.PixelRatio},
		"font": map[string]any{"loadSystemFonts": false, "defaultFontFamily": family, "sansSerifFamily": family,
			"serifFamily": family, "monospaceFamily": family},
		"shapeRendering": 2, "textRendering": 1,
	})
	return string(opts)
}

// --- resvg on wazero --------------------------------------------------------

// The wasm module is compiled once per process into a shared runtime; each
// engine instantiates its own copy, with its own memory, on first PNG.
// Compiling resvg to machine code takes seconds, so the result is kept in
// the user's cache directory and the next process start only loads it.
var resvgRuntime = sync.OnceValues(func() (*resvgShared, error) {
	return compileResvg(context.Background(), resvgCache(""))
})

// resvgCache is wazero's compilation cache in dir (default the user's
// cache directory, tradedash/wazero in it), or, if that cannot be made,
// one in memory. The directory is made private to the user: wazero loads
// machine code from it, so no one else may write there.
func resvgCache(dir string) wazero.CompilationCache {
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return wazero.NewCompilationCache()
		}
		dir = filepath.Join(base, "tradedash", "wazero")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return wazero.NewCompilationCache()
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm()&0o022 != 0 {
		return wazero.NewCompilationCache()
	}
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return wazero.NewCompilationCache()
	}
	return c
}

// compileResvg compiles the module (or loads it from cache) and provides
// its imports.
func compileResvg(ctx context.Context, cache wazero.CompilationCache) (*resvgShared, error) {
	cfg := wazero.NewRuntimeConfig()
	if cache != nil {
		cfg = cfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	cm, err := rt.CompileModule(ctx, resvgWasm)
	if err != nil {
		return nil, fmt.Errorf("charts: compile resvg: %w", err)
	}
	if err := instantiateGlue(ctx, rt, cm); err != nil {
		return nil, err
	}
	return &resvgShared{rt: rt, cm: cm}, nil
}

type resvgShared struct {
	rt wazero.Runtime
	cm wazero.CompiledModule
}

// resvgInstance is one instance of the module and its JavaScript object
// table; used by one goroutine at a time (its engine's).
type resvgInstance struct {
	mod  api.Module
	heap *jsHeap
}

func newResvg(ctx context.Context) (*resvgInstance, error) {
	sh, err := resvgRuntime()
	if err != nil {
		return nil, err
	}
	p := &resvgInstance{heap: newHeap()}
	// An anonymous instance: several may live in one runtime.
	p.mod, err = sh.rt.InstantiateModule(context.WithValue(ctx, heapKey{}, p), sh.cm, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return nil, fmt.Errorf("charts: start resvg: %w", err)
	}
	return p, nil
}

func (e *engine) closePNG() {
	if e.png != nil {
		_ = e.png.mod.Close(context.Background())
		e.png = nil
	}
}

// render rasterises svg with resvg's options (JSON) and font files, and
// encodes the pixels as PNG.
func (p *resvgInstance) render(ctx context.Context, svg, options string, fonts [][]byte) ([]byte, error) {
	img, err := p.renderPixels(ctx, svg, options, fonts)
	if err != nil {
		return nil, err
	}
	return encodePNG(img)
}

// renderPixels rasterises svg with resvg's options (JSON) and font files
// into an image. resvg's pixels are premultiplied RGBA, as image.RGBA's.
func (p *resvgInstance) renderPixels(ctx context.Context, svg, options string, fonts [][]byte) (*image.RGBA, error) {
	ctx = context.WithValue(ctx, heapKey{}, p)
	// Handles live for one call: start each with an empty table.
	p.heap = newHeap()
	h := p.heap
	optPtr, optLen, err := p.pass(ctx, p.mod, []byte(options))
	if err != nil {
		return nil, err
	}
	fa := &jsArray{}
	for _, f := range fonts {
		fa.v = append(fa.v, &jsBytes{f})
	}
	ret, err := p.withRet(ctx, "resvg_new", uint64(h.add(svg)), uint64(optPtr), uint64(optLen), uint64(h.add(fa)))
	if err != nil {
		return nil, err
	}
	if ret[2] != 0 {
		return nil, p.errorOf(ret[1])
	}
	defer p.call(ctx, "__wbg_resvg_free", uint64(ret[0]))
	ret, err = p.withRet(ctx, "resvg_render", uint64(ret[0]))
	if err != nil {
		return nil, err
	}
	if ret[2] != 0 {
		return nil, p.errorOf(ret[1])
	}
	ri := uint64(ret[0])
	defer p.call(ctx, "__wbg_renderedimage_free", ri)
	var size [2]int
	for i, name := range []string{"renderedimage_width", "renderedimage_height"} {
		res, err := p.call(ctx, name, ri)
		if err != nil {
			return nil, err
		}
		size[i] = int(uint32(res[0]))
	}
	res, err := p.call(ctx, "renderedimage_pixels", ri)
	if err != nil {
		return nil, err
	}
	pix, ok := h.take(uint32(res[0])).(*jsBytes)
	if !ok || len(pix.b) != 4*size[0]*size[1] {
		return nil, fmt.Errorf("resvg returned no %dx%d pixels", size[0], size[1])
	}
	return &image.RGBA{Pix: pix.b, Stride: 4 * size[0], Rect: image.Rect(0, 0, size[0], size[1])}, nil
}

// pngFallback encodes images with transparent pixels, which ours never
// have (a background is drawn behind every chart); the fast path below
// writes opaque RGB only.
var pngFallback = png.Encoder{CompressionLevel: png.BestSpeed}

// encodePNG writes img as an 8-bit RGB PNG, each row filtered by "Up" and
// deflated at the fastest level, in Go rather than in the wasm module
// (resvg's own asPng took 3 s for 3200×1800 pixels on a loaded machine).
// A chart is flat colour with thin lines, which the Up filter turns into
// long runs of zeros: the file is barely larger than at the best level,
// and image/png's choice of filter per row (five trial filters) is not
// worth its time here (docs/benchmarks.md).
func encodePNG(img *image.RGBA) ([]byte, error) {
	if !img.Opaque() {
		var buf bytes.Buffer
		if err := pngFallback.Encode(&buf, img); err != nil {
			return nil, fmt.Errorf("charts: encoding the PNG: %w", err)
		}
		return buf.Bytes(), nil
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	var idat bytes.Buffer
	idat.Grow(w * h / 8)
	zw, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		return nil, err
	}
	row := make([]byte, 1+3*w)
	row[0] = 2 // Up: each byte minus the byte above it
	var prev []byte
	for y := range h {
		cur := img.Pix[y*img.Stride : y*img.Stride+4*w]
		out := row[1:]
		if prev == nil {
			for x := range w {
				out[3*x], out[3*x+1], out[3*x+2] = cur[4*x], cur[4*x+1], cur[4*x+2]
			}
		} else {
			for x := range w {
				out[3*x] = cur[4*x] - prev[4*x]
				out[3*x+1] = cur[4*x+1] - prev[4*x+1]
				out[3*x+2] = cur[4*x+2] - prev[4*x+2]
			}
		}
		if _, err := zw.Write(row); err != nil {
			return nil, err
		}
		prev = cur
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(idat.Len() + 64)
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits per channel, RGB; deflate, adaptive filtering, no interlace
	writeChunk(&out, "IHDR", ihdr[:])
	writeChunk(&out, "IDAT", idat.Bytes())
	writeChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// writeChunk writes one PNG chunk: length, type, data, CRC of type and data.
func writeChunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}

// pass copies b into the module's memory through its allocator.
func (p *resvgInstance) pass(ctx context.Context, m api.Module, b []byte) (uint32, uint32, error) {
	res, err := m.ExportedFunction("__wbindgen_malloc").Call(ctx, uint64(len(b)), 1)
	if err != nil {
		return 0, 0, err
	}
	ptr := uint32(res[0])
	if !m.Memory().Write(ptr, b) {
		return 0, 0, errors.New("resvg: allocation out of range")
	}
	return ptr, uint32(len(b)), nil
}

func (p *resvgInstance) call(ctx context.Context, name string, args ...uint64) ([]uint64, error) {
	return p.mod.ExportedFunction(name).Call(ctx, args...)
}

// withRet calls a function that writes its result, an error handle and an
// error flag into a 16-byte area on the module's stack, as wasm-bindgen
// does for fallible functions.
func (p *resvgInstance) withRet(ctx context.Context, name string, args ...uint64) ([3]uint32, error) {
	var out [3]uint32
	res, err := p.call(ctx, "__wbindgen_add_to_stack_pointer", api.EncodeI32(-16))
	if err != nil {
		return out, err
	}
	retptr := uint32(res[0])
	defer p.call(ctx, "__wbindgen_add_to_stack_pointer", 16)
	if _, err := p.call(ctx, name, append([]uint64{uint64(retptr)}, args...)...); err != nil {
		return out, err
	}
	b, ok := p.mod.Memory().Read(retptr, 12)
	if !ok {
		return out, errors.New("resvg: return area out of range")
	}
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out, nil
}

func (p *resvgInstance) errorOf(handle uint32) error {
	if e, ok := p.heap.take(handle).(*jsError); ok {
		return e
	}
	return errors.New("resvg failed")
}

// --- wasm-bindgen glue ------------------------------------------------------

// jsHeap stands in for wasm-bindgen's table of JavaScript objects: the
// module names JavaScript values by index, and these are the few kinds of
// value resvg's glue makes: strings, byte arrays, arrays, iterators,
// errors and views of the module's own memory.
type jsHeap struct {
	objs map[uint32]any
	next uint32
}

type (
	jsUndefined struct{}
	jsMemory    struct{}
	jsBuffer    struct{}
	jsView      struct{ off, n uint32 } // a Uint8Array over the module's memory
	jsBytes     struct{ b []byte }      // a Uint8Array of its own
	jsArray     struct{ v []any }
	jsIter      struct {
		a *jsArray
		i int
	}
	jsIterResult struct {
		done  bool
		value any
	}
	jsError struct{ msg string }
)

func (e *jsError) Error() string { return "resvg: " + e.msg }

// wasm-bindgen reserves indices below 132: 128 to 131 are undefined, null,
// true and false.
func newHeap() *jsHeap { return &jsHeap{objs: map[uint32]any{}, next: 132} }

func (h *jsHeap) add(v any) uint32 {
	i := h.next
	h.next++
	h.objs[i] = v
	return i
}

func (h *jsHeap) get(i uint32) any {
	switch i {
	case 128:
		return jsUndefined{}
	case 129:
		return nil
	case 130:
		return true
	case 131:
		return false
	}
	return h.objs[i]
}

func (h *jsHeap) take(i uint32) any {
	v := h.get(i)
	if i >= 132 {
		delete(h.objs, i)
	}
	return v
}

func bytesOf(m api.Memory, v any) []byte {
	switch x := v.(type) {
	case *jsBytes:
		return x.b
	case jsView:
		b, _ := m.Read(x.off, x.n)
		return b
	}
	return nil
}

type heapKey struct{}

// instantiateGlue provides the module's "wbg" imports, matched by name
// (without wasm-bindgen's hash suffix) and typed as the module declares
// them. Each call finds its instance's object table in the context.
func instantiateGlue(ctx context.Context, rt wazero.Runtime, cm wazero.CompiledModule) error {
	heap := func(ctx context.Context) *jsHeap { return ctx.Value(heapKey{}).(*resvgInstance).heap }
	str := func(m api.Module, ptr, n uint64) string {
		b, _ := m.Memory().Read(uint32(ptr), uint32(n))
		return string(b)
	}
	type fn = func(ctx context.Context, m api.Module, s []uint64)
	byPrefix := map[string]fn{
		"__wbindgen_memory": func(ctx context.Context, _ api.Module, s []uint64) { s[0] = uint64(heap(ctx).add(jsMemory{})) },
		"__wbg_buffer_":     func(ctx context.Context, _ api.Module, s []uint64) { s[0] = uint64(heap(ctx).add(jsBuffer{})) },
		"__wbg_newwithbyteoffsetandlength_": func(ctx context.Context, _ api.Module, s []uint64) {
			s[0] = uint64(heap(ctx).add(jsView{uint32(s[1]), uint32(s[2])}))
		},
		"__wbindgen_object_drop_ref": func(ctx context.Context, _ api.Module, s []uint64) { heap(ctx).take(uint32(s[0])) },
		"__wbg_values_": func(ctx context.Context, _ api.Module, s []uint64) {
			a, _ := heap(ctx).get(uint32(s[0])).(*jsArray)
			if a == nil {
				a = &jsArray{}
			}
			s[0] = uint64(heap(ctx).add(&jsIter{a: a}))
		},
		"__wbg_next_": func(ctx context.Context, _ api.Module, s []uint64) {
			var res jsIterResult
			if it, ok := heap(ctx).get(uint32(s[0])).(*jsIter); ok && it.i < len(it.a.v) {
				res.value = it.a.v[it.i]
				it.i++
			} else {
				res.done = true
			}
			s[0] = uint64(heap(ctx).add(res))
		},
		"__wbg_done_": func(ctx context.Context, _ api.Module, s []uint64) {
			r, _ := heap(ctx).get(uint32(s[0])).(jsIterResult)
			s[0] = 0
			if r.done {
				s[0] = 1
			}
		},
		"__wbg_value_": func(ctx context.Context, _ api.Module, s []uint64) {
			r, _ := heap(ctx).get(uint32(s[0])).(jsIterResult)
			s[0] = uint64(heap(ctx).add(r.value))
		},
		"__wbg_instanceof_Uint8Array_": func(ctx context.Context, _ api.Module, s []uint64) {
			switch heap(ctx).get(uint32(s[0])).(type) {
			case *jsBytes, jsView:
				s[0] = 1
			default:
				s[0] = 0
			}
		},
		"__wbindgen_string_get": func(ctx context.Context, m api.Module, s []uint64) {
			retptr := uint32(s[0])
			var ptr, n uint32
			if v, ok := heap(ctx).get(uint32(s[1])).(string); ok {
				var err error
				if ptr, n, err = ctx.Value(heapKey{}).(*resvgInstance).pass(ctx, m, []byte(v)); err != nil {
					panic(err)
				}
			}
			m.Memory().WriteUint32Le(retptr+4, n)
			m.Memory().WriteUint32Le(retptr, ptr)
		},
		"__wbindgen_string_new": func(ctx context.Context, m api.Module, s []uint64) {
			s[0] = uint64(heap(ctx).add(str(m, s[0], s[1])))
		},
		"__wbg_push_": func(ctx context.Context, _ api.Module, s []uint64) {
			a := heap(ctx).get(uint32(s[0])).(*jsArray)
			a.v = append(a.v, heap(ctx).get(uint32(s[1])))
			s[0] = uint64(len(a.v))
		},
		"__wbg_length_": func(ctx context.Context, m api.Module, s []uint64) {
			s[0] = uint64(len(bytesOf(m.Memory(), heap(ctx).get(uint32(s[0])))))
		},
		"__wbg_set_": func(ctx context.Context, m api.Module, s []uint64) {
			src := bytesOf(m.Memory(), heap(ctx).get(uint32(s[1])))
			off := uint32(s[2])
			switch d := heap(ctx).get(uint32(s[0])).(type) {
			case jsView:
				if off+uint32(len(src)) > d.n || !m.Memory().Write(d.off+off, src) {
					panic(errors.New("resvg: copy out of range"))
				}
			case *jsBytes:
				copy(d.b[off:], src)
			}
		},
		"__wbindgen_throw": func(_ context.Context, m api.Module, s []uint64) {
			panic(&jsError{str(m, s[0], s[1])})
		},
	}
	// Three imports share the name new: new Error(message), new Array()
	// and new Uint8Array(x); their arity tells them apart.
	byArity := map[int]fn{
		2: func(ctx context.Context, m api.Module, s []uint64) {
			s[0] = uint64(heap(ctx).add(&jsError{str(m, s[0], s[1])}))
		},
		0: func(ctx context.Context, _ api.Module, s []uint64) { s[0] = uint64(heap(ctx).add(&jsArray{})) },
		1: func(ctx context.Context, m api.Module, s []uint64) {
			v := heap(ctx).get(uint32(s[0]))
			if _, ok := v.(jsBuffer); ok {
				// new Uint8Array(memory.buffer): a view of all of memory,
				// through which js-sys copies bytes in.
				s[0] = uint64(heap(ctx).add(jsView{0, m.Memory().Size()}))
				return
			}
			s[0] = uint64(heap(ctx).add(&jsBytes{append([]byte(nil), bytesOf(m.Memory(), v)...)}))
		},
	}
	b := rt.NewHostModuleBuilder("wbg")
	for _, f := range cm.ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != "wbg" {
			return fmt.Errorf("charts: resvg imports %s.%s, which the glue lacks", mod, name)
		}
		var impl fn
		if strings.HasPrefix(name, "__wbg_new_") {
			impl = byArity[len(f.ParamTypes())]
		} else {
			for prefix, g := range byPrefix {
				if name == prefix || strings.HasSuffix(prefix, "_") && strings.HasPrefix(name, prefix) {
					impl = g
				}
			}
		}
		if impl == nil {
			return fmt.Errorf("charts: resvg imports %s, which the glue lacks", name)
		}
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(impl), f.ParamTypes(), f.ResultTypes()).Export(name)
	}
	if _, err := b.Instantiate(ctx); err != nil {
		return fmt.Errorf("charts: resvg glue: %w", err)
	}
	return nil
}
