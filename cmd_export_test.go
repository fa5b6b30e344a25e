package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"flag"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tradedash/data"
	"tradedash/data/demo"
)

// mustDemoDB writes a database holding the demo datasets and returns its path.
func mustDemoDB(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "demo.db")
	store, err := openStore(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	defer store.Close()
	if err := demo.Load(ctx, store); err != nil {
		tb.Fatal(err)
	}
	return path
}

func runExport(tb testing.TB, args ...string) (stdout string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"export"}, args...), &out, &errOut)
	if err != nil {
		tb.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

func TestExportCommand(t *testing.T) {
	t.Parallel()
	db := mustDemoDB(t)
	dir := t.TempDir()

	t.Run("chart svg", func(t *testing.T) {
		file := filepath.Join(dir, "PAK-RUS.svg")
		if _, err := runExport(t, "chart", "--db", db, "--view", "bilateral", "--reporter", "PAK", "--partner", "RUS",
			"--width", "1600", "--height", "900", "--theme", "dark", "--format", "svg", "-o", file); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("not XML: %v", err)
			}
		}
		for _, want := range []string{`<svg width="1600" height="900"`, `fill="#15191f"`, "Pakistan – Russia trade", "Source: "} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("SVG lacks %q", want)
			}
		}
		if bytes.Contains(bytes.ToLower(b), []byte("<script")) {
			t.Error("SVG holds a script")
		}
	})

	t.Run("chart png", func(t *testing.T) {
		file := filepath.Join(dir, "PAK-RUS.png")
		if _, err := runExport(t, "chart", "--db", db, "--reporter", "PAK", "--partner", "RUS",
			"--width", "800", "--height", "450", "--format", "png", "-o", file); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Size(); got != image.Pt(1600, 900) {
			t.Errorf("PNG is %v, want 1600x900 (twice 800x450)", got)
		}
	})

	t.Run("data csv", func(t *testing.T) {
		file := filepath.Join(dir, "PAK-RUS.csv")
		if _, err := runExport(t, "data", "--db", db, "--reporter", "Pakistan", "--partner", "RUS", "--format", "csv", "-o", file); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) < 3 || recs[0][0] != "period" || !strings.Contains(strings.Join(recs[0], ","), "exports_usd") {
			t.Fatalf("CSV: %q", recs)
		}
		var labels []string
		for _, r := range recs[1:] {
			labels = append(labels, r[0])
		}
		if !strings.Contains(strings.Join(labels, " "), "FY") {
			t.Errorf("no fiscal-year row among %q", labels)
		}
	})

	t.Run("data xlsx to stdout", func(t *testing.T) {
		out, err := runExport(t, "data", "--db", db, "--reporter", "PAK", "--partner", "RUS", "--format", "xlsx", "-o", "-")
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if sheets := x.GetSheetList(); len(sheets) < 2 {
			t.Errorf("sheets %q, want the data and its sources", sheets)
		}
	})

	for _, tt := range []struct {
		name string
		args []string
		want error
	}{
		{"no subcommand", nil, flag.ErrHelp},
		{"data as png", []string{"data", "--reporter", "PAK", "--partner", "RUS", "--format", "png", "-o", "x.png"}, nil},
		{"too many pixels", []string{"chart", "--reporter", "PAK", "--partner", "RUS", "--format", "png", "--width", "4000", "--height", "3000", "-o", filepath.Join(dir, "x.png")}, data.ErrInvalid},
		{"bad width", []string{"chart", "--reporter", "PAK", "--partner", "RUS", "--width", "50", "-o", "x.svg"}, data.ErrInvalid},
		{"no output", []string{"data", "--reporter", "PAK", "--partner", "RUS"}, nil},
		{"other view", []string{"data", "--view", "partners", "--reporter", "PAK", "-o", "x.csv"}, nil},
		{"unknown country", []string{"data", "--reporter", "Atlantis", "--partner", "RUS", "-o", filepath.Join(dir, "x.csv")}, data.ErrInvalid},
		{"no figures", []string{"data", "--reporter", "PAK", "--partner", "ISL", "-o", filepath.Join(dir, "x.csv")}, data.ErrNotFound},
		{"unknown dataset", []string{"chart", "--reporter", "PAK", "--partner", "RUS", "--dataset", "999", "-o", filepath.Join(dir, "x.svg")}, data.ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if len(args) > 0 {
				args = append([]string{args[0], "--db", db}, args[1:]...)
			}
			_, err := runExport(t, args...)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "x.*")); len(left) > 0 {
		t.Errorf("failed exports left files: %q", left)
	}
}
