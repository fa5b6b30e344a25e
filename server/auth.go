package server

import (
	"crypto/subtle"
	"errors"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tradedash/data"
)

// Admin access. Reading is open; every write needs the admin, who is
// either an API client sending "Authorization: Bearer <admin token>" or a
// browser holding a session cookie from POST /login. A browser's writes
// also carry the session's CSRF token (a form field "csrf", or the header
// X-CSRF-Token), compared in constant time; the cookie is SameSite=Strict
// as well, so a cross-site form has two locks to pass. A bearer token
// needs no CSRF token: browsers never attach one on their own.
const (
	sessionCookie    = "tradedash_session"
	sessionTTL       = 12 * time.Hour
	csrfField        = "csrf"
	csrfHeader       = "X-CSRF-Token"
	signInWindow     = time.Minute
	maxFailedSignIns = 5               // per client address and signInWindow
	maxFormBytes     = 1 << 20         // a url-encoded form: login, edit, commit
	adminKey         = "tradedash.adm" // echo context key of the *admin
	identityKey      = "tradedash.who" // echo context key of identify's *admin
)

// admin is who a request's credentials say it comes from.
type admin struct {
	session *data.Session // nil for a bearer token
	// csrfOK is true once the request has shown it is not cross-site: a
	// bearer token, or the session's CSRF token.
	csrfOK bool
}

var (
	errSignIn = echo.NewHTTPError(http.StatusUnauthorized,
		"This needs the admin: sign in at /login, or send the admin token as \"Authorization: Bearer <token>\".")
	errBadToken = echo.NewHTTPError(http.StatusUnauthorized,
		"The bearer token is not the admin token.")
	errTooManySignIns = echo.NewHTTPError(http.StatusTooManyRequests,
		"Too many failed sign-ins from your address: wait a minute, then try again.")
	errCSRF = echo.NewHTTPError(http.StatusForbidden,
		"This form is out of date or did not come from this site (its CSRF token is missing or wrong): reload the page and try again.")
)

// identify returns the request's admin, or nil when it carries no
// credentials (an expired or unknown session cookie counts as none). A
// wrong bearer token is an error and counts as a failed sign-in.
func (s *Server) identify(c echo.Context) (*admin, error) {
	// A request identified once (by requireSignIn, then requireAdmin or a
	// page's viewer) is not looked up, nor counted as a failure, again.
	if a, ok := c.Get(identityKey).(*admin); ok {
		return a, nil
	}
	a, err := s.lookUpAdmin(c)
	if a != nil {
		c.Set(identityKey, a)
	}
	return a, err
}

func (s *Server) lookUpAdmin(c echo.Context) (*admin, error) {
	ctx, cancel := s.queryContext(c)
	defer cancel()
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, echo.NewHTTPError(http.StatusUnauthorized, `The Authorization header must be "Bearer <admin token>".`)
		}
		if err := s.checkSignInRate(c); err != nil {
			return nil, err
		}
		ok, err := s.store.VerifyAdminToken(ctx, strings.TrimSpace(token))
		if err != nil {
			return nil, err
		}
		if !ok {
			if _, err := s.store.RecordFailedSignIn(ctx, s.clientIP(c), signInWindow); err != nil {
				return nil, err
			}
			return nil, errBadToken
		}
		return &admin{csrfOK: true}, nil
	}
	cookie, err := c.Cookie(sessionCookie)
	if err != nil || cookie.Value == "" {
		return nil, nil
	}
	sess, err := s.store.Session(ctx, cookie.Value)
	if errors.Is(err, data.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &admin{session: &sess}, nil
}

// requireAdmin lets a request through only from the admin; a browser's
// writes must also carry the session's CSRF token. A multipart upload's
// token is a form field that the upload handler checks as it reads the
// body, before the file (see receiveUpload).
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := s.identify(c)
		if err != nil {
			return s.authError(c, err)
		}
		if a == nil {
			return s.authError(c, errSignIn)
		}
		req := c.Request()
		if !a.csrfOK && req.Method != http.MethodGet && req.Method != http.MethodHead {
			token := req.Header.Get(csrfHeader)
			if token == "" && isFormType(req, "application/x-www-form-urlencoded") {
				req.Body = http.MaxBytesReader(c.Response(), req.Body, maxFormBytes)
				token = c.FormValue(csrfField)
			}
			switch {
			case token != "":
				if !sameSecret(token, a.session.CSRF) {
					return errCSRF
				}
				a.csrfOK = true
			case !isFormType(req, "multipart/form-data"):
				return errCSRF
			}
		}
		c.Set(adminKey, a)
		return next(c)
	}
}

// openWhenPrivate are the paths a private server serves to anyone: the
// sign-in and sign-out forms, the health checks, and the static assets
// the sign-in page needs.
func openWhenPrivate(path string) bool {
	switch path {
	case "/login", "/logout", "/healthz", "/readyz", "/favicon.ico":
		return true
	}
	return strings.HasPrefix(path, "/static/")
}

// requireSignIn, on a private server, lets a request through only from
// the admin (a session or the bearer token), except to openWhenPrivate.
// Pages are sent to the sign-in form; API clients get a 401.
func (s *Server) requireSignIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if openWhenPrivate(c.Request().URL.Path) {
			return next(c)
		}
		a, err := s.identify(c)
		if err != nil {
			return s.authError(c, err)
		}
		if a == nil {
			return s.authError(c, errSignIn)
		}
		return next(c)
	}
}

// authError answers a request without valid credentials. A page asked
// for by a browser (GET, not under /api/) is sent to the sign-in form.
func (s *Server) authError(c echo.Context, err error) error {
	var he *echo.HTTPError
	if !errors.As(err, &he) || he.Code != http.StatusUnauthorized {
		if errors.Is(err, errTooManySignIns) {
			c.Response().Header().Set("Retry-After", "60")
		}
		return err
	}
	req := c.Request()
	if strings.HasPrefix(req.URL.Path, "/api/") || req.Header.Get(echo.HeaderAuthorization) != "" {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tradedash"`)
		return err
	}
	if req.Method == http.MethodGet {
		return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(req.URL.RequestURI()))
	}
	return err
}

// label names the admin as a dataset's importer: a browser session, or
// an API client with the bearer token.
func (a *admin) label() string {
	switch {
	case a == nil:
		return ""
	case a.session == nil:
		return "admin (API token)"
	}
	return "admin"
}

// adminOf returns the admin requireAdmin let through, or nil on routes
// that do not require one.
func adminOf(c echo.Context) *admin {
	a, _ := c.Get(adminKey).(*admin)
	return a
}

// viewer is, for pages anyone may read, whether a signed-in admin is
// looking and the CSRF token to put in their forms.
func (s *Server) viewer(c echo.Context) (isAdmin bool, csrf string) {
	a, err := s.identify(c)
	if err != nil || a == nil {
		return false, ""
	}
	if a.session != nil {
		return true, a.session.CSRF
	}
	return true, ""
}

// checkSignInRate refuses a client with too many recent failed sign-ins,
// whatever it sends now, so that guessing stays slow.
func (s *Server) checkSignInRate(c echo.Context) error {
	ctx, cancel := s.queryContext(c)
	defer cancel()
	n, err := s.store.FailedSignIns(ctx, s.clientIP(c), signInWindow)
	if err != nil {
		return err
	}
	if n >= maxFailedSignIns {
		return errTooManySignIns
	}
	return nil
}

// clientIP is the address sign-in failures are counted against: the TCP
// peer, not X-Forwarded-For, which any client can write. Behind a reverse
// proxy every client then shares the proxy's address and its limit,
// which errs on the safe side; an IPExtractor set on the echo instance
// for a trusted proxy is used instead.
func (s *Server) clientIP(c echo.Context) string {
	if s.echo.IPExtractor != nil {
		return c.RealIP()
	}
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}

func sameSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func isFormType(req *http.Request, want string) bool {
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	return err == nil && mt == want
}

// --- sign-in pages ------------------------------------------------------------

type loginView struct {
	Next, Error string
	SignedIn    bool
	CSRF        string
}

func (s *Server) handleLoginPage(c echo.Context) error {
	isAdmin, csrf := s.viewer(c)
	return s.render(c, http.StatusOK, "login", loginView{Next: localPath(c.QueryParam("next")), SignedIn: isAdmin, CSRF: csrf})
}

// handleLogin signs a browser in with the admin token and sends it on to
// the page it came for.
func (s *Server) handleLogin(c echo.Context) error {
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxFormBytes)
	view := loginView{Next: localPath(c.FormValue("next"))}
	if err := s.checkSignInRate(c); err != nil {
		c.Response().Header().Set("Retry-After", "60")
		view.Error = errTooManySignIns.Message.(string)
		return s.render(c, http.StatusTooManyRequests, "login", view)
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	ok, err := s.store.VerifyAdminToken(ctx, strings.TrimSpace(c.FormValue("token")))
	if err != nil {
		return err
	}
	if !ok {
		if _, err := s.store.RecordFailedSignIn(ctx, s.clientIP(c), signInWindow); err != nil {
			return err
		}
		view.Error = "That is not the admin token. It was printed once when tradedash first started, or set with TRADEDASH_ADMIN_TOKEN."
		return s.render(c, http.StatusUnauthorized, "login", view)
	}
	sess, err := s.store.CreateSession(ctx, sessionTTL)
	if err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(c, sess.ID, int(sessionTTL/time.Second)))
	return c.Redirect(http.StatusSeeOther, view.Next)
}

// handleLogout closes the browser's session. A session's sign-out must
// carry its CSRF token, so that another site cannot sign the admin out.
func (s *Server) handleLogout(c echo.Context) error {
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxFormBytes)
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie.Value != "" {
		a, err := s.identify(c)
		if err != nil {
			return err
		}
		if a != nil && a.session != nil {
			if !sameSecret(c.FormValue(csrfField), a.session.CSRF) {
				return errCSRF
			}
			ctx, cancel := s.queryContext(c)
			defer cancel()
			if err := s.store.DeleteSession(ctx, cookie.Value); err != nil {
				return err
			}
		}
	}
	c.SetCookie(s.sessionCookie(c, "", -1))
	return c.Redirect(http.StatusSeeOther, "/datasets")
}

// sessionCookie is the session cookie: HttpOnly, SameSite=Strict, and
// Secure when the page was served over TLS (directly or, by its
// X-Forwarded-Proto, behind a proxy).
func (s *Server) sessionCookie(c echo.Context, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"}
}

// localPath keeps a redirect target on this site: a path such as
// "/datasets/new", never "//evil.example" or "https://…".
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/datasets"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/datasets"
	}
	return next
}
