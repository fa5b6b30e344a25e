package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"tradedash/data"
	"tradedash/importers"
)

// Uploads. A file is streamed from the request body to a temporary file
// beside the originals (never a path taken from the request), hashed on
// the way and cut off at the size limit. The importers sniff its content;
// the file name and Content-Type are never trusted. An import that
// succeeds keeps the file as the dataset's original, named by its sha256.
const (
	defaultMaxUpload = 100 << 20
	uploadTimeout    = 5 * time.Minute  // reading, parsing and storing one upload
	previewTTL       = 30 * time.Minute // how long a previewed upload waits for its commit
	previewRows      = 20               // observations a preview shows
	previewWarnings  = 10               // skipped rows a preview lists one by one
	maxFieldBytes    = 64 << 10         // one form field of an upload
	previewDir       = ".previews"
	tempPrefix       = ".upload-"
)

// uploads owns the files directory: originals, uploads being received and
// the files of pending previews.
type uploads struct {
	max int64
	dir string

	mu       sync.Mutex
	previews map[string]*pendingPreview
}

// pendingPreview is an upload parsed for a preview, kept until it is
// committed or expires, so that the browser need not send it twice.
type pendingPreview struct {
	id         string
	up         upload            // its file is under previewDir
	fields     map[string]string // the form's fields it was parsed with
	result     previewResult
	expires    time.Time
	committing bool
}

func newUploads(cfg Config) (*uploads, error) {
	u := &uploads{max: cfg.MaxUploadBytes, dir: cfg.FilesDir, previews: map[string]*pendingPreview{}}
	switch {
	case u.max < 0:
		return nil, fmt.Errorf("server: the upload limit must not be negative, not %d bytes", u.max)
	case u.max == 0:
		u.max = defaultMaxUpload
	}
	if u.dir == "" {
		return u, nil
	}
	if err := os.MkdirAll(filepath.Join(u.dir, previewDir), 0o700); err != nil {
		return nil, fmt.Errorf("server: files directory: %w", err)
	}
	// Previews live in memory, so their files from an earlier run are
	// orphans; so are uploads that a crash cut short.
	u.removeStale(filepath.Join(u.dir, previewDir), "", previewTTL)
	u.removeStale(u.dir, tempPrefix, uploadTimeout)
	return u, nil
}

// removeStale deletes the files in dir whose names start with prefix and
// that were last written more than age ago.
func (u *uploads) removeStale(dir, prefix string, age time.Duration) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && e.Type().IsRegular() && strings.HasPrefix(e.Name(), prefix) && time.Since(info.ModTime()) > age {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// originalPath is where the original of the file with this sha256 is kept.
func (u *uploads) originalPath(sum string) (string, bool) {
	if u.dir == "" || len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return "", false
	}
	return filepath.Join(u.dir, sum), true
}

// hasOriginal says whether the original of the file with this sha256 is kept.
func (u *uploads) hasOriginal(sum string) bool {
	p, ok := u.originalPath(sum)
	if !ok {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// upload is a received file.
type upload struct {
	path   string // the temporary file holding it; "" once moved on
	name   string // the file name the client gave: for messages and the dataset, never a path
	sha256 string
	size   int64
}

// discard deletes the upload's file unless it has been moved on.
func (up *upload) discard() {
	if up != nil && up.path != "" {
		os.Remove(up.path)
		up.path = ""
	}
}

// uploadContext bounds one upload: the context for parsing and storing it,
// and the connection's deadlines, which for other requests are a minute.
func uploadContext(c echo.Context) (context.Context, context.CancelFunc) {
	rc := http.NewResponseController(c.Response())
	_ = rc.SetReadDeadline(time.Now().Add(uploadTimeout)) // unsupported by test recorders only
	_ = rc.SetWriteDeadline(time.Now().Add(uploadTimeout + 30*time.Second))
	return context.WithTimeout(c.Request().Context(), uploadTimeout)
}

// tooLarge refuses an upload over the limit, naming its file when known.
func (u *uploads) tooLarge(name string) error {
	limit := fmt.Sprintf("%d MB", u.max>>20)
	if u.max < 1<<20 {
		limit = fmt.Sprintf("%d bytes", u.max)
	}
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
		"The file "+quoteName(name)+"is larger than this server accepts ("+limit+", set with --max-upload-mb).")
}

// quoteName is a client's file name, cleaned and quoted, and a space; or
// nothing when the name is unknown.
func quoteName(name string) string {
	if name = cleanFileName(name); name == "" {
		return ""
	}
	return strconv.Quote(name) + " "
}

// receiveUpload reads a multipart body part by part: its form fields and,
// in the field "file", at most one file, spooled to a temporary file.
// For a browser session the CSRF token must come in a field before the
// file, so that a forged request is refused before its file is read.
// The upload is nil when the form came without a file.
func (s *Server) receiveUpload(c echo.Context, a *admin) (map[string]string, *upload, error) {
	u := s.uploads
	if u.dir == "" {
		return nil, nil, echo.NewHTTPError(http.StatusServiceUnavailable, "Uploads are off: the server has no directory for uploaded files.")
	}
	req := c.Request()
	// A body declared too large is refused at its file's part, whose name
	// the answer then gives, before a byte of the file is read.
	declaredTooLarge := req.ContentLength > u.max+maxFormBytes
	req.Body = http.MaxBytesReader(c.Response(), req.Body, u.max+maxFormBytes)
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: send the upload as multipart/form-data, with the file in a field named \"file\"", data.ErrInvalid)
	}
	fields := map[string]string{}
	var up *upload
	fileName := "" // the client's name for the file, once its part has come
	fail := func(err error) (map[string]string, *upload, error) { up.discard(); return nil, nil, err }
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(u.bodyError(err, fileName))
		}
		switch name := part.FormName(); {
		case name == "file":
			if up != nil {
				return fail(fmt.Errorf("%w: send one file per upload", data.ErrInvalid))
			}
			if !a.csrfOK {
				return fail(errCSRF)
			}
			if fileName = part.FileName(); declaredTooLarge {
				return fail(u.tooLarge(fileName))
			}
			if up, err = u.spool(part); err != nil {
				return fail(err)
			}
		case part.FileName() != "":
			return fail(fmt.Errorf("%w: unexpected file in the field %q: send the file in the field \"file\"", data.ErrInvalid, name))
		default:
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return fail(u.bodyError(err, fileName))
			}
			if len(b) > maxFieldBytes {
				return fail(fmt.Errorf("%w: the field %q is longer than %d bytes", data.ErrInvalid, name, maxFieldBytes))
			}
			fields[name] = string(b)
			if name == csrfField && !a.csrfOK {
				if !sameSecret(fields[name], a.session.CSRF) {
					return fail(errCSRF)
				}
				a.csrfOK = true
			}
		}
		part.Close()
	}
	if !a.csrfOK {
		return fail(errCSRF)
	}
	return fields, up, nil
}

// bodyError says why reading the body failed: too large, or cut short;
// name is the file's name, when its part has come.
func (u *uploads) bodyError(err error, name string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return u.tooLarge(name)
	}
	return fmt.Errorf("%w: the upload %scould not be read to its end (%v)", data.ErrInvalid, quoteName(name), err)
}

// spool writes one file part to a temporary file, hashing it. A part with
// no file name and no bytes is a form sent without a file: nil.
func (u *uploads) spool(part io.Reader) (*upload, error) {
	name := ""
	if p, ok := part.(interface{ FileName() string }); ok {
		name = cleanFileName(p.FileName())
	}
	f, err := os.CreateTemp(u.dir, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("store the upload: %w", err)
	}
	up := &upload{path: f.Name(), name: name}
	h := sha256.New()
	up.size, err = io.Copy(io.MultiWriter(f, h), io.LimitReader(part, u.max+1))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		up.discard()
		return nil, u.bodyError(err, name)
	case up.size > u.max:
		up.discard()
		return nil, u.tooLarge(name)
	case up.size == 0 && name == "":
		up.discard()
		return nil, nil
	}
	if up.name == "" {
		up.name = "upload"
	}
	up.sha256 = hex.EncodeToString(h.Sum(nil))
	return up, nil
}

// cleanFileName keeps the last element of a client's file name, without
// control characters: it is shown and stored, never used as a path.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "." || name == ".." {
		return ""
	}
	if len(name) > 255 {
		name = name[:255]
	}
	return strings.TrimSpace(name)
}

// importOptions reads the import's options from the form's fields.
func (s *Server) importOptions(f map[string]string) (importers.Options, error) {
	o := importers.Options{Name: strings.TrimSpace(f["name"]), Source: strings.TrimSpace(f["source"]),
		Reporter: strings.TrimSpace(f["reporter"]), Partner: strings.TrimSpace(f["partner"]), Sheet: strings.TrimSpace(f["sheet"])}
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
// as the dataset's original. A file already imported comes back with the
// dataset that holds it and an error wrapping data.ErrDuplicate.
func (s *Server) importUpload(ctx context.Context, up *upload, o importers.Options) (data.Dataset, error) {
	f, err := os.Open(up.path)
	if err != nil {
		return data.Dataset{}, err
	}
	d, err := importers.Import(ctx, s.store, up.name, f, o)
	f.Close()
	s.metrics.ObserveImport(d.RowCount, err)
	if err != nil {
		return d, err
	}
	if dest, ok := s.uploads.originalPath(d.SHA256); ok {
		if err := os.Rename(up.path, dest); err != nil {
			s.log.Error("the dataset is stored, but not its original file", "dataset", d.ID, "err", err)
		} else {
			up.path = ""
		}
	}
	s.log.Info("dataset imported", "dataset", d.ID, "format", d.Format, "rows", d.RowCount, "sha256", d.SHA256)
	return d, nil
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

// --- previews ---------------------------------------------------------------

// previewResult is what parsing a file found, before anything is stored.
type previewResult struct {
	File, SHA256        string
	Size                int64
	Layout, LayoutAbout string
	Rows                int64
	Skipped, Reporters  int
	FirstMonth          data.Month
	LastMonth           data.Month
	Periods             []data.Period
	Pairs               []data.Pair
	Observations        []data.Observation
	Warnings            []string
	Errors              []importErrorJSON
	Duplicate           *data.Dataset
}

// layoutAbout says, for each layout the importers know, what made the file
// look like it.
var layoutAbout = map[string]string{
	"tradedash-long":  "The header has every column of tradedash's own long format (reporter, partner, period, flow, product classification, code and name, value_usd, bound, quantity, unit, source_ref, source_quote).",
	"comtrade-legacy": "The header has the columns of UN Comtrade's legacy CSV (Classification, Aggregate Level, Is Leaf Code, Trade Flow Code, Reporter ISO, Partner ISO, Commodity Code, Trade Value (US$)).",
	"long":            "A long table, one figure per row: its reporter, partner, period, flow and value columns were found by their header names.",
}

// preview parses an upload as an import would, into a throwaway SQLite
// database in os.TempDir, and reads back what it holds. It is the real
// import path, so the preview cannot promise what the import then refuses;
// a parse-only API in importers would be cheaper (no database, no reference
// lists to load), and would let the preview say why a layout was chosen.
// Problems with the file's content are the preview's findings, not errors.
func (s *Server) preview(ctx context.Context, up *upload, o importers.Options) (previewResult, error) {
	r := previewResult{File: up.name, SHA256: up.sha256, Size: up.size}
	if d, err := s.datasetWithSHA(ctx, up.sha256); err != nil {
		return r, err
	} else if d != nil {
		r.Duplicate = d
		r.Warnings = append(r.Warnings, fmt.Sprintf("This file was already imported as dataset %d, %q: committing it again is refused.", d.ID, d.Name))
	}
	dir, err := os.MkdirTemp("", "tradedash-preview-*")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	tmp, err := data.Open(ctx, filepath.Join(dir, "preview.db"), s.ref)
	if err != nil {
		return r, fmt.Errorf("preview database: %w", err)
	}
	defer tmp.Close()
	o.Skipped = func(e *importers.Error) {
		if r.Skipped++; r.Skipped <= previewWarnings {
			r.Warnings = append(r.Warnings, "Left out, as it states no value: "+e.Error())
		}
	}
	f, err := os.Open(up.path)
	if err != nil {
		return r, err
	}
	defer f.Close()
	d, err := importers.Import(ctx, tmp, up.name, f, o)
	if err != nil {
		if r.Errors = importErrors(up.name, err); r.Errors != nil {
			return r, nil
		}
		return r, err
	}
	if r.Skipped > previewWarnings {
		r.Warnings = append(r.Warnings, fmt.Sprintf("…and %d more rows left out for stating no value.", r.Skipped-previewWarnings))
	}
	return r, r.fill(ctx, tmp, d)
}

// fill reads back what the preview database holds of dataset d.
func (r *previewResult) fill(ctx context.Context, tmp *data.Store, d data.Dataset) error {
	r.Layout, r.Rows = d.Format, d.RowCount
	r.LayoutAbout = layoutAbout[d.Format]
	if r.LayoutAbout == "" {
		r.LayoutAbout = fmt.Sprintf("The importers recognised the layout %q.", d.Format)
	}
	var err error
	if r.Observations, err = tmp.DatasetObservations(ctx, d.ID, previewRows); err != nil {
		return err
	}
	if r.Periods, err = tmp.DatasetPeriods(ctx, d.ID); err != nil {
		return err
	}
	if r.Pairs, err = tmp.Pairs(ctx, d.ID, 0); err != nil {
		return err
	}
	sums, err := tmp.Datasets(ctx)
	for _, sum := range sums {
		r.Reporters, r.FirstMonth, r.LastMonth = sum.Reporters, sum.FirstMonth, sum.LastMonth
	}
	return err
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

// keep holds a previewed upload for its commit and returns the preview's
// id. The file moves under previewDir, named by the random id.
func (u *uploads) keep(up *upload, fields map[string]string, r previewResult) (string, error) {
	id, err := data.NewSecret()
	if err != nil {
		return "", err
	}
	dest := filepath.Join(u.dir, previewDir, id)
	if err := os.Rename(up.path, dest); err != nil {
		return "", err
	}
	p := &pendingPreview{id: id, up: *up, fields: fields, result: r, expires: time.Now().Add(previewTTL)}
	p.up.path, up.path = dest, ""
	u.mu.Lock()
	defer u.mu.Unlock()
	u.sweepLocked()
	u.previews[id] = p
	return id, nil
}

// pending returns a copy of an unexpired preview, or false.
func (u *uploads) pending(id string) (pendingPreview, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.sweepLocked()
	p, ok := u.previews[id]
	if !ok {
		return pendingPreview{}, false
	}
	return *p, true
}

// update replaces a preview's options and findings after it is parsed again.
func (u *uploads) update(id string, fields map[string]string, r previewResult) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if p, ok := u.previews[id]; ok {
		p.fields, p.result, p.expires = fields, r, time.Now().Add(previewTTL)
	}
}

// claim marks a preview as being committed, so that a second click on
// Commit waits for no second import; release ends the claim, forgetting
// the preview when its commit is done.
func (u *uploads) claim(id string) (pendingPreview, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.sweepLocked()
	p, ok := u.previews[id]
	switch {
	case !ok:
		return pendingPreview{}, errPreviewGone
	case p.committing:
		return pendingPreview{}, echo.NewHTTPError(http.StatusConflict, "This preview is being committed already.")
	}
	p.committing = true
	return *p, nil
}

func (u *uploads) release(id string, done bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	p, ok := u.previews[id]
	if !ok {
		return
	}
	p.committing = false
	if done {
		p.up.discard()
		delete(u.previews, id)
	}
}

// sweepLocked forgets expired previews and deletes their files.
func (u *uploads) sweepLocked() {
	now := time.Now()
	for id, p := range u.previews {
		if now.After(p.expires) && !p.committing {
			p.up.discard()
			delete(u.previews, id)
		}
	}
}

var errPreviewGone = echo.NewHTTPError(http.StatusGone,
	"That preview has expired (previews are kept for 30 minutes) or was committed already: upload the file again.")

// --- JSON API ---------------------------------------------------------------

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
		OriginalName: d.OriginalName, SHA256: d.SHA256, Format: d.Format, ImportedAt: d.ImportedAt.UTC(), Rows: d.RowCount,
		Reporters: d.Reporters, Pairs: d.Pairs, URL: fmt.Sprintf("/api/v1/datasets/%d", d.ID)}
	if d.FirstMonth != 0 {
		j.FirstMonth, j.LastMonth = yearMonth(d.FirstMonth), yearMonth(d.LastMonth)
	}
	if s.uploads.hasOriginal(d.SHA256) {
		j.OriginalURL = j.URL + "/original"
	}
	return j
}

func yearMonth(m data.Month) string { return fmt.Sprintf("%04d-%02d", m.Year(), m.Number()) }

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
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	d, err := s.summary(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.newDatasetJSON(d))
}

// handleCreateDataset imports an uploaded file (201), or with dry_run=1
// parses it and reports what it found without storing anything (200).
func (s *Server) handleCreateDataset(c echo.Context) error {
	ctx, cancel := uploadContext(c)
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
	d, err := s.importUpload(ctx, up, o)
	if err != nil {
		return s.importFailed(ctx, c, up.name, d, err)
	}
	sum, err := s.summary(ctx, d.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/datasets/%d", d.ID))
	return c.JSON(http.StatusCreated, s.newDatasetJSON(sum))
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
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var body struct {
		Name        *string `json:"name"`
		Source      *string `json:"source"`
		Description *string `json:"description"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxFormBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return fmt.Errorf("%w: send a JSON object with any of name, source and description (%v)", data.ErrInvalid, err)
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	if _, err := s.store.UpdateDataset(ctx, id, data.DatasetChanges(body)); err != nil {
		return err
	}
	sum, err := s.summary(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.newDatasetJSON(sum))
}

// handleDeleteDataset deletes a dataset and answers with what was deleted.
func (s *Server) handleDeleteDataset(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sum, err := s.summary(ctx, id)
	if err != nil {
		return err
	}
	deleted := s.newDatasetJSON(sum)
	if _, err := s.deleteDataset(ctx, id); err != nil {
		return err
	}
	deleted.URL, deleted.OriginalURL = "", ""
	return c.JSON(http.StatusOK, map[string]any{"deleted": deleted})
}

// handleOriginal serves the file a dataset was imported from, as it was
// uploaded, always as a download: it is never shown as a page.
func (s *Server) handleOriginal(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
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
}

// previewJSON is a dry run's answer.
type previewJSON struct {
	DryRun       bool              `json:"dry_run"`
	File         string            `json:"file"`
	Size         int64             `json:"size"`
	SHA256       string            `json:"sha256"`
	Layout       string            `json:"layout,omitempty"`
	LayoutAbout  string            `json:"layout_about,omitempty"`
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
		Rows: r.Rows, Skipped: r.Skipped, Reporters: r.Reporters, Periods: []periodJSON{}, Pairs: []pairJSON{},
		Observations: []observationJSON{}, Warnings: append([]string{}, r.Warnings...), Errors: append([]importErrorJSON{}, r.Errors...)}
	if r.FirstMonth != 0 {
		j.FirstMonth, j.LastMonth = yearMonth(r.FirstMonth), yearMonth(r.LastMonth)
	}
	if r.Duplicate != nil {
		j.DuplicateOf = &r.Duplicate.ID
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

// --- pages ------------------------------------------------------------------

// csrf is the token an admin's forms carry: the session's, or none for a
// bearer token, which needs none.
func (a *admin) csrf() string {
	if a == nil || a.session == nil {
		return ""
	}
	return a.session.CSRF
}

type datasetsView struct {
	Admin    bool
	CSRF     string
	Notice   string
	Imported *datasetRow // the dataset just committed, with links to its views
	Confirm  *datasetRow // the dataset whose deletion is to be confirmed
	Datasets []datasetRow
}

type datasetRow struct {
	ID                                                       int64
	Name, Source, Licence, Description, Format, OriginalName string
	ImportedAt, SHA256, ShortSHA, Covers, OriginalURL        string
	Rows                                                     int64
	Reporters, Pairs                                         int
	Links                                                    []pairView
}

func (s *Server) newDatasetRow(d data.DatasetSummary) datasetRow {
	r := datasetRow{ID: d.ID, Name: d.Name, Source: d.Source, Licence: d.Licence, Description: d.Description, Format: d.Format,
		OriginalName: d.OriginalName, ImportedAt: d.ImportedAt.UTC().Format("2006-01-02 15:04 UTC"), SHA256: d.SHA256,
		ShortSHA: d.SHA256[:min(12, len(d.SHA256))], Covers: monthSpan(d.FirstMonth, d.LastMonth), Rows: d.RowCount,
		Reporters: d.Reporters, Pairs: d.Pairs}
	if s.uploads.hasOriginal(d.SHA256) {
		r.OriginalURL = fmt.Sprintf("/api/v1/datasets/%d/original", d.ID)
	}
	return r
}

// withLinks adds links to the bilateral views of a dataset's largest pairs.
func (s *Server) withLinks(ctx context.Context, r *datasetRow) error {
	pairs, err := s.store.Pairs(ctx, r.ID, homePairs)
	for _, p := range pairs {
		r.Links = append(r.Links, pairView{Label: countryName(s.ref, p.Reporter) + " – " + countryName(s.ref, p.Partner),
			URL: bilateralURL("/bilateral", p.Reporter, p.Partner, r.ID), Covers: monthSpan(p.FirstMonth, p.LastMonth), Observations: p.Observations})
	}
	return err
}

// handleDatasetsPage lists every dataset; a signed-in admin also gets the
// forms that change them.
func (s *Server) handleDatasetsPage(c echo.Context) error {
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.store.Datasets(ctx)
	if err != nil {
		return err
	}
	var v datasetsView
	v.Admin, v.CSRF = s.viewer(c)
	for _, d := range sets {
		row := s.newDatasetRow(d)
		v.Datasets = append(v.Datasets, row)
		if strconv.FormatInt(d.ID, 10) == c.QueryParam("imported") {
			v.Imported = &row
		}
	}
	if v.Imported != nil {
		if err := s.withLinks(ctx, v.Imported); err != nil {
			return err
		}
	}
	if id, err := strconv.ParseInt(c.QueryParam("deleted"), 10, 64); err == nil {
		v.Notice = fmt.Sprintf("Dataset %d was deleted, with all of its figures.", id)
	}
	return s.render(c, http.StatusOK, "datasets", v)
}

// handleDeleteConfirm asks the admin to confirm a deletion, saying what
// it removes.
func (s *Server) handleDeleteConfirm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	d, err := s.summary(ctx, id)
	if err != nil {
		return err
	}
	row := s.newDatasetRow(d)
	return s.render(c, http.StatusOK, "datasets", datasetsView{Admin: true, CSRF: adminOf(c).csrf(), Confirm: &row})
}

func (s *Server) handleDeleteForm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	if _, err := s.deleteDataset(ctx, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/datasets?deleted=%d", id))
}

func (s *Server) handleEditForm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	name, source, desc := c.FormValue("name"), c.FormValue("source"), c.FormValue("description")
	ctx, cancel := s.queryContext(c)
	defer cancel()
	if _, err := s.store.UpdateDataset(ctx, id, data.DatasetChanges{Name: &name, Source: &source, Description: &desc}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/datasets#ds-%d", id))
}

type uploadView struct {
	CSRF, MaxSize, Error string
	Fields               map[string]string // the options, as last sent
	Months               []monthOption
	Preview              *previewView
}

type monthOption struct {
	Value    int
	Label    string
	Selected bool
}

type previewView struct {
	ID string
	previewResult
	SizeText, Covers string
	PeriodLabels     []string
	PairLabels       []pairView
	FirstRows        []previewRow
	CanCommit        bool
}

type previewRow struct {
	Reporter, Partner, Period, Flow, Product, Value, SourceRef string
}

func (s *Server) newUploadView(a *admin, fields map[string]string) uploadView {
	v := uploadView{CSRF: a.csrf(), MaxSize: sizeText(s.uploads.max), Fields: fields}
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	v.Months = append(v.Months, monthOption{0, "January (calendar years only)", true})
	for m := 2; m <= 12; m++ {
		sel := v.Fields["fiscal_start_month"] == strconv.Itoa(m)
		v.Months[0].Selected = v.Months[0].Selected && !sel
		v.Months = append(v.Months, monthOption{m, time.Month(m).String(), sel})
	}
	return v
}

func (s *Server) newPreviewView(p pendingPreview) *previewView {
	r := p.result
	v := &previewView{ID: p.id, previewResult: r, SizeText: sizeText(r.Size), Covers: monthSpan(r.FirstMonth, r.LastMonth),
		CanCommit: len(r.Errors) == 0 && r.Duplicate == nil && r.Rows > 0}
	for _, per := range r.Periods {
		v.PeriodLabels = append(v.PeriodLabels, per.Label())
	}
	for _, pr := range r.Pairs {
		v.PairLabels = append(v.PairLabels, pairView{Label: countryName(s.ref, pr.Reporter) + " – " + countryName(s.ref, pr.Partner),
			Covers: monthSpan(pr.FirstMonth, pr.LastMonth), Observations: pr.Observations})
	}
	for _, o := range r.Observations {
		v.FirstRows = append(v.FirstRows, previewRow{Reporter: o.Reporter, Partner: o.Partner, Period: o.Period.Label(), Flow: string(o.Flow),
			Product: o.Product.Key() + " " + o.Product.Name, Value: boundPrefix(o.Bound) + exactUSD(o.ValueUSD), SourceRef: o.SourceRef})
	}
	return v
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// handleUploadPage shows the upload form, or a pending preview.
func (s *Server) handleUploadPage(c echo.Context) error {
	a := adminOf(c)
	v := s.newUploadView(a, nil)
	if id := c.QueryParam("preview"); id != "" {
		p, ok := s.uploads.pending(id)
		if !ok {
			v.Error = errPreviewGone.Message.(string)
			return s.render(c, http.StatusGone, "upload", v)
		}
		v = s.newUploadView(a, p.fields)
		v.Preview = s.newPreviewView(p)
	}
	return s.render(c, http.StatusOK, "upload", v)
}

// handlePreviewForm parses an upload (or, with options changed, a pending
// preview's file again) and sends the browser to the preview.
func (s *Server) handlePreviewForm(c echo.Context) error {
	ctx, cancel := uploadContext(c)
	defer cancel()
	a := adminOf(c)
	fields, up, err := s.receiveUpload(c, a)
	if err != nil {
		return err
	}
	defer up.discard()
	delete(fields, csrfField)
	o, err := s.importOptions(fields)
	if err != nil {
		v := s.newUploadView(a, fields)
		v.Error = err.Error()
		return s.render(c, http.StatusBadRequest, "upload", v)
	}
	if up == nil {
		return s.previewAgain(ctx, c, fields, o)
	}
	r, err := s.preview(ctx, up, o)
	if err != nil {
		return err
	}
	id, err := s.uploads.keep(up, fields, r)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/datasets/new?preview="+id)
}

// previewAgain parses a pending preview's file with new options.
func (s *Server) previewAgain(ctx context.Context, c echo.Context, fields map[string]string, o importers.Options) error {
	if fields["preview"] == "" {
		return fmt.Errorf("%w: choose a file to upload", data.ErrInvalid)
	}
	p, ok := s.uploads.pending(fields["preview"])
	if !ok {
		return errPreviewGone
	}
	r, err := s.preview(ctx, &p.up, o)
	if err != nil {
		return err
	}
	s.uploads.update(p.id, fields, r)
	return c.Redirect(http.StatusSeeOther, "/datasets/new?preview="+p.id)
}

// handleCommitForm imports a pending preview's file and sends the browser
// to the new dataset.
func (s *Server) handleCommitForm(c echo.Context) error {
	ctx, cancel := uploadContext(c)
	defer cancel()
	id := c.FormValue("preview")
	p, err := s.uploads.claim(id)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for k, v := range p.fields {
		fields[k] = v
	}
	fields["name"], fields["source"] = c.FormValue("name"), c.FormValue("source")
	o, err := s.importOptions(fields)
	if err != nil {
		s.uploads.release(id, false)
		return err
	}
	d, err := s.importUpload(ctx, &p.up, o)
	// A file that is refused now will be refused again: forget its preview.
	s.uploads.release(id, err == nil || errors.Is(err, data.ErrDuplicate) || importErrors(p.up.name, err) != nil)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/datasets?imported=%d#ds-%d", d.ID, d.ID))
}
