package server

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var screenshotPath = flag.String("screenshot", "", "write the browser test's screenshot of /bilateral to this PNG file (make screenshot)")

// chromiumPath finds the system Chromium. The browser tests never skip:
// without a browser they fail and say how to get one.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	tb.Fatal("no Chromium found for the browser tests: `make test` installs Debian's chromium package; or set CHROMIUM=/path/to/chromium")
	return ""
}

// browser is a headless Chromium tab that records console errors,
// uncaught exceptions, CSP violations (browser log errors) and every URL
// the page requests.
type browser struct {
	ctx      context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup
	mu       sync.Mutex
	problems []string
	requests []string
}

func newBrowser(tb testing.TB) *browser {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 1180),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	tb.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// Start the browser and its tab before subscribing to them.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		tb.Fatalf("start Chromium: %v", err)
	}
	listenCtx, stop := context.WithCancel(ctx)
	b := &browser{ctx: ctx, stop: stop}
	messages := chromedp.Console(listenCtx)
	requests := chromedp.Events(listenCtx, network.RequestWillBeSent)
	b.wg.Add(2)
	go func() {
		defer b.wg.Done()
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	go func() {
		defer b.wg.Done()
		for ev, err := range requests {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.requests = append(b.requests, ev.Request.URL)
			b.mu.Unlock()
		}
	}()
	return b
}

// open loads a page and waits until the chart matching sel has drawn.
func (b *browser) open(tb testing.TB, url, sel string) {
	tb.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel+`[data-drawn="true"]`))); err != nil {
		tb.Fatal(err)
	}
}

// check stops listening, then fails the test for any console error and for
// any request that left the test server: the dashboard must work offline.
func (b *browser) check(tb testing.TB, serverURL string) {
	tb.Helper()
	b.stop()
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		tb.Errorf("browser: %s", p)
	}
	if len(b.requests) == 0 {
		tb.Error("no request was seen: the network listener is not working")
	}
	base, _ := url.Parse(serverURL)
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Scheme != "about" && u.Host != base.Host) {
			tb.Errorf("page requested %q, outside the server", r)
		}
	}
}

func TestBrowserBilateralChart(t *testing.T) {
	ts, _ := mustServer(t)
	b := newBrowser(t)
	const chart = `#chart-pak-rus-bilateral-1`
	b.open(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS", chart)
	// What the ECharts instance holds: each series with its count of drawn (non-missing) points.
	series, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.querySelector('`+chart+`')).getOption().series.map(function (s) {
		return s.name + ':' + s.data.filter(function (d) { var v = (d !== null && typeof d === 'object') ? d.value : d; return v !== '-' && v !== undefined && v !== null; }).length;
	})`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Exports:4", "Imports:5", "Turnover:9", "Balance:4"}
	if strings.Join(series, ",") != strings.Join(want, ",") {
		t.Errorf("chart series = %v, want %v", series, want)
	}
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.periods tbody tr').length`))
	if err != nil || rows != 9 {
		t.Errorf("table has %d rows (%v), want 9 periods", rows, err)
	}
	// The canvas has been painted: a blank canvas compresses to a few KB.
	size, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelector('`+chart+` canvas').toDataURL('image/png').length`))
	if err != nil || size < 20000 {
		t.Errorf("chart canvas encodes to only %d bytes (%v): nothing drawn?", size, err)
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	b.check(t, ts.URL)
	if *screenshotPath != "" {
		if err := os.WriteFile(*screenshotPath, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBrowserSelectorsNavigate(t *testing.T) {
	ts, _ := mustServer(t)
	b := newBrowser(t)
	b.open(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS", "")
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`input[name=reporter]`), "India"),
		chromedp.SetValue(chromedp.CSS(`select[name=dataset]`), "3"),
		chromedp.Submit(chromedp.CSS(`form.selectors`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-ind-rus-bilateral-3[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loc, "reporter=India") || !strings.Contains(loc, "dataset=3") {
		t.Errorf("the view's state is not in its URL: %s", loc)
	}
	heading, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if err != nil || heading != "India – Russia trade" {
		t.Errorf("heading = %q, %v", heading, err)
	}
	b.check(t, ts.URL)
}

func TestBrowserExportsPNGAndSVG(t *testing.T) {
	ts, _ := mustServer(t)
	b := newBrowser(t)
	const chart = `#chart-pak-rus-bilateral-1`
	b.open(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS", chart)
	if err := chromedp.Do(b.ctx,
		// Catch the downloads the buttons start instead of saving them.
		chromedp.Evaluate[chromedp.Void](`window.__downloads = []; HTMLAnchorElement.prototype.click = function () { window.__downloads.push({name: this.download, href: this.href}); };
			var create = URL.createObjectURL; URL.createObjectURL = function (blob) { window.__blob = blob; return create(blob); };`),
		chromedp.Click(chromedp.CSS(`button.export[data-export="png"][data-for="chart-pak-rus-bilateral-1"]`)),
		chromedp.Click(chromedp.CSS(`button.export[data-export="svg"][data-for="chart-pak-rus-bilateral-1"]`)),
	); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Names             []string
		PNGWidth, CSSWide int
		SVG               string
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[result](`(async function () {
		var d = window.__downloads;
		var img = new Image();
		await new Promise(function (ok, fail) { img.onload = ok; img.onerror = fail; img.src = d[0].href; });
		var svg = await window.__blob.text();
		return {Names: d.map(function (x) { return x.name; }), PNGWidth: img.naturalWidth,
			CSSWide: document.querySelector('`+chart+`').clientWidth, SVG: svg};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Names, ",") != "PAK-RUS-bilateral-2012-2023.png,PAK-RUS-bilateral-2012-2023.svg" {
		t.Errorf("download names = %v", got.Names)
	}
	if got.PNGWidth != 2*got.CSSWide {
		t.Errorf("PNG is %d px wide for a %d px chart, want twice", got.PNGWidth, got.CSSWide)
	}
	for _, want := range []string{"<svg", "Pakistan – Russia trade", "Source: Statements by", "FY2022-23", `<rect x="0" y="0"`} {
		if !strings.Contains(got.SVG, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	b.check(t, ts.URL)
}

func TestBrowserPartners(t *testing.T) {
	ts, _ := mustServer(t)
	b := newBrowser(t)
	b.open(t, ts.URL+"/partners?reporter=IND", `#chart-ind-partners-export-201901201912-3`)
	bars, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.querySelector('#chart-ind-partners-export-201901201912-3')).getOption().yAxis[0].data.slice(0, 3)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(bars, ",") != "United States,United Arab Emirates,China" {
		t.Errorf("top partners drawn = %v", bars)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`select[name=flow]`), "import"),
		chromedp.Submit(chromedp.CSS(`form.selectors`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-ind-partners-import-201901201912-3[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "flow=import") {
		t.Errorf("location after changing the flow = %q, %v", loc, err)
	}
	first, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`tbody tr th a`)))
	if err != nil || first != "China" {
		t.Errorf("India's largest import partner in 2019 = %q, %v; want China", first, err)
	}
	b.check(t, ts.URL)
}

func TestBrowserMirror(t *testing.T) {
	ts, store := mustServer(t)
	mustMirrorFixture(t, store)
	b := newBrowser(t)
	b.open(t, ts.URL+"/mirror?reporter=KAZ&partner=TKM&cif=1.06", "#chart-kaz-tkm-mirror")
	series, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](`echarts.getInstanceByDom(document.querySelector('#chart-kaz-tkm-mirror')).getOption().series.map(function (s) { return s.data[0].value; })`))
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 2 || series[0] != 1000 || series[1] < 999.999 || series[1] > 1000.001 {
		t.Errorf("mirror bars = %v, want 1000 and 1060/1.06", series)
	}
	b.check(t, ts.URL)
}

// TestBrowserDarkTheme checks that a reader whose system prefers a dark
// theme gets a dark page and a chart drawn with ECharts' dark theme.
func TestBrowserDarkTheme(t *testing.T) {
	ts, _ := mustServer(t)
	b := newBrowser(t)
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	b.open(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS", "#chart-pak-rus-bilateral-1")
	type look struct {
		Body      string
		TextColor string
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[look](`({
		Body: getComputedStyle(document.body).backgroundColor,
		TextColor: echarts.getInstanceByDom(document.querySelector('#chart-pak-rus-bilateral-1')).getOption().title[0].textStyle.color
	})`))
	if err != nil {
		t.Fatal(err)
	}
	// --bg is #15191f in the dark scheme; ECharts' dark theme draws titles in a light grey.
	if got.Body != "rgb(21, 25, 31)" || got.TextColor != "#EEF1FA" {
		t.Errorf("dark page: body %q, chart title colour %q", got.Body, got.TextColor)
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("TRADEDASH_DARK_SCREENSHOT"); p != "" {
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.check(t, ts.URL)
}

// TestBrowserPhoneWidth checks the bilateral page at a phone's width: the
// chart draws with its period labels turned, and nothing but the tables
// (which scroll inside their own box) is wider than the screen.
func TestBrowserPhoneWidth(t *testing.T) {
	ts, _ := mustServer(t)
	b := newBrowser(t)
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	b.open(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS", "#chart-pak-rus-bilateral-1")
	type fit struct {
		PageWidth, ScreenWidth, Rotate int
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[fit](`({
		PageWidth: document.documentElement.scrollWidth,
		ScreenWidth: window.innerWidth,
		Rotate: echarts.getInstanceByDom(document.querySelector('#chart-pak-rus-bilateral-1')).getOption().xAxis[0].axisLabel.rotate || 0
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if got.PageWidth > got.ScreenWidth || got.Rotate != 45 {
		t.Errorf("at 390 px: page %d px wide for a %d px screen, labels rotated %d°", got.PageWidth, got.ScreenWidth, got.Rotate)
	}
	b.check(t, ts.URL)
}
