package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

func cmdDatasets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlagSet("datasets", stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	sets, err := store.Datasets(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			ID         int64  `json:"id"`
			Name       string `json:"name"`
			Source     string `json:"source"`
			Format     string `json:"format"`
			Rows       int64  `json:"rows"`
			Pairs      int    `json:"pairs"`
			SHA256     string `json:"sha256"`
			ImportedAt string `json:"imported_at"`
			ImportedBy string `json:"imported_by"`
			Default    bool   `json:"default"`
		}
		out := []row{}
		for _, d := range sets {
			out = append(out, row{d.ID, d.Name, d.Source, d.Format, d.RowCount, d.Pairs, d.SHA256, d.ImportedAt.UTC().Format("2006-01-02T15:04:05Z"), d.ImportedBy, d.Default})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	// DEFAULT marks the dataset that views show when a link names none;
	// BY says who imported it ("-" when not recorded, as for the demo data).
	fmt.Fprintln(tw, "ID\tDEFAULT\tNAME\tFORMAT\tROWS\tPAIRS\tIMPORTED\tBY\tSHA256")
	for _, d := range sets {
		def, by := "", d.ImportedBy
		if d.Default {
			def = "*"
		}
		if by == "" {
			by = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", d.ID, def, d.Name, d.Format, d.RowCount, d.Pairs,
			d.ImportedAt.UTC().Format("2006-01-02 15:04"), by, d.SHA256[:min(12, len(d.SHA256))])
	}
	return tw.Flush()
}
