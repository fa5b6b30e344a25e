package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/data"
	"tradedash/importers"
)

// statusOf maps an error to its HTTP status: the one place that does.
func statusOf(err error) int {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.Code
	case errors.As(err, new(*importers.Error)):
		return http.StatusUnprocessableEntity
	case errors.Is(err, data.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, data.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, data.ErrDuplicate):
		return http.StatusConflict
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// handleError answers every failed request: JSON under /api/, a page
// elsewhere. A 500 shows only a plain message and an id; the error itself
// goes to the log under that id.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := statusOf(err)
	msg := err.Error()
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(status)
		}
	}
	if status >= 500 {
		id := errorID()
		s.log.Error("request failed", "id", id, "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		msg = "Something went wrong on the server (error id " + id + ")."
		if status == http.StatusServiceUnavailable {
			msg = "The query took too long (error id " + id + "). Try a narrower selection."
		}
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		_ = c.JSON(status, map[string]string{"error": msg})
		return
	}
	view := struct {
		Status  int
		Title   string
		Message string
	}{status, http.StatusText(status), msg}
	if rerr := s.render(c, status, "error", view); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		_ = c.String(status, msg)
	}
}

func errorID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
