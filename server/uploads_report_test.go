package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreviewShowsReport: the preview page and the API's dry run say how
// the importers read the file, as the command line's dry run does: the
// layout and why, the header row, the unit and where it is stated, what
// the title gave, and the warnings (here the made-up test file's June
// Total row, which its two partners do not add up to).
func TestPreviewShowsReport(t *testing.T) {
	content, err := os.ReadFile(filepath.Join("..", "importers", "testdata", "wide_months_2023.csv"))
	if err != nil {
		t.Fatal(err)
	}
	a := mustAdminServer(t, 0)
	const (
		reason   = "wide table: 6 period columns (Jan … Jun)"
		totalRow = "PAK export TOTAL, Jun 2023: the Total row (row 7, the sum of the partners listed; not stored) states 10,000,000 US$ but the 2 partners listed add up to 9,500,000 US$"
		months   = "months read in 2023"
	)

	// The dry run.
	resp, body := a.upload(t, "wide_months_2023.csv", content, field{"dry_run", "1"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dry run: %d %s", resp.StatusCode, body)
	}
	type preview struct {
		Layout            string `json:"layout"`
		LayoutReason      string `json:"layout_reason"`
		HeaderRow         int    `json:"header_row"`
		Unit              string `json:"unit"`
		UnitFrom          string `json:"unit_from"`
		Details, Warnings []string
		Rows              int
	}
	p := decode[preview](t, body)
	if p.Layout != "wide" || p.LayoutReason != reason || p.HeaderRow != 4 || p.Unit != "million US$" || p.UnitFrom != `row 2 "US$ million"` || p.Rows != 12 {
		t.Errorf("dry run = %+v", p)
	}
	if d := strings.Join(p.Details, "\n"); !strings.Contains(d, months) || !strings.Contains(d, `row 7 "Total" is the sum of the partners listed`) {
		t.Errorf("details = %q", p.Details)
	}
	if len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0], totalRow) {
		t.Errorf("warnings = %q; want the Total row's", p.Warnings)
	}

	// A refused file still says how it was read.
	hk := strings.Replace(string(content), "US$ million", "HK$ million", 1)
	resp, body = a.upload(t, "hk.csv", []byte(hk), field{"dry_run", "1"})
	if p := decode[preview](t, body); resp.StatusCode != http.StatusUnprocessableEntity || p.LayoutReason != reason || p.HeaderRow != 4 ||
		!strings.Contains(body, `"row":2`) || !strings.Contains(body, "HK$, a currency other than US dollars") {
		t.Errorf("dry run of a table in HK$: %d %s", resp.StatusCode, body)
	}

	// The import itself answers with the same warnings.
	resp, body = a.upload(t, "wide_months_2023.csv", content)
	if w := decode[struct{ Warnings []string }](t, body).Warnings; resp.StatusCode != http.StatusCreated || len(w) != 1 || !strings.HasPrefix(w[0], totalRow) {
		t.Errorf("import: %d, warnings %q\n%.500s", resp.StatusCode, w, body)
	}

	// The preview page.
	cookie, csrf := signIn(t, a)
	mp, ct := multipartBody(t, []field{{"csrf", csrf}}, "wide_months_2023.csv", content, nil)
	resp, body = a.do(t, "POST", "/datasets/new", mp, map[string]string{"Cookie": cookie, "Content-Type": ct})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/datasets/new?preview=") {
		t.Fatalf("upload: %d to %q\n%.500s", resp.StatusCode, loc, body)
	}
	resp, page := a.do(t, "GET", loc, nil, map[string]string{"Cookie": cookie})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview page: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`<span class="muted reason">(` + reason + ")</span>",
		`<dd class="header-row">row 4</dd>`,
		`<dd class="unit">million US$ <span class="muted">(row 2 &#34;US$ million&#34;)</span></dd>`,
		months,
		strings.ReplaceAll(totalRow, `"`, "&#34;"),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview page lacks %s", want)
		}
	}
}

// TestPreviewAgainWhileCommitting: a preview being committed is not
// parsed again (the commit moves its file away, so the parse would fail
// half-way with a 500), and one being parsed again is not committed; each
// is refused with 409 and says why, and the other goes on.
func TestPreviewAgainWhileCommitting(t *testing.T) {
	a := mustAdminServer(t, 0)
	cookie, csrf := signIn(t, a)
	h := func(ct string) map[string]string { return map[string]string{"Cookie": cookie, "Content-Type": ct} }
	mp, ct := multipartBody(t, []field{{"csrf", csrf}}, "kaz.csv", tradeCSV(12, 5), nil)
	resp, body := a.do(t, "POST", "/datasets/new", mp, h(ct))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/datasets/new?preview=") {
		t.Fatalf("upload: %d to %q\n%.500s", resp.StatusCode, loc, body)
	}
	id := strings.TrimPrefix(loc, "/datasets/new?preview=")
	again := func() (int, string) {
		mp, ct := multipartBody(t, []field{{"csrf", csrf}, {"preview", id}, {"name", "again"}}, "", []byte{}, nil)
		resp, body := a.do(t, "POST", "/datasets/new", mp, h(ct))
		return resp.StatusCode, body
	}
	commit := func() (int, string) {
		form := "csrf=" + csrf + "&preview=" + id
		resp, body := a.do(t, "POST", "/datasets/commit", strings.NewReader(form),
			map[string]string{"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
		return resp.StatusCode, body
	}

	// A commit under way, as the commit handler claims it.
	if _, err := a.srv.uploads.claim(id); err != nil {
		t.Fatal(err)
	}
	if st, body := again(); st != http.StatusConflict || !strings.Contains(body, "being committed") {
		t.Errorf("preview again while committing: %d %.300s", st, body)
	}
	a.srv.uploads.release(id, false)

	// A parse under way, as previewAgain holds it.
	if _, err := a.srv.uploads.reparse(id); err != nil {
		t.Fatal(err)
	}
	if st, body := commit(); st != http.StatusConflict || !strings.Contains(body, "being parsed again") {
		t.Errorf("commit while parsing again: %d %.300s", st, body)
	}
	a.srv.uploads.reparsed(id)

	// Neither under way: both go through.
	if st, body := again(); st != http.StatusSeeOther {
		t.Errorf("preview again: %d %.300s", st, body)
	}
	if st, body := commit(); st != http.StatusSeeOther {
		t.Errorf("commit: %d %.300s", st, body)
	}
}
