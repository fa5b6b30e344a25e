package server

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// apiNumber writes an API figure as the browser tests compare it.
func apiNumber(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// tableRows reads, for every row of the tables matching sel, the numbers
// of the cells matching cells, each cell's first text without thousands
// separators or bound marks ("—" becomes "-"), joined by "|".
func tableRows(t *testing.T, b *browser, sel, cells string) []string {
	t.Helper()
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('`+sel+`')).map(function (tr) {
		return Array.from(tr.querySelectorAll('`+cells+`')).map(function (td) {
			var s = (td.firstChild ? td.firstChild.textContent : '').trim().replace(/[,≥≤ ]/g, '').replace('−', '-');
			return s === '—' || s === '' ? '-' : s;
		}).join('|');
	})`))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rows)
	return rows
}

// location is the tab's URL.
func location(t *testing.T, b *browser) string {
	t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestBrowserBilateralTableAndSectors: the bilateral page's period table
// equals the API's figures; the sector breakdown draws as a treemap, a
// click on a section drills into its chapters, and the form selector
// changes the URL and the chart.
func TestBrowserBilateralTableAndSectors(t *testing.T) {
	ts, store := mustServer(t)
	mustSectionsFixture(t, store)
	_, body := get(t, ts.URL+"/api/v1/bilateral?reporter=PAK&partner=RUS")
	var api struct {
		Series []struct {
			Period                              string
			Exports, Imports, Turnover, Balance *float64
		}
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range api.Series {
		want = append(want, strings.Join([]string{apiNumber(s.Exports), apiNumber(s.Imports), apiNumber(s.Turnover), apiNumber(s.Balance)}, "|"))
	}
	slices.Sort(want)

	b := newBrowser(t)
	b.open(t, ts.URL+"/bilateral?reporter=PAK&partner=RUS", `#chart-pak-rus-bilateral-1`)
	if got := tableRows(t, b, "table.periods tbody tr", "td.num"); !slices.Equal(got, want) {
		t.Errorf("table rows\n%q\nAPI\n%q", got, want)
	}

	// The fixture's sections as a treemap: XI 4,000 and VI 2,500; the
	// bound (II, ≥ 300) has no area.
	b.open(t, ts.URL+"/bilateral?reporter=KAZ&partner=UZB&dataset=all&form=treemap", `.chart-sectors`)
	type node struct {
		Name, Link string
		Value      float64
	}
	nodes, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]node](`(function () {
		var s = echarts.getInstanceByDom(document.querySelector('.chart-sectors')).getOption().series[0];
		return s.type === 'treemap' ? s.data.map(function (d) { return {Name: d.name, Link: d.link || '', Value: d.value}; }) : [];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 || nodes[0].Value != 4000 || nodes[1].Value != 2500 || !strings.Contains(nodes[0].Link, "section=XI") {
		t.Fatalf("treemap nodes = %+v", nodes)
	}
	// A click in the chart's middle lands on XI, which covers 4,000 of
	// the 6,500 drawn: the page follows its link to the chapters.
	if err := chromedp.Do(b.ctx,
		chromedp.Evaluate[chromedp.Void](`(function () {
			var el = document.querySelector('.chart-sectors'), chart = echarts.getInstanceByDom(el);
			var view = chart.getModel().getSeriesByIndex(0).getData().tree.root.children[0].getLayout();
			window.__xi = {x: view.x + view.width / 2 + 10, y: view.y + view.height / 2 + 70};
		})()`),
	); err != nil {
		t.Fatal(err)
	}
	type point struct{ X, Y float64 }
	p, err := chromedp.Run(b.ctx, chromedp.Evaluate[point](`(function () {
		var el = document.querySelector('.chart-sectors');
		el.scrollIntoView({block: 'center'});
		var r = el.getBoundingClientRect();
		return {X: r.left + window.__xi.x, Y: r.top + window.__xi.y};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.ctx, chromedp.MouseClickXY(p.X, p.Y), chromedp.WaitVisible(chromedp.CSS(`a.sector-up`))); err != nil {
		t.Fatalf("click on section XI at %v: %v", p, err)
	}
	if loc := location(t, b); !strings.Contains(loc, "section=XI") || !strings.Contains(loc, "form=treemap") {
		t.Errorf("location after the click = %q", loc)
	}
	b.open(t, location(t, b), `.chart-sectors`)
	names, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.querySelector('.chart-sectors')).getOption().series[0].data.map(function (d) { return d.name; })`))
	if err != nil || len(names) != 2 || !strings.HasPrefix(names[0], "HS 52 ") || !strings.HasPrefix(names[1], "HS 61 ") {
		t.Errorf("chapters of XI drawn = %v, %v", names, err)
	}
	// Bars instead: the link changes the URL and the chart.
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`nav.sector-forms a[href*="form=bars"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.chart-sectors[id^="chart-kaz-uzb-sectors-"][data-drawn="true"]`))); err != nil {
		t.Fatal(err)
	}
	kind, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`echarts.getInstanceByDom(document.querySelector('.chart-sectors')).getOption().series[0].type`))
	if loc := location(t, b); err != nil || kind != "bar" || !strings.Contains(loc, "form=bars") || !strings.Contains(loc, "section=XI") {
		t.Errorf("after choosing bars: %q at %q (%v)", kind, loc, err)
	}
	b.check(t, ts.URL)
}

// TestBrowserCompare: the compare page draws, its table equals the API's
// figures, and choosing the waterfall changes the URL and the chart.
func TestBrowserCompare(t *testing.T) {
	ts, store := mustServer(t)
	id := mustPartnersFixture(t, store)
	q := "reporter=KAZ&partner=RUS&level=chapter"
	_, body := get(t, ts.URL+"/api/v1/compare?"+q)
	var api struct {
		Comparisons []struct {
			Total   struct{ A, B *float64 }
			Sectors []struct{ A, B *float64 }
		}
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range api.Comparisons {
		want = append(want, apiNumber(c.Total.A)+"|"+apiNumber(c.Total.B))
		for _, s := range c.Sectors {
			want = append(want, apiNumber(s.A)+"|"+apiNumber(s.B))
		}
	}
	slices.Sort(want)
	if len(want) != 2 { // all goods and HS 10 of the generated fixture
		t.Fatalf("API = %s", body)
	}
	b := newBrowser(t)
	bars := fmt.Sprintf("#chart-kaz-rus-compare-export-kaz-%d", id)
	b.open(t, ts.URL+"/compare?"+q, `div.chart-sectors`)
	if got := tableRows(t, b, "section.chart-section tbody tr", "td.num:nth-of-type(1), td.num:nth-of-type(2)"); !slices.Equal(got, want) {
		t.Errorf("table rows %q, API %q", got, want)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`select[name=form]`), "waterfall"),
		chromedp.Submit(chromedp.CSS(`form.selectors`)),
		chromedp.WaitVisible(chromedp.CSS(`div.chart-sectors[id*="waterfall"][data-drawn="true"]`)),
	); err != nil {
		t.Fatalf("%v (bars chart %s)", err, bars)
	}
	if loc := location(t, b); !strings.Contains(loc, "form=waterfall") || !strings.Contains(loc, "level=chapter") {
		t.Errorf("location after choosing the waterfall = %q", loc)
	}
	b.check(t, ts.URL)
}

// TestBrowserMirrorSelectors: the mirror table equals the API's figures,
// and a CIF/FOB factor typed into the form changes the URL and the bars.
func TestBrowserMirrorSelectors(t *testing.T) {
	ts, store := mustServer(t)
	mustMirrorFixture(t, store)
	_, body := get(t, ts.URL+"/api/v1/mirror?reporter=KAZ&partner=TKM")
	var api struct {
		Rows []struct{ Reported, Mirror *float64 } `json:"comparisons"`
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range api.Rows {
		want = append(want, apiNumber(r.Reported)+"|"+apiNumber(r.Mirror))
	}
	b := newBrowser(t)
	b.open(t, ts.URL+"/mirror?reporter=KAZ&partner=TKM", "#chart-kaz-tkm-mirror")
	if got := tableRows(t, b, "section.chart-section tbody tr", "td.num:nth-of-type(2), td.num:nth-of-type(3)"); len(want) != 1 || !slices.Equal(got, want) {
		t.Errorf("table rows %q, API %q", got, want)
	}
	bars := `echarts.getInstanceByDom(document.querySelector('#chart-kaz-tkm-mirror')).getOption().series.map(function (s) { return s.data[0].value; })`
	before, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](bars))
	if err != nil || len(before) != 2 || before[1] != 1060 {
		t.Fatalf("bars before = %v, %v", before, err)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`input[name=cif]`), "1.06"),
		chromedp.Submit(chromedp.CSS(`form.selectors`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=cif][value="1.06"]`)), // the new page's
		chromedp.WaitVisible(chromedp.CSS(`#chart-kaz-tkm-mirror[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if loc := location(t, b); !strings.Contains(loc, "cif=1.06") {
		t.Errorf("location after the factor = %q", loc)
	}
	after, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](bars))
	if err != nil || len(after) != 2 || after[1] < 999.999 || after[1] > 1000.001 { // 1,060 ÷ 1.06
		t.Errorf("bars after the factor = %v, %v", after, err)
	}
	b.check(t, ts.URL)
}
