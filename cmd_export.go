package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"tradedash/charts"
	"tradedash/data"
	"tradedash/server"
)

const exportUsage = `usage:
  tradedash export chart --view bilateral|partners|products|mirror|compare [view flags]
                         [--chart ID] [--width 1200 --height 675 --theme light|dark] [--format svg|png]
                         [--pixel-ratio 2] [-o FILE|DIR]
  tradedash export data  --view bilateral|partners|products|mirror|compare [view flags]
                         [--chart ID]
                         [--format csv|xlsx] [-o FILE|DIR]
view flags: bilateral --reporter --partner [--dataset --from --to]
            partners  --reporter [--flow --period --dataset --partner... --from --to]
            products  --reporter --product... [--partner --flow --from --to --dataset]
            mirror    --reporter --partner [--dataset --mirror-dataset --cif
                                            --dataset-a --dataset-b]
            compare   --reporter --partner [--dataset --a --b --level --form]
Without -o, or with a directory, the file takes a descriptive name such as
PAK-RUS-bilateral-2012-2023.png. FILE "-" writes to standard output.
`

// viewFlags describe the query parameters of the exported views (server's
// ExportParams), each offered as a flag of the same name with '-' for '_'.
var viewFlags = []struct{ param, usage string }{
	{"reporter", "reporting country: ISO code or name"},
	{"partner", "partner country: ISO code or name (partners, products: repeat for several)"},
	{"product", "product: HS code such as 30, section such as VI, or sector:NAME (products: repeat for several)"},
	{"level", "HS level: section, chapter or heading (compare)"},
	{"form", "bars or waterfall (compare)"},
	{"dataset_a", "first dataset of a source comparison (mirror)"},
	{"dataset_b", "second dataset of a source comparison (mirror)"},
	{"dataset", "dataset number (default: as the page chooses)"},
	{"from", "first period, such as 2012 or 2022-07 (bilateral, partners, products)"},
	{"to", "last period, such as 2023 (bilateral, partners, products)"},
	{"flow", "export, import or turnover (partners)"},
	{"period", "period, such as 2023 (partners; default the latest)"},
	{"mirror_dataset", "dataset of the partner's figures (mirror)"},
	{"cif", "CIF/FOB factor such as 1.06 (mirror)"},
	{"a", "first period to compare (compare)"},
	{"b", "second period to compare (compare)"},
	{"chart", "which of the page's charts, by id (default its first)"},
}

// cmdExport writes a chart as an image, or the data behind it as a table,
// by asking the dashboard's own /charts/ and /data/ handlers in-process:
// the file is what the URL would serve.
func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "chart" && args[0] != "data" {
		fmt.Fprint(stderr, exportUsage)
		return fmt.Errorf("export: say what to export, chart or data: %w", flag.ErrHelp)
	}
	what := args[0]
	fs, db := newFlagSet("export "+what, stderr)
	view := fs.String("view", "bilateral", "which page: "+strings.Join(server.ExportViews(), ", "))
	out := fs.String("o", "", `output file or directory, "-" for standard output (default: a descriptive name in the current directory)`)
	params := map[string]*multiFlag{}
	for _, f := range viewFlags {
		params[f.param] = &multiFlag{}
		fs.Var(params[f.param], strings.ReplaceAll(f.param, "_", "-"), f.usage)
	}
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
	q, err := exportQuery(fs, what, *view, *format, params, img)
	if err != nil {
		fmt.Fprint(stderr, exportUsage)
		return err
	}

	store, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	cfg := server.Config{Store: store, Logger: slog.New(slog.DiscardHandler)}
	target := "/data/"
	if what == "chart" {
		// One engine and no cache: a command draws one image.
		cfg.Renderer = charts.NewRenderer(charts.RendererOptions{Engines: 1, CacheEntries: -1})
		target = "/charts/"
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	b, name, err := srv.Export(ctx, target+*view+"."+*format+"?"+q.Encode())
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = name
	} else if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, name)
	}
	if err := writeOutput(path, b, stdout); err != nil {
		return err
	}
	if path != "-" {
		fmt.Fprintf(stderr, "wrote %s: %d bytes\n", path, len(b))
	}
	return nil
}

// exportQuery checks what export can do before it opens anything, and
// turns the flags into the URL's query.
func exportQuery(fs *flag.FlagSet, what, view, format string, params map[string]*multiFlag, img charts.ImageOptions) (url.Values, error) {
	formats := map[string][]string{"chart": {"svg", "png"}, "data": {"csv", "xlsx"}}[what]
	known := server.ExportParams(view)
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("export %s: unexpected arguments %q", what, fs.Args())
	case known == nil:
		return nil, fmt.Errorf("%w: export %s: --view %q: want one of %s", data.ErrInvalid, what, view, strings.Join(server.ExportViews(), ", "))
	case !slices.Contains(formats, format):
		return nil, fmt.Errorf("%w: export %s: --format %q: want %s", data.ErrInvalid, what, format, strings.Join(formats, " or "))
	}
	q := url.Values{}
	var err error
	fs.Visit(func(f *flag.Flag) {
		param := strings.ReplaceAll(f.Name, "-", "_")
		v, ok := params[param]
		if !ok || err != nil {
			return
		}
		if param != "chart" && !slices.Contains(known, param) {
			err = fmt.Errorf("%w: export %s: --%s is not a setting of the %s view (it takes %s)", data.ErrInvalid, what, f.Name, view, flagList(known))
			return
		}
		q[param] = slices.Clone(*v)
	})
	if err != nil {
		return nil, err
	}
	if what == "chart" {
		if err := img.Validate(); err != nil {
			return nil, err
		}
		q.Set("width", strconv.Itoa(img.Width))
		q.Set("height", strconv.Itoa(img.Height))
		q.Set("theme", img.Theme)
		if format == "png" {
			q.Set("pixel_ratio", strconv.Itoa(img.PixelRatio))
		}
	}
	return q, nil
}

func flagList(params []string) string {
	out := make([]string, len(params))
	for i, p := range params {
		out[i] = "--" + strings.ReplaceAll(p, "_", "-")
	}
	return strings.Join(out, " ")
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

// multiFlag is a flag that may be given more than once, such as --partner
// RUS --partner CHN; each value becomes one query parameter.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}
