package server

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserUploadWorkbook drops a real workbook (LibreOffice's lo_long.xlsx
// from the importers' testdata, ten UN Comtrade figures of 2019) onto the
// upload page's drop zone, sends it with the progress bar, previews it
// again with its sheet chosen, commits, and opens its chart from the
// datasets page.
func TestBrowserUploadWorkbook(t *testing.T) {
	a := mustAdminServer(t, 0)
	xlsx, err := os.ReadFile(filepath.Join("..", "importers", "testdata", "xlsx", "lo_long.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	// The drop: a File of the workbook's bytes in a DataTransfer, as the
	// browser builds one when a file is dragged in from the desktop.
	drop := `(function (b64) {
		var bin = atob(b64), bytes = new Uint8Array(bin.length);
		for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
		var dt = new DataTransfer();
		dt.items.add(new File([bytes], "lo_long.xlsx", { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
		var zone = document.querySelector("form.upload .dropzone");
		zone.dispatchEvent(new DragEvent("dragenter", { dataTransfer: dt, bubbles: true, cancelable: true }));
		zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
		return document.querySelector("form.upload input[type=file]").files.length + " " + zone.querySelector(".dropzone-file").textContent;
	})("` + base64.StdEncoding.EncodeToString(xlsx) + `")`
	// Every text the progress line shows is kept in sessionStorage, which
	// outlives the navigation to the preview.
	record := `(function () {
		var s = document.querySelector("form.upload .upload-status");
		sessionStorage.setItem("statuses", "");
		new MutationObserver(function () {
			sessionStorage.setItem("statuses", sessionStorage.getItem("statuses") + "|" + s.textContent);
		}).observe(s, { childList: true, characterData: true, subtree: true });
		return document.querySelector("form.upload .dropzone-hint").hidden;
	})()`
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(a.URL+"/login?next=%2Fdatasets%2Fnew"),
		chromedp.SetValue(chromedp.CSS(`form.login input[name=token]`), testToken),
		chromedp.Submit(chromedp.CSS(`form.login`)),
		chromedp.WaitVisible(chromedp.CSS(`form.upload .dropzone.dropzone-on`)),
	); err != nil {
		t.Fatal(err)
	}
	hintHidden, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](record))
	if err != nil || hintHidden {
		t.Errorf("the drop zone's hint is hidden with the script running (%v)", err)
	}
	dropped, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](drop))
	if err != nil || !strings.HasPrefix(dropped, "1 Chosen: lo_long.xlsx (") {
		t.Fatalf("after the drop: %q, %v", dropped, err)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.commit button`)),
	); err != nil {
		t.Fatal(err)
	}
	statuses, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`sessionStorage.getItem("statuses")`))
	if err != nil || !strings.Contains(statuses, "Uploading lo_long.xlsx: 100% of") || !strings.Contains(statuses, "Uploaded. Reading the file") {
		t.Errorf("the progress line showed %q (%v), want the upload's percentage, then the reading", statuses, err)
	}
	checkPreview := func(when string) {
		t.Helper()
		text, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`main`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Preview: lo_long.xlsx", "long: A long table", "India – Russia", "6,226,189,464", "Commit: import 10 figures"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s, the preview lacks %q:\n%s", when, want, text)
			}
		}
		rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.preview tbody tr").length`))
		if err != nil || rows != 10 {
			t.Errorf("%s, the preview table has %d rows (%v), want 10", when, rows, err)
		}
	}
	checkPreview("after the upload")
	// Preview again with the workbook's one sheet chosen by name: no file
	// is sent again.
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`form.upload select[name=sheet]`), "lo_long"),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
		// The attribute, unlike the property SetValue sets, comes only
		// with the page the new preview is drawn on.
		chromedp.WaitReady(chromedp.CSS(`form.upload select[name=sheet] option[value="lo_long"][selected]`)),
	); err != nil {
		t.Fatal(err)
	}
	checkPreview("with the sheet chosen")
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS(`form.commit input[name=name]`), "India 2019, LibreOffice workbook (test)")); err != nil {
		t.Fatal(err)
	}
	b.commit(t, chromedp.Click(chromedp.CSS(`form.commit button[type=submit]`)), "/datasets?imported=4")
	entry, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`#ds-4`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"4. India 2019, LibreOffice workbook (test)", "long", "10 on", "by admin", "lo_long.xlsx"} {
		if !strings.Contains(entry, want) {
			t.Errorf("the dataset's entry on /datasets lacks %q:\n%s", want, entry)
		}
	}
	const chart = `[id^="chart-"][id$="-bilateral-4"]`
	if err := chromedp.Do(b.ctx,
		chromedp.Click(chromedp.CSS(`section.imported a.pair`)),
		chromedp.WaitVisible(chromedp.CSS(chart+`[data-drawn="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "dataset=4") {
		t.Errorf("the view link leads to %q (%v), want dataset 4's view", loc, err)
	}
	b.check(t, a.URL)
}
