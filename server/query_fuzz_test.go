package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
	"tradedash/data/demo"
)

// fuzzedPaths are the routes that bind reporter, partner, dataset, period,
// flow, a/b, mirror_dataset and cif from the query string.
var fuzzedPaths = []string{"/", "/bilateral", "/api/v1/bilateral", "/data/bilateral.csv", "/compare", "/api/v1/compare",
	"/mirror", "/api/v1/mirror", "/partners", "/api/v1/partners", "/data/partners.csv", "/datasets", "/login"}

// FuzzQueryString sends arbitrary query strings to every route that binds
// one, against the demo data: no answer may be a 5xx, every API answer is
// JSON, and a value with markup in it never comes back as markup.
func FuzzQueryString(f *testing.F) {
	for _, q := range []string{
		"reporter=PAK&partner=RUS", "reporter=IND&partner=RUS&dataset=3", "reporter=pakistan&partner=643",
		"reporter=PAK&partner=RUS&a=FY2021-22&b=FY2022-23", "reporter=PAK&partner=RUS&a=2020&b=FY2022-23", "reporter=PAK&partner=RUS&a=2020",
		"reporter=IND&partner=RUS&mirror_dataset=1&cif=1.06", "reporter=IND&partner=RUS&cif=NaN", "reporter=IND&partner=RUS&cif=-1e308",
		"reporter=IND&flow=import&period=2019", "reporter=IND&flow=re-export&period=2019-03..2019-05", "reporter=IND&flow=sideways",
		"reporter=IND&period=FY2019-20", "dataset=-1", "dataset=99999999999999999999", "reporter=&partner=", "reporter=PAK&reporter=IND&partner=RUS",
		"reporter=%3Cx-fuzz%3E&partner=RUS", "reporter=PAK&partner=RUS&a=%3Cx-fuzz%3E&b=2020", "next=%2F%2Fevil.example", "next=javascript:alert(1)",
		"deleted=1", "imported=1", "%zz", "reporter=PAK%00&partner=RUS", "reporter=PAK&partner=RUS&dataset=1e3",
	} {
		f.Add(q)
	}
	ctx := context.Background()
	ref, err := data.LoadReference()
	if err != nil {
		f.Fatal(err)
	}
	store, err := data.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"), ref)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	if err := demo.Load(ctx, store); err != nil {
		f.Fatal(err)
	}
	srv, err := New(Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, query string) {
		values, _ := url.ParseQuery(query)
		for _, path := range fuzzedPaths {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.URL.RawQuery = query
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code >= 500 {
				t.Fatalf("GET %s?%s: %d %.300s", path, query, rec.Code, body)
			}
			if strings.HasPrefix(path, "/api/") && !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("GET %s?%s: %d, not JSON: %.300s", path, query, rec.Code, body)
			}
			for _, vs := range values {
				for _, v := range vs {
					if strings.Contains(v, "<x-fuzz") && strings.Contains(body, "<x-fuzz") {
						t.Fatalf("GET %s?%s: the markup came back unescaped: %.300s", path, query, body)
					}
				}
			}
		}
	})
}
