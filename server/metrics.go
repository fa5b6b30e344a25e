package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tradedash/data"
)

// unmatchedRoute is the route label of a request that matched no route,
// so that requests for any number of unknown paths make one series.
const unmatchedRoute = "unmatched"

// Metrics is a server's Prometheus metrics, on a registry of its own
// rather than the global one, so that a process (or a test) can hold many
// servers. Every label takes values from a bounded set: route is echo's
// route pattern, never the URL.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	imports    *prometheus.CounterVec
	importRows prometheus.Counter
	cache      *prometheus.CounterVec
	handler    http.Handler // serves reg

	routesOnce sync.Once
	routes     map[string]bool // "GET /bilateral"
}

// importResults are the values of tradedash_imports_total's result label.
var importResults = []string{"ok", "duplicate", "invalid", "failed"}

func newMetrics(log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradedash_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tradedash_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradedash_errors_total",
			Help: "HTTP responses with a 5xx status, by status code.",
		}, []string{"status"}),
		imports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradedash_imports_total",
			Help: "Dataset imports finished, by result: ok, duplicate, invalid or failed.",
		}, []string{"result"}),
		importRows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tradedash_import_rows_total",
			Help: "Observations stored by successful imports.",
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradedash_response_cache_total",
			Help: "Requests to cached routes, by result: hit, miss, not_modified (304) or bypass (credentials, or not a GET).",
		}, []string{"result"}),
	}
	// The values known in advance exist from the start, so that a rate
	// over them is 0 rather than absent.
	for _, r := range importResults {
		m.imports.WithLabelValues(r)
	}
	for _, r := range []string{"hit", "miss", "not_modified", "bypass"} {
		m.cache.WithLabelValues(r)
	}
	for _, code := range []string{"500", "503"} {
		m.errors.WithLabelValues(code)
	}
	m.reg.MustRegister(m.requests, m.duration, m.errors, m.imports, m.importRows, m.cache,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError, // serve what can be gathered
		Registry:      m.reg,
	})
	return m
}

// ObserveImport records one finished import of rows observations; err is
// what the import returned. It is the hook for the code paths that import
// through a running server.
func (m *Metrics) ObserveImport(rows int64, err error) {
	result := "ok"
	switch {
	case err == nil:
		m.importRows.Add(float64(rows))
	case errors.Is(err, data.ErrDuplicate):
		result = "duplicate"
	case errors.Is(err, data.ErrInvalid):
		result = "invalid"
	default:
		result = "failed"
	}
	m.imports.WithLabelValues(result).Inc()
}

// Metrics returns the server's metrics, for import paths to report to.
func (s *Server) Metrics() *Metrics { return s.metrics }

// handleMetrics serves the registry in Prometheus' text format.
func (s *Server) handleMetrics(c echo.Context) error {
	s.metrics.handler.ServeHTTP(c.Response(), c.Request())
	return nil
}

// measure counts and times every request. It comes first in the chain,
// so it sees the status the error handler wrote, panics included.
func (s *Server) measure(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		req := c.Request()
		method := methodLabel(req.Method)
		route := s.routeLabel(req.Method, c.Path())
		status := c.Response().Status
		code := strconv.Itoa(status)
		s.metrics.requests.WithLabelValues(method, route, code).Inc()
		s.metrics.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		if status >= 500 {
			s.metrics.errors.WithLabelValues(code).Inc()
		}
		return nil
	}
}

// routeLabel is the route pattern a request matched, or unmatchedRoute:
// for an unknown path echo still sets the pattern of the nearest node.
func (s *Server) routeLabel(method, pattern string) string {
	m := s.metrics
	m.routesOnce.Do(func() {
		m.routes = make(map[string]bool)
		for _, r := range s.echo.Routes() {
			m.routes[r.Method+" "+r.Path] = true
		}
	})
	if m.routes[method+" "+pattern] {
		return pattern
	}
	return unmatchedRoute
}

// methodLabel keeps the method label to the standard methods: a client
// can send any token as a method.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}
