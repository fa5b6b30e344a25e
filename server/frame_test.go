package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// TestFrameAncestors: the configured frame-ancestors list reaches the CSP
// of every answer, X-Frame-Options agrees with it (or is left out when it
// cannot), and a value that could break out of the directive or the
// header is refused when the server is built.
func TestFrameAncestors(t *testing.T) {
	t.Parallel()
	ref, err := data.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "frame.db"), ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	newServer := func(fa string) (*Server, error) {
		return New(Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), FrameAncestors: fa})
	}

	for _, tt := range []struct {
		config, wantCSP, wantXFO string
	}{
		{"", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"'self'", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"'none'", "frame-ancestors 'none'", "DENY"},
		{"  'self'   https://intranet.example ", "frame-ancestors 'self' https://intranet.example", ""},
		{"https://*.example.org:8443", "frame-ancestors https://*.example.org:8443", ""},
		{"portal.example/reports/", "frame-ancestors portal.example/reports/", ""},
	} {
		srv, err := newServer(tt.config)
		if err != nil {
			t.Errorf("%q: %v", tt.config, err)
			continue
		}
		// A page, an API answer and an error answer all carry the headers.
		for _, path := range []string{"/", "/api/v1/countries", "/no-such-page"} {
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			csp := rec.Header().Get("Content-Security-Policy")
			if !strings.HasSuffix(csp, "; "+tt.wantCSP) || !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("%q %s: CSP %q; want it to end with %q", tt.config, path, csp, tt.wantCSP)
			}
			if got := rec.Header().Values("X-Frame-Options"); strings.Join(got, ",") != tt.wantXFO {
				t.Errorf("%q %s: X-Frame-Options %q; want %q", tt.config, path, got, tt.wantXFO)
			}
		}
	}

	for _, bad := range []string{
		"'self'; script-src *",                 // a second directive
		"'self'\r\nSet-Cookie: admin=1",        // a second header
		"'self'\nhttps://a.example",            // any control character
		"https://a.example, https://b.example", // commas separate policies
		"'none' 'self'",                        // 'none' with others
		"'unsafe-inline'",                      // not a frame-ancestors keyword
		`"self"`,                               // wrong quotes
		"https://exämple.org",                  // not ASCII: give the punycode
		"https://a.example/<script>",           // not a path
		"javascript:alert(1)//",                // a scheme with more after it
		"*",                                    // every site
		"'self' https:",                        // every https site
		"https://*",                            // every https site, by wildcard host
		"http://*:8080/",                       // every site on a port
	} {
		_, err := newServer(bad)
		if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "frame-ancestors") {
			t.Errorf("%q: New = %v; want a refusal naming frame-ancestors", bad, err)
		}
	}
}
