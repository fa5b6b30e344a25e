package server

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// TestImportProgressSteps: a background import reports its progress
// about every 1% of the figures its preview counted, so that a file of
// a few hundred rows moves its bar in steps rather than jumping from 0
// to 100% (the importers' own step is 10,000 rows). The progress
// endpoint is read at each of the importer's progress calls, for 400
// synthetic figures (tradeCSV, generated here, not statistics).
func TestImportProgressSteps(t *testing.T) {
	t.Parallel()
	a := mustAdminServer(t, 0)
	cookie, csrf := signIn(t, a)
	const n = 400
	var (
		mu   sync.Mutex
		seen []importStatus
		errs []error
	)
	a.srv.imports.progressed = func(id string) {
		resp, body, err := a.try("GET", "/api/v1/imports/"+id, nil, map[string]string{"Cookie": cookie})
		var st importStatus
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("progress endpoint: %d %s", resp.StatusCode, body)
		}
		if err == nil {
			err = json.Unmarshal([]byte(body), &st)
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		seen = append(seen, st)
	}
	id := previewForm(t, a, cookie, csrf, "steps.csv", tradeCSV(n, 1000))
	if st := waitImport(t, a, cookie, commitForm(t, a, cookie, csrf, id, "Steps")); st.Phase != phaseDone || st.Rows != n {
		t.Fatalf("the import ended with %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, err := range errs {
		t.Error(err)
	}
	step := int64(n / 100) // the step the preview's count gives
	var last int64
	below := 0
	for _, st := range seen {
		switch {
		case st.Expected != n || st.Percent != int(st.Rows*100/n):
			t.Errorf("progress %+v; want %d expected and the percentage of its rows", st, n)
		case st.Rows <= last || st.Rows-last > step:
			t.Errorf("progress went from %d to %d figures; want steps of at most %d", last, st.Rows, step)
		}
		if st.Rows < n {
			below++
		}
		last = st.Rows
	}
	if below < 90 || last != n {
		t.Errorf("the progress endpoint showed %d counts below %d, ending at %d; want about one per 1%%, then %d:\n%+v", below, n, last, n, seen)
	}
}
