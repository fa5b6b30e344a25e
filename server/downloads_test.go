package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// csvRecords reads a CSV download into maps from header to value.
func csvRecords(t *testing.T, url string) []map[string]string {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %.300s", url, resp.StatusCode, body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// TestSourceComparisonDownload: the source comparison's own table, by
// its chart id, from the query result: the mirror fixture's 1,000 against
// the second source's 1,100 is a gap of 100, 10 percent.
func TestSourceComparisonDownload(t *testing.T) {
	ts, store := mustServer(t)
	mustMirrorFixture(t, store)
	second := mustSecondSourceFixture(t, store)
	sets, err := store.DatasetList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var first int64
	for _, d := range sets {
		if d.Name == "mirror fixture" {
			first = d.ID
		}
	}
	q := fmt.Sprintf("reporter=KAZ&partner=TKM&dataset_a=%d&dataset_b=%d", first, second)
	recs := csvRecords(t, ts.URL+"/data/mirror.csv?"+q+"&chart=chart-kaz-tkm-sources")
	var found bool
	for _, r := range recs {
		if r["reported_by"] == "KAZ" && r["flow"] == "export" {
			found = r["a_usd"] == "1000" && r["b_usd"] == "1100" && r["gap_usd"] == "100" && r["gap_pct"] == "10" &&
				strings.Contains(r["source_refs"], "second release, table 3")
		}
	}
	if !found {
		t.Errorf("source comparison CSV = %v", recs)
	}
	// Without chart, the mirror table: Turkmenistan's 1,060 against each
	// of Kazakhstan's releases, 1,000 (a gap of 60, 6%) and 1,100 (−40).
	recs = csvRecords(t, ts.URL+"/data/mirror.csv?"+q)
	if len(recs) != 2 || recs[0]["mirror_usd"] != "1060" || recs[0]["reported_usd"] != "1000" || recs[0]["gap_usd"] != "60" || recs[0]["gap_pct"] != "6" ||
		recs[1]["reported_usd"] != "1100" || recs[1]["gap_usd"] != "-40" || recs[1]["reporter_dataset"] != fmt.Sprint(second) {
		t.Errorf("mirror CSV = %v", recs)
	}
	if resp, body := get(t, ts.URL+"/data/mirror.csv?"+q+"&chart=nope"); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "chart-kaz-tkm-sources") {
		t.Errorf("unknown chart: %d %.300s", resp.StatusCode, body)
	}
}

// TestPartnerSeriesDownload: the chosen partners' lines as CSV and XLSX,
// one row per period and partner. Figures are the generated fixture's:
// Russia 10 × (year − 2014), China 50 ×, the World 1,000 ×.
func TestPartnerSeriesDownload(t *testing.T) {
	ts, store := mustServer(t)
	id := mustPartnersFixture(t, store)
	q := fmt.Sprintf("reporter=KAZ&period=2020&partner=RUS&partner=CHN&from=2016&to=2019&chart=chart-kaz-partnerlines-export-%d", id)
	recs := csvRecords(t, ts.URL+"/data/partners.csv?"+q)
	if len(recs) != 8 { // 2016–2019, two partners each
		t.Fatalf("%d rows, want 8: %v", len(recs), recs)
	}
	r := recs[0]
	if r["period"] != "2016" || r["partner"] != "RUS" || r["value_usd"] != "20" || r["world_usd"] != "2000" || r["share_of_world"] != "0.01" ||
		!strings.HasPrefix(r["source_refs"], "generated row ") || r["dataset"] != fmt.Sprint(id) {
		t.Errorf("first row = %v", r)
	}
	if r := recs[7]; r["period"] != "2019" || r["partner"] != "CHN" || r["value_usd"] != "250" || r["share_of_world"] != "0.05" {
		t.Errorf("last row = %v", r)
	}
	// The shares chart's data is the same table; the ranking stays the default.
	shares := strings.Replace(q, "partnerlines", "partnershares", 1)
	if recs := csvRecords(t, ts.URL+"/data/partners.csv?"+shares); len(recs) != 8 {
		t.Errorf("shares: %d rows", len(recs))
	}
	if recs := csvRecords(t, ts.URL+"/data/partners.csv?reporter=KAZ&period=2020"); len(recs) == 0 || recs[0]["partner"] == "" {
		t.Errorf("ranking = %v", recs)
	}
	resp, body := get(t, ts.URL+"/data/partners.xlsx?"+q)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("XLSX: %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	srcs, err := x.GetRows("Sources")
	if err != nil || !strings.Contains(fmt.Sprint(srcs), "generated row") {
		t.Errorf("Sources sheet %v (%v)", srcs, err)
	}
}

// TestPageDownloadLinks follows every CSV and XLSX link on the mirror,
// compare and partners pages: each answers with its table.
func TestPageDownloadLinks(t *testing.T) {
	ts, store := mustServer(t)
	mustMirrorFixture(t, store)
	second := mustSecondSourceFixture(t, store)
	id := mustPartnersFixture(t, store)
	link := regexp.MustCompile(`href="(/data/[^"]+)" download`)
	for _, page := range []string{
		fmt.Sprintf("/mirror?reporter=KAZ&partner=TKM&dataset_a=%d&dataset_b=%d", second-1, second),
		"/compare?reporter=KAZ&partner=RUS&level=chapter&form=waterfall",
		fmt.Sprintf("/partners?reporter=KAZ&period=2020&partner=RUS&partner=CHN&dataset=%d", id),
	} {
		_, body := get(t, ts.URL+page)
		links := link.FindAllStringSubmatch(body, -1)
		if len(links) < 2 {
			t.Errorf("%s: %d download links", page, len(links))
		}
		for _, l := range links {
			u := html.UnescapeString(l[1])
			resp, b := get(t, ts.URL+u)
			if resp.StatusCode != http.StatusOK || len(b) == 0 {
				t.Errorf("%s: %s: %d %.200s", page, u, resp.StatusCode, b)
			}
		}
	}
}
