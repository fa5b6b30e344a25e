package charts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"tradedash/data"
)

func mustPNG(tb testing.TB, r *Renderer, c Chart, o ImageOptions) image.Image {
	tb.Helper()
	b, err := r.PNG(context.Background(), c, o)
	if err != nil {
		tb.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

// inkIn counts the pixels of r that differ clearly from bg.
func inkIn(img image.Image, r image.Rectangle, bg color.Color) int {
	br, bgc, bb, _ := bg.RGBA()
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			d := absDiff(cr, br) + absDiff(cg, bgc) + absDiff(cb, bb)
			if d > 3*0x2000 {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestRenderBilateralPNG(t *testing.T) {
	rows, o := fixture()
	c := Bilateral(rows, o)
	img := mustPNG(t, testRenderer(), c, ImageOptions{})
	if got := img.Bounds().Size(); got != image.Pt(2*DefaultWidth, 2*DefaultHeight) {
		t.Fatalf("size %v, want twice %dx%d", got, DefaultWidth, DefaultHeight)
	}
	white := color.RGBA{255, 255, 255, 255}
	if r, g, b, a := img.At(1, 1).RGBA(); r>>8 != 255 || g>>8 != 255 || b>>8 != 255 || a>>8 != 255 {
		t.Errorf("corner is %v, want the white background", img.At(1, 1))
	}
	whole := img.Bounds()
	if ink := inkIn(img, whole, white); ink < whole.Dx()*whole.Dy()/50 {
		t.Errorf("only %d pixels drawn: blank image?", ink)
	}
	// Text areas, in SVG pixels doubled: the title at the top left, the
	// source line at the foot, the axis labels at the left.
	for name, area := range map[string]image.Rectangle{
		"title":       image.Rect(10, 10, 500, 56),
		"source line": image.Rect(20, 2*DefaultHeight-40, 300, 2*DefaultHeight),
		"axis labels": image.Rect(0, 140, 230, 1120),
	} {
		if ink := inkIn(img, area, white); ink < 200 {
			t.Errorf("%s area %v holds %d drawn pixels: no text?", name, area, ink)
		}
	}

	dark := mustPNG(t, testRenderer(), c, ImageOptions{Width: 400, Height: 300, Theme: ThemeDark, PixelRatio: 1})
	if got := dark.Bounds().Size(); got != image.Pt(400, 300) {
		t.Errorf("dark size %v", got)
	}
	if r, g, b, _ := dark.At(1, 1).RGBA(); r>>8 != 0x15 || g>>8 != 0x19 || b>>8 != 0x1f {
		t.Errorf("dark corner is %v, want #15191f", dark.At(1, 1))
	}
}

func TestRenderPNGLimits(t *testing.T) {
	rows, o := fixture()
	c := Bilateral(rows, o)
	for _, opt := range []ImageOptions{{Width: 4000, Height: 3000}, {PixelRatio: 4}} {
		if _, err := testRenderer().PNG(context.Background(), c, opt); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("%+v: err = %v, want ErrInvalid", opt, err)
		}
	}
}

func BenchmarkRenderBilateralPNG(b *testing.B) {
	r := NewRenderer(RendererOptions{Engines: 1, CacheEntries: -1, Timeout: 5 * time.Minute})
	rows, o := fixture()
	c := Bilateral(rows, o)
	mustPNG(b, r, c, ImageOptions{}) // start the engines
	for _, ratio := range []int{1, 2} {
		b.Run(fmt.Sprintf("1600x900@%dx", ratio), func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuMeter()
			for b.Loop() {
				if _, err := r.PNG(context.Background(), c, ImageOptions{Width: 1600, Height: 900, PixelRatio: ratio}); err != nil {
					b.Fatal(err)
				}
			}
			cpu(b)
		})
	}
}

// BenchmarkResvgStart is what a process pays before its first PNG: resvg
// compiled to machine code afresh, or loaded from wazero's compilation
// cache on disk as a second process start does (a new cache object each
// time, so nothing is shared in memory).
func BenchmarkResvgStart(b *testing.B) {
	ctx := context.Background()
	start := func(b *testing.B, cache wazero.CompilationCache) {
		sh, err := compileResvg(ctx, cache)
		if err != nil {
			b.Fatal(err)
		}
		if err := sh.rt.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("compile", func(b *testing.B) {
		cpu := cpuMeter()
		for b.Loop() {
			start(b, nil)
		}
		cpu(b)
	})
	b.Run("disk-cache", func(b *testing.B) {
		dir := b.TempDir()
		start(b, resvgCache(dir)) // fill the cache
		cpu := cpuMeter()
		for b.Loop() {
			c := resvgCache(dir)
			start(b, c)
			c.Close(ctx)
		}
		cpu(b)
	})
}

func TestResvgCacheDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wazero")
	sh, err := compileResvg(context.Background(), resvgCache(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer sh.rt.Close(context.Background())
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory mode %v, want 0700", fi.Mode().Perm())
	}
	var files int
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, _ error) error {
		if d != nil && !d.IsDir() {
			files++
		}
		return nil
	})
	if files == 0 {
		t.Error("compiling resvg left nothing in the cache directory")
	}
}

// TestEncodePNGRoundTrip decodes what encodePNG writes with image/png:
// every pixel of an opaque image of generated noise and flat runs comes
// back exactly, and an image with transparency keeps its alpha.
func TestEncodePNGRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name   string
		w, h   int
		opaque bool
	}{{"opaque", 257, 130, true}, {"one row", 9, 1, true}, {"translucent", 40, 30, false}} {
		img := image.NewRGBA(image.Rect(0, 0, tc.w, tc.h))
		for y := range tc.h {
			for x := range tc.w {
				c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
				if x > tc.w/2 {
					c = color.RGBA{0x15, 0x19, 0x1f, 255} // a flat run
				}
				if !tc.opaque && y == 3 {
					c = color.RGBA{10, 20, 30, 128} // premultiplied
				}
				img.SetRGBA(x, y, c)
			}
		}
		b, err := encodePNG(img)
		if err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.Bounds() != img.Bounds() {
			t.Fatalf("%s: bounds %v, want %v", tc.name, got.Bounds(), img.Bounds())
		}
		for y := range tc.h {
			for x := range tc.w {
				wr, wg, wb, wa := img.At(x, y).RGBA()
				gr, gg, gb, ga := got.At(x, y).RGBA()
				if absDiff(wr, gr) > 0x200 || absDiff(wg, gg) > 0x200 || absDiff(wb, gb) > 0x200 || wa != ga {
					t.Fatalf("%s: pixel %d,%d = %v, want %v", tc.name, x, y, got.At(x, y), img.At(x, y))
				}
			}
		}
	}
}
