package server

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// seriesDatasets returns the datasets whose figures /api/v1/bilateral
// answers with for the query, in order, each once.
func seriesDatasets(t *testing.T, a *adminServer, query string) []int64 {
	t.Helper()
	resp, body := a.do(t, "GET", "/api/v1/bilateral?"+query, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %.300s", query, resp.StatusCode, body)
	}
	got := decode[struct {
		Series []struct{ Dataset int64 }
	}](t, body)
	var ids []int64
	for _, s := range got.Series {
		if !slices.Contains(ids, s.Dataset) {
			ids = append(ids, s.Dataset)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestDefaultDatasetAndImporter: the admin makes a dataset the default
// (API and form); views without a dataset parameter then show it alone,
// dataset=all shows every one, and the list says who imported what.
func TestDefaultDatasetAndImporter(t *testing.T) {
	a := mustAdminServer(t, 0)
	var ids []int64
	for _, base := range []float64{1000, 5000} {
		resp, body := a.upload(t, "kaz.csv", tradeCSV(3, base))
		if resp.StatusCode != 201 {
			t.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
		if !strings.Contains(body, `"imported_by":"admin (API token)"`) || !strings.Contains(body, `"default":false`) {
			t.Errorf("the upload's reply does not say who imported it, or says it is the default:\n%s", body)
		}
		ids = append(ids, decode[datasetReply](t, body).ID)
	}
	kazUzb := "reporter=KAZ&partner=UZB"
	if got := seriesDatasets(t, a, kazUzb); !slices.Equal(got, ids) {
		t.Fatalf("with no default, the view shows datasets %v, want %v", got, ids)
	}

	h := map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}
	patch := func(id int64, body string) string {
		t.Helper()
		resp, got := a.do(t, "PATCH", "/api/v1/datasets/"+itoa(id), strings.NewReader(body), h)
		if resp.StatusCode != 200 {
			t.Fatalf("PATCH %s: %d %s", body, resp.StatusCode, got)
		}
		return got
	}
	if got := patch(ids[1], `{"default":true}`); !strings.Contains(got, `"default":true`) {
		t.Errorf("PATCH default: %s", got)
	}
	if got := seriesDatasets(t, a, kazUzb); !slices.Equal(got, ids[1:]) {
		t.Errorf("with dataset %d the default, the view shows datasets %v", ids[1], got)
	}
	if got := seriesDatasets(t, a, kazUzb+"&dataset=all"); !slices.Equal(got, ids) {
		t.Errorf("dataset=all shows datasets %v, want %v", got, ids)
	}
	if got := seriesDatasets(t, a, kazUzb+"&dataset="+itoa(ids[0])); !slices.Equal(got, ids[:1]) {
		t.Errorf("dataset=%d shows datasets %v", ids[0], got)
	}
	// The page's selector marks the default, and offers every dataset.
	_, page := a.do(t, "GET", "/bilateral?"+kazUzb, nil, nil)
	for _, w := range []string{`<option value="all">All datasets</option>`, `<option value="` + itoa(ids[1]) + `" selected>`} {
		if !strings.Contains(page, w) {
			t.Errorf("/bilateral lacks %s", w)
		}
	}

	// A signed-in admin moves the default with the form on /datasets.
	cookie, csrf := signIn(t, a)
	body, fh := form("csrf", csrf, "default", "1")
	resp, got := a.do(t, "POST", "/datasets/"+itoa(ids[0])+"/default", body, with(fh, "Cookie", cookie))
	if resp.StatusCode != 303 {
		t.Fatalf("make default form: %d %s", resp.StatusCode, got)
	}
	if got := seriesDatasets(t, a, kazUzb); !slices.Equal(got, ids[:1]) {
		t.Errorf("after the form, the view shows datasets %v, want %v", got, ids[:1])
	}
	_, page = a.do(t, "GET", "/datasets", nil, map[string]string{"Cookie": cookie})
	for _, w := range []string{
		itoa(ids[0]) + `. kaz <span class="muted">(default)</span>`,
		`by admin (API token)`,
		`by (not recorded)`, // the demo datasets, loaded before anyone was recorded
		`Stop showing “kaz” by default`,
		`Make “kaz” the default`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("/datasets lacks %s", w)
		}
	}
	if strings.Count(page, "(default)</span>") != 1 {
		t.Errorf("/datasets marks %d datasets as the default", strings.Count(page, "(default)</span>"))
	}
	body, fh = form("csrf", csrf, "default", "maybe")
	if resp, _ := a.do(t, "POST", "/datasets/"+itoa(ids[0])+"/default", body, with(fh, "Cookie", cookie)); resp.StatusCode != 400 {
		t.Errorf("default=maybe: %d, want 400", resp.StatusCode)
	}

	// Unset: the views are as they were without a default.
	patch(ids[0], `{"default":false}`)
	if got := seriesDatasets(t, a, kazUzb); !slices.Equal(got, ids) {
		t.Errorf("with the default unset, the view shows datasets %v, want %v", got, ids)
	}
	// Deleting the default dataset leaves none.
	patch(ids[1], `{"default":true}`)
	if resp, _ := a.do(t, "DELETE", "/api/v1/datasets/"+itoa(ids[1]), nil, h); resp.StatusCode != 200 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if got := seriesDatasets(t, a, kazUzb); !slices.Equal(got, ids[:1]) {
		t.Errorf("after deleting the default, the view shows datasets %v", got)
	}
}

// TestDefaultDatasetLacksTheQuery: with a default dataset that states
// nothing for India or Pakistan, /partners and /products fall back to
// every dataset and say so, a view restricted to one dataset that answers
// 404 links to dataset=all, and /bilateral's links keep dataset=all.
func TestDefaultDatasetLacksTheQuery(t *testing.T) {
	a := mustAdminServer(t, 0)
	resp, body := a.upload(t, "kaz.csv", tradeCSV(3, 1000))
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	kaz := decode[datasetReply](t, body).ID
	h := map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}
	if resp, got := a.do(t, "PATCH", "/api/v1/datasets/"+itoa(kaz), strings.NewReader(`{"default":true}`), h); resp.StatusCode != 200 {
		t.Fatalf("PATCH: %d %s", resp.StatusCode, got)
	}
	for _, tt := range []struct {
		url        string
		wantStatus int
		want       []string
	}{
		{"/partners?reporter=IND", 200, []string{`id="default-skipped"`, "The default dataset " + itoa(kaz) + " (kaz) states none of these figures", "dataset=all"}},
		{"/api/v1/partners?reporter=IND", 200, []string{`"default_dataset_skipped":` + itoa(kaz)}},
		{"/products?reporter=PAK&product=30", 200, []string{`id="default-skipped"`, "The default dataset " + itoa(kaz) + " (kaz)"}},
		{"/api/v1/products?reporter=PAK&product=30", 200, []string{`"default_dataset_skipped":` + itoa(kaz)}},
		{"/products?reporter=PAK&product=30&dataset=" + itoa(kaz), 404, []string{`href="/products?dataset=all&amp;product=30&amp;reporter=PAK">Look in every dataset</a>`}},
		{"/bilateral?reporter=KAZ&partner=UZB&dataset=all", 200, []string{`href="/bilateral?partner=KAZ&amp;reporter=UZB&amp;dataset=all">Swap sides`,
			`href="/compare?partner=UZB&amp;reporter=KAZ&amp;dataset=all">Compare two periods`}},
		{"/compare?reporter=KAZ&partner=UZB&dataset=all", 200, []string{`<input type="hidden" name="dataset" value="all">`}},
	} {
		resp, page := a.do(t, "GET", tt.url, nil, nil)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: %d, want %d: %.300s", tt.url, resp.StatusCode, tt.wantStatus, page)
		}
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %s", tt.url, w)
			}
		}
	}
	// With the dataset=all the default does not apply: no note.
	if _, page := a.do(t, "GET", "/partners?reporter=IND&dataset=all", nil, nil); strings.Contains(page, `id="default-skipped"`) {
		t.Errorf("dataset=all is not the default falling back")
	}
}
