package server

import (
	"bytes"
	"encoding/csv"
	"image"
	"image/png"
	"mime"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestExportViewsScenarios asks every view of exportViews for its images
// and tables by URL, as a report or script would.
func TestExportViewsScenarios(t *testing.T) {
	ts, store := mustExportServer(t)
	mustMirrorFixture(t, store)
	tests := []struct {
		name, url  string
		wantStatus int
		file       string // the suggested file name, if checked
		want       []string
	}{
		{"bilateral, a range of periods", "/charts/bilateral.svg?reporter=PAK&partner=RUS&from=2015&to=2020", 200, "PAK-RUS-bilateral-2015-2020.svg", []string{"Pakistan – Russia trade", ">2015<"}},
		{"partners", "/charts/partners.svg?reporter=IND&width=800&height=600", 200, "IND-partners-export-2019.svg", []string{`width="800"`, "India"}},
		{"mirror", "/charts/mirror.svg?reporter=KAZ&partner=TKM&cif=1.06", 200, "KAZ-TKM-mirror-2019.svg", []string{"each side&#39;s statistics", "divided by 1.06"}},
		{"compare", "/charts/compare.svg?reporter=IND&partner=RUS&theme=dark", 200, "", []string{"India", "change", `fill="#15191f"`}},
		{"mirror table", "/data/mirror.csv?reporter=KAZ&partner=TKM", 200, "KAZ-TKM-mirror-2019.csv", []string{"1000", "1060"}},
		{"bilateral table, a range of periods", "/data/bilateral.csv?reporter=PAK&partner=RUS&from=2015&to=2020", 200, "PAK-RUS-bilateral-2015-2020.csv", []string{"exports_usd"}},
		{"to before from", "/charts/bilateral.svg?reporter=PAK&partner=RUS&from=2020&to=2015", 400, "", []string{"before"}},
		{"from not a period", "/data/bilateral.csv?reporter=PAK&partner=RUS&from=soon", 400, "", []string{"from"}},
		{"no such chart", "/charts/bilateral.svg?reporter=PAK&partner=RUS&chart=chart-nothing", 404, "", []string{"chart-pak-rus-"}},
		{"no such view", "/charts/atlas.svg?reporter=PAK", 404, "", []string{"bilateral, compare, mirror, partners"}},
		{"no such format", "/charts/mirror.gif?reporter=KAZ&partner=TKM", 404, "", nil},
		{"mirror with nothing to compare", "/charts/mirror.svg?reporter=PAK&partner=RUS", 404, "", []string{"no figures"}},
		{"compare with nothing to compare", "/data/compare.csv?reporter=KAZ&partner=UZB", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+tt.url)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.wantStatus, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q: %.300s", w, body)
				}
			}
			if strings.Contains(tt.url, "from=2015") && (strings.Contains(body, "2012") || strings.Contains(body, "2023")) {
				t.Errorf("periods outside 2015–2020 in %.300s", body)
			}
			if tt.wantStatus != 200 {
				return
			}
			if strings.HasPrefix(tt.url, "/charts/") {
				mustParseXML(t, body)
			}
			if tt.file != "" {
				if _, p, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); p["filename"] != tt.file {
					t.Errorf("file name %q, want %q", p["filename"], tt.file)
				}
			}
		})
	}
}

// TestExportChartParam picks each of the bilateral page's charts by the
// id the page gives it.
func TestExportChartParam(t *testing.T) {
	ts, _ := mustExportServer(t)
	_, page := get(t, ts.URL+"/bilateral?reporter=IND&partner=RUS")
	var ids []string
	for _, m := range regexp.MustCompile(`data-chart="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) < 2 {
		t.Fatalf("the page has charts %q, want several", ids)
	}
	var svgs []string
	for _, id := range ids {
		resp, body := get(t, ts.URL+"/charts/bilateral.svg?reporter=IND&partner=RUS&width=600&height=400&chart="+id)
		if resp.StatusCode != 200 {
			t.Fatalf("chart %s: status %d: %.300s", id, resp.StatusCode, body)
		}
		if slices.Contains(svgs, body) {
			t.Errorf("chart %s draws the same image as another", id)
		}
		svgs = append(svgs, body)
	}
	_, first := get(t, ts.URL+"/charts/bilateral.svg?reporter=IND&partner=RUS&width=600&height=400")
	if first != svgs[0] {
		t.Error("without chart=, the image is not the page's first chart")
	}

	// A PNG of a chart other than the first, at its asked size.
	resp, body := get(t, ts.URL+"/charts/bilateral.png?reporter=IND&partner=RUS&width=400&height=300&pixel_ratio=1&chart="+ids[1])
	if resp.StatusCode != 200 {
		t.Fatalf("PNG: status %d: %.300s", resp.StatusCode, body)
	}
	img, err := png.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Size() != image.Pt(400, 300) {
		t.Errorf("PNG size %v", img.Bounds().Size())
	}
}

// TestExportDataFromQuery: the mirror and compare downloads are read from
// the query result, with each figure's dataset and sources, not from a
// chart's option. Figures are the fixture's, worked by hand.
func TestExportDataFromQuery(t *testing.T) {
	ts, store := mustExportServer(t)
	mustMirrorFixture(t, store)
	_, body := get(t, ts.URL+"/data/mirror.csv?reporter=KAZ&partner=TKM&cif=1.06")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(recs) != 2 {
		t.Fatalf("CSV = %q, want a header and one row", recs)
	}
	got := map[string]string{}
	for i, h := range recs[0] {
		got[h] = recs[1][i]
	}
	// Kazakhstan's 1,000 of exports against Turkmenistan's 1,060 of
	// imports (CIF), which ÷ 1.06 is 1,000: no gap.
	for k, want := range map[string]string{"period": "2019", "flow": "export", "reported_usd": "1000", "mirror_usd": "1060",
		"adjusted_reported_usd": "1000", "adjusted_mirror_usd": "1000", "gap_usd": "0", "gap_pct": "0"} {
		if got[k] != want {
			t.Errorf("mirror CSV %s = %q, want %q", k, got[k], want)
		}
	}
	if got["reporter_dataset"] == "" || got["reporter_dataset"] != got["partner_dataset"] {
		t.Errorf("datasets %q and %q, want the fixture's for both", got["reporter_dataset"], got["partner_dataset"])
	}

	resp, body := get(t, ts.URL+"/data/compare.xlsx?reporter=IND&partner=RUS&a=2019-04..2020-03&b=2020-04..2021-03")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %.300s", resp.StatusCode, body)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Data")
	if err != nil || len(rows) < 3 || rows[0][0] != "dataset" || rows[1][5] != "TOTAL" {
		t.Fatalf("compare table rows %q (%v)", rows, err)
	}
	// India's pharmaceutical exports to Russia as Pharmexcil states them
	// (demo data): 552,410,000 in FY2019-20 against 590,800,000 in
	// FY2020-21 is a rise of 38,390,000.
	found := false
	for _, r := range rows {
		if len(r) > 12 && strings.HasPrefix(r[7], "pharmaceuticals") && r[3] == "FY2019-20" {
			found = r[8] == "552,410,000" && r[10] == "590,800,000" && r[12] == "38,390,000" && strings.Contains(r[15], "http")
		}
	}
	if !found {
		t.Errorf("no pharmaceuticals row FY2019-20 → FY2020-21 with its sources in %q", rows)
	}
	srcs, err := x.GetRows("Sources")
	if err != nil || len(srcs) < 10 {
		t.Errorf("Sources sheet: %d rows (%v)", len(srcs), err)
	}
}

// TestExportPartnersMap draws the partners page's map by URL: the image
// engine must know the page's world boundaries (it failed with a
// TypeError before it registered them), so countries are drawn as paths.
func TestExportPartnersMap(t *testing.T) {
	ts, _ := mustExportServer(t)
	_, page := get(t, ts.URL+"/partners?reporter=IND&flow=export")
	var id string
	for _, m := range regexp.MustCompile(`data-chart="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], "-partnersmap-") {
			id = m[1]
		}
	}
	if id == "" {
		t.Fatalf("the partners page has no map chart: %.500s", page)
	}
	resp, body := get(t, ts.URL+"/charts/partners.svg?reporter=IND&flow=export&width=800&height=450&chart="+id)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %.300s", resp.StatusCode, body)
	}
	mustParseXML(t, body)
	if n := strings.Count(body, "<path"); n < 150 {
		t.Errorf("the map drew %d paths: no countries?", n)
	}
	for _, w := range []string{"India", "US$", "Source: "} {
		if !strings.Contains(body, w) {
			t.Errorf("the map image lacks %q", w)
		}
	}
}
