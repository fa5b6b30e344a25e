// Command tradedash is a self-hosted dashboard for bilateral trade
// statistics: it imports trade spreadsheets into SQLite and serves charts
// and tables that compare partners, products and periods.
//
// Usage:
//
//	tradedash serve    [--addr 127.0.0.1:8080] [--db ./tradedash.db] [--no-demo] [--log-format text|json]
//	                   [--max-upload-mb 100] [--frame-ancestors "'self'"]
//	                   [--header-timeout 10s] [--request-timeout 60s] [--upload-timeout 5m]
//	tradedash import   [--db ./tradedash.db] [--name NAME] [--source SOURCE] [--sheet SHEET] [--format LAYOUT]
//	                   [--reporter ISO3] [--partner ISO3] [--flow FLOW] [--unit UNIT] [--fiscal-start-month N]
//	                   [--year YEAR] [--country-codes FILE] [--dry-run] [--skip-bad-rows] [--json] FILE...
//
// Import examples:
//
//	tradedash import --dry-run wide_months_2023.csv          # report how the file reads; write nothing
//	tradedash import --skip-bad-rows bad_value.csv           # store the good rows, list the bad ones
//	tradedash import --year 2023 --reporter PAK --flow export exports_by_month.xlsx
//	tradedash import --country-codes country_codes_V202401.csv BACI_HS17_Y2021_V202401.csv
//	tradedash datasets [--db ./tradedash.db] [--json]
//	tradedash backup   [--db ./tradedash.db] FILE
//	tradedash export   chart|data --view bilateral|partners|mirror|compare --reporter ISO3 [--partner ISO3] [--from --to] --format svg|png|csv|xlsx [-o FILE|DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"tradedash/charts"
	"tradedash/data"
	"tradedash/data/demo"
	"tradedash/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tradedash:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

const usage = `tradedash: bilateral trade statistics dashboard

Commands:
  serve     serve the dashboard (loads the demo data into an empty database)
  import    import trade files into the database; for example
              tradedash import --dry-run FILE          report how FILE reads, write nothing
              tradedash import --skip-bad-rows FILE    store the good rows, list the bad ones
              tradedash import --year 2023 FILE        the year of a file that states none
              tradedash import --country-codes country_codes_V202401.csv BACI_FILE
  datasets  list the datasets in the database
  backup    copy the database, consistently, while it is in use
  export    write a chart as SVG or PNG, or its data as CSV or XLSX

Run "tradedash COMMAND -h" for a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stderr)
	case "import":
		return cmdImport(ctx, args[1:], stdout, stderr)
	case "datasets":
		return cmdDatasets(ctx, args[1:], stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args[1:], stdout, stderr)
	case "export":
		return cmdExport(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q: %w", args[0], flag.ErrHelp)
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func newFlagSet(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("TRADEDASH_DB", "./tradedash.db"), "SQLite database file (env TRADEDASH_DB)")
	return fs, db
}

func openStore(ctx context.Context, path string) (*data.Store, error) {
	// SQLite's own errors for these cases name neither the file nor a fix.
	if err := data.CheckPath(path); err != nil {
		return nil, fmt.Errorf("%w (the database path comes from --db or TRADEDASH_DB)", err)
	}
	ref, err := data.LoadReference()
	if err != nil {
		return nil, err
	}
	return data.Open(ctx, path, ref)
}

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs, db := newFlagSet("serve", stderr)
	addr := fs.String("addr", envOr("TRADEDASH_ADDR", "127.0.0.1:8080"), "address to listen on (env TRADEDASH_ADDR)")
	noDemo := fs.Bool("no-demo", false, "do not load the built-in demo datasets into an empty database")
	logFormat := fs.String("log-format", envOr("TRADEDASH_LOG_FORMAT", "text"), "log format: text or json (env TRADEDASH_LOG_FORMAT)")
	maxUploadMB := fs.Int64("max-upload-mb", 100, "largest file accepted by an upload, in MB")
	frameAncestors := fs.String("frame-ancestors", envOr("TRADEDASH_FRAME_ANCESTORS", "'self'"),
		`who may show the pages in a frame: CSP frame-ancestors sources, such as "'self' https://intranet.example", or 'none' (env TRADEDASH_FRAME_ANCESTORS)`)
	private := fs.Bool("private", false, "require the admin's sign-in for every page and API, not only for writes")
	skipCheck := fs.Bool("skip-check", false, "do not run PRAGMA quick_check at start: it reads the whole file, minutes for a database of gigabytes (see docs/operations.md)")
	cacheMB := fs.Int("response-cache-mb", 64, "memory for rendered answers of the read-only pages and API, in MB; 0 turns the cache off")
	headerTimeout := fs.Duration("header-timeout", 10*time.Second, "longest a client may take to send a request's headers")
	requestTimeout := fs.Duration("request-timeout", 60*time.Second, "longest a client may take to send a request and read its answer, uploads excepted")
	uploadTimeout := fs.Duration("upload-timeout", 5*time.Minute, "longest one upload may take to arrive, be parsed and be stored")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for name, d := range map[string]time.Duration{"header": *headerTimeout, "request": *requestTimeout, "upload": *uploadTimeout} {
		if d <= 0 {
			return fmt.Errorf("--%s-timeout %v: want a positive duration, such as 30s or 2m", name, d)
		}
	}
	if _, err := server.ParseFrameAncestors(*frameAncestors); err != nil {
		return fmt.Errorf("--frame-ancestors: %w", err)
	}
	log, err := newLogger(*logFormat, stderr)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	// Refuse to serve from a damaged file rather than fail page by page.
	if *skipCheck {
		log.Warn("skipping the start-up integrity check (--skip-check): a damaged file will fail page by page", "db", *db)
	} else if err := store.QuickCheck(ctx); err != nil {
		return err
	}
	if !*noDemo {
		empty, err := store.Empty(ctx)
		if err != nil {
			return err
		}
		if empty {
			if err := demo.Load(ctx, store); err != nil {
				return fmt.Errorf("load demo data: %w", err)
			}
			log.Info("loaded the demo datasets into the empty database", "db", *db)
		}
	}
	// Chart images (/charts/*.svg|png) are drawn by warm ECharts engines,
	// started on first use, so serving costs nothing until one is asked for.
	images := charts.NewRenderer(charts.RendererOptions{})
	srv, err := newServer(ctx, server.Config{Store: store, Logger: log, MaxUploadBytes: *maxUploadMB << 20, Renderer: images,
		FrameAncestors: *frameAncestors, Private: *private, ResponseCacheBytes: responseCacheBytes(*cacheMB),
		HeaderTimeout: *headerTimeout, RequestTimeout: *requestTimeout, UploadTimeout: *uploadTimeout}, *db)
	if err != nil {
		return err
	}
	return srv.Run(ctx, *addr, nil)
}

// responseCacheBytes turns --response-cache-mb into Config.ResponseCacheBytes:
// 0 MB (or fewer) is off, which the Config spells as a negative size.
func responseCacheBytes(mb int) int {
	if mb <= 0 {
		return -1
	}
	return mb << 20
}

// newLogger returns the serve command's logger: slog's text or JSON format.
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}
