package charts

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// goldenPixelTolerance is how far a channel may stray before a pixel
// counts as different (anti-aliasing and float rounding vary slightly
// between builds), and goldenMaxDiffering the share of pixels that may
// differ before the image counts as changed: a moved label or a missing
// series changes far more.
const (
	goldenPixelTolerance = 24
	goldenMaxDiffering   = 0.002
)

// TestBilateralPNGGolden compares the PNG of the fixture chart, pixel by
// pixel within a tolerance, with testdata/bilateral.golden.png, so that a
// change of font, resvg, ECharts or our layout that changes the image is
// seen. go test ./charts -run Golden -update rewrites it; look at it
// before committing.
func TestBilateralPNGGolden(t *testing.T) {
	rows, o := fixture()
	b, err := testRenderer().PNG(t.Context(), Bilateral(rows, o), ImageOptions{Width: 800, Height: 450, PixelRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "bilateral.golden.png")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := readPNG(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./charts -run Golden -update to create it)", err)
	}
	got, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n, total := differingPixels(got, want)
	if share := float64(n) / float64(total); share > goldenMaxDiffering {
		out := filepath.Join(t.TempDir(), "bilateral.got.png")
		os.WriteFile(out, b, 0o644)
		t.Errorf("%d of %d pixels (%.2f%%) differ from %s by more than %d; the new image is %s (go test ./charts -run Golden -update to accept it)",
			n, total, 100*share, golden, goldenPixelTolerance, out)
	}
}

// TestGoldenComparisonSeesChanges keeps the comparison honest: the golden
// image against itself differs nowhere, and against the same chart with
// one series' figures changed differs beyond the threshold.
func TestGoldenComparisonSeesChanges(t *testing.T) {
	want, err := readPNG(filepath.Join("testdata", "bilateral.golden.png"))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := differingPixels(want, want); n != 0 {
		t.Errorf("the golden image differs from itself in %d pixels", n)
	}
	rows, o := fixture()
	for i := range rows {
		rows[i].Exports.Value *= 0.5 // a made-up change, to be seen
	}
	b, err := testRenderer().PNG(t.Context(), Bilateral(rows, o), ImageOptions{Width: 800, Height: 450, PixelRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if n, total := differingPixels(got, want); float64(n)/float64(total) <= goldenMaxDiffering {
		t.Errorf("halving the exports changed only %d of %d pixels: the comparison would not see it", n, total)
	}
}

// TestBilateralSVGGolden compares the SVG of the fixture chart with
// testdata/bilateral.golden.svg, ECharts' per-instance ids made neutral.
func TestBilateralSVGGolden(t *testing.T) {
	rows, o := fixture()
	svg := mustSVG(t, testRenderer(), Bilateral(rows, o), ImageOptions{Width: 800, Height: 450})
	svg = regexp.MustCompile(`zr\d+-`).ReplaceAll(svg, []byte("zr-"))
	golden := filepath.Join("testdata", "bilateral.golden.svg")
	if *update {
		if err := os.WriteFile(golden, svg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./charts -run Golden -update to create it)", err)
	}
	if !bytes.Equal(svg, want) {
		out := filepath.Join(t.TempDir(), "bilateral.got.svg")
		os.WriteFile(out, svg, 0o644)
		t.Errorf("SVG differs from %s; the new one is %s (go test ./charts -run Golden -update to accept it)", golden, out)
	}
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

// differingPixels counts the pixels whose colour differs in any channel
// by more than goldenPixelTolerance (of 255); images of different sizes
// differ everywhere.
func differingPixels(a, b image.Image) (n, total int) {
	ra, rb := a.Bounds(), b.Bounds()
	total = ra.Dx() * ra.Dy()
	if ra.Size() != rb.Size() {
		return total, total
	}
	for y := range ra.Dy() {
		for x := range ra.Dx() {
			r1, g1, b1, a1 := a.At(ra.Min.X+x, ra.Min.Y+y).RGBA()
			r2, g2, b2, a2 := b.At(rb.Min.X+x, rb.Min.Y+y).RGBA()
			for _, d := range [4]uint32{absDiff(r1, r2), absDiff(g1, g2), absDiff(b1, b2), absDiff(a1, a2)} {
				if d>>8 > goldenPixelTolerance {
					n++
					break
				}
			}
		}
	}
	return n, total
}
