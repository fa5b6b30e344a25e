package server

import (
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/charts"
	"tradedash/data"
)

// imageCSP is the Content-Security-Policy of a served SVG: opened on its
// own, an image may run nothing and fetch nothing; ECharts' SVG carries
// only an inline <style> for hover states.
const imageCSP = "default-src 'none'; style-src 'unsafe-inline'"

// handleBilateralImage draws the bilateral chart as the page shows it, as
// an SVG or PNG image (by the path's extension) for embedding in reports:
// the page's query parameters plus width, height, theme and, for PNG,
// pixel_ratio.
func (s *Server) handleBilateralImage(c echo.Context) error {
	if s.images == nil {
		// Answered here: handleError words every 5xx as a failure with an
		// error id, and this is a setting, not a failure.
		return c.String(http.StatusServiceUnavailable, "image export is not configured")
	}
	img, err := imageParams(c)
	if err != nil {
		return err
	}
	q, sets, rows, err := s.bilateral(c)
	if err != nil {
		return err
	}
	chart, err := bilateralChart(q, sets, rows, s.ref)
	if err != nil {
		return err
	}
	return s.writeImage(c, chart, img, strings.TrimPrefix(path.Ext(c.Path()), "."))
}

// bilateralChart is the chart of one dataset's section of the bilateral
// page. The page draws one chart per dataset; an image is one chart, so
// without a dataset parameter it is the page's first section (the dataset
// with the lowest number that has figures for the pair).
func bilateralChart(q data.BilateralQuery, sets []data.Dataset, rows []data.PeriodTotals, ref *data.Reference) (charts.Chart, error) {
	if len(rows) == 0 {
		return charts.Chart{}, fmt.Errorf("%w: no figures for %s–%s to draw", data.ErrNotFound, q.Reporter, q.Partner)
	}
	if q.DatasetID == 0 {
		q.DatasetID = rows[0].DatasetID
	}
	end := 0
	for end < len(rows) && rows[end].DatasetID == q.DatasetID {
		end++
	}
	return charts.Bilateral(rows[:end], bilateralOptions(q, sets, ref)), nil
}

// imageParams reads width, height and theme; absent ones take the defaults.
func imageParams(c echo.Context) (charts.ImageOptions, error) {
	var o charts.ImageOptions
	for _, p := range []struct {
		name string
		dst  *int
	}{{"width", &o.Width}, {"height", &o.Height}} {
		v := strings.TrimSpace(c.QueryParam(p.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, fmt.Errorf("%w: %s must be a number of pixels, not %q", data.ErrInvalid, p.name, v)
		}
		*p.dst = n
	}
	if v := strings.TrimSpace(c.QueryParam("pixel_ratio")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, fmt.Errorf("%w: pixel_ratio must be 1, 2 or 3, not %q", data.ErrInvalid, v)
		}
		o.PixelRatio = n
	}
	o.Theme = strings.TrimSpace(c.QueryParam("theme"))
	return o, o.Validate()
}

// writeImage answers with the chart drawn as SVG or PNG, or with 304 when
// the client holds the same image: the ETag names the option's content,
// size, theme and drawing code, so it changes exactly when the image would.
func (s *Server) writeImage(c echo.Context, chart charts.Chart, img charts.ImageOptions, format string) error {
	key, err := charts.ImageKey(chart, img)
	if err != nil {
		return err
	}
	etag := `"` + format + "-" + key + `"`
	// Headers are set only on success: an error page must keep the site's
	// own policy and must not be cached under the image's ETag.
	setHeaders := func() {
		h := c.Response().Header()
		h.Set("ETag", etag)
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", imageCSP)
	}
	if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		setHeaders()
		return c.NoContent(http.StatusNotModified)
	}
	var b []byte
	ct := charts.SVGContentType
	if format == "png" {
		b, err = s.images.PNG(c.Request().Context(), chart, img)
		ct = charts.PNGContentType
	} else {
		b, err = s.images.SVG(c.Request().Context(), chart, img)
	}
	if err != nil {
		return err
	}
	setHeaders()
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+chart.FileName+"."+format+`"`)
	return c.Blob(http.StatusOK, ct, b)
}

// etagMatches reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
