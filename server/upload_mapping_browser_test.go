package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// choose selects value in a select of the upload form as a user does:
// the value changes and a change event bubbles, which upload.js answers
// by previewing the kept upload again.
func choose(name, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(function () {
		var s = document.querySelector("form.upload select[name=` + name + `]");
		s.value = "` + value + `";
		s.dispatchEvent(new Event("change", { bubbles: true }));
	})()`)
}

// signInAndPreview signs in with the admin token and sends file with the
// upload form, for its preview.
func signInAndPreview(url, file string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(url + "/login?next=%2Fdatasets%2Fnew"),
		chromedp.SetValue(chromedp.CSS(`form.login input[name=token]`), testToken),
		chromedp.Submit(chromedp.CSS(`form.login`)),
		chromedp.WaitVisible(chromedp.CSS(`form.upload input[type=file]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`form.upload input[name=file]`), []string{file}),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
	}
}

// TestBrowserUploadMapping signs in, uploads LibreOffice's
// mapping_india_2019.xlsx (six UN Comtrade figures of 2019, whose
// partner column is headed "Country" beside two value columns), which
// detection refuses; changes the partner's and the value's columns in
// the preview, each change previewing again without sending the file;
// commits, follows the import (queued at first) to its end on the
// import page and opens
// the new dataset's chart. A second upload, LibreOffice's wide table of
// Pakistan's exports (its other cells "..") ends with its warning on the
// import page.
func TestBrowserUploadMapping(t *testing.T) {
	a := mustAdminServer(t, 0)
	book, err := filepath.Abs(filepath.Join("..", "importers", "testdata", "xlsx", "mapping_india_2019.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	wantIn := func(what, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, got)
			}
		}
	}
	if err := chromedp.Do(b.ctx, append(signInAndPreview(a.URL, book), chromedp.WaitVisible(chromedp.CSS(`form.upload select[name=map_partner]`)))...); err != nil {
		t.Fatal(err)
	}
	wantIn("the first preview", text(`main`), "The file cannot be imported", "both mean trade value usd")

	// The partner's column: the preview is drawn again, still refused
	// for its two value columns.
	if err := chromedp.Do(b.ctx, choose("map_partner", "B"),
		chromedp.WaitReady(chromedp.CSS(`form.upload select[name=map_partner] option[value="B"][selected]`)),
	); err != nil {
		t.Fatal(err)
	}
	wantIn("the preview with the partner chosen", text(`main`), "The file cannot be imported", "both mean trade value usd")
	// The value's column: the figures.
	if err := chromedp.Do(b.ctx, choose("map_value", "E"),
		chromedp.WaitReady(chromedp.CSS(`form.upload select[name=map_value] option[value="E"][selected]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.commit button`)),
	); err != nil {
		t.Fatal(err)
	}
	preview := text(`main`)
	wantIn("the mapped preview", preview, "Preview: mapping_india_2019.xlsx", "India – Russia", "6,226,189,464", "68,402,092,562",
		"partner: B “Country” (as you chose)", "value: E “Trade Value (US$)” (as you chose)", "reporter: A “Reporter” (detected)", "Commit: import 6 figures")
	if strings.Contains(preview, "cannot be imported") {
		t.Errorf("the mapped preview is still refused:\n%s", preview)
	}

	// Commit while both import slots are taken, as by two other imports:
	// the import's page shows it queued and follows it with its script
	// (its self-reload switched off) until it ends.
	slots := a.srv.imports.slots
	for range cap(slots) {
		slots <- struct{}{}
	}
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`form.commit input[name=name]`), "India 2019, mapped workbook (test)"),
		chromedp.Click(chromedp.CSS(`form.commit button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.import[data-done="false"] .import-bar`)),
	); err != nil {
		t.Fatal(err)
	}
	wantIn("the queued import", text(`section.import`), "Waiting for another import to finish…", "0 of 6 figures (0%)", "you can leave it")
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("meta[http-equiv=refresh]").length`)); err != nil || n != 0 {
		t.Errorf("the import page's script left %d self-reloads (%v)", n, err)
	}
	for range cap(slots) {
		<-slots
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(`section.import[data-done="true"] a.import-dataset`))); err != nil {
		t.Fatal(err)
	}
	done := text(`section.import`)
	wantIn("the finished import", done, "Imported: India 2019, mapped workbook (test)", "6 of 6 figures (100%)", "India – Russia",
		"The importers found nothing to warn about.")
	bar, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](`(function () { var p = document.querySelector(".import-bar"); return [p.value, p.max]; })()`))
	if err != nil || len(bar) != 2 || bar[0] != 6 || bar[1] != 6 {
		t.Errorf("the progress bar is at %v (%v), want 6 of 6", bar, err)
	}
	const chart = `[id^="chart-"][id$="-bilateral-4"]`
	if err := chromedp.Do(b.ctx,
		chromedp.Click(chromedp.CSS(`section.import a.pair`)),
		chromedp.WaitVisible(chromedp.CSS(chart+`[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if loc, err := chromedp.Run(b.ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "dataset=4") {
		t.Errorf("the view link leads to %q (%v), want dataset 4's view", loc, err)
	}

	// A wide table whose empty cells the importers warn about.
	wide, err := filepath.Abs(filepath.Join("..", "importers", "testdata", "xlsx", "lo_wide_pakistan_fy.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(a.URL+"/datasets/new"),
		chromedp.WaitVisible(chromedp.CSS(`form.upload input[type=file]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`form.upload input[name=file]`), []string{wide}),
		chromedp.SetValue(chromedp.CSS(`form.upload select[name=fiscal_start_month]`), "7"),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.commit button`)),
		chromedp.Click(chromedp.CSS(`form.commit button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.import[data-done="true"] a.import-dataset`)),
	); err != nil {
		t.Fatal(err)
	}
	wantIn("the wide table's finished import", text(`section.import`), "Warnings", "state no value")
	b.check(t, a.URL)
}

// TestBrowserPreviewOtherSheet uploads a workbook of two sheets with
// other columns (twoSheetBook: UN Comtrade figures of 2019 from the
// importers' testdata), chooses the first sheet's partner and value
// columns, then the second sheet: upload.js sends the form with the
// first sheet's choices still in it, and the second sheet is previewed
// with its own detected columns. Another file chosen then in the same
// form is read without the first file's sheet.
func TestBrowserPreviewOtherSheet(t *testing.T) {
	a := mustAdminServer(t, 0)
	book := filepath.Join(t.TempDir(), "india_two_sheets.xlsx")
	if err := os.WriteFile(book, twoSheetBook(t), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	if err := chromedp.Do(b.ctx, append(signInAndPreview(a.URL, book),
		chromedp.WaitVisible(chromedp.CSS(`form.upload select[name=map_partner]`)),
		choose("map_partner", "B"),
		chromedp.WaitReady(chromedp.CSS(`form.upload select[name=map_partner] option[value="B"][selected]`)),
		choose("map_value", "E"),
		chromedp.WaitReady(chromedp.CSS(`form.upload select[name=map_value] option[value="E"][selected]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.commit button`)),
		choose("sheet", "India long"),
		chromedp.WaitReady(chromedp.CSS(`form.upload select[name=sheet] option[value="India long"][selected]`)),
	)...); err != nil {
		t.Fatal(err)
	}
	main, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"India long", "Commit: import 10 figures", "505,657,359", "partner: B “Partner” (detected)", "value: F “Value (US$)” (detected)"} {
		if !strings.Contains(main, want) {
			t.Errorf("the second sheet's preview lacks %q:\n%s", want, main)
		}
	}
	if strings.Contains(main, "cannot be imported") || strings.Contains(main, "as you chose") {
		t.Errorf("the second sheet was read with the first sheet's columns:\n%s", main)
	}

	// Another file chosen in the same form, which still names the sheet
	// "India long": LibreOffice's lo_long.xlsx (ten UN Comtrade figures of
	// 2019, one sheet "lo_long") is read from detection.
	other, err := filepath.Abs(filepath.Join("..", "importers", "testdata", "xlsx", "lo_long.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`form.upload input[name=file]`), []string{other}),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`form.upload select[name=sheet] option[value="lo_long"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if main, err = chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`main`))); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Preview: lo_long.xlsx", "Commit: import 10 figures", "6,226,189,464", "partner: B “Partner” (detected)"} {
		if !strings.Contains(main, want) {
			t.Errorf("the other file's preview lacks %q:\n%s", want, main)
		}
	}
	if strings.Contains(main, "cannot be imported") || strings.Contains(main, "India long") {
		t.Errorf("the other file was read with the first file's options:\n%s", main)
	}
	b.check(t, a.URL)
}
