package server

import (
	"bytes"
	"html/template"
	"sync"

	"tradedash/data"
)

// The chart pages offer every country (about 250) in a <datalist> for
// type-ahead. The list depends only on the reference lists, fixed for the
// life of the process, yet escaping it option by option in each page's
// template was the largest part of rendering the page (pprof, make
// loadtest). It is rendered, through html/template so every name is
// escaped, once per reference list and kind.

var datalistTemplate = template.Must(template.New("datalist").Parse(`{{range .}}<option value="{{.ISO3}}">{{.Name}}</option>{{end}}`))

type datalistKey struct {
	ref       *data.Reference
	withWorld bool
}

var datalists sync.Map // datalistKey -> template.HTML

// countryDatalist returns the <option>s of the countries datalist: every
// country, and the World too when withWorld, never the other aggregates.
func countryDatalist(ref *data.Reference, withWorld bool) template.HTML {
	k := datalistKey{ref, withWorld}
	if h, ok := datalists.Load(k); ok {
		return h.(template.HTML)
	}
	var list []data.Country
	for _, c := range ref.Countries() {
		if !c.Aggregate || withWorld && c.ISO3 == "WLD" {
			list = append(list, c)
		}
	}
	var buf bytes.Buffer
	if err := datalistTemplate.Execute(&buf, list); err != nil {
		panic(err) // a fixed template over plain strings and fields: cannot fail
	}
	h := template.HTML(buf.String()) //nolint:gosec // escaped by html/template above
	datalists.Store(k, h)
	return h
}
