package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"tradedash/data"
)

// failingWriter is a disk that fills up after limit bytes.
type failingWriter struct{ limit int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errors.New("write /srv/tradedash.db.files/.upload-1: no space left on device")
	}
	w.limit -= len(p)
	return len(p), nil
}

// A full disk while an upload is spooled is the server's failure, not the
// client's: it must not be answered as a body "cut short" (400).
func TestCopyUploadTellsDiskFromClient(t *testing.T) {
	body := strings.Repeat("x", 100_000)

	n, readErr, writeErr := copyUpload(&failingWriter{limit: 10_000}, strings.NewReader(body))
	if readErr != nil || writeErr == nil || !strings.Contains(writeErr.Error(), "no space left") {
		t.Errorf("full disk: n=%d readErr=%v writeErr=%v, want only a write error", n, readErr, writeErr)
	}

	cut := io.MultiReader(strings.NewReader(body[:5000]), iotest.ErrReader(io.ErrUnexpectedEOF))
	n, readErr, writeErr = copyUpload(io.Discard, cut)
	if !errors.Is(readErr, io.ErrUnexpectedEOF) || writeErr != nil || n != 5000 {
		t.Errorf("body cut short: n=%d readErr=%v writeErr=%v, want only a read error after 5000 bytes", n, readErr, writeErr)
	}

	n, readErr, writeErr = copyUpload(io.Discard, strings.NewReader(body))
	if readErr != nil || writeErr != nil || n != int64(len(body)) {
		t.Errorf("whole body: n=%d readErr=%v writeErr=%v", n, readErr, writeErr)
	}
}

func TestStorageErrorStatus(t *testing.T) {
	err := fmt.Errorf("%w: the upload \"a.xlsx\" could not be stored on the server's disk", data.ErrStorage)
	if got := statusOf(err); got != http.StatusInsufficientStorage {
		t.Errorf("statusOf(storage error) = %d, want 507", got)
	}
	if got := statusOf(data.ErrInvalid); got != http.StatusBadRequest {
		t.Errorf("statusOf(ErrInvalid) = %d, want 400", got)
	}
}
