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
	"time"

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
	// FilesDir keeps the original file of every upload, named by its
	// sha256, and the files of pending previews; "" refuses uploads.
	FilesDir string
	// Renderer draws charts as images for /charts/*.svg; nil answers
	// those routes with 503.
	Renderer *charts.Renderer
	// Private requires the admin's sign-in for reading too: every route
	// but the sign-in page, health checks and static assets.
	Private bool
}

// Server serves the dashboard and its JSON API.
type Server struct {
	store   *data.Store
	ref     *data.Reference
	log     *slog.Logger
	timeout time.Duration
	echo    *echo.Echo
	pages   *pages
	metrics *Metrics // owns the Prometheus registry
	uploads *uploads // uploaded files and pending previews
	images  *charts.Renderer
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
	if cfg.QueryTimeout == 0 {
		cfg.QueryTimeout = 10 * time.Second
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{store: cfg.Store, ref: cfg.Store.Reference(), log: cfg.Logger, timeout: cfg.QueryTimeout, pages: p}
	s.images = cfg.Renderer
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
	e.Use(secureHeaders)
	if cfg.Private {
		e.Use(s.requireSignIn)
	}
	s.echo = e
	s.routes()
	return s, nil
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
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
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
// chart options travel as JSON data, so no inline script is needed.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

func secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		return next(c)
	}
}
