// Package server is tradedash's HTTP layer: echo wiring, thin handlers
// that bind a query, call the store and the chart builders, and render a
// view model. It is the only package that imports echo, so that echo's
// next major version is an upgrade of this package alone.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"tradedash/charts"
	"tradedash/data"
)

// Config is what a Server needs.
type Config struct {
	Store  *data.Store
	Logger *slog.Logger
	// QueryTimeout bounds each request's database work; 0 means 10 s.
	QueryTimeout time.Duration
	// MaxUploadBytes is the largest file an upload may carry; 0 means 100 MB.
	MaxUploadBytes int64
	// HeaderTimeout bounds the reading of a request's headers, so that a
	// client sending them slowly (Slowloris) loses its connection; 0 means
	// 10 s.
	HeaderTimeout time.Duration
	// RequestTimeout bounds the reading of a whole request and the writing
	// of its answer, uploads excepted; 0 means 60 s.
	RequestTimeout time.Duration
	// UploadTimeout bounds one upload: receiving, parsing and storing its
	// file; an upload still arriving then is refused (408) and nothing is
	// stored. 0 means 5 minutes.
	UploadTimeout time.Duration
	// FilesDir keeps the original file of every upload, named by its
	// sha256, and the files of pending previews; "" refuses uploads.
	FilesDir string
	// Renderer draws charts as images for /charts/*.svg; nil answers
	// those routes with 503.
	Renderer *charts.Renderer
	// FrameAncestors is the CSP frame-ancestors source list: who may show
	// the pages in a frame, such as "'self' https://intranet.example";
	// "" means 'self'. See ParseFrameAncestors.
	FrameAncestors string
	// Private requires the admin's sign-in for reading too: every route
	// but the sign-in page, health checks and static assets.
	Private bool
	// ResponseCacheBytes bounds the cache of rendered answers (cache.go);
	// 0 means 64 MiB, and a negative value turns the cache off.
	ResponseCacheBytes int
}

// Server serves the dashboard and its JSON API.
type Server struct {
	store   *data.Store
	ref     *data.Reference
	log     *slog.Logger
	timeout time.Duration
	conn    connTimeouts
	echo    *echo.Echo
	pages   *pages
	metrics *Metrics // owns the Prometheus registry
	uploads *uploads // uploaded files and pending previews
	imports *importJobs
	images  *charts.Renderer
	headers map[string]string // the security headers of every answer
	cache   *responseCache    // rendered answers of the read-only routes
}

// New builds a Server; it parses every template and hashes every static
// asset at once, so a broken template fails at start, not on a request.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
		of  string
	}{
		{&cfg.QueryTimeout, 10 * time.Second, "query"},
		{&cfg.HeaderTimeout, 10 * time.Second, "header"},
		{&cfg.RequestTimeout, 60 * time.Second, "request"},
		{&cfg.UploadTimeout, 5 * time.Minute, "upload"},
	} {
		switch {
		case *d.v < 0:
			return nil, fmt.Errorf("server: the %s timeout must not be negative, not %v", d.of, *d.v)
		case *d.v == 0:
			*d.v = d.def
		}
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{store: cfg.Store, ref: cfg.Store.Reference(), log: cfg.Logger, timeout: cfg.QueryTimeout, pages: p,
		conn: connTimeouts{header: cfg.HeaderTimeout, request: cfg.RequestTimeout}}
	if s.headers, err = securityHeaders(cfg.FrameAncestors); err != nil {
		return nil, err
	}
	s.images = cfg.Renderer
	switch {
	case cfg.ResponseCacheBytes == 0:
		s.cache = newResponseCache(defaultCacheBytes, maxCachedAnswer)
	case cfg.ResponseCacheBytes > 0:
		s.cache = newResponseCache(cfg.ResponseCacheBytes, min(maxCachedAnswer, cfg.ResponseCacheBytes))
	}
	s.imports = newImportJobs()
	if s.uploads, err = newUploads(cfg); err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	s.metrics = newMetrics(cfg.Logger)
	e.Use(s.measure)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableErrorHandler: true}))
	e.Use(s.logRequests)
	e.Use(s.secureHeaders)
	if cfg.Private {
		e.Use(s.requireSignIn)
	}
	s.echo = e
	s.routes()
	return s, nil
}

// connTimeouts are the connection deadlines Run gives its http.Server;
// uploads move theirs (see uploadContext).
type connTimeouts struct {
	header, request time.Duration
}

// Handler returns the server's HTTP handler, for tests and for Run.
func (s *Server) Handler() http.Handler { return s.echo }

// Run serves on addr until ctx is cancelled, then shuts down gracefully,
// letting in-flight requests finish for up to 10 s. ready, if not nil,
// receives the address actually listened on (useful with port 0).
func (s *Server) Run(ctx context.Context, addr string, ready chan<- string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: s.conn.header,
		ReadTimeout:       s.conn.request,
		WriteTimeout:      s.conn.request,
		IdleTimeout:       max(120*time.Second, s.conn.request),
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("serving", "addr", "http://"+ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := s.imports.shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// logRequests writes one slog line per request.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req := c.Request()
		s.log.Info("request", "method", req.Method, "path", req.URL.Path, "query", req.URL.RawQuery,
			"status", c.Response().Status, "bytes", c.Response().Size, "duration", time.Since(start).Round(time.Microsecond))
		return nil
	}
}

// contentSecurityPolicy allows only this server's own scripts and styles:
// chart options travel as JSON data, so no inline script is needed. The
// frame-ancestors directive is added from the configuration.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "

// securityHeaders are the headers every answer carries, with the pages
// allowed in the frames of frameAncestors. X-Frame-Options, for browsers
// that predate CSP, says the same where it can: DENY for 'none',
// SAMEORIGIN for 'self' alone; for other origins it cannot (ALLOW-FROM is
// obsolete and ignored), so it is left out, and CSP alone decides.
func securityHeaders(frameAncestors string) (map[string]string, error) {
	sources, err := ParseFrameAncestors(frameAncestors)
	if err != nil {
		return nil, err
	}
	h := map[string]string{
		"Content-Security-Policy": contentSecurityPolicy + strings.Join(sources, " "),
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	}
	switch strings.Join(sources, " ") {
	case "'none'":
		h["X-Frame-Options"] = "DENY"
	case "'self'":
		h["X-Frame-Options"] = "SAMEORIGIN"
	}
	return h, nil
}

// hostSource is a CSP host-source or scheme-source, as frame-ancestors
// takes them: "https:", "https://intranet.example", "*.example.org",
// "https://portal.example:8443", "https://example.org/path".
var hostSource = regexp.MustCompile(`^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?(?:\*|(?:\*\.)?[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)(?::(?:[0-9]{1,5}|\*))?(?:/[a-zA-Z0-9/._~%!$&'()*+,=:@-]*)?)$`)

// ParseFrameAncestors checks a frame-ancestors source list and returns
// its sources; "" is 'self'. Each source must be 'self', 'none' (alone),
// a scheme such as "https:" or a host such as "https://intranet.example":
// nothing that could end the directive or the header (";", ",", quotes,
// control characters) gets through.
func ParseFrameAncestors(list string) ([]string, error) {
	if strings.ContainsFunc(list, func(r rune) bool { return unicode.IsControl(r) || r > unicode.MaxASCII }) {
		return nil, fmt.Errorf("%w: frame-ancestors %q: only printable ASCII, with sources separated by spaces", data.ErrInvalid, list)
	}
	sources := strings.Fields(list)
	if len(sources) == 0 {
		return []string{"'self'"}, nil
	}
	for _, src := range sources {
		switch {
		case src == "'none'" && len(sources) > 1:
			return nil, fmt.Errorf("%w: frame-ancestors %q: 'none' must stand alone", data.ErrInvalid, list)
		case src == "'self'" || src == "'none'":
		case anySite(src):
			return nil, fmt.Errorf("%w: frame-ancestors %q: %q would let any site frame the pages, admin forms included (clickjacking): name the origins, such as https://intranet.example",
				data.ErrInvalid, list, src)
		case strings.ContainsAny(src, ";,'\"") || !hostSource.MatchString(src):
			return nil, fmt.Errorf("%w: frame-ancestors %q: %q is not a source: give 'self', 'none', a scheme such as https: or an origin such as https://intranet.example, separated by spaces",
				data.ErrInvalid, list, src)
		}
	}
	return sources, nil
}

// anySite reports whether a source matches every site: "*", a bare
// scheme such as "https:", or a scheme with a wildcard host ("https://*").
func anySite(src string) bool {
	host := src
	if i := strings.Index(src, "://"); i >= 0 {
		host = src[i+3:]
	} else if strings.HasSuffix(src, ":") {
		return true
	}
	host, _, _ = strings.Cut(host, "/")
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	return host == "*"
}

func (s *Server) secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range s.headers {
			h.Set(k, v)
		}
		return next(c)
	}
}
