package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// form is a url-encoded form body and its Content-Type header.
func form(kv ...string) (*strings.Reader, map[string]string) {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return strings.NewReader(v.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
}

// with adds headers to a header map.
func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in through the login form and returns the session cookie
// (as a Cookie header value) and the session's CSRF token, read from a page.
func signIn(tb testing.TB, a *adminServer) (cookie, csrf string) {
	tb.Helper()
	body, h := form("token", testToken, "next", "/datasets")
	resp, page := a.do(tb, "POST", "/login", body, h)
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign in: %d %.300s", resp.StatusCode, page)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		tb.Fatal("no session cookie")
	}
	_, page = a.do(tb, "GET", "/datasets", nil, map[string]string{"Cookie": cookie})
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("no CSRF token on /datasets for a signed-in admin:\n%.1000s", page)
	}
	return cookie, m[1]
}

func TestSessionCookie(t *testing.T) {
	a := mustAdminServer(t, 0)
	resp, page := a.do(t, "GET", "/login?next=/datasets/new", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(page, `type="password" name="token"`) || !strings.Contains(page, `name="next" value="/datasets/new"`) {
		t.Fatalf("login page: %d\n%.1000s", resp.StatusCode, page)
	}
	body, h := form("token", "wrong-token-of-some-length", "next", "/datasets/new")
	resp, page = a.do(t, "POST", "/login", body, h)
	if resp.StatusCode != 401 || !strings.Contains(page, "That is not the admin token") || len(resp.Cookies()) != 0 {
		t.Errorf("wrong token: %d, cookies %v\n%.500s", resp.StatusCode, resp.Cookies(), page)
	}
	for _, tt := range []struct {
		name, next, proto string
		wantLocation      string
		wantSecure        bool
	}{
		{"over http", "/datasets/new", "", "/datasets/new", false},
		{"behind a TLS proxy", "/datasets", "https", "/datasets", true},
		{"an outside next", "//evil.example/x", "", "/datasets", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, h := form("token", testToken, "next", tt.next)
			if tt.proto != "" {
				h = with(h, "X-Forwarded-Proto", tt.proto)
			}
			resp, _ := a.do(t, "POST", "/login", body, h)
			if resp.StatusCode != 303 || resp.Header.Get("Location") != tt.wantLocation {
				t.Errorf("%d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), tt.wantLocation)
			}
			cookies := resp.Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies = %v", cookies)
			}
			c := cookies[0]
			if c.Name != sessionCookie || len(c.Value) < 40 || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" ||
				c.Secure != tt.wantSecure || c.MaxAge <= 0 {
				t.Errorf("cookie = %+v", c)
			}
		})
	}
}

// TestBrowserWritesNeedTheCSRFToken signs in and checks that every kind of
// write a session can make is refused without its CSRF token and done with it.
func TestBrowserWritesNeedTheCSRFToken(t *testing.T) {
	a := mustAdminServer(t, 0)
	cookie, csrf := signIn(t, a)
	jar := map[string]string{"Cookie": cookie}

	// API with the cookie: the token comes in a header.
	patch := `{"description":"edited"}`
	for _, tt := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"no token", with(jar, "Content-Type", "application/json"), 403},
		{"wrong token", with(jar, "Content-Type", "application/json", csrfHeader, csrf+"x"), 403},
		{"right token", with(jar, "Content-Type", "application/json", csrfHeader, csrf), 200},
	} {
		resp, body := a.do(t, "PATCH", "/api/v1/datasets/1", strings.NewReader(patch), tt.header)
		if resp.StatusCode != tt.want {
			t.Errorf("PATCH with a session, %s: %d, want %d: %.300s", tt.name, resp.StatusCode, tt.want, body)
		}
		if tt.want == 403 && !strings.Contains(body, "CSRF token") {
			t.Errorf("403 does not say why: %s", body)
		}
	}

	// The edit form.
	body, h := form("name", "Renamed by form", "source", "s", "description", "d")
	if resp, _ := a.do(t, "POST", "/datasets/1/edit", body, with(h, "Cookie", cookie)); resp.StatusCode != 403 {
		t.Errorf("edit form without csrf: %d", resp.StatusCode)
	}
	body, h = form("csrf", csrf, "name", "Renamed by form", "source", "s", "description", "d")
	if resp, _ := a.do(t, "POST", "/datasets/1/edit", body, with(h, "Cookie", cookie)); resp.StatusCode != 303 || resp.Header.Get("Location") != "/datasets#ds-1" {
		t.Errorf("edit form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if d, _ := a.store.Dataset(context.Background(), 1); d.Name != "Renamed by form" {
		t.Errorf("dataset 1 is named %q after the edit", d.Name)
	}

	// An upload form: the token must come before the file.
	mp, ct := multipartBody(t, nil, "kaz.csv", tradeCSV(5, 1), []field{{"csrf", csrf}})
	if resp, _ := a.do(t, "POST", "/datasets/new", mp, map[string]string{"Cookie": cookie, "Content-Type": ct}); resp.StatusCode != 403 {
		t.Errorf("upload with the token after the file: %d", resp.StatusCode)
	}
	mp, ct = multipartBody(t, []field{{"csrf", "forged"}}, "kaz.csv", tradeCSV(5, 1), nil)
	if resp, _ := a.do(t, "POST", "/datasets/new", mp, map[string]string{"Cookie": cookie, "Content-Type": ct}); resp.StatusCode != 403 {
		t.Errorf("upload with a forged token: %d", resp.StatusCode)
	}
	mp, ct = multipartBody(t, []field{{"csrf", csrf}, {"name", "Five months"}}, "kaz.csv", tradeCSV(5, 1), nil)
	resp, _ := a.do(t, "POST", "/datasets/new", mp, map[string]string{"Cookie": cookie, "Content-Type": ct})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/datasets/new?preview=") {
		t.Fatalf("upload form: %d to %q", resp.StatusCode, loc)
	}
	_, page := a.do(t, "GET", loc, nil, jar)
	for _, want := range []string{"Preview: kaz.csv", "<code>long</code>", `<dd class="rows">5</dd>`, "Jan 2000, Feb 2000", "Kazakhstan – Uzbekistan",
		`action="/datasets/commit"`, `value="Five months"`, "Commit: import 5 figures"} {
		if !strings.Contains(page, want) {
			t.Errorf("preview page lacks %q", want)
		}
	}
	id := strings.TrimPrefix(loc, "/datasets/new?preview=")
	body, h = form("preview", id, "name", "Five months")
	if resp, _ := a.do(t, "POST", "/datasets/commit", body, with(h, "Cookie", cookie)); resp.StatusCode != 403 {
		t.Errorf("commit without csrf: %d", resp.StatusCode)
	}
	body, h = form("csrf", csrf, "preview", id, "name", "Five months")
	resp, _ = a.do(t, "POST", "/datasets/commit", body, with(h, "Cookie", cookie))
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/datasets/imports/") {
		t.Fatalf("commit: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if st := waitImport(t, a, cookie, resp.Header.Get("Location")); st.URL != "/datasets?imported=4#ds-4" {
		t.Fatalf("the import ended with %+v", st)
	}
	_, page = a.do(t, "GET", "/datasets?imported=4", nil, jar)
	for _, want := range []string{"Imported: Five months", `href="/bilateral?dataset=4&amp;partner=UZB&amp;reporter=KAZ"`, `href="/api/v1/datasets/4/original"`} {
		if !strings.Contains(page, want) {
			t.Errorf("datasets page after the commit lacks %q", want)
		}
	}
	body, h = form("csrf", csrf, "preview", id)
	if resp, _ := a.do(t, "POST", "/datasets/commit", body, with(h, "Cookie", cookie)); resp.StatusCode != http.StatusGone {
		t.Errorf("committing the same preview twice: %d, want 410", resp.StatusCode)
	}

	// Deleting: a confirmation that says what goes, then the form.
	_, page = a.do(t, "GET", "/datasets/4/delete", nil, jar)
	for _, want := range []string{"Delete dataset 4?", "<strong>5</strong> figures on <strong>1</strong>", "its original file, <code>kaz.csv</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("confirmation lacks %q", want)
		}
	}
	body, h = form()
	if resp, _ := a.do(t, "POST", "/datasets/4/delete", body, with(h, "Cookie", cookie)); resp.StatusCode != 403 {
		t.Errorf("delete without csrf: %d", resp.StatusCode)
	}
	body, h = form("csrf", csrf)
	if resp, _ := a.do(t, "POST", "/datasets/4/delete", body, with(h, "Cookie", cookie)); resp.StatusCode != 303 || resp.Header.Get("Location") != "/datasets?deleted=4" {
		t.Errorf("delete: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Signing out closes the session.
	body, h = form()
	if resp, _ := a.do(t, "POST", "/logout", body, with(h, "Cookie", cookie)); resp.StatusCode != 403 {
		t.Errorf("sign out without csrf: %d", resp.StatusCode)
	}
	body, h = form("csrf", csrf)
	resp, _ = a.do(t, "POST", "/logout", body, with(h, "Cookie", cookie))
	if resp.StatusCode != 303 || len(resp.Cookies()) != 1 || resp.Cookies()[0].MaxAge >= 0 {
		t.Errorf("sign out: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	resp, _ = a.do(t, "PATCH", "/api/v1/datasets/1", strings.NewReader(patch), with(jar, "Content-Type", "application/json", csrfHeader, csrf))
	if resp.StatusCode != 401 {
		t.Errorf("the closed session still writes: %d", resp.StatusCode)
	}
	if resp, _ := a.do(t, "GET", "/datasets/new", nil, jar); resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next=%2Fdatasets%2Fnew" {
		t.Errorf("upload page after sign-out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestPreviewShowsErrorsAndExpires(t *testing.T) {
	a := mustAdminServer(t, 0)
	cookie, csrf := signIn(t, a)
	bad := []byte("reporter,partner,period,flow,value_usd\nKAZ,UZB,2020,export,1\nKAZ,UZB,2021,export,12x\n")
	mp, ct := multipartBody(t, []field{{"csrf", csrf}}, "bad.csv", bad, nil)
	resp, _ := a.do(t, "POST", "/datasets/new", mp, map[string]string{"Cookie": cookie, "Content-Type": ct})
	loc := resp.Header.Get("Location")
	_, page := a.do(t, "GET", loc, nil, map[string]string{"Cookie": cookie})
	for _, want := range []string{"The file cannot be imported", "<td class=\"num\">3</td><td>value_usd</td><td><code>12x</code></td>", "is not a number"} {
		if !strings.Contains(page, want) {
			t.Errorf("preview of a bad file lacks %q", want)
		}
	}
	if strings.Contains(page, `action="/datasets/commit"`) {
		t.Error("a file with errors can be committed")
	}
	// Preview again with the file kept, after the options change.
	id := strings.TrimPrefix(loc, "/datasets/new?preview=")
	// A browser sends an empty file field when no file is chosen.
	mp, ct = multipartBody(t, []field{{"csrf", csrf}, {"preview", id}, {"fiscal_start_month", "7"}}, "", []byte{}, nil)
	resp, _ = a.do(t, "POST", "/datasets/new", mp, map[string]string{"Cookie": cookie, "Content-Type": ct})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != loc {
		t.Errorf("preview again: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), loc)
	}
	_, page = a.do(t, "GET", loc, nil, map[string]string{"Cookie": cookie})
	if !strings.Contains(page, `<option value="7" selected>July</option>`) {
		t.Error("the preview does not show the option it was parsed with")
	}
	// Expired previews are forgotten, with their files.
	a.srv.uploads.mu.Lock()
	p := a.srv.uploads.previews[id]
	p.expires = time.Now().Add(-time.Second)
	file := p.up.path
	a.srv.uploads.mu.Unlock()
	resp, page = a.do(t, "GET", loc, nil, map[string]string{"Cookie": cookie})
	if resp.StatusCode != http.StatusGone || !strings.Contains(page, "expired") {
		t.Errorf("expired preview: %d", resp.StatusCode)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the expired preview's file is still there: %v", err)
	}
}

func TestSignInRateLimit(t *testing.T) {
	a := mustAdminServer(t, 0)
	for i := range maxFailedSignIns {
		body, h := form("token", "guess-number-"+string(rune('a'+i))+"-of-many")
		if resp, _ := a.do(t, "POST", "/login", body, h); resp.StatusCode != 401 {
			t.Fatalf("guess %d: %d", i+1, resp.StatusCode)
		}
	}
	// Now even the right token is refused, from this address, by form or API.
	body, h := form("token", testToken)
	resp, page := a.do(t, "POST", "/login", body, h)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(page, "Too many failed sign-ins") {
		t.Errorf("sign-in after %d failures: %d, Retry-After %q", maxFailedSignIns, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, body2 := a.do(t, "DELETE", "/api/v1/datasets/1", nil, map[string]string{"Authorization": "Bearer " + testToken})
	if resp.StatusCode != 429 || !strings.Contains(body2, "Too many failed sign-ins") {
		t.Errorf("bearer after %d failures: %d %s", maxFailedSignIns, resp.StatusCode, body2)
	}
	// Another address is not held back.
	body, h = form("token", testToken)
	req := httptest.NewRequest("POST", "/login", body)
	req.Header.Set("Content-Type", h["Content-Type"])
	req.RemoteAddr = "192.0.2.7:40000"
	rec := httptest.NewRecorder()
	a.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 303 {
		t.Errorf("another address: %d", rec.Code)
	}
	// X-Forwarded-For does not make a new address.
	body, h = form("token", testToken)
	resp, _ = a.do(t, "POST", "/login", body, with(h, "X-Forwarded-For", "198.51.100.9"))
	if resp.StatusCode != 429 {
		t.Errorf("with a made-up X-Forwarded-For: %d, want 429", resp.StatusCode)
	}
}

func TestWrongBearerTokensAreRateLimited(t *testing.T) {
	a := mustAdminServer(t, 0)
	for i := range maxFailedSignIns + 1 {
		resp, _ := a.do(t, "DELETE", "/api/v1/datasets/1", nil, map[string]string{"Authorization": "Bearer guess-guess-guess-" + string(rune('a'+i))})
		want := 401
		if i == maxFailedSignIns {
			want = 429
		}
		if resp.StatusCode != want {
			t.Errorf("guess %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if sets, _ := a.store.Datasets(context.Background()); len(sets) != 3 {
		t.Errorf("%d datasets after the guesses, want 3", len(sets))
	}
}

// TestEveryWriteNeedsTheAdmin sends every route that changes something,
// without credentials, and expects each to be refused with nothing changed.
func TestEveryWriteNeedsTheAdmin(t *testing.T) {
	a := mustAdminServer(t, 0)
	open := map[string]bool{"POST /login": true, "POST /logout": true}
	n := 0
	for _, r := range a.srv.echo.Routes() {
		if r.Method == "GET" || r.Method == "HEAD" || open[r.Method+" "+r.Path] {
			continue
		}
		n++
		path := strings.ReplaceAll(r.Path, ":id", "1")
		mp, ct := multipartBody(t, nil, "kaz.csv", tradeCSV(3, 1), nil)
		resp, body := a.do(t, r.Method, path, mp, map[string]string{"Content-Type": ct})
		if resp.StatusCode != 401 {
			t.Errorf("%s %s without credentials: %d, want 401", r.Method, path, resp.StatusCode)
		}
		if !strings.Contains(body, "sign in") {
			t.Errorf("%s %s: the 401 does not say what to do: %.200s", r.Method, path, body)
		}
	}
	if n < 6 {
		t.Errorf("only %d write routes found", n)
	}
	sets, _ := a.store.Datasets(context.Background())
	if len(sets) != 3 || sets[0].Name != "Official statements: Pakistan–Russia and India–Russia trade" {
		t.Errorf("datasets changed: %d, first %q", len(sets), sets[0].Name)
	}
	// A logout without a session changes nothing and goes back to the list.
	body, h := form()
	if resp, _ := a.do(t, "POST", "/logout", body, h); resp.StatusCode != 303 {
		t.Errorf("logout without a session: %d", resp.StatusCode)
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "/datasets",
		"/datasets/new":           "/datasets/new",
		"/bilateral?reporter=PAK": "/bilateral?reporter=PAK",
		"//evil.example":          "/datasets",
		"https://evil.example/":   "/datasets",
		"/\\evil.example":         "/datasets",
		"datasets":                "/datasets",
		"/x\r\nSet-Cookie: a=b":   "/datasets",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
