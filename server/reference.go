package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tradedash/data"
)

// countryJSON is one entry of /api/v1/countries.
type countryJSON struct {
	ISO3         string   `json:"iso3"`
	ISO2         string   `json:"iso2"`
	M49          *int     `json:"m49"` // null for groups with no ISO/M49 number
	ComtradeCode int      `json:"comtrade_code"`
	Name         string   `json:"name"`
	Aliases      []string `json:"aliases"`
	Aggregate    bool     `json:"aggregate"`
}

// handleCountriesAPI lists every country and group the reporter and
// partner parameters accept, sorted by name.
func (s *Server) handleCountriesAPI(c echo.Context) error {
	out := []countryJSON{}
	for _, k := range s.ref.Countries() {
		j := countryJSON{ISO3: k.ISO3, ISO2: k.ISO2, ComtradeCode: k.ComtradeCode, Name: k.Name, Aliases: k.Aliases, Aggregate: k.Aggregate}
		if k.M49 >= 0 {
			m := k.M49
			j.M49 = &m
		}
		if j.Aliases == nil {
			j.Aliases = []string{}
		}
		out = append(out, j)
	}
	return c.JSON(http.StatusOK, map[string]any{"countries": out})
}

// productCodeJSON is one entry of /api/v1/product-codes.
type productCodeJSON struct {
	Classification       string `json:"classification"`
	Code                 string `json:"code"`
	Param                string `json:"param"` // the value for product= in /products
	Name                 string `json:"name"`
	ParentClassification string `json:"parent_classification"`
	ParentCode           string `json:"parent_code"`
	Reference            bool   `json:"reference"`
}

// handleProductCodesAPI lists the products the product parameter accepts:
// the HS reference list, then what imports added.
func (s *Server) handleProductCodesAPI(c echo.Context) error {
	ctx, cancel := s.queryContext(c)
	defer cancel()
	list, err := s.store.ProductList(ctx)
	if err != nil {
		return err
	}
	out := []productCodeJSON{}
	for _, p := range list {
		if p.Classification == data.Total {
			continue // all goods: the other views
		}
		out = append(out, productCodeJSON{string(p.Classification), p.Code, p.URLCode(), p.Name, string(p.ParentClassification), p.ParentCode, p.Reference})
	}
	return c.JSON(http.StatusOK, map[string]any{"products": out})
}
