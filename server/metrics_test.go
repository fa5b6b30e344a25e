package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	dto "github.com/prometheus/client_model/go"

	"tradedash/data"
)

// mustBareServer serves a fresh, empty database (no demo data) and returns
// the Server too, for its metrics.
func mustBareServer(tb testing.TB) (*httptest.Server, *Server, *data.Store) {
	tb.Helper()
	ref, err := data.LoadReference()
	if err != nil {
		tb.Fatal(err)
	}
	store, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "bare.db"), ref)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	srv, err := New(Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return ts, srv, store
}

// series returns the series of one metric family, each as its labels
// (plus "value" for counters) in Prometheus' text notation.
func series(tb testing.TB, srv *Server, name string) []*dto.Metric {
	tb.Helper()
	families, err := srv.metrics.reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()
		}
	}
	return nil
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// counter is the value of the series of name with exactly these labels.
func counter(tb testing.TB, srv *Server, name string, labels map[string]string) float64 {
	tb.Helper()
	for _, m := range series(tb, srv, name) {
		if fmt.Sprint(labelsOf(m)) == fmt.Sprint(labels) {
			return m.GetCounter().GetValue()
		}
	}
	tb.Errorf("no series %s%v", name, labels)
	return 0
}

func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	ts, _, _ := mustBareServer(t)
	for _, u := range []string{"/healthz", "/bilateral?reporter=PAK&partner=RUS", "/bilateral?reporter=IND&partner=RUS",
		"/api/v1/bilateral?reporter=PAK&partner=Narnia", "/nope"} {
		get(t, ts.URL+u)
	}
	resp, body := get(t, ts.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	want := []string{
		"# TYPE tradedash_http_requests_total counter",
		"# TYPE tradedash_http_request_duration_seconds histogram",
		"# TYPE tradedash_imports_total counter",
		"# TYPE tradedash_import_rows_total counter",
		"# TYPE tradedash_errors_total counter",
		`tradedash_http_requests_total{method="GET",route="/bilateral",status="200"} 2`,
		`tradedash_http_requests_total{method="GET",route="/api/v1/bilateral",status="400"} 1`,
		`tradedash_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`tradedash_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`tradedash_http_request_duration_seconds_count{method="GET",route="/bilateral"} 2`,
		`tradedash_imports_total{result="ok"} 0`,
		`tradedash_errors_total{status="500"} 0`,
		"go_goroutines ",
	}
	if runtime.GOOS == "linux" {
		want = append(want, "process_start_time_seconds ")
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "tradedash_") && (strings.Contains(line, "reporter") || strings.Contains(line, "PAK") || strings.Contains(line, "/nope")) {
			t.Errorf("a URL leaked into a label: %s", line)
		}
	}
}

// TestMetricsLabelsStayBounded requests many unknown paths and methods:
// each must add to one series, not make one per path or method.
func TestMetricsLabelsStayBounded(t *testing.T) {
	t.Parallel()
	ts, srv, _ := mustBareServer(t)
	for i := range 50 {
		get(t, fmt.Sprintf("%s/unknown-%d/%d?x=%d", ts.URL, i, i*7, i))
	}
	for i := range 10 {
		req, err := http.NewRequest(fmt.Sprintf("FOO%d", i), ts.URL+"/healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	routes := map[string]bool{}
	var unmatched float64
	for _, m := range series(t, srv, "tradedash_http_requests_total") {
		l := labelsOf(m)
		routes[l["route"]] = true
		if l["route"] == unmatchedRoute && l["method"] == "GET" {
			unmatched += m.GetCounter().GetValue()
		}
	}
	if unmatched != 50 || len(routes) != 1 {
		t.Errorf("50 unknown paths: %v unmatched GETs, routes %v; want 50 in the one route %q", unmatched, routes, unmatchedRoute)
	}
	if n := len(series(t, srv, "tradedash_http_request_duration_seconds")); n != 2 {
		t.Errorf("%d duration series; want 2 (GET and other, both unmatched)", n)
	}
	if got := counter(t, srv, "tradedash_http_requests_total", map[string]string{"method": "other", "route": unmatchedRoute, "status": "405"}); got != 10 {
		t.Errorf("10 requests with made-up methods counted %v times under method=other", got)
	}
}

// TestMetricsCountErrorsAndImports: a panic is counted as the 500 the
// error handler answers with, and the import hook counts by result.
func TestMetricsCountErrorsAndImports(t *testing.T) {
	t.Parallel()
	ts, srv, _ := mustBareServer(t)
	srv.echo.Logger.SetOutput(io.Discard) // echo's recover prints the stack
	srv.echo.GET("/test-panic", func(echo.Context) error { panic("test") })
	resp, _ := get(t, ts.URL+"/test-panic")
	if resp.StatusCode != 500 {
		t.Fatalf("panic answered %d", resp.StatusCode)
	}
	if got := counter(t, srv, "tradedash_errors_total", map[string]string{"status": "500"}); got != 1 {
		t.Errorf("errors_total{500} = %v after a panic; want 1", got)
	}

	m := srv.Metrics()
	m.ObserveImport(12, nil)
	m.ObserveImport(3, nil)
	m.ObserveImport(0, fmt.Errorf("file: %w: already imported", data.ErrDuplicate))
	m.ObserveImport(0, fmt.Errorf("row 4: %w", data.ErrInvalid))
	m.ObserveImport(7, errors.New("disk full"))
	for result, want := range map[string]float64{"ok": 2, "duplicate": 1, "invalid": 1, "failed": 1} {
		if got := counter(t, srv, "tradedash_imports_total", map[string]string{"result": result}); got != want {
			t.Errorf("imports_total{%s} = %v; want %v", result, got, want)
		}
	}
	if got := counter(t, srv, "tradedash_import_rows_total", map[string]string{}); got != 15 {
		t.Errorf("import_rows_total = %v; want 15, the rows of successful imports", got)
	}
}

// TestMetricsRegistryPerServer: two servers in one process do not clash
// or share counts, which the global registry would not allow.
func TestMetricsRegistryPerServer(t *testing.T) {
	t.Parallel()
	ts1, srv1, _ := mustBareServer(t)
	_, srv2, _ := mustBareServer(t)
	get(t, ts1.URL+"/healthz")
	labels := map[string]string{"method": "GET", "route": "/healthz", "status": "200"}
	if got := counter(t, srv1, "tradedash_http_requests_total", labels); got != 1 {
		t.Errorf("server 1 counted %v", got)
	}
	if n := len(series(t, srv2, "tradedash_http_requests_total")); n != 0 {
		t.Errorf("server 2 has %d request series; want none", n)
	}
}
