package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
)

// Uploads. A file is streamed from the request body to a temporary file
// beside the originals (never a path taken from the request), hashed on
// the way and cut off at the size limit. The importers sniff its content;
// the file name and Content-Type are never trusted. An import that
// succeeds keeps the file as the dataset's original, named by its sha256.
const (
	defaultMaxUpload = 100 << 20
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
	max     int64
	dir     string
	timeout time.Duration // receiving, parsing and storing one upload

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
	// reparsing counts the parses of its file with new options under
	// way: the file must stay where it is until they end, so a commit
	// (which moves it) and the sweep wait.
	reparsing int
}

func newUploads(cfg Config) (*uploads, error) {
	u := &uploads{max: cfg.MaxUploadBytes, dir: cfg.FilesDir, timeout: cfg.UploadTimeout, previews: map[string]*pendingPreview{}}
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
	u.removeStale(u.dir, tempPrefix, u.timeout)
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

// uploadContext bounds one upload by the upload timeout: the context for
// parsing and storing it, and the connection's read deadline (other
// requests have the request timeout), so that a body still arriving then
// fails with a deadline error (see bodyError); the answer may be written
// for 30 s more. The context names the admin, whom an import records as
// its importer.
func (s *Server) uploadContext(c echo.Context) (context.Context, context.CancelFunc) {
	limit := s.uploads.timeout
	rc := http.NewResponseController(c.Response())
	_ = rc.SetReadDeadline(time.Now().Add(limit)) // unsupported by test recorders only
	_ = rc.SetWriteDeadline(time.Now().Add(limit + 30*time.Second))
	return context.WithTimeout(data.WithImporter(c.Request().Context(), adminOf(c).label()), limit)
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

// bodyError says why reading the body failed: too large, too slow (past
// the upload timeout), or cut short; name is the file's name, when its
// part has come.
func (u *uploads) bodyError(err error, name string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return u.tooLarge(name)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return echo.NewHTTPError(http.StatusRequestTimeout, "The upload "+quoteName(name)+"was still arriving after "+
			u.timeout.String()+", the longest this server gives one upload (set with --upload-timeout); nothing was stored.")
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
	var readErr, writeErr error
	up.size, readErr, writeErr = copyUpload(io.MultiWriter(f, h), io.LimitReader(part, u.max+1))
	if writeErr == nil {
		writeErr = f.Sync()
	}
	if cerr := f.Close(); writeErr == nil {
		writeErr = cerr
	}
	switch {
	case readErr != nil:
		up.discard()
		return nil, u.bodyError(readErr, name)
	case writeErr != nil: // the server's disk, not the client: full, or a size limit
		up.discard()
		return nil, fmt.Errorf("%w: the upload %scould not be stored on the server's disk (%v)", data.ErrStorage, quoteName(name), writeErr)
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

// copyUpload copies src to dst, telling the client's failures (a body cut
// short or too large) from the server's (a full disk).
func copyUpload(dst io.Writer, src io.Reader) (n int64, readErr, writeErr error) {
	r := &readErrs{r: src}
	n, err := io.Copy(dst, r)
	if err != nil && r.err == nil {
		return n, nil, err
	}
	return n, r.err, nil
}

// readErrs remembers its reader's error.
type readErrs struct {
	r   io.Reader
	err error
}

func (e *readErrs) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
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
	case p.reparsing > 0:
		return pendingPreview{}, echo.NewHTTPError(http.StatusConflict,
			"This preview is being parsed again with new options: commit it once the new preview shows.")
	}
	p.committing = true
	return *p, nil
}

// reparse returns a preview to parse its file again with new options,
// refusing one being committed, whose file the commit moves away; the
// caller must call reparsed when done.
func (u *uploads) reparse(id string) (pendingPreview, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.sweepLocked()
	p, ok := u.previews[id]
	switch {
	case !ok:
		return pendingPreview{}, errPreviewGone
	case p.committing:
		return pendingPreview{}, echo.NewHTTPError(http.StatusConflict,
			"This preview is being committed: wait for the commit to finish (the datasets page lists it) before changing its options.")
	}
	p.reparsing++
	return *p, nil
}

// reparsed ends a reparse.
func (u *uploads) reparsed(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if p, ok := u.previews[id]; ok {
		p.reparsing--
	}
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
		if now.After(p.expires) && !p.committing && p.reparsing == 0 {
			p.up.discard()
			delete(u.previews, id)
		}
	}
}

var errPreviewGone = echo.NewHTTPError(http.StatusGone,
	"That preview has expired (previews are kept for 30 minutes) or was committed already: upload the file again.")
