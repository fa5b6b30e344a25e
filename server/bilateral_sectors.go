package server

import (
	"fmt"
	"net/url"
	"strings"

	"tradedash/data"
)

// The bilateral page shows the sector breakdown of one period (the
// ?sectors= parameter, else the latest with sector figures) and links to
// the others: a pair with 97 chapters over 15 years would otherwise put
// thousands of figures and 60 charts on one page.

// periodLink is one period of a selector: a link, or the period shown.
type periodLink struct {
	Label, URL string
	Current    bool
}

// chooseSectorPeriod reads ?sectors= against the periods with sector
// figures; "" chooses the latest, and none is chosen when there are none.
func chooseSectorPeriod(param string, periods []data.Period) (data.Period, error) {
	param = strings.TrimSpace(param)
	if param == "" {
		if len(periods) == 0 {
			return data.Period{}, nil
		}
		return periods[len(periods)-1], nil
	}
	p, err := data.ParsePeriod(param, 0)
	if err != nil {
		return data.Period{}, fmt.Errorf("%w (parameter sectors)", err)
	}
	for _, have := range periods {
		if have == p {
			return p, nil
		}
	}
	return data.Period{}, fmt.Errorf("%w: no sector figures for this pair in %s", data.ErrNotFound, p.Label())
}

// sectorPeriodLinks links each period to the page showing its breakdown.
func sectorPeriodLinks(q data.BilateralQuery, periods []data.Period, shown data.Period) []periodLink {
	out := make([]periodLink, 0, len(periods))
	for _, p := range periods {
		param := p.Label() // "2012" where it reads back as the same period
		if back, err := data.ParsePeriod(param, 0); err != nil || back != p {
			param = p.String()
		}
		u := bilateralURL("/bilateral", q.Reporter, q.Partner, q.DatasetID)
		if q.DatasetID == 0 { // every dataset: say so, so that a default set meanwhile does not narrow the link
			u += "&dataset=all"
		}
		out = append(out, periodLink{Label: p.Label(), Current: p == shown, URL: u + "&sectors=" + url.QueryEscape(param)})
	}
	return out
}
