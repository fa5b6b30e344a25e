package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"

	"tradedash/data"
	"tradedash/importers"
)

// cmdImport imports each file as its own dataset, in its own transaction:
// a bad file changes nothing and the others still go in. The exit status
// is non-zero if any file was not imported, a file already imported
// included (it is reported with the dataset that holds it).
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlagSet("import", stderr)
	var o importers.Options
	fs.StringVar(&o.Name, "name", "", "dataset name (default: the file name without its extension)")
	fs.StringVar(&o.Source, "source", "", "who published the figures, and where")
	fs.StringVar(&o.Reporter, "reporter", "", "reporter for files without a reporter column (ISO3, ISO2, code or name)")
	fs.StringVar(&o.Partner, "partner", "", "partner for files without a partner column")
	fs.StringVar(&o.Flow, "flow", "", "trade flow for files without a flow column, such as wide tables (export, import, re-export, re-import)")
	fs.StringVar(&o.Unit, "unit", "", `unit of a wide table's values when the file does not state it: "US$", "thousand US$", "million US$"`)
	fs.StringVar(&o.Format, "format", "", "force the layout instead of detecting it: "+strings.Join(importers.LayoutNames(), ", "))
	fs.StringVar(&o.Sheet, "sheet", "", "worksheet to read from a workbook (default: the first visible sheet with data)")
	fs.IntVar(&o.FiscalStartMonth, "fiscal-start-month", 0, `month (2-12) in which fiscal years such as "2022-23" start: 7 for Pakistan, 4 for India`)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
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
	store, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()

	type result struct {
		File    string `json:"file"`
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Format  string `json:"format"`
		Rows    int64  `json:"rows"`
		Skipped int    `json:"skipped"`
		SHA256  string `json:"sha256"`
	}
	out := []result{}
	var errs []error
	for _, path := range fs.Args() {
		skipped := 0
		o.Skipped = func(*importers.Error) { skipped++ }
		d, err := importFile(ctx, store, path, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, result{path, d.ID, d.Name, d.Format, d.RowCount, skipped, d.SHA256})
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else if len(out) > 0 {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROWS\tSKIPPED\tFORMAT\tFILE")
		for _, r := range out {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\n", r.ID, r.Name, r.Rows, r.Skipped, r.Format, r.File)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// importFile imports one file; errors start with its path as given.
func importFile(ctx context.Context, store *data.Store, path string, o importers.Options) (data.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return data.Dataset{}, err
	}
	defer f.Close()
	return importers.Import(data.WithImporter(ctx, cliImporter()), store, path, f, o)
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
