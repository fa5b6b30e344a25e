package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSourceComparison draws the demo's India–Russia 2019 figures
// from the official statements (dataset 1) beside UN Comtrade's (dataset
// 3), and checks that choosing the datasets in the form puts them in the URL.
func TestBrowserSourceComparison(t *testing.T) {
	ts, _ := mustServer(t)
	b := newBrowser(t)
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(ts.URL+"/mirror?reporter=IND&partner=RUS"),
		chromedp.WaitVisible(chromedp.CSS(`form.selectors`)),
		chromedp.SetValue(chromedp.CSS(`select[name=dataset_a]`), "1"),
		chromedp.SetValue(chromedp.CSS(`select[name=dataset_b]`), "3"),
		chromedp.Submit(chromedp.CSS(`form.selectors`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-ind-rus-sources[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "dataset_a=1") || !strings.Contains(loc, "dataset_b=3") {
		t.Errorf("location = %q, %v", loc, err)
	}
	bars, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](`echarts.getInstanceByDom(document.querySelector('#chart-ind-rus-sources')).getOption().series.map(function (s) { return s.data[0].value; })`))
	if err != nil {
		t.Fatal(err)
	}
	// India's 2019 exports to Russia, UN Comtrade, in both datasets.
	if len(bars) != 2 || bars[0] != 2871228560 || bars[1] != 2871228560 {
		t.Errorf("bars = %v", bars)
	}
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.sources-compared tbody tr').length`))
	if err != nil || rows != 2 {
		t.Errorf("table rows = %d, %v; want exports and imports", rows, err)
	}
	b.check(t, ts.URL)
}
