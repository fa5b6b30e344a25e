package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"tradedash/data"
	"tradedash/importers"
)

// Imports committed from the preview page run in the background, so that
// a large file does not hold the browser's request open for minutes: the
// commit answers at once with the import's page, which follows its
// progress (polling /api/v1/imports/{id}, or refreshing itself without
// JavaScript) and, once it ends, links the new dataset and lists the
// importers' warnings or the located errors. An import is one
// transaction, so a server killed mid-import leaves the database as it was.
const (
	maxRunningImports = 2                // imports parsing and storing at once; the rest wait
	maxImportJobs     = 100              // import records kept for their pages
	importJobTTL      = 30 * time.Minute // how long a finished import's record is kept
)

// Phases of an import, as its page and JSON say them.
const (
	phaseQueued  = "queued"  // waiting for one of the running slots
	phaseReading = "reading" // parsing rows and storing them in the import's transaction
	phaseStoring = "storing" // every row read; committing and updating the summaries
	phaseDone    = "done"
	phaseFailed  = "failed"
)

// importJobs are the background imports, running and recently finished.
type importJobs struct {
	slots chan struct{}
	mu    sync.Mutex
	jobs  map[string]*importJob
	wg    sync.WaitGroup
	// stop cancels every import when the server shuts down: each rolls
	// back, leaving the database as it was, and its preview is kept.
	base context.Context
	stop context.CancelFunc
	// progressed, when set (by tests), is called with a job's id after
	// each progress report has been recorded: a window on an import under
	// way, which is otherwise over in milliseconds for a small file.
	progressed func(id string)
}

func newImportJobs() *importJobs {
	base, stop := context.WithCancel(context.Background())
	return &importJobs{slots: make(chan struct{}, maxRunningImports), jobs: map[string]*importJob{}, base: base, stop: stop}
}

// shutdown cancels the imports under way and waits for them to roll back,
// until ctx ends.
func (j *importJobs) shutdown(ctx context.Context) error {
	j.stop()
	done := make(chan struct{})
	go func() { j.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("imports still rolling back: %w", ctx.Err())
	}
}

// importJob is one background import. rows is updated by the importer's
// progress callback; the rest under importJobs.mu.
type importJob struct {
	id       string
	file     string
	expected int64 // the figures its preview found: the bar's end
	rows     atomic.Int64

	phase    string
	finished time.Time
	dataset  *data.Dataset
	warnings []string
	errors   []importErrorJSON
	message  string // why it failed, when not located in the file
}

// importStatus is an import's state, for its page and its JSON.
type importStatus struct {
	ID       string            `json:"id"`
	File     string            `json:"file"`
	Phase    string            `json:"phase"`
	Rows     int64             `json:"rows"`     // figures read and stored so far
	Expected int64             `json:"expected"` // figures the preview found
	Percent  int               `json:"percent"`
	Done     bool              `json:"done"`
	Dataset  *int64            `json:"dataset"` // the new dataset's id, once stored
	Name     string            `json:"name,omitempty"`
	URL      string            `json:"url,omitempty"` // the datasets page, with links to its views
	Warnings []string          `json:"warnings"`
	Errors   []importErrorJSON `json:"errors"`
	Message  string            `json:"message,omitempty"`
}

// status reads a job's state.
func (j *importJobs) status(id string) (importStatus, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok {
		return importStatus{}, false
	}
	st := importStatus{ID: job.id, File: job.file, Phase: job.phase, Rows: job.rows.Load(), Expected: job.expected,
		Done: job.phase == phaseDone || job.phase == phaseFailed, Warnings: append([]string{}, job.warnings...),
		Errors: append([]importErrorJSON{}, job.errors...), Message: job.message}
	if job.expected > 0 {
		st.Percent = int(min(100, st.Rows*100/job.expected))
	}
	if job.phase == phaseDone {
		st.Percent = 100
	}
	if d := job.dataset; d != nil {
		st.Dataset, st.Name, st.URL = &d.ID, d.Name, fmt.Sprintf("/datasets?imported=%d#ds-%d", d.ID, d.ID)
	}
	return st, true
}

// setPhase moves a job on.
func (j *importJobs) setPhase(job *importJob, phase string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if job.phase != phaseDone && job.phase != phaseFailed {
		job.phase = phase
	}
}

// add records a new job, forgetting finished ones that are old or too
// many; it refuses a job when every kept record is of a running import.
func (j *importJobs) add(job *importJob) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now()
	var oldest *importJob
	for id, o := range j.jobs {
		if o.finished.IsZero() {
			continue
		}
		if now.Sub(o.finished) > importJobTTL {
			delete(j.jobs, id)
			continue
		}
		if oldest == nil || o.finished.Before(oldest.finished) {
			oldest = o
		}
	}
	if len(j.jobs) >= maxImportJobs {
		if oldest == nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "Too many imports are under way: try again when one has finished.")
		}
		delete(j.jobs, oldest.id)
	}
	j.jobs[job.id] = job
	return nil
}

// startImport imports a claimed preview's file in the background with
// options o and returns the job's id at once. The preview is released
// when the import ends, as the synchronous commit released it.
func (s *Server) startImport(ctx context.Context, p pendingPreview, o importers.Options) (string, error) {
	id, err := data.NewSecret()
	if err != nil {
		return "", err
	}
	job := &importJob{id: id, file: p.up.name, expected: p.result.Rows, phase: phaseQueued}
	if err := s.imports.add(job); err != nil {
		return "", err
	}
	o.ProgressEvery = max(1, job.expected/100) // the bar moves by about 1% at a time
	o.Progress = func(rows int64) {
		job.rows.Store(rows)
		if rows >= job.expected {
			s.imports.setPhase(job, phaseStoring) // the last rows' call: what is left is the commit
		}
		if f := s.imports.progressed; f != nil {
			f(job.id)
		}
	}
	s.imports.wg.Add(1)
	go func() {
		defer s.imports.wg.Done()
		// Not the request's context, which ends with the redirect; the
		// server's lifetime (importJobs.base), and the upload time limit.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.uploads.timeout)
		defer cancel()
		defer context.AfterFunc(s.imports.base, cancel)()
		select {
		case s.imports.slots <- struct{}{}:
			defer func() { <-s.imports.slots }()
		case <-ctx.Done():
			s.finishImport(job, p, data.Dataset{}, nil, fmt.Errorf("the import waited too long for a free slot: %w", ctx.Err()))
			return
		}
		s.imports.setPhase(job, phaseReading)
		up := p.up
		var d data.Dataset
		var warnings []string
		err := s.recovered(p.up.name, func() (err error) {
			d, warnings, err = s.importUpload(ctx, &up, o)
			return err
		})
		s.finishImport(job, p, d, warnings, err)
	}()
	return id, nil
}

// recovered runs fn, turning a panic into an error (logged with its
// stack): a background import has no request, so echo's Recover does not
// cover it, and a panic would end the whole server. The store has rolled
// the import back by then.
func (s *Server) recovered(file string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("background import panicked", "file", file, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("an internal error (%v)", r)
		}
	}()
	return fn()
}

// finishImport records how an import ended and releases its preview: a
// file refused now would be refused again, so only an import cut short
// by the server keeps its preview for another try.
func (s *Server) finishImport(job *importJob, p pendingPreview, d data.Dataset, warnings []string, err error) {
	located := importErrors(p.up.name, err)
	s.uploads.release(p.id, err == nil || errors.Is(err, data.ErrDuplicate) || located != nil)
	s.imports.mu.Lock()
	defer s.imports.mu.Unlock()
	job.finished = time.Now()
	switch {
	case err == nil:
		job.phase, job.dataset, job.warnings = phaseDone, &d, warnings
		job.rows.Store(d.RowCount)
	case errors.Is(err, data.ErrDuplicate):
		job.phase, job.message = phaseFailed, err.Error()
		if d.ID != 0 {
			job.dataset = &d
		}
	case located != nil:
		job.phase, job.errors, job.message = phaseFailed, located, "The file cannot be imported; nothing was stored."
	default:
		s.log.Error("background import failed", "file", p.up.name, "err", err)
		job.phase, job.message = phaseFailed, "The import failed on the server and nothing was stored: "+err.Error()+". Upload the file again to retry."
	}
}

// handleImportAPI answers an import's progress as JSON.
func (s *Server) handleImportAPI(c echo.Context) error {
	st, ok := s.imports.status(c.Param("id"))
	if !ok {
		return errImportGone
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, st)
}

// importView is the import page's model.
type importView struct {
	importStatus
	Links   []pairView // the new dataset's largest pairs, once stored
	Refresh bool       // still running: the page reloads itself without JavaScript
}

// handleImportPage shows an import's progress, then its result.
func (s *Server) handleImportPage(c echo.Context) error {
	st, ok := s.imports.status(c.Param("id"))
	if !ok {
		return errImportGone
	}
	v := importView{importStatus: st, Refresh: !st.Done}
	if st.Phase == phaseDone && st.Dataset != nil {
		ctx, cancel := s.queryContext(c)
		defer cancel()
		row := datasetRow{ID: *st.Dataset}
		if err := s.withLinks(ctx, &row); err != nil {
			return err
		}
		v.Links = row.Links
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, "import", v)
}

var errImportGone = echo.NewHTTPError(http.StatusNotFound,
	"No such import: its record is kept for 30 minutes after it ends, and not across a restart of the server. The datasets page lists what was imported.")
