package server

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tradedash/charts"
	"tradedash/data"
)

// exportRenderer is shared by the export tests so ECharts starts once. Its
// timeout is far beyond any drawing: these tests are not of speed, and
// -race on a busy machine slows ECharts several times.
var exportRenderer = sync.OnceValue(func() *charts.Renderer {
	return charts.NewRenderer(charts.RendererOptions{Timeout: 5 * time.Minute})
})

// mustExportServer is mustServer's database served with image export on.
func mustExportServer(tb testing.TB) (*httptest.Server, *data.Store) {
	tb.Helper()
	_, store := mustServer(tb)
	srv, err := New(Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Renderer: exportRenderer()})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return ts, store
}

func mustParseXML(tb testing.TB, body string) {
	tb.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			tb.Fatalf("not XML: %v", err)
		}
	}
}

func TestBilateralSVGScenarios(t *testing.T) {
	ts, store := mustExportServer(t)
	var hostileID int64
	sets, err := store.DatasetList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sets {
		if d.Name == hostile {
			hostileID = d.ID
		}
	}
	tests := []struct {
		name       string
		query      string
		wantStatus int
		want       []string
		unwanted   []string
	}{
		{"defaults", "reporter=PAK&partner=RUS", 200, []string{`width="1200"`, `height="675"`, "Pakistan – Russia trade", "Source: ", `fill="#ffffff"`}, nil},
		{"size and theme", "reporter=PAK&partner=RUS&width=1600&height=900&theme=dark", 200, []string{`width="1600"`, `height="900"`, `fill="#15191f"`}, nil},
		{"names", "reporter=Pakistan&partner=Russian%20Federation", 200, []string{"Pakistan – Russia"}, nil},
		{"hostile dataset", "reporter=KAZ&partner=UZB&dataset=" + strconv.FormatInt(hostileID, 10), 200,
			[]string{"&lt;/script&gt;"}, []string{"<script", "javascript:", " on"}},
		{"width too small", "reporter=PAK&partner=RUS&width=100", 400, []string{"width must be 200 to 4000"}, nil},
		{"width not a number", "reporter=PAK&partner=RUS&width=wide", 400, []string{"width must be a number"}, nil},
		{"height too large", "reporter=PAK&partner=RUS&height=5000", 400, nil, nil},
		{"unknown theme", "reporter=PAK&partner=RUS&theme=blue", 400, []string{"theme must be light or dark"}, nil},
		{"no reporter", "partner=RUS", 400, nil, nil},
		{"unknown dataset", "reporter=PAK&partner=RUS&dataset=999", 404, nil, nil},
		{"no figures", "reporter=PAK&partner=ISL", 404, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+"/charts/bilateral.svg?"+tt.query)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.wantStatus, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q: %.300s", w, body)
				}
			}
			for _, u := range tt.unwanted {
				if strings.Contains(body, u) {
					t.Errorf("body contains %q", u)
				}
			}
			if tt.wantStatus != 200 {
				if resp.Header.Get("ETag") != "" || resp.Header.Get("Content-Security-Policy") == imageCSP {
					t.Errorf("an error carries the image's headers: %v", resp.Header)
				}
				return
			}
			mustParseXML(t, body)
			for h, want := range map[string]string{
				"Content-Type":            "image/svg+xml",
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
				"Cache-Control":           "public, max-age=300",
			} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if etag := resp.Header.Get("ETag"); len(etag) != 70 || !strings.HasPrefix(etag, `"svg-`) {
				t.Errorf("ETag = %q", etag)
			}
		})
	}
}

func TestBilateralSVGNotModified(t *testing.T) {
	ts, _ := mustExportServer(t)
	url := ts.URL + "/charts/bilateral.svg?reporter=PAK&partner=RUS&width=800&height=600"
	resp, body := get(t, url)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" {
		t.Fatalf("status %d, ETag %q", resp.StatusCode, etag)
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("If-None-Match", inm)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified || len(b) != 0 || resp.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: status %d, %d bytes, ETag %q", inm, resp.StatusCode, len(b), resp.Header.Get("ETag"))
		}
	}
	// Another size is another image.
	resp2, body2 := get(t, ts.URL+"/charts/bilateral.svg?reporter=PAK&partner=RUS&width=801&height=600")
	if resp2.Header.Get("ETag") == etag || body2 == body {
		t.Error("two sizes share an ETag")
	}
	// The same request again is the same image.
	if _, again := get(t, url); !bytes.Equal([]byte(again), []byte(body)) {
		t.Error("the same request drew a different image")
	}
}

func TestBilateralSVGNotConfigured(t *testing.T) {
	ts, _ := mustServer(t)
	resp, body := get(t, ts.URL+"/charts/bilateral.svg?reporter=PAK&partner=RUS")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "image export is not configured") {
		t.Errorf("status %d: %.300s", resp.StatusCode, body)
	}
}

func TestBilateralPNG(t *testing.T) {
	ts, _ := mustExportServer(t)
	for _, tt := range []struct {
		query      string
		wantStatus int
		wantSize   image.Point
	}{
		{"reporter=PAK&partner=RUS&width=800&height=450", 200, image.Pt(1600, 900)},
		{"reporter=PAK&partner=RUS&width=800&height=450&pixel_ratio=1&theme=dark", 200, image.Pt(800, 450)},
		{"reporter=PAK&partner=RUS&width=4000&height=3000", 400, image.Point{}},
		{"reporter=PAK&partner=RUS&pixel_ratio=9", 400, image.Point{}},
	} {
		resp, body := get(t, ts.URL+"/charts/bilateral.png?"+tt.query)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: status %d, want %d: %.300s", tt.query, resp.StatusCode, tt.wantStatus, body)
			continue
		}
		if tt.wantStatus != 200 {
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "image/png" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", tt.query, resp.Header)
		}
		img, err := png.Decode(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		if img.Bounds().Size() != tt.wantSize {
			t.Errorf("%s: size %v, want %v", tt.query, img.Bounds().Size(), tt.wantSize)
		}
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/charts/bilateral.png?"+tt.query, nil)
		req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		again, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		again.Body.Close()
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match answered %d", tt.query, again.StatusCode)
		}
	}
}
