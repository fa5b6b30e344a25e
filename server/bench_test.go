package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchmarkHandler serves one URL in process with the response cache off,
// so the figure is the handler's own cost: query, charts, template, no
// network. It is what a cache miss costs.
func benchmarkHandler(b *testing.B, url string) {
	ts, _ := mustServerWith(b, Config{ResponseCacheBytes: -1})
	serveLoop(b, ts.Config.Handler, url, nil, http.StatusOK)
}

// benchmarkCached serves one URL from the response cache: every request
// but the first (made before the timer) is a hit, or with ifNoneMatch
// a 304.
func benchmarkCached(b *testing.B, url string, ifNoneMatch bool) {
	ts, _ := mustServer(b)
	h := ts.Config.Handler
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") == "" {
		b.Fatalf("%s: %d, ETag %q", url, rec.Code, rec.Header().Get("ETag"))
	}
	if ifNoneMatch {
		serveLoop(b, h, url, map[string]string{"If-None-Match": rec.Header().Get("ETag")}, http.StatusNotModified)
		return
	}
	serveLoop(b, h, url, nil, http.StatusOK)
}

func serveLoop(b *testing.B, h http.Handler, url string, header map[string]string, want int) {
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s: %d, want %d", url, rec.Code, want)
		}
	}
}

func BenchmarkCachedProductsPage(b *testing.B) {
	benchmarkCached(b, "/products?reporter=PAK&product=30", false)
}

func BenchmarkCachedPartnersAPI(b *testing.B) {
	benchmarkCached(b, "/api/v1/partners?reporter=PAK&flow=export", false)
}

func BenchmarkCachedNotModified(b *testing.B) {
	benchmarkCached(b, "/products?reporter=PAK&product=30", true)
}

func BenchmarkBilateralPage(b *testing.B) {
	benchmarkHandler(b, "/bilateral?reporter=PAK&partner=RUS")
}

func BenchmarkBilateralAPI(b *testing.B) {
	benchmarkHandler(b, "/api/v1/bilateral?reporter=PAK&partner=RUS")
}

func BenchmarkPartnersPage(b *testing.B) {
	benchmarkHandler(b, "/partners?reporter=IND&flow=export")
}

// BenchmarkHomePage is the home page on a cache miss: every dataset with
// its largest pairs.
func BenchmarkHomePage(b *testing.B) {
	benchmarkHandler(b, "/")
}

// BenchmarkProductsPage is a products page on a cache miss: one chapter
// by partner, with its table.
func BenchmarkProductsPage(b *testing.B) {
	benchmarkHandler(b, "/products?reporter=PAK&product=30")
}
