package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"tradedash/data"
	"tradedash/importers"
)

// importMemoryLimit is the import command's soft limit on Go's memory.
// SQLite's page cache and sorter are outside it.
const importMemoryLimit = 96 << 20

// cmdImport imports each file as its own dataset, in its own transaction:
// a bad file changes nothing and the others still go in. The exit status
// is non-zero if any file was not imported, a file already imported
// included (it is reported with the dataset that holds it). With
// --dry-run every file is read to the end and reported, and nothing is
// written: the database, if there is one, is only read, to say whether
// it holds the file already.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlagSet("import", stderr)
	var o importers.Options
	fs.StringVar(&o.Name, "name", "", "dataset name (default: the file name without its extension)")
	fs.StringVar(&o.Source, "source", "", "who published the figures, and where")
	fs.StringVar(&o.Reporter, "reporter", "", "reporter for files without a reporter column (ISO3, ISO2, code or name)")
	fs.StringVar(&o.Partner, "partner", "", "partner for files without a partner column")
	fs.StringVar(&o.Flow, "flow", "", "trade flow for files without a flow column, such as wide tables (export, import, re-export, re-import)")
	fs.StringVar(&o.Unit, "unit", "", `unit of the values, overriding what the file states: "US$", "thousand US$", "million US$"`)
	fs.StringVar(&o.Format, "format", "", "force the layout instead of detecting it: "+strings.Join(importers.LayoutNames(), ", "))
	fs.StringVar(&o.Sheet, "sheet", "", "worksheet to read from a workbook (default: the first visible sheet with data)")
	fs.IntVar(&o.FiscalStartMonth, "fiscal-start-month", 0, `month (2-12) in which fiscal years such as "2022-23" start, when no title row says so ("Fiscal years (July-June)"): 7 for Pakistan, 4 for India`)
	fs.IntVar(&o.Year, "year", 0, `calendar year of files that state none: a long table without a period column, a wide table whose columns are months ("Jan", "Feb", …)`)
	fs.BoolVar(&o.SkipBadRows, "skip-bad-rows", false, "import the good rows and list every bad one (default: any bad row refuses the file and nothing is written)")
	o.Map = map[string]string{}
	fs.Func("map", "ROLE=COLUMN: read a long table's ROLE ("+strings.Join(importers.MapRoles, ", ")+") from the column with this header or letter, instead of detecting it; repeatable: --map partner=Country --map value=E", func(v string) error {
		role, col, ok := strings.Cut(v, "=")
		role, col = strings.ToLower(strings.TrimSpace(role)), strings.TrimSpace(col)
		switch {
		case !ok || col == "":
			return fmt.Errorf("want ROLE=COLUMN, such as partner=Country or value=E, not %q", v)
		case !slices.Contains(importers.MapRoles, role):
			return fmt.Errorf("unknown role %q: the roles are %s", role, strings.Join(importers.MapRoles, ", "))
		case o.Map[role] != "":
			return fmt.Errorf("the role %s is mapped twice (%s and %s)", role, o.Map[role], col)
		}
		o.Map[role] = col
		return nil
	})
	countryCodes := fs.String("country-codes", "", "CEPII BACI's country_codes_V*.csv, to read the numeric country codes of BACI files")
	dryRun := fs.Bool("dry-run", false, "read and check every row, and report the layout, header, unit, periods, pairs and first rows, without writing anything")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: tradedash import [flags] FILE...\n\nImports CSV files and .xlsx/.xlsm workbooks (UN Comtrade legacy and Plus, CEPII BACI, tradedash and other long tables, wide tables with years as columns) into the database.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("import: no files given")
	}
	// A soft limit on the Go heap: a big file's import otherwise lets it
	// grow to twice what is live between collections, which took a
	// 1,000,000-row import's peak RSS well over 200 MB (docs/benchmarks.md).
	// GOMEMLIMIT, when set, is the user's choice and wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(importMemoryLimit)
	}
	var (
		store *data.Store
		ref   *data.Reference
		err   error
	)
	if *dryRun {
		ref, err = data.LoadReference()
	} else {
		store, err = openStore(ctx, *db)
		if store != nil {
			defer store.Close()
			ref = store.Reference()
		}
	}
	if err != nil {
		return err
	}
	if *countryCodes != "" {
		if o.CountryCodes, err = readCountryCodes(ref, *countryCodes); err != nil {
			return err
		}
	}

	out := []importResult{}
	var errs []error
	for _, path := range fs.Args() {
		res, err := importOne(ctx, store, ref, path, o, *dryRun, *db, stderr)
		if err != nil {
			errs = append(errs, err)
			res.Error = err.Error()
		}
		if err == nil || *dryRun && res.Layout != "" {
			out = append(out, res)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else if err := printImports(stdout, out, *dryRun); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// importResult is what the command says about one file, as text or JSON.
type importResult struct {
	File      string   `json:"file"`
	DryRun    bool     `json:"dry_run,omitempty"`
	ID        int64    `json:"id,omitempty"`
	Name      string   `json:"name,omitempty"`
	Format    string   `json:"format"`
	Rows      int64    `json:"rows"`
	Skipped   int      `json:"skipped"`  // left out: no_value plus bad_row_count
	NoValue   int      `json:"no_value"` // rows or cells that state no value ("", "-", "..")
	SHA256    string   `json:"sha256,omitempty"`
	Layout    string   `json:"layout"`
	Reason    string   `json:"reason"`
	Sheet     string   `json:"sheet,omitempty"`
	Encoding  string   `json:"encoding,omitempty"`
	HeaderRow int      `json:"header_row"`
	Columns   []column `json:"columns"`
	Unit      string   `json:"unit"`
	UnitFrom  string   `json:"unit_from"`
	Details   []string `json:"details"`
	Periods   []string `json:"periods"`
	Pairs     []string `json:"pairs"`
	PairCount int      `json:"pair_count"`
	Sample    []sample `json:"sample"`
	BadRows   []badRow `json:"bad_rows"`
	BadCount  int      `json:"bad_row_count"`
	Warnings  []string `json:"warnings"`
	Error     string   `json:"error,omitempty"`
	// ImportedAs names the dataset a dry run's file was already imported
	// as: importing it again would be refused.
	ImportedAs string `json:"imported_as,omitempty"`
}

// sample is one parsed observation, as the dry run shows it.
type sample struct {
	Reporter  string  `json:"reporter"`
	Partner   string  `json:"partner"`
	Period    string  `json:"period"`
	Flow      string  `json:"flow"`
	Product   string  `json:"product"`
	ValueUSD  float64 `json:"value_usd"`
	SourceRef string  `json:"source_ref"`
}

// column is the column a long table's role was read from.
type column struct {
	Role   string `json:"role"`
	Column string `json:"column"` // its letter
	Header string `json:"header"`
	Given  bool   `json:"given"` // named with --map, not detected
}

// badRow is one row left out with --skip-bad-rows.
type badRow struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// importOne imports (or with dryRun, checks) one file; errors start with
// its path as given. An imported file's original is kept beside the
// database (originalsDir), named by its sha256, as the server keeps
// uploads, so that the dataset can be traced to its bytes and imported
// again. A dry run says whether the database, if there is one, already
// holds the file, reading it without writing.
func importOne(ctx context.Context, store *data.Store, ref *data.Reference, path string, o importers.Options, dryRun bool, dbPath string, stderr io.Writer) (importResult, error) {
	res := importResult{File: path, DryRun: dryRun}
	var (
		rep        *importers.Report
		ownWarning error // the command's own: an original not kept, a repeat not checked
		staged     *stagedOriginal
		originals  = originalsDir(dbPath)
	)
	// An import reads the copy kept as the original, not the path again:
	// the path may be a pipe, read once, or a file that changes.
	read := path
	if !dryRun {
		if _, err := os.Stat(path); err != nil {
			return res, err
		}
		var err error
		if staged, err = stageOriginal(originals, path); err != nil {
			return res, fmt.Errorf("%s: nothing imported: a copy of the original cannot be kept in %s: %w", path, originals, err)
		}
		defer staged.discard()
		read = staged.tmp
	}
	f, err := os.Open(read)
	if err != nil {
		return res, err
	}
	defer f.Close()
	if isTerminal(stderr) {
		p := newProgress(stderr, path, time.Now)
		o.Progress = p.update
		defer p.done()
	}
	if dryRun {
		rep, err = importers.Check(ctx, ref, path, f, o)
		if rep != nil && rep.SHA256 != "" {
			d, found, ierr := data.ImportedAs(ctx, dbPath, rep.SHA256)
			switch {
			case ierr != nil:
				ownWarning = fmt.Errorf("whether %s already holds this file is not known: %w", dbPath, ierr)
			case found:
				res.ImportedAs = fmt.Sprintf("dataset %d %q on %s", d.ID, d.Name, d.ImportedAt.UTC().Format("2006-01-02 15:04"))
			}
		}
	} else {
		var d data.Dataset
		d, rep, err = importers.ImportReport(data.WithImporter(ctx, cliImporter()), store, path, f, o)
		if err == nil {
			res.ID, res.Name, res.SHA256 = d.ID, d.Name, d.SHA256
			if kerr := staged.keep(d.SHA256); kerr != nil {
				ownWarning = fmt.Errorf("dataset %d is stored, but its original is not kept in %s: %w", d.ID, originals, kerr)
			}
		}
	}
	if rep != nil {
		res.fill(rep)
	}
	if ownWarning != nil {
		res.Warnings = append(res.Warnings, ownWarning.Error())
	}
	return res, err
}

// fill copies what the importers found into the result.
func (r *importResult) fill(rep *importers.Report) {
	r.Format, r.Layout, r.Reason, r.Sheet, r.Encoding = rep.Layout, rep.Layout, rep.Reason, rep.Sheet, rep.Encoding
	r.HeaderRow, r.Unit, r.UnitFrom, r.Details = rep.HeaderRow, rep.Unit, rep.UnitFrom, rep.Details
	r.Rows, r.NoValue, r.Pairs, r.PairCount, r.Warnings, r.BadCount = rep.Rows, rep.NoValue, rep.Pairs, rep.NumPairs, rep.Warnings, rep.BadRowCount
	r.Skipped = r.NoValue + r.BadCount
	for _, p := range rep.Periods {
		r.Periods = append(r.Periods, p.Label())
	}
	for _, o := range rep.Sample {
		product := o.Product.Code
		if o.Product.Classification != data.Total {
			product = string(o.Product.Classification) + " " + o.Product.Code
		}
		r.Sample = append(r.Sample, sample{o.Reporter, o.Partner, o.Period.Label(), string(o.Flow), product, o.ValueUSD, o.SourceRef})
	}
	for _, c := range rep.Columns {
		r.Columns = append(r.Columns, column{c.Role, c.Column, c.Header, c.Given})
	}
	for _, e := range rep.BadRows {
		r.BadRows = append(r.BadRows, badRow{e.Sheet, e.Row, e.Column, e.Value, e.Msg})
	}
}

// printImports writes the results as text: a table of the datasets, then
// for each file how it was read (in full for a dry run), its warnings and
// every bad row skipped.
func printImports(w io.Writer, out []importResult, dryRun bool) error {
	if len(out) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if !dryRun {
		fmt.Fprintln(tw, "ID\tNAME\tROWS\tPERIODS\tPAIRS\tSKIPPED\tFORMAT\tFILE")
		for _, r := range out {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", r.ID, r.Name, r.Rows, len(r.Periods), r.PairCount, r.Skipped, r.Format, r.File)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, r := range out {
		if dryRun {
			fmt.Fprintf(w, "\n%s: dry run, nothing written\n", r.File)
			if r.ImportedAs != "" {
				fmt.Fprintf(w, "  already imported as %s: importing it again would be refused and change nothing\n", r.ImportedAs)
			}
			fmt.Fprintf(w, "  layout:   %s (%s)\n", r.Layout, r.Reason)
			if r.Sheet != "" {
				fmt.Fprintf(w, "  sheet:    %s\n", r.Sheet)
			}
			if r.Encoding != "" {
				fmt.Fprintf(w, "  encoding: %s\n", r.Encoding)
			}
			if r.HeaderRow > 0 {
				fmt.Fprintf(w, "  header:   row %d\n", r.HeaderRow)
			}
			if r.Unit != "" {
				fmt.Fprintf(w, "  unit:     %s (%s)\n", r.Unit, r.UnitFrom)
			}
			for _, c := range r.Columns {
				how := "detected"
				if c.Given {
					how = "given with --map"
				}
				fmt.Fprintf(w, "  %-10s%s %q (%s)\n", c.Role+":", c.Column, c.Header, how)
			}
			for _, d := range r.Details {
				fmt.Fprintf(w, "  found:    %s\n", d)
			}
			fmt.Fprintf(w, "  rows:     %d observations\n", r.Rows)
			fmt.Fprintf(w, "  periods:  %s\n", listed(r.Periods, len(r.Periods)))
			fmt.Fprintf(w, "  pairs:    %s\n", listed(r.Pairs, r.PairCount))
			if len(r.Sample) > 0 {
				fmt.Fprintf(w, "  first %d rows:\n", len(r.Sample))
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "    REPORTER\tPARTNER\tPERIOD\tFLOW\tPRODUCT\tVALUE (US$)\tSOURCE")
				for _, s := range r.Sample {
					fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Reporter, s.Partner, s.Period, s.Flow, s.Product,
						strconv.FormatFloat(s.ValueUSD, 'f', -1, 64), s.SourceRef)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
			}
		} else if len(r.Warnings)+len(r.BadRows) > 0 {
			fmt.Fprintf(w, "\n%s (dataset %d):\n", r.File, r.ID)
		}
		for _, m := range r.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", m)
		}
		if len(r.BadRows) > 0 {
			fmt.Fprintf(w, "  bad rows left out (%d):\n", r.BadCount)
			for _, b := range r.BadRows {
				fmt.Fprintf(w, "    %s\n", b)
			}
			if r.BadCount > len(r.BadRows) {
				fmt.Fprintf(w, "    …and %d more\n", r.BadCount-len(r.BadRows))
			}
		}
		if r.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", r.Error)
		}
	}
	return nil
}

// String places a bad row as an importers.Error does, file aside.
func (b badRow) String() string {
	var place []string
	if b.Sheet != "" {
		place = append(place, fmt.Sprintf("sheet %q", b.Sheet))
	}
	place = append(place, "row "+strconv.Itoa(b.Row))
	if b.Column != "" {
		place = append(place, fmt.Sprintf("column %q", b.Column))
	}
	if b.Value != "" {
		place = append(place, fmt.Sprintf("value %q", b.Value))
	}
	return strings.Join(place, ", ") + ": " + b.Message
}

// listed writes up to 12 items and how many there are.
func listed(items []string, n int) string {
	if n == 0 {
		return "none"
	}
	shown := items[:min(len(items), 12)]
	s := strings.Join(shown, ", ")
	if n > len(shown) {
		s += fmt.Sprintf(", … (%d in all)", n)
	} else if n > 1 {
		s += fmt.Sprintf(" (%d)", n)
	}
	return s
}

// readCountryCodes reads BACI's country-codes file for --country-codes.
func readCountryCodes(ref *data.Reference, path string) (*importers.BACICountryCodes, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--country-codes: %w", err)
	}
	defer f.Close()
	c, err := importers.ReadBACICountryCodes(ref, path, f)
	if err != nil {
		return nil, fmt.Errorf("--country-codes: %w", err)
	}
	return c, nil
}

// isTerminal reports whether w is a terminal, where a progress line can
// be redrawn; a pipe or a file gets none.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress redraws one line with the rows read so far. It stays silent
// for the first progressDelay, so that small files print nothing, and
// redraws at most every progressRedraw.
type progress struct {
	w     io.Writer
	name  string
	now   func() time.Time
	start time.Time
	last  time.Time
	shown bool
}

const (
	progressDelay  = 500 * time.Millisecond
	progressRedraw = 200 * time.Millisecond
)

func newProgress(w io.Writer, name string, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, name: name, now: now, start: t}
}

func (p *progress) update(rows int64) {
	t := p.now()
	if t.Sub(p.start) < progressDelay || p.shown && t.Sub(p.last) < progressRedraw {
		return
	}
	p.last, p.shown = t, true
	rate := float64(rows) / t.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\r\033[K%s: %s rows read (%s rows/s)", p.name, thousands(rows), thousands(int64(rate)))
}

// done clears the progress line, if one was drawn.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// thousands writes n with thousands separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// cliImporter is how a dataset records an import by this command: "cli:"
// and the user running it, as the shell's USER names them.
func cliImporter() string {
	who := os.Getenv("USER")
	if u, err := user.Current(); who == "" && err == nil {
		who = u.Username
	}
	return "cli:" + who
}
