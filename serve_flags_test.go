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
