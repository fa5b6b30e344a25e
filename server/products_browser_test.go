package server

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserProducts opens the products view on the demo data (UN
// Comtrade: Pakistan's 2019 exports by HS chapter to the World), checks
// that the chart drew the figure the API gives, that every table row
// equals the API's figure, and that adding a product changes the URL and
// the chart.
func TestBrowserProducts(t *testing.T) {
	ts, _ := mustServer(t)
	_, body := get(t, ts.URL+"/api/v1/products?reporter=PAK&product=30")
	var api struct {
		Series []struct {
			Product, Partner string
			Points           []struct {
				Start string `json:"period_start"`
				End   string `json:"period_end"`
				Value *float64
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, s := range api.Series {
		for _, p := range s.Points {
			if p.Value != nil {
				want[s.Product+" "+s.Partner+" "+p.Start+".."+p.End] = *p.Value
			}
		}
	}
	if len(want) == 0 {
		t.Fatalf("the API gives no figures: %s", body)
	}

	b := newBrowser(t)
	const chart = `#chart-pak-products-partners-export-30-2`
	b.open(t, ts.URL+"/products?reporter=PAK&product=30", chart)
	series, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.querySelector('`+chart+`')).getOption().series.map(function (s) {
		return s.name + ':' + s.data.map(function (d) { return d.value; }).join('|');
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if w := "World (as stated):" + strconv.FormatFloat(want["HS:30 WLD 2019-01..2019-12"], 'f', -1, 64); strings.Join(series, ",") != w {
		t.Errorf("chart series = %v, want %s", series, w)
	}
	type row struct{ Key, Value string }
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]row](`Array.from(document.querySelectorAll('table.products tbody tr')).map(function (tr) {
		var p = tr.dataset.period.split('..');
		return {Key: tr.dataset.product + ' ' + tr.dataset.partner + ' ' + p[0].slice(0, 7) + '..' + p[1].slice(0, 7), Value: tr.querySelector('td.num').firstChild.textContent};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Errorf("table has %d rows, the API %d figures", len(rows), len(want))
	}
	for _, r := range rows {
		v, err := strconv.ParseFloat(strings.ReplaceAll(r.Value, ",", ""), 64)
		if w, ok := want[r.Key]; err != nil || !ok || v != w {
			t.Errorf("table row %s = %q, API %v", r.Key, r.Value, w)
		}
	}

	if err := chromedp.Do(b.ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name=product]')[1].value = '10'`),
		chromedp.Submit(chromedp.CSS(`form.selectors`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-pak-products-wld-export-30-10-2[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "product=30") || !strings.Contains(loc, "product=10") {
		t.Errorf("location after adding a product = %q, %v", loc, err)
	}
	names, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.querySelector('#chart-pak-products-wld-export-30-10-2')).getOption().series.map(function (s) { return s.name; })`))
	if err != nil || strings.Join(names, ",") != "HS 30 Pharmaceutical products,HS 10 Cereals" {
		t.Errorf("series after adding HS 10 = %v, %v", names, err)
	}
	b.check(t, ts.URL)
}
