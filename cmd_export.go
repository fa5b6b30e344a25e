package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"tradedash/charts"
	"tradedash/data"
)

const exportUsage = `usage:
  tradedash export chart --view bilateral --reporter PAK --partner RUS [--dataset N]
                         [--width 1200 --height 675 --theme light|dark] [--format svg|png]
                         [--pixel-ratio 2] -o FILE
  tradedash export data  --view bilateral --reporter PAK --partner RUS [--dataset N]
                         [--format csv|xlsx] -o FILE
FILE "-" writes to standard output.
`

// cmdExport writes a chart as an image, or the data behind it as a table,
// the same as the dashboard's /charts/ and /data/ URLs would.
func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "chart" && args[0] != "data" {
		fmt.Fprint(stderr, exportUsage)
		return fmt.Errorf("export: say what to export, chart or data: %w", flag.ErrHelp)
	}
	what := args[0]
	fs, db := newFlagSet("export "+what, stderr)
	view := fs.String("view", "bilateral", "which chart: bilateral")
	reporter := fs.String("reporter", "", "reporting country: ISO code or name (required)")
	partner := fs.String("partner", "", "partner country: ISO code or name (required)")
	dataset := fs.Int64("dataset", 0, "dataset number; for a chart, default the first dataset with figures for the pair; for data, all datasets")
	out := fs.String("o", "", `output file, "-" for standard output (required)`)
	var format *string
	var img charts.ImageOptions
	if what == "chart" {
		format = fs.String("format", "svg", "image format: svg or png")
		fs.IntVar(&img.PixelRatio, "pixel-ratio", charts.DefaultPixelRatio, "PNG pixels per SVG pixel, 1 to 3")
		fs.IntVar(&img.Width, "width", charts.DefaultWidth, "image width in pixels")
		fs.IntVar(&img.Height, "height", charts.DefaultHeight, "image height in pixels")
		fs.StringVar(&img.Theme, "theme", charts.ThemeLight, "colours: light or dark")
	} else {
		format = fs.String("format", "csv", "table format: csv or xlsx")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := checkExportFlags(what, *view, *format, *out, fs.Args(), img); err != nil {
		fmt.Fprint(stderr, exportUsage)
		return err
	}

	store, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	q, o, rows, err := bilateralExport(ctx, store, *reporter, *partner, *dataset, what == "chart")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch *format {
	case "svg":
		r := charts.NewRenderer(charts.RendererOptions{Engines: 1, CacheEntries: -1})
		svg, err := r.SVG(ctx, charts.Bilateral(rows, o), img)
		if err != nil {
			return err
		}
		buf.Write(svg)
	case "png":
		r := charts.NewRenderer(charts.RendererOptions{Engines: 1, CacheEntries: -1})
		png, err := r.PNG(ctx, charts.Bilateral(rows, o), img)
		if err != nil {
			return err
		}
		buf.Write(png)
	case "csv":
		err = charts.BilateralTable(rows, o).WriteCSV(&buf)
	case "xlsx":
		err = charts.BilateralTable(rows, o).WriteXLSX(&buf)
	}
	if err != nil {
		return err
	}
	if err := writeOutput(*out, buf.Bytes(), stdout); err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(stderr, "wrote %s: %s–%s, dataset %s, %d periods, %d bytes\n", *out, q.Reporter, q.Partner, datasetWords(q.DatasetID), len(rows), buf.Len())
	}
	return nil
}

// checkExportFlags refuses what export cannot do before it opens anything.
func checkExportFlags(what, view, format, out string, rest []string, img charts.ImageOptions) error {
	formats := map[string][]string{"chart": {"svg", "png"}, "data": {"csv", "xlsx"}}[what]
	switch {
	case len(rest) > 0:
		return fmt.Errorf("export %s: unexpected arguments %q", what, rest)
	case view != "bilateral":
		return fmt.Errorf("export %s: --view %q: only bilateral can be exported so far", what, view)
	case !slices.Contains(formats, format):
		return fmt.Errorf("export %s: --format %q: want %s", what, format, strings.Join(formats, " or "))
	case out == "":
		return fmt.Errorf("export %s: -o FILE is required (\"-\" for standard output)", what)
	}
	if what == "chart" {
		return img.Validate()
	}
	return nil
}

// bilateralExport runs the bilateral query as the dashboard does. For a
// chart, which is one dataset's, it narrows the rows to the asked dataset
// or, without one, to the first dataset with figures, as the page's first
// section and /charts/bilateral.svg do.
func bilateralExport(ctx context.Context, store *data.Store, reporter, partner string, datasetID int64, oneDataset bool) (data.BilateralQuery, charts.BilateralOptions, []data.PeriodTotals, error) {
	ref := store.Reference()
	var q data.BilateralQuery
	var o charts.BilateralOptions
	for _, c := range []struct {
		flag, v string
		dst     *data.Country
	}{{"--reporter", reporter, &o.Reporter}, {"--partner", partner, &o.Partner}} {
		if strings.TrimSpace(c.v) == "" {
			return q, o, nil, fmt.Errorf("%w: %s is required (an ISO code such as PAK, or a name)", data.ErrInvalid, c.flag)
		}
		country, err := ref.Country(strings.TrimSpace(c.v))
		if err != nil {
			return q, o, nil, fmt.Errorf("%w: %s %q is not a known country or area", data.ErrInvalid, c.flag, c.v)
		}
		*c.dst = country
	}
	q = data.BilateralQuery{Reporter: o.Reporter.ISO3, Partner: o.Partner.ISO3, DatasetID: datasetID}
	if datasetID < 0 {
		return q, o, nil, fmt.Errorf("%w: --dataset must be a dataset number", data.ErrInvalid)
	}
	sets, err := store.DatasetList(ctx)
	if err != nil {
		return q, o, nil, err
	}
	rows, err := store.Bilateral(ctx, q)
	if err != nil {
		return q, o, nil, err
	}
	if len(rows) == 0 {
		return q, o, nil, fmt.Errorf("%w: no figures for %s–%s in dataset %s", data.ErrNotFound, q.Reporter, q.Partner, datasetWords(datasetID))
	}
	if oneDataset && q.DatasetID == 0 {
		q.DatasetID = rows[0].DatasetID
		end := 0
		for end < len(rows) && rows[end].DatasetID == q.DatasetID {
			end++
		}
		rows = rows[:end]
	}
	// The same description as the server's bilateralOptions: the dataset's
	// name and source, or, across datasets, all of their sources.
	o.DatasetID, o.Dataset = q.DatasetID, "all datasets"
	var sources []string
	for _, d := range sets {
		if d.ID == q.DatasetID {
			o.Dataset, o.Source = d.Name, d.Source
			return q, o, rows, nil
		}
		sources = append(sources, fmt.Sprintf("[%d] %s", d.ID, d.Source))
	}
	if q.DatasetID != 0 {
		return q, o, nil, fmt.Errorf("%w: there is no dataset %d", data.ErrNotFound, q.DatasetID)
	}
	o.Source = strings.Join(sources, " ")
	return q, o, rows, nil
}

func datasetWords(id int64) string {
	if id == 0 {
		return "all"
	}
	return fmt.Sprint(id)
}

// writeOutput writes b to path through a temporary file beside it, so that
// a failed export never leaves half a file under the asked name.
func writeOutput(path string, b []byte, stdout io.Writer) error {
	if path == "-" {
		_, err := stdout.Write(b)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
