package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/data"
)

func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleHome(c echo.Context) error {
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.store.Datasets(ctx)
	if err != nil {
		return err
	}
	// Each dataset's largest pairs and how many there are, in one query,
	// not every pair: a dataset of 60 countries has 1,770.
	pairs, counts, err := s.store.LargestPairs(ctx, homePairs)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "home", newHomeView(sets, pairs, counts, s.ref))
}

func (s *Server) handleBilateralPage(c echo.Context) error {
	q, sets, rows, err := s.bilateral(c)
	if err != nil {
		return err
	}
	a, err := s.sectorsFor(c, q, sets)
	if err != nil {
		return err
	}
	v := newBilateralView(q, rows, nil, sets, s.ref)
	v.withSectors(a, s.ref)
	return s.render(c, http.StatusOK, "bilateral", v)
}

func (s *Server) handleBilateralAPI(c echo.Context) error {
	q, _, rows, err := s.bilateral(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newBilateralJSON(q, rows, s.ref))
}

// bilateral is what every bilateral endpoint does first: bind the query,
// check its dataset exists, and fetch the pair's totals.
func (s *Server) bilateral(c echo.Context) (data.BilateralQuery, []data.Dataset, []data.PeriodTotals, error) {
	q, err := s.bindBilateral(c)
	if err != nil {
		return q, nil, nil, err
	}
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.datasetsFor(ctx, q.DatasetID)
	if err != nil {
		return q, nil, nil, err
	}
	rows, err := s.store.Bilateral(ctx, q)
	return q, sets, rows, err
}

// queryContext bounds a request's database work.
func (s *Server) queryContext(c echo.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request().Context(), s.timeout)
}

// bindBilateral reads reporter, partner and dataset from the query string.
// Countries may be given as ISO3, ISO2, M49 or UN Comtrade code, or a name.
func (s *Server) bindBilateral(c echo.Context) (data.BilateralQuery, error) {
	var q data.BilateralQuery
	rep, err := s.country(c, "reporter")
	if err != nil {
		return q, err
	}
	par, err := s.country(c, "partner")
	if err != nil {
		return q, err
	}
	q.Reporter, q.Partner = rep.ISO3, par.ISO3
	if q.DatasetID, err = s.datasetParam(c); err != nil {
		return q, err
	}
	return q, q.Validate()
}

// datasetParam reads the optional dataset number. Without one, it is the
// default dataset if the admin made one the default; "all", or no
// default, is 0: every dataset, as each view shows them.
func (s *Server) datasetParam(c echo.Context) (int64, error) {
	v := strings.TrimSpace(c.QueryParam("dataset"))
	switch v {
	case "all":
		return 0, nil
	case "":
		ctx, cancel := s.queryContext(c)
		defer cancel()
		return s.store.DefaultDataset(ctx)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: dataset must be a dataset number, not %q", data.ErrInvalid, v)
	}
	return id, nil
}

// byDefault reports whether the request leaves the dataset to the
// default the admin set (no dataset parameter), so a view may fall back
// to every dataset when the default states nothing for the query.
func byDefault(c echo.Context) bool {
	return strings.TrimSpace(c.QueryParam("dataset")) == ""
}

func (s *Server) country(c echo.Context, param string) (data.Country, error) {
	v := strings.TrimSpace(c.QueryParam(param))
	if v == "" {
		return data.Country{}, fmt.Errorf("%w: %s is required (an ISO code such as PAK, or a name)", data.ErrInvalid, param)
	}
	country, err := s.ref.Country(v)
	if err != nil {
		return data.Country{}, fmt.Errorf("%w: %s %q is not a known country or area", data.ErrInvalid, param, v)
	}
	return country, nil
}

// datasetLabel is "dataset 3 (name)", or "" for id 0.
func datasetLabel(sets []data.Dataset, id int64) string {
	if id == 0 {
		return ""
	}
	for _, d := range sets {
		if d.ID == id {
			return fmt.Sprintf("dataset %d (%s)", d.ID, d.Name)
		}
	}
	return fmt.Sprintf("dataset %d", id)
}

// datasetsFor lists the datasets, checking that id (if not 0) is one of them.
func (s *Server) datasetsFor(ctx context.Context, id int64) ([]data.Dataset, error) {
	sets, err := s.store.DatasetList(ctx)
	if err != nil || id == 0 {
		return sets, err
	}
	for _, d := range sets {
		if d.ID == id {
			return sets, nil
		}
	}
	return nil, fmt.Errorf("%w: there is no dataset %d", data.ErrNotFound, id)
}
