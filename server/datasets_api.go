package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"tradedash/data"
)

// The datasets JSON API under /api/v1/datasets.

// datasetJSON is a dataset as the API shows it.
type datasetJSON struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Source       string    `json:"source"`
	Licence      string    `json:"licence"`
	Description  string    `json:"description"`
	OriginalName string    `json:"original_name"`
	SHA256       string    `json:"sha256"`
	Format       string    `json:"format"`
	ImportedAt   time.Time `json:"imported_at"`
	ImportedBy   string    `json:"imported_by"`
	Default      bool      `json:"default"`
	Rows         int64     `json:"rows"`
	Reporters    int       `json:"reporters"`
	Pairs        int       `json:"pairs"`
	FirstMonth   string    `json:"first_month,omitempty"`
	LastMonth    string    `json:"last_month,omitempty"`
	URL          string    `json:"url"`
	OriginalURL  string    `json:"original_url,omitempty"`
}

func (s *Server) newDatasetJSON(d data.DatasetSummary) datasetJSON {
	j := datasetJSON{ID: d.ID, Name: d.Name, Source: d.Source, Licence: d.Licence, Description: d.Description,
		OriginalName: d.OriginalName, SHA256: d.SHA256, Format: d.Format, ImportedAt: d.ImportedAt.UTC(), ImportedBy: d.ImportedBy, Default: d.Default, Rows: d.RowCount,
		Reporters: d.Reporters, Pairs: d.Pairs, URL: fmt.Sprintf("/api/v1/datasets/%d", d.ID)}
	if d.FirstMonth != 0 {
		j.FirstMonth, j.LastMonth = yearMonth(d.FirstMonth), yearMonth(d.LastMonth)
	}
	if s.uploads.hasOriginal(d.SHA256) {
		j.OriginalURL = j.URL + "/original"
	}
	return j
}

func (s *Server) handleDatasetsAPI(c echo.Context) error {
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.store.Datasets(ctx)
	if err != nil {
		return err
	}
	out := make([]datasetJSON, len(sets))
	for i, d := range sets {
		out[i] = s.newDatasetJSON(d)
	}
	return c.JSON(http.StatusOK, map[string]any{"datasets": out})
}

func (s *Server) handleDatasetAPI(c echo.Context) error {
	return s.withSummary(c, func(_ context.Context, d data.DatasetSummary) error {
		return c.JSON(http.StatusOK, s.newDatasetJSON(d))
	})
}

// handleCreateDataset imports an uploaded file (201), or with dry_run=1
// parses it and reports what it found without storing anything (200).
func (s *Server) handleCreateDataset(c echo.Context) error {
	ctx, cancel := s.uploadContext(c)
	defer cancel()
	fields, up, err := s.receiveUpload(c, adminOf(c))
	if err != nil {
		return err
	}
	defer up.discard()
	if up == nil {
		return fmt.Errorf("%w: no file: send it in the multipart field \"file\"", data.ErrInvalid)
	}
	o, err := s.importOptions(fields)
	if err != nil {
		return err
	}
	if dry, _ := strconv.ParseBool(fields["dry_run"]); dry {
		r, err := s.preview(ctx, up, o)
		if err != nil {
			return err
		}
		return c.JSON(cmpStatus(len(r.Errors) > 0, http.StatusUnprocessableEntity, http.StatusOK), newPreviewJSON(r))
	}
	d, warnings, err := s.importUpload(ctx, up, o)
	if err != nil {
		return s.importFailed(ctx, c, up.name, d, err)
	}
	sum, err := s.summary(ctx, d.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/datasets/%d", d.ID))
	return c.JSON(http.StatusCreated, importedJSON{s.newDatasetJSON(sum), append([]string{}, warnings...)})
}

// importedJSON is the answer to an import: the new dataset and what the
// importers warned about while reading it.
type importedJSON struct {
	datasetJSON
	Warnings []string `json:"warnings"`
}

func cmpStatus(cond bool, yes, no int) int {
	if cond {
		return yes
	}
	return no
}

// importFailed answers a failed API import: 409 with the dataset that
// already holds the file, 422 with the located problems of a bad file.
func (s *Server) importFailed(ctx context.Context, c echo.Context, file string, d data.Dataset, err error) error {
	if errors.Is(err, data.ErrDuplicate) && d.ID != 0 {
		sum, serr := s.summary(ctx, d.ID)
		if serr != nil {
			return errors.Join(err, serr)
		}
		return c.JSON(http.StatusConflict, map[string]any{"error": err.Error(), "dataset": s.newDatasetJSON(sum)})
	}
	if list := importErrors(file, err); list != nil {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": err.Error(), "errors": list})
	}
	return err
}

// handleUpdateDataset changes a dataset's name, source or description,
// from a JSON object holding any of them.
func (s *Server) handleUpdateDataset(c echo.Context) error {
	return s.withDataset(c, func(ctx context.Context, id int64) error {
		var body struct {
			Name        *string `json:"name"`
			Source      *string `json:"source"`
			Description *string `json:"description"`
			Default     *bool   `json:"default"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxFormBytes))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			return fmt.Errorf("%w: send a JSON object with any of name, source, description and default (%v)", data.ErrInvalid, err)
		}
		if _, err := s.store.UpdateDataset(ctx, id, data.DatasetChanges(body)); err != nil {
			return err
		}
		sum, err := s.summary(ctx, id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, s.newDatasetJSON(sum))
	})
}

// handleDeleteDataset deletes a dataset and answers with what was deleted.
func (s *Server) handleDeleteDataset(c echo.Context) error {
	return s.withSummary(c, func(ctx context.Context, sum data.DatasetSummary) error {
		deleted := s.newDatasetJSON(sum)
		if _, err := s.deleteDataset(ctx, sum.ID); err != nil {
			return err
		}
		deleted.URL, deleted.OriginalURL = "", ""
		return c.JSON(http.StatusOK, map[string]any{"deleted": deleted})
	})
}

// handleOriginal serves the file a dataset was imported from, as it was
// uploaded, always as a download: it is never shown as a page.
func (s *Server) handleOriginal(c echo.Context) error {
	return s.withDataset(c, func(ctx context.Context, id int64) error {
		d, err := s.store.Dataset(ctx, id)
		if err != nil {
			return err
		}
		notKept := fmt.Errorf("%w: the original file of dataset %d is not kept: only files uploaded through the server are", data.ErrNotFound, id)
		p, ok := s.uploads.originalPath(d.SHA256)
		if !ok {
			return notKept
		}
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			return notKept
		}
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		name := cleanFileName(d.OriginalName)
		if name == "" {
			name = fmt.Sprintf("dataset-%d", id)
		}
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "application/octet-stream")
		h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		http.ServeContent(c.Response(), c.Request(), name, st.ModTime(), f)
		return nil
	})
}

// previewJSON is a dry run's answer.
type previewJSON struct {
	DryRun       bool              `json:"dry_run"`
	File         string            `json:"file"`
	Size         int64             `json:"size"`
	SHA256       string            `json:"sha256"`
	Layout       string            `json:"layout,omitempty"`
	LayoutAbout  string            `json:"layout_about,omitempty"`
	Reason       string            `json:"layout_reason,omitempty"`
	Sheet        string            `json:"sheet,omitempty"`
	Encoding     string            `json:"encoding,omitempty"`
	HeaderRow    int               `json:"header_row,omitempty"`
	Unit         string            `json:"unit,omitempty"`
	UnitFrom     string            `json:"unit_from,omitempty"`
	Details      []string          `json:"details"`
	Header       []string          `json:"header"`
	Columns      []columnJSON      `json:"columns"`
	Rows         int64             `json:"rows"`
	Skipped      int               `json:"skipped"`
	Reporters    int               `json:"reporters"`
	FirstMonth   string            `json:"first_month,omitempty"`
	LastMonth    string            `json:"last_month,omitempty"`
	Periods      []periodJSON      `json:"periods"`
	Pairs        []pairJSON        `json:"pairs"`
	Observations []observationJSON `json:"observations"`
	Warnings     []string          `json:"warnings"`
	Errors       []importErrorJSON `json:"errors"`
	DuplicateOf  *int64            `json:"duplicate_of"`
	Sheets       []sheetJSON       `json:"sheets"`
}

// columnJSON is the column a long table's role was read from: its
// letter and header, and whether a map_ field gave it.
type columnJSON struct {
	Role   string `json:"role"`
	Column string `json:"column"`
	Header string `json:"header"`
	Given  bool   `json:"given"`
}

type sheetJSON struct {
	Name   string `json:"name"`
	Hidden bool   `json:"hidden"`
}

type periodJSON struct {
	Label string `json:"label"`
	Start string `json:"start"`
	End   string `json:"end"`
}

type pairJSON struct {
	Reporter     string `json:"reporter"`
	Partner      string `json:"partner"`
	Observations int    `json:"observations"`
}

type observationJSON struct {
	Reporter    string   `json:"reporter"`
	Partner     string   `json:"partner"`
	Period      string   `json:"period"`
	Flow        string   `json:"flow"`
	Product     string   `json:"product"`
	ProductName string   `json:"product_name"`
	ValueUSD    float64  `json:"value_usd"`
	Bound       string   `json:"bound"`
	Quantity    *float64 `json:"quantity"`
	QtyUnit     string   `json:"quantity_unit"`
	SourceRef   string   `json:"source_ref"`
}

func newPreviewJSON(r previewResult) previewJSON {
	j := previewJSON{DryRun: true, File: r.File, Size: r.Size, SHA256: r.SHA256, Layout: r.Layout, LayoutAbout: r.LayoutAbout,
		Reason: r.Reason, Sheet: r.Sheet, Encoding: r.Encoding, HeaderRow: r.HeaderRow, Unit: r.Unit, UnitFrom: r.UnitFrom,
		Details: append([]string{}, r.Details...),
		Rows:    r.Rows, Skipped: r.Skipped, Reporters: r.Reporters, Periods: []periodJSON{}, Pairs: []pairJSON{},
		Observations: []observationJSON{}, Warnings: append([]string{}, r.Warnings...), Errors: append([]importErrorJSON{}, r.Errors...)}
	if r.FirstMonth != 0 {
		j.FirstMonth, j.LastMonth = yearMonth(r.FirstMonth), yearMonth(r.LastMonth)
	}
	if r.Duplicate != nil {
		j.DuplicateOf = &r.Duplicate.ID
	}
	j.Header, j.Columns = append([]string{}, r.Header...), []columnJSON{}
	for _, c := range r.Columns {
		j.Columns = append(j.Columns, columnJSON{c.Role, c.Column, c.Header, c.Given})
	}
	j.Sheets = []sheetJSON{}
	for _, sh := range r.Sheets {
		j.Sheets = append(j.Sheets, sheetJSON{sh.Name, sh.Hidden})
	}
	for _, p := range r.Periods {
		j.Periods = append(j.Periods, periodJSON{p.Label(), yearMonth(p.Start), yearMonth(p.End)})
	}
	for _, p := range r.Pairs {
		j.Pairs = append(j.Pairs, pairJSON{p.Reporter, p.Partner, p.Observations})
	}
	for _, o := range r.Observations {
		j.Observations = append(j.Observations, observationJSON{o.Reporter, o.Partner, o.Period.Label(), string(o.Flow),
			o.Product.Key(), o.Product.Name, o.ValueUSD, string(o.Bound), o.Quantity, o.QtyUnit, o.SourceRef})
	}
	return j
}
