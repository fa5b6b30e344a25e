package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"tradedash/data"
)

// TestBrowserProducts opens the products view on the demo data (UN
// Comtrade: Pakistan's 2019 exports by HS chapter to the World), checks
// that the chart drew the figure the API gives, that every figure of
// the partner × period table equals the API's figure, and that adding a product changes the URL and the chart.
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
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]row](`(function () {
		var periods = Array.from(document.querySelectorAll('table.products thead th[data-period]')).map(function (th) {
			var p = th.dataset.period.split('..');
			return p[0].slice(0, 7) + '..' + p[1].slice(0, 7);
		});
		var out = [];
		document.querySelectorAll('table.products tbody tr').forEach(function (tr) {
			tr.querySelectorAll('td:not(.label)').forEach(function (td, j) {
				if (td.firstChild) out.push({Key: tr.dataset.product + ' ' + tr.dataset.partner + ' ' + periods[j], Value: td.firstChild.textContent});
			});
		});
		return out;
	})()`))
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

// TestBrowserProductsPhoneDark opens a products table of many periods at a
// phone's width in the dark theme, on synthetic figures generated here
// (not statistics): Kazakhstan's exports of HS 10 to three partners, one
// figure a year 1995–2024 worth 1,000×partner + the year. The page must
// not be wider than the screen (the table scrolls inside its wrap), the
// partner column stays on the page's dark background as it scrolls, and a
// figure's footnote leads to its source in the list below the table.
func TestBrowserProductsPhoneDark(t *testing.T) {
	ts, store := mustServer(t)
	hs10 := data.Product{Classification: data.HS, Code: "10", Name: "Cereals"}
	d, err := store.Import(context.Background(), data.Dataset{Name: "synthetic products grid", SHA256: strings.Repeat("ef", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			for i, p := range []string{"CHN", "RUS", "UZB"} {
				for y := 1995; y <= 2024; y++ {
					o := data.Observation{Reporter: "KAZ", Partner: p, Period: data.Year(y), Flow: data.Export, Product: hs10,
						ValueUSD: float64(1000*(i+1) + y), Bound: data.Exact, SourceRef: fmt.Sprintf("synthetic %s %d", p, y)}
					if err := emit(o); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	b.open(t, fmt.Sprintf("%s/products?reporter=KAZ&product=10&dataset=%d", ts.URL, d.ID), "#chart-kaz-products-partners-export-10-"+strconv.FormatInt(d.ID, 10))
	type look struct {
		PageWidth, ScreenWidth, WrapScroll, WrapWidth, Periods int
		Body, RowHead, FirstCell                               string
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[look](`(function () {
		var wrap = document.querySelector('table.products').parentElement;
		var th = document.querySelector('table.products tbody th[scope=row]');
		return {
			PageWidth: document.documentElement.scrollWidth, ScreenWidth: window.innerWidth,
			WrapScroll: wrap.scrollWidth, WrapWidth: wrap.clientWidth,
			Periods: document.querySelectorAll('table.products thead th[data-period]').length,
			Body: getComputedStyle(document.body).backgroundColor, RowHead: getComputedStyle(th).backgroundColor,
			FirstCell: document.querySelector('table.products tbody td').textContent
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.PageWidth > got.ScreenWidth || got.WrapScroll <= got.WrapWidth || got.Periods != 30 {
		t.Errorf("at 390 px: page %d px wide for a %d px screen; table wrap %d px of %d px scrolls; %d periods, want 30",
			got.PageWidth, got.ScreenWidth, got.WrapScroll, got.WrapWidth, got.Periods)
	}
	// --bg is #15191f in the dark scheme; partners ranked by sum: UZB first, 3,000 + 1995.
	if got.Body != "rgb(21, 25, 31)" || got.RowHead != got.Body || got.FirstCell != "4,9951" {
		t.Errorf("dark: body %q, partner column %q, first cell %q (the figure and its footnote 1)", got.Body, got.RowHead, got.FirstCell)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(`table.products tbody tr:first-child td:nth-of-type(3) sup a`)); err != nil {
		t.Fatal(err)
	}
	target, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(function () { var li = document.querySelector(location.hash); return location.hash + ' ' + (li ? li.textContent : 'none'); })()`))
	if err != nil {
		t.Fatal(err)
	}
	if target != "#psrc-3 synthetic UZB 1997" {
		t.Errorf("the third figure's footnote leads to %q, want #psrc-3 synthetic UZB 1997", target)
	}
	b.check(t, ts.URL)
}
