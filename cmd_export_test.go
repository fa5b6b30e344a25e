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
	"slices"
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

	// Flags a view takes more than once become repeated query parameters:
	// two products give one series each. Demo figures: UN Comtrade,
	// Pakistan's 2019 exports to the World of HS 30 and HS 10.
	t.Run("data csv with a repeated flag", func(t *testing.T) {
		out, err := runExport(t, "data", "--db", db, "--view", "products", "--reporter", "PAK",
			"--product", "30", "--product", "10", "--format", "csv", "-o", "-")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"217037075", "2369631826"} {
			if !strings.Contains(out, want) {
				t.Errorf("products CSV lacks %s:\n%s", want, out)
			}
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

	t.Run("every view by name", func(t *testing.T) {
		// -o a directory: each file takes the name the server suggests.
		out := t.TempDir()
		for _, tc := range []struct {
			args []string
			file string
			want []string
		}{
			{[]string{"chart", "--view", "bilateral", "--reporter", "PAK", "--partner", "RUS", "--from", "2015", "--to", "2020"},
				"PAK-RUS-bilateral-2015-2020.svg", []string{"Pakistan – Russia trade", "2015", "2020"}},
			{[]string{"chart", "--view", "partners", "--reporter", "IND", "--format", "png"}, "IND-partners-export-2019.png", nil},
			{[]string{"chart", "--view", "compare", "--reporter", "IND", "--partner", "RUS"}, "", []string{"India", "change"}},
			{[]string{"data", "--view", "compare", "--reporter", "IND", "--partner", "RUS", "--format", "xlsx"}, "", nil},
			{[]string{"data", "--view", "partners", "--reporter", "IND"}, "IND-partners-export-2019.csv", []string{"partner"}},
		} {
			before, _ := os.ReadDir(out)
			if _, err := runExport(t, append(append([]string{tc.args[0], "--db", db}, tc.args[1:]...), "-o", out)...); err != nil {
				t.Errorf("%q: %v", tc.args, err)
				continue
			}
			after, _ := os.ReadDir(out)
			if len(after) != len(before)+1 {
				t.Errorf("%q wrote %d files", tc.args, len(after)-len(before))
				continue
			}
			var name string
			for _, e := range after {
				if !slices.ContainsFunc(before, func(b os.DirEntry) bool { return b.Name() == e.Name() }) {
					name = e.Name()
				}
			}
			if tc.file != "" && name != tc.file {
				t.Errorf("%q wrote %s, want %s", tc.args, name, tc.file)
			}
			b, _ := os.ReadFile(filepath.Join(out, name))
			for _, w := range tc.want {
				if !bytes.Contains(b, []byte(w)) {
					t.Errorf("%q: %s lacks %q", tc.args, name, w)
				}
			}
			if strings.Contains(tc.file, "2015-2020") {
				for _, y := range []string{">2012<", ">2023<"} {
					if bytes.Contains(b, []byte(y)) {
						t.Errorf("%s holds %s, outside --from 2015 --to 2020", name, y)
					}
				}
			}
			t.Logf("%q -> %s", tc.args, name)
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
		{"unknown view", []string{"data", "--view", "atlas", "--reporter", "PAK", "-o", filepath.Join(dir, "x.csv")}, data.ErrInvalid},
		{"flag of another view", []string{"chart", "--view", "bilateral", "--reporter", "PAK", "--partner", "RUS", "--flow", "import", "-o", filepath.Join(dir, "x.svg")}, data.ErrInvalid},
		{"to before from", []string{"chart", "--reporter", "PAK", "--partner", "RUS", "--from", "2020", "--to", "2015", "-o", filepath.Join(dir, "x.svg")}, data.ErrInvalid},
		{"no periods in range", []string{"data", "--reporter", "PAK", "--partner", "RUS", "--from", "1990", "--to", "1991", "-o", filepath.Join(dir, "x.csv")}, data.ErrNotFound},
		{"unknown chart", []string{"chart", "--reporter", "PAK", "--partner", "RUS", "--chart", "chart-nothing", "-o", filepath.Join(dir, "x.svg")}, data.ErrNotFound},
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
