package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPartnersMapAndLines checks that the world map draws from the
// boundaries the server itself serves, and that the lines chart holds the
// chosen partners, with no console error and no outside request.
func TestBrowserPartnersMapAndLines(t *testing.T) {
	ts, store := mustServer(t)
	id := mustPartnersFixture(t, store)
	b := newBrowser(t)
	mapSel := fmt.Sprintf("#chart-kaz-partnersmap-export-202001202012-%d", id)
	linesSel := fmt.Sprintf("#chart-kaz-partnerlines-export-%d", id)
	b.open(t, ts.URL+"/partners?reporter=KAZ&period=2020&partner=RUS&partner=CHN&from=2016", mapSel)
	type drawn struct {
		Features, MapData, CanvasBytes int
		Regions                        []string
		Lines                          []string
		Points                         int
		SharesAxis                     string
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[drawn](`(function () {
		var m = echarts.getInstanceByDom(document.querySelector('`+mapSel+`'));
		var l = echarts.getInstanceByDom(document.querySelector('`+linesSel+`'));
		var shares = echarts.getInstanceByDom(document.querySelector('[id^="chart-kaz-partnershares-"]'));
		return {
			Features: echarts.getMap('world').geoJSON.features.length,
			MapData: m.getOption().series[0].data.length,
			CanvasBytes: document.querySelector('`+mapSel+` canvas').toDataURL('image/png').length,
			// ECharts pads the data with every region of the map, valueless.
			Regions: m.getOption().series[0].data.filter(function (d) { return typeof d.value === 'number' && isFinite(d.value); }).map(function (d) { return d.name; }),
			Lines: l.getOption().series.map(function (s) { return s.name; }),
			Points: l.getOption().series[0].data.length,
			SharesAxis: shares.getOption().yAxis[0].axisLabel.formatter(12.5)
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Features < 170 {
		t.Errorf("registered map has %d features", got.Features)
	}
	// Kazakhstan's 2020 partners in the fixture: China, Russia, Uzbekistan; World and Areas, nes stay off the map.
	if strings.Join(got.Regions, ",") != "CHN,RUS,UZB" || got.MapData != got.Features {
		t.Errorf("map regions = %v", got.Regions)
	}
	// A blank canvas of this size encodes to a few KB; a drawn world map to far more.
	if got.CanvasBytes < 30000 {
		t.Errorf("map canvas encodes to only %d bytes: nothing drawn?", got.CanvasBytes)
	}
	if strings.Join(got.Lines, ",") != "Russia,China" || got.Points != 6 {
		t.Errorf("lines chart: series %v with %d points, want Russia,China over 2016–2021", got.Lines, got.Points)
	}
	if got.SharesAxis != "12.50 %" {
		t.Errorf("shares axis label = %q, want a percentage", got.SharesAxis)
	}
	b.mu.Lock()
	fetched := false
	for _, r := range b.requests {
		fetched = fetched || strings.HasSuffix(r, "/world.json")
	}
	b.mu.Unlock()
	if !fetched {
		t.Error("the map's boundaries were not fetched from the server's own static files")
	}
	// Type a third partner by name into the picker's next slot: the URL and the lines follow.
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`input[name=partner]:nth-of-type(3)`), "Uzbekistan"),
		chromedp.Submit(chromedp.CSS(`form.selectors`)),
		chromedp.WaitVisible(chromedp.CSS(linesSel+`[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "partner=Uzbekistan") {
		t.Errorf("location = %q, %v", loc, err)
	}
	lines, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.querySelector('`+linesSel+`')).getOption().series.map(function (s) { return s.name; })`))
	if err != nil || strings.Join(lines, ",") != "Russia,China,Uzbekistan" {
		t.Errorf("lines after adding a partner = %v, %v", lines, err)
	}
	// At a phone's width the picker and the charts fit the screen.
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	b.open(t, loc, mapSel)
	widths, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil || len(widths) != 2 || widths[0] > widths[1] {
		t.Errorf("at 390 px the page is %v wide (page, screen), %v", widths, err)
	}
	b.check(t, ts.URL)
}

// TestBrowserCompareWaterfall checks that the waterfall form draws with
// its transparent base and that the form switch keeps the URL the state.
func TestBrowserCompareWaterfall(t *testing.T) {
	ts, store := mustServer(t)
	mustPartnersFixture(t, store)
	b := newBrowser(t)
	b.open(t, ts.URL+"/compare?reporter=KAZ&partner=RUS&level=chapter", `[id^="chart-kaz-rus-compare-"]`)
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`select[name=form]`), "waterfall"),
		chromedp.Submit(chromedp.CSS(`form.selectors`)),
		chromedp.WaitVisible(chromedp.CSS(`[id^="chart-kaz-rus-waterfall-"][data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "form=waterfall") || !strings.Contains(loc, "level=chapter") {
		t.Errorf("location = %q, %v", loc, err)
	}
	series, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.querySelector('[id^="chart-kaz-rus-waterfall-"]')).getOption().series.map(function (s) { return s.name + ':' + s.stack + ':' + s.itemStyle.color; })`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(series, ",") != "base:waterfall:transparent,Rise:waterfall:#3ba272,Fall:waterfall:#ee6666,Total:waterfall:#5470c6" {
		t.Errorf("waterfall series = %v", series)
	}
	b.check(t, ts.URL)
}
