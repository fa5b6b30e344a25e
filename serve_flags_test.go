package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeFrameAncestors: --frame-ancestors reaches the headers of the
// served pages, and a value that is not a source list stops serve before
// it touches the database.
func TestServeFrameAncestors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	db := filepath.Join(dir, "never.db")
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--frame-ancestors", "'self'; sandbox"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--frame-ancestors") || !strings.Contains(err.Error(), `"'self';"`) {
		t.Errorf("serve with a bad --frame-ancestors: %v", err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was created before the flags were checked: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hit := make(chan struct{})
	w := &syncWriter{hit: hit, on: "msg=serving"}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--no-demo", "--db", filepath.Join(dir, "f.db"),
			"--frame-ancestors", "'self' https://intranet.example"}, &bytes.Buffer{}, w)
	}()
	select {
	case <-hit:
	case err := <-errc:
		t.Fatalf("serve stopped: %v\n%s", err, w.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not say where it listens:\n%s", w.String())
	}
	addr := regexp.MustCompile(`addr=(http://\S+)`).FindStringSubmatch(w.String())
	if addr == nil {
		t.Fatalf("no address in %s", w.String())
	}
	resp, err := http.Get(addr[1] + "/datasets")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors 'self' https://intranet.example") {
		t.Errorf("CSP = %q", csp)
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options = %q; want none, which would forbid the intranet's frames", xfo)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// TestServeSkipCheck: serve refuses a damaged file after its quick_check,
// and --skip-check serves it anyway, saying so in the log; with
// --response-cache-mb 0 answers carry no cache ETag.
func TestServeSkipCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := mustCorruptDB(t, filepath.Join(dir, "damaged.db"))
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--no-demo", "--db", db}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "quick_check") {
		t.Fatalf("serve of a damaged file without --skip-check: %v, want the quick_check's refusal", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hit := make(chan struct{})
	w := &syncWriter{hit: hit, on: "msg=serving"}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--no-demo", "--db", db, "--skip-check",
			"--response-cache-mb", "0"}, &bytes.Buffer{}, w)
	}()
	select {
	case <-hit:
	case err := <-errc:
		t.Fatalf("serve --skip-check stopped: %v\n%s", err, w.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve --skip-check did not say where it listens:\n%s", w.String())
	}
	if !strings.Contains(w.String(), "--skip-check") {
		t.Errorf("the log does not say the check was skipped:\n%s", w.String())
	}
	addr := regexp.MustCompile(`addr=(http://\S+)`).FindStringSubmatch(w.String())
	if addr == nil {
		t.Fatalf("no address in %s", w.String())
	}
	resp, err := http.Get(addr[1] + "/api/v1/countries")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != "" {
		t.Errorf("GET /api/v1/countries with the cache off: %d, ETag %q; want 200 and none", resp.StatusCode, resp.Header.Get("ETag"))
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
