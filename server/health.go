package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// readyTimeout bounds the readiness query: a store that cannot answer a
// trivial read in this time cannot serve a page either.
const readyTimeout = 2 * time.Second

// handleReadyz says whether the server can serve: 200 when the store
// answers a trivial read within readyTimeout, else 503 with the reason.
// /healthz, by contrast, only says that the process answers HTTP. The
// body names no path or SQL error, since a proxy may expose it; the log
// has the error.
func (s *Server) handleReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
	defer cancel()
	c.Response().Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		reason := "the database did not answer; see the server log"
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "the database did not answer within " + readyTimeout.String()
		}
		s.log.Warn("not ready", "reason", reason, "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": reason})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
