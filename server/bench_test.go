package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchmarkHandler serves one URL in process, so the figure is the
// handler's own cost: query, charts, template, no network.
func benchmarkHandler(b *testing.B, url string) {
	ts, _ := mustServer(b)
	h := ts.Config.Handler
	req := httptest.NewRequest(http.MethodGet, url, nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", url, rec.Code)
		}
	}
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
