package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
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
	case errors.Is(err, data.ErrStorage):
		return http.StatusInsufficientStorage
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
		switch status {
		case http.StatusServiceUnavailable:
			msg = "The query took too long (error id " + id + "). Try a narrower selection."
		case http.StatusInsufficientStorage:
			msg = "The server could not store this (error id " + id + "): its disk is full or its database is busy or read-only. Nothing was changed; the administrator's log says why."
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
		AllURL  string // the same view with dataset=all, when that may answer
	}{status, http.StatusText(status), msg, allDatasetsURL(c, status)}
	if rerr := s.render(c, status, "error", view); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		_ = c.String(status, msg)
	}
}

// datasetViews are the pages that read a dataset parameter and may find
// in every dataset what one dataset lacks.
var datasetViews = []string{"/bilateral", "/partners", "/products", "/compare", "/mirror"}

// allDatasetsURL is, for a view answered with 404 while restricted to
// one dataset (named, or the default), the same URL with dataset=all,
// so that the error page offers a way on; "" otherwise.
func allDatasetsURL(c echo.Context, status int) string {
	r := c.Request()
	q := r.URL.Query()
	if status != http.StatusNotFound || r.Method != http.MethodGet || !slices.Contains(datasetViews, r.URL.Path) || q.Get("dataset") == "all" {
		return ""
	}
	q.Set("dataset", "all")
	return r.URL.Path + "?" + q.Encode()
}

func errorID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
