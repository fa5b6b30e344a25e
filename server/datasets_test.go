package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"tradedash/data"
	"tradedash/data/demo"
)

// testToken is the admin token of the servers the upload tests start.
const testToken = "test-admin-token-0123456789"

// adminServer is a test server with the demo datasets, an admin token and
// a directory for uploaded files.
type adminServer struct {
	*httptest.Server
	srv   *Server
	store *data.Store
	files string
}

// mustAdminServer starts an adminServer; maxUpload 0 keeps the default limit.
func mustAdminServer(tb testing.TB, maxUpload int64) *adminServer {
	tb.Helper()
	return mustAdminServerWith(tb, Config{MaxUploadBytes: maxUpload})
}

// mustAdminServerWith starts an adminServer with cfg, whose store, logger
// and files directory it fills in.
func mustAdminServerWith(tb testing.TB, cfg Config) *adminServer {
	tb.Helper()
	ctx := context.Background()
	ref, err := data.LoadReference()
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	store, err := data.Open(ctx, filepath.Join(dir, "admin.db"), ref)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	if err := demo.Load(ctx, store); err != nil {
		tb.Fatal(err)
	}
	if _, err := store.SetAdminToken(ctx, testToken); err != nil {
		tb.Fatal(err)
	}
	files := filepath.Join(dir, "admin.db.files")
	cfg.Store, cfg.Logger, cfg.FilesDir = store, slog.New(slog.NewTextHandler(io.Discard, nil)), files
	srv, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	// Before the store closes (cleanups run last first): background
	// imports end, rolled back if still running.
	tb.Cleanup(func() {
		if err := srv.imports.shutdown(context.Background()); err != nil {
			tb.Error(err)
		}
	})
	return &adminServer{Server: ts, srv: srv, store: store, files: files}
}

// field is one form field, kept in order: a browser sends fields in the
// order of the form.
type field struct{ name, value string }

// multipartBody writes the fields before, then the file, then the fields
// after. With no name and nil content there is no file field; with no
// name and empty content, an empty one, as a browser sends when no file
// was chosen.
func multipartBody(tb testing.TB, before []field, name string, content []byte, after []field) (*bytes.Buffer, string) {
	tb.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	write := func(fs []field) {
		for _, f := range fs {
			if err := w.WriteField(f.name, f.value); err != nil {
				tb.Fatal(err)
			}
		}
	}
	write(before)
	if name != "" || content != nil {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(content)
	}
	write(after)
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

// try sends a request with the given headers and returns the response
// (not following redirects) and its body.
func (a *adminServer) try(method, path string, body io.Reader, header map[string]string) (*http.Response, string, error) {
	req, err := http.NewRequest(method, a.URL+path, body)
	if err != nil {
		return nil, "", err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// do is try for the test's own goroutine: it stops the test on a
// transport error.
func (a *adminServer) do(tb testing.TB, method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
	tb.Helper()
	resp, b, err := a.try(method, path, body, header)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

// tryUpload posts a file to the API with the admin token.
func (a *adminServer) tryUpload(name string, content []byte, fields ...field) (*http.Response, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f.name, f.value)
	}
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	return a.try(http.MethodPost, "/api/v1/datasets", &buf, map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": w.FormDataContentType()})
}

func (a *adminServer) upload(tb testing.TB, name string, content []byte, fields ...field) (*http.Response, string) {
	tb.Helper()
	resp, body, err := a.tryUpload(name, content, fields...)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

// tradeCSV is a long table of n monthly export figures of KAZ to UZB from
// January 2000, whose values start at base, so that each base makes a
// different file.
func tradeCSV(n int, base float64) []byte {
	var b strings.Builder
	b.WriteString("reporter,partner,period,flow,value_usd\n")
	for i := range n {
		fmt.Fprintf(&b, "KAZ,UZB,%04d-%02d,export,%.0f\n", 2000+i/12, i%12+1, base+float64(i))
	}
	return []byte(b.String())
}

// partnersCSV is a long table of KAZ's yearly exports to 30 partners over
// 10 years (300 rows), whose values start at base.
func partnersCSV(base float64) []byte {
	partners := strings.Fields("USA CHN RUS DEU FRA GBR ITA ESP TUR IRN IND PAK UZB KGZ TJK TKM AZE ARM GEO UKR BLR POL NLD BEL JPN KOR BRA CAN MEX ARE")
	var b strings.Builder
	b.WriteString("reporter,partner,period,flow,value_usd\n")
	for i, p := range partners {
		for y := range 10 {
			fmt.Fprintf(&b, "KAZ,%s,%d,export,%.0f\n", p, 2010+y, base+float64(10*i+y))
		}
	}
	return []byte(b.String())
}

func decode[T any](tb testing.TB, body string) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		tb.Fatalf("not JSON: %v\n%.500s", err, body)
	}
	return v
}

type datasetReply struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Rows        int64  `json:"rows"`
	SHA256      string `json:"sha256"`
	OriginalURL string `json:"original_url"`
}

// TestDatasetsAPIScenarios runs the upload API through its answers, in
// order: the later steps see what the earlier ones stored.
func TestDatasetsAPIScenarios(t *testing.T) {
	a := mustAdminServer(t, 0)
	demoFile, err := os.ReadFile(filepath.Join("..", "data", "demo", "official_statements.csv"))
	if err != nil {
		t.Fatal(err)
	}
	good := tradeCSV(3, 1000)
	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	right, wrong := bearer(testToken), bearer("not-the-admin-token-at-all")
	jsonHeader := func(h map[string]string) map[string]string {
		out := map[string]string{"Content-Type": "application/json"}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name         string
		method, path string
		header       map[string]string
		file         string // upload this file (multipart) …
		content      []byte
		fields       []field
		json         string // … or send this body
		wantStatus   int
		want         []string
	}{
		{name: "upload without credentials", method: "POST", path: "/api/v1/datasets", file: "kaz.csv", content: good,
			wantStatus: 401, want: []string{"sign in at /login", "Authorization: Bearer"}},
		{name: "upload with a wrong token", method: "POST", path: "/api/v1/datasets", header: wrong, file: "kaz.csv", content: good,
			wantStatus: 401, want: []string{"not the admin token"}},
		{name: "upload with another scheme", method: "POST", path: "/api/v1/datasets", header: map[string]string{"Authorization": "Basic YWRtaW46YWRtaW4="},
			file: "kaz.csv", content: good, wantStatus: 401, want: []string{`must be \"Bearer`}},
		{name: "upload", method: "POST", path: "/api/v1/datasets", header: right, file: "../../etc/kaz.csv", content: good,
			fields: []field{{"name", "Kazakhstan test"}, {"source", "a test"}}, wantStatus: 201,
			want: []string{`"id":4`, `"name":"Kazakhstan test"`, `"original_name":"kaz.csv"`, `"format":"long"`, `"rows":3`, `"original_url":"/api/v1/datasets/4/original"`}},
		{name: "the same file again", method: "POST", path: "/api/v1/datasets", header: right, file: "again.csv", content: good,
			wantStatus: 409, want: []string{"already imported as dataset 4", `"dataset":{"id":4`}},
		{name: "the demo's file under another name", method: "POST", path: "/api/v1/datasets", header: right, file: "mine.csv", content: demoFile,
			wantStatus: 409, want: []string{`"dataset":{"id":1`}},
		{name: "a bad number", method: "POST", path: "/api/v1/datasets", header: right, file: "bad.csv",
			content:    []byte("reporter,partner,period,flow,value_usd\nKAZ,UZB,2020,export,1\nKAZ,UZB,2021,export,12x\n"),
			wantStatus: 422, want: []string{`"errors":[{`, `"file":"bad.csv"`, `"row":3`, `"column":"value_usd"`, `"value":"12x"`, `"message":`}},
		{name: "not a trade table", method: "POST", path: "/api/v1/datasets", header: right, file: "notes.csv", content: []byte("hello\nworld\n"),
			wantStatus: 422, want: []string{`"errors":[{`}},
		{name: "a dry run with a bad number", method: "POST", path: "/api/v1/datasets", header: right, file: "bad.csv",
			content: []byte("reporter,partner,period,flow,value_usd\nKAZ,UZB,2021,export,12x\n"), fields: []field{{"dry_run", "1"}},
			wantStatus: 422, want: []string{`"dry_run":true`, `"row":2`, `"value":"12x"`}},
		{name: "a bad fiscal start month", method: "POST", path: "/api/v1/datasets", header: right, file: "x.csv", content: tradeCSV(2, 5),
			fields: []field{{"fiscal_start_month", "13"}}, wantStatus: 400, want: []string{"fiscal_start_month"}},
		{name: "an unknown default reporter", method: "POST", path: "/api/v1/datasets", header: right, file: "x.csv", content: tradeCSV(2, 5),
			fields: []field{{"reporter", "Narnia"}}, wantStatus: 400, want: []string{"Narnia"}},
		{name: "no file", method: "POST", path: "/api/v1/datasets", header: right, fields: []field{{"name", "x"}},
			wantStatus: 400, want: []string{"no file"}},
		{name: "not multipart", method: "POST", path: "/api/v1/datasets", header: jsonHeader(right), json: `{}`,
			wantStatus: 400, want: []string{"multipart/form-data"}},
		{name: "list", method: "GET", path: "/api/v1/datasets", wantStatus: 200,
			want: []string{`"datasets":[`, `"name":"Kazakhstan test"`, `"pairs":1`}},
		{name: "one", method: "GET", path: "/api/v1/datasets/4", wantStatus: 200, want: []string{`"first_month":"2000-01"`, `"last_month":"2000-03"`}},
		{name: "one that is not there", method: "GET", path: "/api/v1/datasets/99", wantStatus: 404, want: []string{"no dataset 99"}},
		{name: "a bad number in the path", method: "GET", path: "/api/v1/datasets/x", wantStatus: 400},
		{name: "patch without credentials", method: "PATCH", path: "/api/v1/datasets/4", header: jsonHeader(nil), json: `{"name":"x"}`, wantStatus: 401},
		{name: "patch with a wrong token", method: "PATCH", path: "/api/v1/datasets/4", header: jsonHeader(wrong), json: `{"name":"x"}`, wantStatus: 401},
		{name: "patch", method: "PATCH", path: "/api/v1/datasets/4", header: jsonHeader(right), json: `{"name":" Renamed ","description":"three months"}`,
			wantStatus: 200, want: []string{`"name":"Renamed"`, `"description":"three months"`, `"source":"a test"`}},
		{name: "patch to an empty name", method: "PATCH", path: "/api/v1/datasets/4", header: jsonHeader(right), json: `{"name":" "}`,
			wantStatus: 400, want: []string{"needs a name"}},
		{name: "patch an unknown field", method: "PATCH", path: "/api/v1/datasets/4", header: jsonHeader(right), json: `{"rows":1}`,
			wantStatus: 400, want: []string{"unknown field"}},
		{name: "patch nothing", method: "PATCH", path: "/api/v1/datasets/4", header: jsonHeader(right), json: `{}`, wantStatus: 400, want: []string{"nothing to change"}},
		{name: "patch one that is not there", method: "PATCH", path: "/api/v1/datasets/99", header: jsonHeader(right), json: `{"name":"x"}`, wantStatus: 404},
		{name: "the original of a demo dataset", method: "GET", path: "/api/v1/datasets/1/original", wantStatus: 404, want: []string{"not kept"}},
		{name: "delete without credentials", method: "DELETE", path: "/api/v1/datasets/4", wantStatus: 401},
		{name: "delete with a wrong token", method: "DELETE", path: "/api/v1/datasets/4", header: wrong, wantStatus: 401},
		{name: "delete", method: "DELETE", path: "/api/v1/datasets/4", header: right, wantStatus: 200,
			want: []string{`"deleted":{"id":4`, `"name":"Renamed"`, `"rows":3`}},
		{name: "deleted is gone", method: "GET", path: "/api/v1/datasets/4", wantStatus: 404},
		{name: "its original is gone", method: "GET", path: "/api/v1/datasets/4/original", wantStatus: 404},
		{name: "delete again", method: "DELETE", path: "/api/v1/datasets/4", header: right, wantStatus: 404},
		{name: "the same file after its dataset was deleted", method: "POST", path: "/api/v1/datasets", header: right, file: "kaz.csv", content: good,
			wantStatus: 201, want: []string{`"rows":3`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := map[string]string{}
			for k, v := range tt.header {
				header[k] = v
			}
			var body io.Reader
			switch {
			case tt.json != "":
				body = strings.NewReader(tt.json)
			case tt.file != "" || tt.fields != nil:
				var ct string
				body, ct = multipartBody(t, tt.fields, tt.file, tt.content, nil)
				header["Content-Type"] = ct
			}
			resp, got := a.do(t, tt.method, tt.path, body, header)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d; body:\n%.800s", resp.StatusCode, tt.wantStatus, got)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want JSON", ct)
			}
			if resp.StatusCode == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("a 401 without WWW-Authenticate")
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("body lacks %s\n%.800s", w, got)
				}
			}
		})
	}
}

func TestOriginalIsTheUploadedBytes(t *testing.T) {
	a := mustAdminServer(t, 0)
	content := append([]byte("\xef\xbb\xbf"), tradeCSV(40, 7)...) // with a BOM, which must survive
	resp, body := a.upload(t, `C:\Users\me\Trade "2024".csv`, content)
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	d := decode[datasetReply](t, body)
	resp, got := a.do(t, "GET", d.OriginalURL, nil, nil)
	if resp.StatusCode != 200 || got != string(content) {
		t.Fatalf("original: %d, %d bytes, want %d bytes equal to the upload", resp.StatusCode, len(got), len(content))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type = %q: an original is served as bytes, whatever it holds", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="Trade \"2024\".csv"` {
		t.Errorf("Content-Disposition = %s", cd)
	}
	// Stored once, by its hash, and nothing else left in the directory.
	entries, err := os.ReadDir(a.files)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != previewDir+","+d.SHA256 {
		t.Errorf("files directory holds %v", names)
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	a := mustAdminServer(t, 0)
	content := []byte(string(tradeCSV(30, 100)) + "KAZ,UZB,2003,import,..\n")
	resp, body := a.upload(t, "kaz.csv", content, field{"dry_run", "1"})
	if resp.StatusCode != 200 {
		t.Fatalf("dry run: %d %s", resp.StatusCode, body)
	}
	type preview struct {
		DryRun       bool   `json:"dry_run"`
		Layout       string `json:"layout"`
		HeaderRow    int    `json:"header_row"`
		Unit         string `json:"unit"`
		Rows         int    `json:"rows"`
		Skipped      int    `json:"skipped"`
		Periods      []struct{ Label string }
		Pairs        []struct{ Reporter, Partner string }
		Observations []struct {
			Period   string
			ValueUSD float64 `json:"value_usd"`
		}
		Warnings    []string
		DuplicateOf *int64 `json:"duplicate_of"`
	}
	p := decode[preview](t, body)
	if !p.DryRun || p.Layout != "long" || p.HeaderRow != 1 || p.Unit != "US$" || p.Rows != 30 || p.Skipped != 1 || len(p.Periods) != 30 || len(p.Pairs) != 1 || p.DuplicateOf != nil {
		t.Errorf("preview = %+v", p)
	}
	if len(p.Observations) != previewRows || p.Observations[0].Period != "Jan 2000" || p.Observations[19].ValueUSD != 119 {
		t.Errorf("first observations = %+v", p.Observations)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "row 32") {
		t.Errorf("warnings = %q", p.Warnings)
	}
	_, list := a.do(t, "GET", "/api/v1/datasets", nil, nil)
	if n := len(decode[struct{ Datasets []datasetReply }](t, list).Datasets); n != 3 {
		t.Errorf("%d datasets after a dry run, want the 3 demo datasets", n)
	}
	if entries, _ := os.ReadDir(a.files); len(entries) != 1 {
		t.Errorf("a dry run left %d entries in the files directory", len(entries))
	}
	// A dry run of a file already imported says so.
	demoFile, _ := os.ReadFile(filepath.Join("..", "data", "demo", "official_statements.csv"))
	_, body = a.upload(t, "again.csv", demoFile, field{"dry_run", "true"}, field{"fiscal_start_month", "7"})
	if p := decode[preview](t, body); p.DuplicateOf == nil || *p.DuplicateOf != 1 {
		t.Errorf("dry run of the demo file: duplicate_of = %v\n%.500s", p.DuplicateOf, body)
	}
}

func TestDeleteRemovesObservations(t *testing.T) {
	a := mustAdminServer(t, 0)
	_, body := a.upload(t, "kaz.csv", tradeCSV(24, 1))
	d := decode[datasetReply](t, body)
	if resp, _ := a.do(t, "GET", fmt.Sprintf("/api/v1/bilateral?reporter=KAZ&partner=UZB&dataset=%d", d.ID), nil, nil); resp.StatusCode != 200 {
		t.Fatalf("bilateral before delete: %d", resp.StatusCode)
	}
	if resp, body := a.do(t, "DELETE", fmt.Sprintf("/api/v1/datasets/%d", d.ID), nil, map[string]string{"Authorization": "Bearer " + testToken}); resp.StatusCode != 200 {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	obs, err := a.store.DatasetObservations(context.Background(), d.ID, 0)
	if err != nil || len(obs) != 0 {
		t.Errorf("%d observations of the deleted dataset remain (%v): ON DELETE CASCADE did not run", len(obs), err)
	}
	if resp, _ := a.do(t, "GET", fmt.Sprintf("/api/v1/bilateral?reporter=KAZ&partner=UZB&dataset=%d", d.ID), nil, nil); resp.StatusCode != 404 {
		t.Errorf("bilateral of the deleted dataset: %d, want 404", resp.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(a.files, d.SHA256)); !os.IsNotExist(err) {
		t.Errorf("the original is still there: %v", err)
	}
	sets, _ := a.store.Datasets(context.Background())
	if len(sets) != 3 {
		t.Errorf("%d datasets left, want the 3 demo datasets", len(sets))
	}
}

func TestUploadSizeLimit(t *testing.T) {
	const limit = 64 << 10
	a := mustAdminServer(t, limit)
	big := tradeCSV(4000, 1) // about 100 KB
	if len(big) <= limit {
		t.Fatalf("test file is only %d bytes", len(big))
	}
	if resp, body := a.upload(t, "big.csv", big); resp.StatusCode != 413 || !strings.Contains(body, "larger than this server accepts (65536 bytes") {
		t.Errorf("with Content-Length: %d %s", resp.StatusCode, body)
	}
	// Without a Content-Length the limit holds while the body is read.
	mp, ct := multipartBody(t, nil, "big.csv", big, nil)
	resp, body := a.do(t, "POST", "/api/v1/datasets", io.MultiReader(mp), map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": ct})
	if resp.StatusCode != 413 {
		t.Errorf("chunked: %d %s", resp.StatusCode, body)
	}
	// A file just under the limit goes in.
	small := tradeCSV(2000, 1)
	if len(small) > limit {
		t.Fatalf("small file is %d bytes", len(small))
	}
	if resp, body := a.upload(t, "small.csv", small); resp.StatusCode != 201 {
		t.Errorf("under the limit: %d %s", resp.StatusCode, body)
	}
	entries, _ := os.ReadDir(a.files)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("a refused upload left %s behind", e.Name())
		}
	}
}

// TestParallelUploadsAndReads uploads several files at once while others
// read: every request succeeds, none meets "database is locked", and every
// figure is stored once.
func TestParallelUploadsAndReads(t *testing.T) {
	a := mustAdminServer(t, 0)
	const uploads, rows = 6, 300
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan string, 100)
	report := func(format string, args ...any) {
		select {
		case errs <- fmt.Sprintf(format, args...):
		default: // enough is known already
		}
	}
	ids := make(chan int64, uploads)
	for i := range uploads {
		wg.Go(func() {
			content := partnersCSV(float64(1e6 * (i + 1)))
			resp, body, err := a.tryUpload(fmt.Sprintf("kaz-%d.csv", i), content)
			if err != nil || resp.StatusCode != 201 {
				report("upload %d: %v %.300s", i, err, body)
				return
			}
			var d datasetReply
			if err := json.Unmarshal([]byte(body), &d); err != nil {
				report("upload %d: %v", i, err)
			}
			ids <- d.ID
		})
	}
	for i := range 2 {
		wg.Go(func() { // dry runs write to their own databases, and read this one
			resp, body, err := a.tryUpload(fmt.Sprintf("dry-%d.csv", i), partnersCSV(float64(-1e6*(i+1))), field{"dry_run", "1"})
			if err != nil || resp.StatusCode != 200 {
				report("dry run %d: %v %.300s", i, err, body)
			}
		})
	}
	// Readers pace themselves: under the race detector on a small machine,
	// readers in a tight loop would starve the uploads of CPU, which is a
	// test of the machine, not of locking.
	var readers sync.WaitGroup
	for range 3 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
				for _, path := range []string{"/api/v1/bilateral?reporter=KAZ&partner=UZB", "/api/v1/bilateral?reporter=PAK&partner=RUS", "/api/v1/datasets"} {
					resp, body, err := a.try("GET", path, nil, nil)
					if err != nil || resp.StatusCode != 200 || strings.Contains(body, "locked") {
						report("GET %s: %v %.300s", path, err, body)
					}
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	close(ids)
	for e := range errs {
		t.Error(e)
	}
	n := 0
	for id := range ids {
		n++
		_, body := a.do(t, "GET", fmt.Sprintf("/api/v1/datasets/%d", id), nil, nil)
		if d := decode[datasetReply](t, body); d.Rows != rows {
			t.Errorf("dataset %d holds %d rows, want %d", id, d.Rows, rows)
		}
		obs, err := a.store.DatasetObservations(context.Background(), id, 0)
		if err != nil || len(obs) != rows {
			t.Errorf("dataset %d: %d observations stored (%v), want %d", id, len(obs), err, rows)
		}
	}
	if n != uploads {
		t.Errorf("%d uploads stored, want %d", n, uploads)
	}
	sets, _ := a.store.Datasets(context.Background())
	if len(sets) != 3+uploads {
		t.Errorf("%d datasets, want %d", len(sets), 3+uploads)
	}
}
