package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/data"
	"tradedash/importers"
)

// Dataset operations that the JSON API (datasets_api.go) and the HTML
// pages (datasets_pages.go) share: import options, importing, deleting
// and looking datasets up.

// importOptions reads the import's options from the form's fields. The
// flow and unit are checked by the importers, which say what they expect;
// so is the column mapping (map_reporter, map_value, …: a header's text
// or a column letter), which only the file's header can check.
func (s *Server) importOptions(f map[string]string) (importers.Options, error) {
	o := importers.Options{Name: strings.TrimSpace(f["name"]), Source: strings.TrimSpace(f["source"]),
		Reporter: strings.TrimSpace(f["reporter"]), Partner: strings.TrimSpace(f["partner"]), Sheet: strings.TrimSpace(f["sheet"]),
		Flow: strings.TrimSpace(f["flow"]), Unit: strings.TrimSpace(f["unit"]), Format: strings.TrimSpace(f["format"])}
	for _, role := range importers.MapRoles {
		if v := strings.TrimSpace(f["map_"+role]); v != "" {
			if o.Map == nil {
				o.Map = map[string]string{}
			}
			o.Map[role] = v
		}
	}
	for k := range f {
		if role, ok := strings.CutPrefix(k, "map_"); ok && !slices.Contains(importers.MapRoles, role) {
			return o, fmt.Errorf("%w: %s is not a column mapping: the mapping fields are map_%s", data.ErrInvalid, k, strings.Join(importers.MapRoles, ", map_"))
		}
	}
	if o.Format != "" && !slices.Contains(importers.LayoutNames(), o.Format) {
		return o, fmt.Errorf("%w: format %q is not a layout tradedash reads; leave it empty to detect it, or give one of %s",
			data.ErrInvalid, o.Format, strings.Join(importers.LayoutNames(), ", "))
	}
	if v := strings.TrimSpace(f["fiscal_start_month"]); v != "" && v != "0" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 2 || m > 12 {
			return o, fmt.Errorf("%w: fiscal_start_month must be a month number 2–12 (7 for July), not %q", data.ErrInvalid, v)
		}
		o.FiscalStartMonth = m
	}
	for _, side := range []struct{ what, v string }{{"reporter", o.Reporter}, {"partner", o.Partner}} {
		if side.v == "" {
			continue
		}
		if _, err := s.ref.Country(side.v); err != nil {
			return o, fmt.Errorf("%w: %s %q is not a known country or area", data.ErrInvalid, side.what, side.v)
		}
	}
	var ch data.DatasetChanges
	if o.Name != "" {
		ch.Name = &o.Name
	}
	if o.Source != "" {
		ch.Source = &o.Source
	}
	if ch.Name != nil || ch.Source != nil {
		return o, ch.Validate()
	}
	return o, nil
}

// importUpload imports an upload as a new dataset and then keeps its file
// as the dataset's original, returning the importers' warnings (totals
// that differ from their parts, a unit assumed), which are also logged.
// A file already imported comes back with the dataset that holds it and
// an error wrapping data.ErrDuplicate.
func (s *Server) importUpload(ctx context.Context, up *upload, o importers.Options) (data.Dataset, []string, error) {
	f, err := os.Open(up.path)
	if err != nil {
		return data.Dataset{}, nil, err
	}
	d, rep, err := importers.ImportReport(ctx, s.store, up.name, f, o)
	f.Close()
	s.metrics.ObserveImport(d.RowCount, err)
	if err != nil {
		return d, nil, err
	}
	var warnings []string
	if rep != nil {
		warnings = rep.Warnings
		for _, w := range warnings {
			s.log.Warn("dataset imported with a warning", "dataset", d.ID, "warning", w)
		}
	}
	if dest, ok := s.uploads.originalPath(d.SHA256); ok {
		if err := os.Rename(up.path, dest); err != nil {
			s.log.Error("the dataset is stored, but not its original file", "dataset", d.ID, "err", err)
		} else {
			up.path = ""
		}
	}
	s.log.Info("dataset imported", "dataset", d.ID, "format", d.Format, "rows", d.RowCount, "sha256", d.SHA256)
	return d, warnings, nil
}

// deleteDataset removes a dataset, its observations and its original.
func (s *Server) deleteDataset(ctx context.Context, id int64) (data.Dataset, error) {
	d, err := s.store.DeleteDataset(ctx, id)
	if err != nil {
		return d, err
	}
	if p, ok := s.uploads.originalPath(d.SHA256); ok {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Error("remove the original of a deleted dataset", "dataset", id, "err", err)
		}
	}
	s.log.Info("dataset deleted", "dataset", id, "name", d.Name, "rows", d.RowCount)
	return d, nil
}

// importErrorJSON is one problem with an uploaded file, located.
type importErrorJSON struct {
	File    string `json:"file"`
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// importErrors lists the problems with a file's content that err reports,
// or nil when err is not about the content.
func importErrors(file string, err error) []importErrorJSON {
	var ie *importers.Error
	switch {
	case errors.As(err, &ie):
		return []importErrorJSON{{File: ie.File, Sheet: ie.Sheet, Row: ie.Row, Column: ie.Column, Value: ie.Value, Message: ie.Msg}}
	case errors.Is(err, data.ErrInvalid) && !errors.Is(err, data.ErrDuplicate):
		return []importErrorJSON{{File: file, Message: err.Error()}}
	}
	return nil
}

// summary returns one dataset with its coverage, or an error wrapping data.ErrNotFound.
func (s *Server) summary(ctx context.Context, id int64) (data.DatasetSummary, error) {
	sets, err := s.store.Datasets(ctx)
	if err != nil {
		return data.DatasetSummary{}, err
	}
	for _, d := range sets {
		if d.ID == id {
			return d, nil
		}
	}
	return data.DatasetSummary{}, fmt.Errorf("%w: there is no dataset %d", data.ErrNotFound, id)
}

// datasetWithSHA returns the dataset holding the file with this sha256, or nil.
func (s *Server) datasetWithSHA(ctx context.Context, sum string) (*data.Dataset, error) {
	sets, err := s.store.Datasets(ctx)
	for _, d := range sets {
		if d.SHA256 == sum {
			return &d.Dataset, err
		}
	}
	return nil, err
}

// idParam reads the dataset number from the path.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %q is not a dataset number", data.ErrInvalid, c.Param("id"))
	}
	return id, nil
}

// withDataset is the preamble of every handler of one dataset (/…/:id):
// it reads the dataset number from the path and runs h under the
// request's query deadline.
func (s *Server) withDataset(c echo.Context, h func(ctx context.Context, id int64) error) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	return h(ctx, id)
}

// withSummary is withDataset for handlers that start from the dataset's
// summary; a dataset that does not exist is a 404.
func (s *Server) withSummary(c echo.Context, h func(ctx context.Context, d data.DatasetSummary) error) error {
	return s.withDataset(c, func(ctx context.Context, id int64) error {
		d, err := s.summary(ctx, id)
		if err != nil {
			return err
		}
		return h(ctx, d)
	})
}

func yearMonth(m data.Month) string { return fmt.Sprintf("%04d-%02d", m.Year(), m.Number()) }
