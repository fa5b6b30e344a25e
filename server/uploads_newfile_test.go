package server

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	uploadFormRe = regexp.MustCompile(`(?s)<form method="post" action="/datasets/new".*?</form>`)
	inputRe      = regexp.MustCompile(`<input ([^>]*)>`)
	selectRe     = regexp.MustCompile(`(?s)<select name="([^"]*)"[^>]*>(.*?)</select>`)
	optionRe     = regexp.MustCompile(`<option value="([^"]*)"( selected)?>`)
	attrRe       = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
)

// uploadFormFields are the fields a browser sends with a page's upload
// form, as the page fills them in: its inputs' values (not the file) and
// each select's selected option, or its first.
func uploadFormFields(tb testing.TB, page string) []field {
	tb.Helper()
	form := uploadFormRe.FindString(page)
	if form == "" {
		tb.Fatalf("no upload form on the page:\n%.1000s", page)
	}
	var out []field
	for _, m := range inputRe.FindAllStringSubmatch(form, -1) {
		attrs := map[string]string{}
		for _, a := range attrRe.FindAllStringSubmatch(m[1], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		if attrs["type"] != "file" && attrs["name"] != "" {
			out = append(out, field{attrs["name"], attrs["value"]})
		}
	}
	for _, m := range selectRe.FindAllStringSubmatch(form, -1) {
		opts := optionRe.FindAllStringSubmatch(m[2], -1)
		if len(opts) == 0 {
			continue
		}
		v := opts[0][1]
		for _, o := range opts {
			if o[2] != "" {
				v = o[1]
			}
		}
		out = append(out, field{m[1], html.UnescapeString(v)})
	}
	return out
}

// TestPreviewNewFileStartsFresh: the upload form of a preview sends the
// options chosen for its file (its sheet, its columns, a unit) with a
// new file chosen in it. The new file is read from detection: the
// LibreOffice workbook lo_long.xlsx (ten UN Comtrade figures of 2019,
// sheet "lo_long", columns all detected) is neither refused for the
// sheet "mapping_india_2019" nor read with the other workbook's columns
// or in thousands. An option changed on the page with the new file is
// the new file's. Changing the options of the same file keeps them
// (TestPreviewSheetDropsMapping, TestPreviewPageMapping).
func TestPreviewNewFileStartsFresh(t *testing.T) {
	t.Parallel()
	a := mustAdminServer(t, 0)
	cookie, csrf := signIn(t, a)
	h := func(ct string) map[string]string { return map[string]string{"Cookie": cookie, "Content-Type": ct} }
	page := func(loc string) string {
		t.Helper()
		resp, page := a.do(t, "GET", loc, nil, map[string]string{"Cookie": cookie})
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", loc, resp.StatusCode)
		}
		return page
	}

	// The first file, read with its sheet, two columns and a unit chosen.
	id := previewForm(t, a, cookie, csrf, "mapping_india_2019.xlsx", mappingBook(t))
	mp, ct := multipartBody(t, []field{{"csrf", csrf}, {"preview", id}, {"sheet", "mapping_india_2019"}, {"map_partner", "B"},
		{"map_value", "E"}, {"unit", "thousand US$"}, {"name", "India 2019, mapped"}}, "", []byte{}, nil)
	if resp, body := a.do(t, "POST", "/datasets/new", mp, h(ct)); resp.StatusCode != 303 {
		t.Fatalf("preview again: %d %.500s", resp.StatusCode, body)
	}
	first := page("/datasets/new?preview=" + id)
	checkPage(t, "the first file's preview", first, []string{"<dt>Sheet</dt><dd>mapping_india_2019</dd>", "6,226,189,464,000", "Commit: import 6 figures"}, nil)

	// Its upload form, as the browser sends it with another file chosen.
	sent := uploadFormFields(t, first)
	carried := map[string]string{}
	for i, f := range sent {
		carried[f.name] = f.value
		if f.name == "name" {
			sent[i].value = "India 2019, LibreOffice" // typed with the new file chosen
		}
	}
	for k, v := range map[string]string{"preview": id, "sheet": "mapping_india_2019", "map_partner": "B", "map_value": "E", "unit": "thousand US$", "name": "India 2019, mapped"} {
		if carried[k] != v {
			t.Fatalf("the first preview's form sends %s=%q, want %q: %v", k, carried[k], v, sent)
		}
	}
	book, err := os.ReadFile(filepath.Join("..", "importers", "testdata", "xlsx", "lo_long.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	mp, ct = multipartBody(t, sent, "lo_long.xlsx", book, nil)
	resp, body := a.do(t, "POST", "/datasets/new", mp, h(ct))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/datasets/new?preview=") || loc == "/datasets/new?preview="+id {
		t.Fatalf("the new file: %d to %q\n%.500s", resp.StatusCode, loc, body)
	}
	checkPage(t, "the new file's preview", page(loc),
		[]string{"Preview: lo_long.xlsx", "<dt>Sheet</dt><dd>lo_long</dd>", "Commit: import 10 figures", `<td class="num">6,226,189,464</td>`,
			`<td class="num">478,883,729,111</td>`, `<option value="" selected>the first visible sheet with data</option>`,
			`<option value="" selected>detected: B · Partner</option>`, `<option value="" selected>detected: F · Value (US$)</option>`,
			`<option value="" selected>as the file states it</option>`, `value="India 2019, LibreOffice"`},
		[]string{"The file cannot be imported", "as you chose", "6,226,189,464,000", "mapping_india_2019", `value="India 2019, mapped"`})
}
