package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserUploadPreviewCommit signs in through the login page, uploads a
// CSV through the upload form, reads the preview, commits it, and opens the
// new dataset's bilateral chart from the link the datasets page offers:
// all without any script of ours on those pages.
// commit sends the preview's commit form with send, waits for the
// import's page to say the import is done, follows its link and waits
// for the datasets page at want to offer the new dataset's views.
func (b *browser) commit(tb testing.TB, send chromedp.Action[chromedp.Void], want string) {
	tb.Helper()
	if err := chromedp.Do(b.ctx, send,
		chromedp.WaitVisible(chromedp.CSS(`section.import[data-done="true"] a.import-dataset`)),
		chromedp.Click(chromedp.CSS(`a.import-dataset`)),
		chromedp.WaitVisible(chromedp.CSS(`section.imported a.pair`))); err != nil {
		tb.Fatal(err)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, want) {
		tb.Fatalf("after the commit the browser is at %q (%v), want %s", loc, err, want)
	}
}

func TestBrowserUploadPreviewCommit(t *testing.T) {
	a := mustAdminServer(t, 0)
	csv := "reporter,partner,period,flow,value_usd\n" +
		"KAZ,UZB,2019,export,1200000000\nKAZ,UZB,2019,import,600000000\n" +
		"KAZ,UZB,2020,export,1100000000\nKAZ,UZB,2020,import,700000000\n" +
		"KAZ,UZB,2021,export,1500000000\nKAZ,UZB,2021,import,800000000\n" +
		"KAZ,UZB,2022,export,..\n"
	file := filepath.Join(t.TempDir(), "kazakhstan-uzbekistan.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	if err := chromedp.Do(b.ctx,
		// The upload page sends a visitor to sign in first, then back.
		chromedp.Navigate(a.URL+"/datasets/new"),
		chromedp.WaitVisible(chromedp.CSS(`form.login input[name=token]`)),
		chromedp.SetValue(chromedp.CSS(`form.login input[name=token]`), testToken),
		chromedp.Submit(chromedp.CSS(`form.login`)),
		chromedp.WaitVisible(chromedp.CSS(`form.upload input[type=file]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`form.upload input[name=file]`), []string{file}),
		chromedp.SetValue(chromedp.CSS(`form.upload input[name=name]`), "Kazakhstan–Uzbekistan (test)"),
		chromedp.SetValue(chromedp.CSS(`form.upload select[name=fiscal_start_month]`), "7"),
		chromedp.Submit(chromedp.CSS(`form.upload`)),
		chromedp.WaitVisible(chromedp.CSS(`form.commit button`)),
	); err != nil {
		t.Fatal(err)
	}
	preview, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Preview: kazakhstan-uzbekistan.csv", "long: A long table", "2019, 2020, 2021",
		"Kazakhstan – Uzbekistan", "1 row left out", "row 8", "1,200,000,000", "Commit: import 6 figures"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	b.commit(t, chromedp.Submit(chromedp.CSS(`form.commit`)), "/datasets?imported=4")
	heading, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`section.imported h2`)))
	if err != nil || heading != "Imported: Kazakhstan–Uzbekistan (test)" {
		t.Errorf("heading = %q, %v", heading, err)
	}
	const chart = `#chart-kaz-uzb-bilateral-4`
	if err := chromedp.Do(b.ctx,
		chromedp.Click(chromedp.CSS(`section.imported a.pair`)),
		chromedp.WaitVisible(chromedp.CSS(chart+`[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	series, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.querySelector('`+chart+`')).getOption().series.map(function (s) {
		return s.name + ':' + s.data.filter(function (d) { var v = (d !== null && typeof d === 'object') ? d.value : d; return v !== '-' && v !== undefined && v !== null; }).length;
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(series, ","); got != "Exports:3,Imports:3,Turnover:3,Balance:3" {
		t.Errorf("chart series = %s", got)
	}
	b.check(t, a.URL)
}
