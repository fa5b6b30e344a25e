package server

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestPrivateServer: with Private set, every route answers only the admin,
// except the sign-in page, the health checks and the static assets; pages
// send a browser to the sign-in form, the API and downloads answer 401.
func TestPrivateServer(t *testing.T) {
	a := mustAdminServerWith(t, Config{Private: true})

	_, login := a.do(t, "GET", "/login", nil, nil)
	asset := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindStringSubmatch(login)
	if asset == nil {
		t.Fatalf("the sign-in page links no static asset:\n%.600s", login)
	}
	open := []string{"/login", "/healthz", "/readyz", "/favicon.ico", asset[1]}
	for _, path := range open {
		if resp, body := a.do(t, "GET", path, nil, nil); resp.StatusCode != 200 {
			t.Errorf("GET %s without credentials: %d, want 200\n%.200s", path, resp.StatusCode, body)
		}
	}

	// Every other GET route, by class: pages redirect, /api/ answers 401.
	n := 0
	for _, r := range a.srv.echo.Routes() {
		if r.Method != "GET" {
			continue
		}
		path := strings.NewReplacer(":id", "1", "*", "app.css").Replace(r.Path)
		if openWhenPrivate(path) {
			continue
		}
		n++
		resp, body := a.do(t, "GET", path+"?reporter=PAK&partner=RUS", nil, nil)
		switch {
		case strings.HasPrefix(path, "/api/"):
			if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" || !strings.Contains(body, "sign in") {
				t.Errorf("GET %s without credentials: %d %q %.200s, want a 401 saying how to sign in", path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
			}
		default:
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
				t.Errorf("GET %s without credentials: %d to %q, want 303 to the sign-in form", path, resp.StatusCode, loc)
			}
		}
		if strings.Contains(body, "Pakistan") || strings.Contains(body, "PAK") {
			t.Errorf("GET %s without credentials shows data:\n%.300s", path, body)
		}
	}
	if n < 15 {
		t.Errorf("only %d private GET routes checked", n)
	}
	// Unknown paths are no way around it, nor is a wrong token.
	if resp, _ := a.do(t, "GET", "/no-such-page", nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("an unknown page without credentials: %d, want 303", resp.StatusCode)
	}
	if resp, _ := a.do(t, "GET", "/api/v1/datasets", nil, map[string]string{"Authorization": "Bearer wrong-token-wrong-token"}); resp.StatusCode != 401 {
		t.Errorf("the API with a wrong token: %d, want 401", resp.StatusCode)
	}
	// Writes are refused before their handler, as on an open server.
	mp, ct := multipartBody(t, nil, "kaz.csv", tradeCSV(3, 1), nil)
	if resp, _ := a.do(t, "POST", "/api/v1/datasets", mp, map[string]string{"Content-Type": ct}); resp.StatusCode != 401 {
		t.Errorf("an upload without credentials: %d, want 401", resp.StatusCode)
	}

	// Signed in, a browser reads pages, the API and downloads.
	cookie, _ := signIn(t, a)
	session := map[string]string{"Cookie": cookie}
	bearer := map[string]string{"Authorization": "Bearer " + testToken}
	for _, tc := range []struct {
		path string
		h    map[string]string
		want string
	}{
		{"/", session, "Official statements"},
		{"/bilateral?reporter=PAK&partner=RUS", session, "Pakistan"},
		{"/partners?reporter=IND", session, "India"},
		{"/datasets", session, "Sign out"},
		{"/api/v1/bilateral?reporter=PAK&partner=RUS", session, `"reporter":"PAK"`},
		{"/data/bilateral.csv?reporter=PAK&partner=RUS", session, "PAK"},
		{"/api/v1/datasets", bearer, `"datasets":[`},
		{"/api/v1/bilateral?reporter=PAK&partner=RUS", bearer, `"reporter":"PAK"`},
		{"/metrics", bearer, "tradedash_"},
	} {
		resp, body := a.do(t, "GET", tc.path, nil, tc.h)
		if resp.StatusCode != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s signed in: %d, want 200 with %q\n%.300s", tc.path, resp.StatusCode, tc.want, body)
		}
	}
	// Signed out, the pages close again.
	_, csrfPage := a.do(t, "GET", "/datasets", nil, session)
	csrf := csrfRe.FindStringSubmatch(csrfPage)
	body, fh := form("csrf", csrf[1])
	if resp, _ := a.do(t, "POST", "/logout", body, with(fh, "Cookie", cookie)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	if resp, _ := a.do(t, "GET", "/", nil, session); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET / after signing out: %d, want 303", resp.StatusCode)
	}
}

// TestOpenServerNeedsNoSignInToRead: without Private, reading stays open.
func TestOpenServerNeedsNoSignInToRead(t *testing.T) {
	a := mustAdminServer(t, 0)
	for _, path := range []string{"/", "/bilateral?reporter=PAK&partner=RUS", "/api/v1/datasets", "/datasets", "/metrics"} {
		if resp, _ := a.do(t, "GET", path, nil, nil); resp.StatusCode != 200 {
			t.Errorf("GET %s on an open server: %d, want 200", path, resp.StatusCode)
		}
	}
}
