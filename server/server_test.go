package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"tradedash/data"
	"tradedash/data/demo"
)

// hostile is a name an uploaded file could carry; it must never run.
const hostile = `</script><script>alert(1)</script>`

// mustServer opens a fresh database, loads the demo datasets and a dataset
// whose name, source and quotes are hostile, and returns a test server.
func mustServer(tb testing.TB) (*httptest.Server, *data.Store) {
	tb.Helper()
	return mustServerWith(tb, Config{})
}

// mustServerWith is mustServer with cfg, whose store and logger it fills in.
func mustServerWith(tb testing.TB, cfg Config) (*httptest.Server, *data.Store) {
	tb.Helper()
	ctx := context.Background()
	ref, err := data.LoadReference()
	if err != nil {
		tb.Fatal(err)
	}
	store, err := data.Open(ctx, filepath.Join(tb.TempDir(), "server.db"), ref)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	if err := demo.Load(ctx, store); err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256([]byte(hostile))
	_, err = store.Import(ctx, data.Dataset{Name: hostile, Source: hostile + " __f__function(){alert(2)}__f__", SHA256: hex.EncodeToString(sum[:]), Format: "test"},
		func(emit func(data.Observation) error) error {
			return emit(data.Observation{Reporter: "KAZ", Partner: "UZB", Period: data.Year(2020), Flow: data.Export,
				Product: data.TotalProduct, ValueUSD: 1e6, Bound: data.Exact, SourceRef: hostile, SourceQuote: hostile})
		})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Store, cfg.Logger = store, slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return ts, store
}

func get(tb testing.TB, url string) (*http.Response, string) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(body)
}

func TestScenarios(t *testing.T) {
	ts, _ := mustServer(t)
	tests := []struct {
		name       string
		url        string
		wantStatus int
		wantType   string
		want       []string
		unwanted   []string
	}{
		{"health", "/healthz", 200, "application/json", []string{`"status":"ok"`}, nil},
		{"home lists the demo datasets", "/", 200, "text/html",
			[]string{"Official statements: Pakistan–Russia and India–Russia trade", "UN Comtrade", "Pakistan – Russia", `href="/bilateral?partner=RUS&amp;reporter=PAK"`}, nil},
		{"bilateral page", "/bilateral?reporter=PAK&partner=RUS", 200, "text/html",
			[]string{"Pakistan – Russia trade", "FY2022-23", "74,000,000", "846,000,000", "920,000,000", "≥ 1,000,000,000",
				"https://tass.com/economy/1802631", "(RUS data)", "Jan–Nov 2020", `type="application/json" data-chart="chart-pak-rus-bilateral-1"`},
			[]string{"FY2022-23 calendar"}},
		{"names and codes resolve", "/bilateral?reporter=Pakistan&partner=Russian+Federation", 200, "text/html", []string{"FY2022-23"}, nil},
		{"M49 and Comtrade codes resolve", "/bilateral?reporter=699&partner=643&dataset=3", 200, "text/html", []string{"India – Russia trade", "6,226,189,464", "2,871,228,560"}, nil},
		{"empty pair says what is missing", "/bilateral?reporter=PAK&partner=FRA", 200, "text/html", []string{"No all-goods figures for Pakistan and France"}, []string{`data-chart=`}},
		{"unknown country", "/bilateral?reporter=XXX&partner=RUS", 400, "text/html", []string{`reporter &#34;XXX&#34; is not a known country`}, nil},
		{"missing partner", "/bilateral?reporter=PAK", 400, "text/html", []string{"partner is required"}, nil},
		{"unknown dataset", "/bilateral?reporter=PAK&partner=RUS&dataset=999", 404, "text/html", []string{"no dataset 999"}, nil},
		{"api unknown country", "/api/v1/bilateral?reporter=PAK&partner=Narnia", 400, "application/json", []string{`"error":`, "Narnia"}, nil},
		{"api bad dataset", "/api/v1/bilateral?reporter=PAK&partner=RUS&dataset=abc", 400, "application/json", []string{`"error":`}, nil},
		{"api same country", "/api/v1/bilateral?reporter=PAK&partner=pk", 400, "application/json", []string{"same country"}, nil},
		{"unknown page", "/nope", 404, "text/html", []string{"Not Found"}, nil},
		{"unknown static file", "/static/000000000000/app.js", 404, "text/html", nil, nil},
		{"xss: names from a dataset are escaped", "/bilateral?reporter=KAZ&partner=UZB", 200, "text/html",
			[]string{`\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e`, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"},
			[]string{hostile}},
		{"xss: home page", "/", 200, "text/html", []string{"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{hostile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+tt.url)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d; body:\n%.500s", resp.StatusCode, tt.wantStatus, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantType)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, u := range tt.unwanted {
				if strings.Contains(body, u) {
					t.Errorf("body contains %q", u)
				}
			}
		})
	}
}

// TestChartOptionCarriesNoCodeMarkers checks that go-echarts' "__f__"
// markers, which would make a renderer run a string as code, are stripped
// from the chart option even when a dataset's source carries them.
func TestChartOptionCarriesNoCodeMarkers(t *testing.T) {
	ts, _ := mustServer(t)
	_, body := get(t, ts.URL+"/bilateral?reporter=KAZ&partner=UZB")
	blocks := regexp.MustCompile(`(?s)<script type="application/json"[^>]*>(.*?)</script>`).FindAllStringSubmatch(body, -1)
	if len(blocks) != 1 {
		t.Fatalf("found %d chart blocks, want 1", len(blocks))
	}
	var spec map[string]any
	if err := json.Unmarshal([]byte(blocks[0][1]), &spec); err != nil {
		t.Fatalf("chart block is not JSON: %v", err)
	}
	if strings.Contains(blocks[0][1], "__f__") {
		t.Error("chart JSON carries a __f__ marker")
	}
	if !strings.Contains(blocks[0][1], `alert(2)`) {
		t.Error("the source text should survive, only its markers removed")
	}
}

func TestBilateralAPI(t *testing.T) {
	ts, _ := mustServer(t)
	resp, body := get(t, ts.URL+"/api/v1/bilateral?reporter=PAK&partner=RUS")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		Reporter, Partner, Currency string
		Series                      []struct {
			Year                                int
			Period                              string
			PeriodKind                          string `json:"period_kind"`
			ReportedBy                          string `json:"reported_by"`
			Mirror                              bool
			Exports, Imports, Turnover, Balance *float64
			Notes                               map[string]string
			Sources                             []struct{ Ref string }
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Reporter != "PAK" || got.Partner != "RUS" || got.Currency != "USD" {
		t.Fatalf("header = %q %q %q", got.Reporter, got.Partner, got.Currency)
	}
	var periods []string
	for _, s := range got.Series {
		periods = append(periods, s.Period+"/"+s.ReportedBy)
	}
	want := []string{"2012/RUS", "FY2013-14/PAK", "2014/PAK", "2015/PAK", "Jan–Nov 2020/RUS", "FY2020-21/PAK", "FY2021-22/PAK", "FY2022-23/PAK", "2023/RUS"}
	if strings.Join(periods, ",") != strings.Join(want, ",") {
		t.Fatalf("periods = %v\nwant      %v", periods, want)
	}
	num := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	fy := got.Series[7]
	if fy.Year != 2023 || fy.PeriodKind != "fiscal_year" || num(fy.Exports) != 74e6 || num(fy.Imports) != 846e6 ||
		num(fy.Turnover) != 920e6 || num(fy.Balance) != -772e6 || fy.Notes["turnover"] != "derived" {
		t.Errorf("FY2022-23 = %+v", fy)
	}
	y23 := got.Series[8]
	if num(y23.Exports) != nil || num(y23.Imports) != nil || num(y23.Turnover) != 1e9 || y23.Notes["turnover"] != "at_least" || len(y23.Sources) != 2 {
		t.Errorf("2023 = %+v", y23)
	}
	// Russia's Jan–Nov 2020 exports to Pakistan are Pakistan's imports, from Russia's statistics.
	j20 := got.Series[4]
	if num(j20.Imports) != 412.9e6 || num(j20.Exports) != nil || num(j20.Turnover) != 681.1e6 || !j20.Mirror {
		t.Errorf("Jan–Nov 2020 = %+v", j20)
	}
	if !strings.Contains(body, `"balance":null`) {
		t.Error("unknown figures must be null")
	}
}

func TestSecurityHeadersAndOfflineAssets(t *testing.T) {
	ts, _ := mustServer(t)
	resp, body := get(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP = %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff header")
	}
	// Every script and stylesheet comes from this server, under a hashed URL.
	refs := regexp.MustCompile(`(?:src|href)="([^"]+\.(?:js|css))"`).FindAllStringSubmatch(body, -1)
	if len(refs) < 3 {
		t.Fatalf("found %d asset references", len(refs))
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/static/") {
			t.Errorf("asset %q is not served by tradedash", m[1])
			continue
		}
		r, b := get(t, ts.URL+m[1])
		if r.StatusCode != 200 || len(b) == 0 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: status %d, %d bytes, Cache-Control %q", m[1], r.StatusCode, len(b), r.Header.Get("Cache-Control"))
		}
	}
	// No inline script: the only <script> without src holds JSON data.
	for _, m := range regexp.MustCompile(`<script([^>]*)>`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(m[1], "src=") && !strings.Contains(m[1], `type="application/json"`) {
			t.Errorf("inline script: <script%s>", m[1])
		}
	}
}

func TestBilateralDataDownloads(t *testing.T) {
	ts, _ := mustServer(t)
	resp, body := get(t, ts.URL+"/data/bilateral.csv?reporter=PAK&partner=RUS&dataset=1")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="PAK-RUS-bilateral-2012-2023.csv"` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	for _, want := range []string{"period,period_kind,period_start", "FY2022-23,fiscal_year,2022-07,2023-06,PAK,false,74000000,846000000,920000000,-772000000",
		"2023,calendar_year,2023-01,2023-12,RUS,true,,,1000000000,,turnover: at_least", "https://tass.com/economy/1802631"} {
		if !strings.Contains(body, want) {
			t.Errorf("csv lacks %q", want)
		}
	}
	resp, body = get(t, ts.URL+"/data/bilateral.xlsx?reporter=PAK&partner=RUS")
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
		t.Errorf("xlsx: %d, starts %q", resp.StatusCode, body[:min(4, len(body))])
	}
	if resp, _ := get(t, ts.URL+"/data/bilateral.csv?reporter=PAK"); resp.StatusCode != 400 {
		t.Errorf("csv without partner: %d", resp.StatusCode)
	}
	// The page links to both downloads.
	_, page := get(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS")
	for _, want := range []string{`href="/data/bilateral.csv?dataset=1&amp;partner=RUS&amp;reporter=PAK"`, `href="/data/bilateral.xlsx?dataset=1&amp;partner=RUS&amp;reporter=PAK"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestBilateralChangesSharesAndGrowth(t *testing.T) {
	ts, _ := mustServer(t)
	_, body := get(t, ts.URL+"/bilateral?reporter=IND&partner=RUS")
	for _, want := range []string{
		// FY2018-19 turnover 8,229,910,000 on FY2017-18 10,686,850,000.
		"−2,456,940,000 (−23.0%) on FY2017-18",
		// India's 2019 trade with Russia as shares of its trade with the World (UN Comtrade).
		"0.89% of India&#39;s exports to the World (323,250,726,424)",
		"1.30% of India&#39;s imports from the World (478,883,729,111)",
		// (68,000,000,000 / 10,686,850,000)^(1/7) − 1 = 30.3%.
		"Turnover, India&#39;s statistics: &#43;30.3% a year from FY2017-18 (10,686,850,000) to FY2024-25 (68,000,000,000), over 7 years (CAGR)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// One-year "growth rates" are not shown: they are the changes.
	if strings.Contains(body, "over 1 years") {
		t.Error("a CAGR over one year is shown")
	}
}

func TestBilateralAPIChangesSharesAndGrowth(t *testing.T) {
	ts, _ := mustServer(t)
	_, body := get(t, ts.URL+"/api/v1/bilateral?reporter=IND&partner=RUS")
	var got struct {
		Series []struct {
			Period  string
			Dataset int64
			Changes map[string]struct {
				From  string
				Delta float64
				Pct   *float64
			}
			WorldImports *float64 `json:"world_imports"`
			Shares       map[string]float64
		}
		Growth []struct {
			Figure, From, To string
			Years            int
			Rate             float64
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	var fy1819, y2019 bool
	for _, s := range got.Series {
		if s.Period == "FY2018-19" {
			c := s.Changes["turnover"]
			fy1819 = c.From == "FY2017-18" && c.Delta == 8229910000-10686850000 && c.Pct != nil
		}
		if s.Period == "2019" && s.Dataset == 3 {
			y2019 = s.WorldImports != nil && *s.WorldImports == 478883729111 && s.Shares["imports"] == 6226189464.0/478883729111
		}
	}
	if !fy1819 || !y2019 {
		t.Errorf("FY2018-19 change found: %v; 2019 share of World imports: %v\n%.2000s", fy1819, y2019, body)
	}
	found := false
	for _, g := range got.Growth {
		if g.Figure == "turnover" && g.From == "FY2017-18" && g.To == "FY2024-25" && g.Years == 7 && g.Rate > 0.302 && g.Rate < 0.304 {
			found = true
		}
	}
	if !found {
		t.Errorf("no 7-year turnover growth in %+v", got.Growth)
	}
}

func TestBilateralSectorBreakdowns(t *testing.T) {
	ts, _ := mustServer(t)
	// The page shows one period's breakdown, the latest by default, and
	// links to the others.
	runPageScenarios(t, ts.URL, []pageScenario{
		{"latest period by default", "/bilateral?reporter=PAK&partner=RUS", http.StatusOK, []string{
			// Wheat in 2023: one sector, no all-goods import figure from Pakistan that year.
			"2023 · Pakistan&#39;s imports from Russia by sector, as Pakistan&#39;s statistics state it",
			"the source states no all-goods figure for this flow",
			`<strong aria-current="page">2023</strong>`,
			`<a href="/bilateral?partner=RUS&amp;reporter=PAK&amp;dataset=all&amp;sectors=2012">2012</a>`,
		}},
		{"a chosen period", "/bilateral?reporter=PAK&partner=RUS&sectors=2012", http.StatusOK, []string{
			"2012 · Pakistan&#39;s exports to Russia by sector, as Russia&#39;s statistics state it",
			// 111.1 m of food in Russia's 332 m of imports from Pakistan, 2012.
			"111,100,000", "33.5%",
			"Listed sectors add up to 305,100,000; the stated all-goods figure is 332,000,000",
			`<strong aria-current="page">2012</strong>`,
		}},
		{"a period without sector figures", "/bilateral?reporter=PAK&partner=RUS&sectors=1990", http.StatusNotFound, []string{"no sector figures for this pair in 1990"}},
		{"not a period", "/bilateral?reporter=PAK&partner=RUS&sectors=soon", http.StatusBadRequest, []string{"parameter sectors"}},
	})
	_, body := get(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS")
	if strings.Contains(body, "2012 · Pakistan&#39;s exports to Russia by sector") {
		t.Error("the default page shows 2012's breakdown too; want only the latest period's")
	}
}

// pageScenario is one GET with the status and substrings it must answer.
type pageScenario struct {
	name, url  string
	wantStatus int
	want       []string
}

func runPageScenarios(t *testing.T, base string, tests []pageScenario) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, base+tt.url)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d: %.300s", resp.StatusCode, tt.wantStatus, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
		})
	}
}
