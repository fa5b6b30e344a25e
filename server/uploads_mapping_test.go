package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// mappingBook is LibreOffice's mapping_india_2019.xlsx from the
// importers' testdata: six UN Comtrade figures of India's 2019 trade,
// whose partner column is headed "Country" beside two value columns, so
// that header detection alone refuses it.
func mappingBook(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "importers", "testdata", "xlsx", "mapping_india_2019.xlsx"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestAPIColumnMapping: without a mapping the workbook is refused (422,
// located); map_ fields read it, a dry run says which column each role
// came from, the import stores the file's figures exactly, and a mapping
// naming no column is a located 422 that stores nothing.
func TestAPIColumnMapping(t *testing.T) {
	t.Parallel()
	a := mustAdminServer(t, 0)
	book := mappingBook(t)
	type errorsReply struct {
		Errors []importErrorJSON `json:"errors"`
	}

	resp, body := a.upload(t, "mapping_india_2019.xlsx", book, field{"dry_run", "1"})
	e := decode[errorsReply](t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || len(e.Errors) != 1 || e.Errors[0].Row != 1 ||
		e.Errors[0].Sheet != "mapping_india_2019" || !strings.Contains(e.Errors[0].Message, "both mean trade value usd") {
		t.Fatalf("no mapping: %d %s; want 422 naming the two value columns at row 1", resp.StatusCode, body)
	}

	resp, body = a.upload(t, "mapping_india_2019.xlsx", book, field{"dry_run", "1"}, field{"map_partner", "Country"}, field{"map_value", "E"})
	type dry struct {
		Rows    int64        `json:"rows"`
		Header  []string     `json:"header"`
		Columns []columnJSON `json:"columns"`
	}
	d := decode[dry](t, body)
	if resp.StatusCode != http.StatusOK || d.Rows != 6 || len(d.Header) != 6 {
		t.Fatalf("dry run with a mapping: %d %s", resp.StatusCode, body)
	}
	want := map[string]columnJSON{"reporter": {"reporter", "A", "Reporter", false}, "partner": {"partner", "B", "Country", true},
		"period": {"period", "C", "Year", false}, "flow": {"flow", "D", "Trade Flow", false}, "value": {"value", "E", "Trade Value (US$)", true}}
	if len(d.Columns) != len(want) {
		t.Errorf("columns %+v; want %d", d.Columns, len(want))
	}
	for _, c := range d.Columns {
		if want[c.Role] != c {
			t.Errorf("column %+v; want %+v", c, want[c.Role])
		}
	}

	for _, bad := range []struct {
		fields []field
		want   string
	}{
		{[]field{{"map_partner", "Destination"}, {"map_value", "E"}}, `the column mapping partner=Destination names no column: no column is headed "Destination"`},
		{[]field{{"map_partner", "Country"}, {"map_value", "Q"}}, "column Q is beyond the header's last column, F"},
	} {
		resp, body := a.upload(t, "mapping_india_2019.xlsx", book, bad.fields...)
		e := decode[errorsReply](t, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || len(e.Errors) != 1 || e.Errors[0].Row != 1 ||
			e.Errors[0].File != "mapping_india_2019.xlsx" || !strings.Contains(e.Errors[0].Message, bad.want) {
			t.Errorf("%v: %d %s; want 422 located at row 1 saying %q", bad.fields, resp.StatusCode, body, bad.want)
		}
	}
	resp, body = a.upload(t, "mapping_india_2019.xlsx", book, field{"map_importer", "B"})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "map_importer is not a column mapping") {
		t.Errorf("map_importer: %d %s; want 400", resp.StatusCode, body)
	}

	// The thousands column, named by its header: the same figures.
	resp, body = a.upload(t, "mapping_india_2019.xlsx", book, field{"map_partner", "Country"}, field{"map_value", "Trade Value (US$ thousand)"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("import with a mapping: %d %s", resp.StatusCode, body)
	}
	ds := decode[datasetReply](t, body)
	obs, err := a.store.DatasetObservations(context.Background(), ds.ID, 100)
	if err != nil || ds.Rows != 6 || len(obs) != 6 {
		t.Fatalf("dataset %+v, %d observations, %v", ds, len(obs), err)
	}
	figures := map[string]float64{"RUS import": 6226189464, "RUS export": 2871228560, "CHN import": 68402092562,
		"CHN export": 17278832680, "PAK import": 67312849, "PAK export": 1186205288}
	for _, o := range obs {
		if k := o.Partner + " " + string(o.Flow); o.Reporter != "IND" || figures[k] != o.ValueUSD {
			t.Errorf("stored %s %s %v; want IND and %v", o.Reporter, k, o.ValueUSD, figures[k])
		}
	}
}

// TestPreviewPageMapping: without JavaScript, the preview of a workbook
// detection refuses offers each role's select of the guessed header's
// columns; previewing again with a mapping reads it, preselects the
// choices, and the commit imports with the same mapping.
func TestPreviewPageMapping(t *testing.T) {
	t.Parallel()
	a := mustAdminServer(t, 0)
	cookie, csrf := signIn(t, a)
	h := func(ct string) map[string]string { return map[string]string{"Cookie": cookie, "Content-Type": ct} }
	mp, ct := multipartBody(t, []field{{"csrf", csrf}}, "mapping_india_2019.xlsx", mappingBook(t), nil)
	resp, body := a.do(t, "POST", "/datasets/new", mp, h(ct))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/datasets/new?preview=") {
		t.Fatalf("upload: %d to %q\n%.500s", resp.StatusCode, loc, body)
	}
	id := strings.TrimPrefix(loc, "/datasets/new?preview=")
	page := func() string {
		t.Helper()
		resp, page := a.do(t, "GET", loc, nil, map[string]string{"Cookie": cookie})
		if resp.StatusCode != 200 {
			t.Fatalf("preview page: %d", resp.StatusCode)
		}
		return page
	}
	wantIn := func(what, page string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %s", what, w)
			}
		}
	}
	wantIn("the refused preview", page(), "The file cannot be imported", "both mean trade value usd",
		`<select name="map_partner" data-role="partner" class="remap"><option value="" selected>detect it (none found)</option><option value="A">A · Reporter</option><option value="B">B · Country</option>`,
		`<option value="F">F · Trade Value (US$ thousand)</option>`)

	mp, ct = multipartBody(t, []field{{"csrf", csrf}, {"preview", id}, {"map_partner", "B"}, {"map_value", "E"}}, "", []byte{}, nil)
	if resp, body := a.do(t, "POST", "/datasets/new", mp, h(ct)); resp.StatusCode != 303 {
		t.Fatalf("preview again: %d %.300s", resp.StatusCode, body)
	}
	p := page()
	wantIn("the mapped preview", p, "India – Russia", "6,226,189,464", "Commit: import 6 figures",
		`<option value="B" selected>B · Country</option>`, `<option value="E" selected>E · Trade Value (US$)</option>`,
		`<option value="" selected>detected: A · Reporter</option>`,
		`<li data-role="partner">partner: <b>B</b> “Country” <span class="muted">(as you chose)</span></li>`,
		`<li data-role="flow">flow: <b>D</b> “Trade Flow” <span class="muted">(detected)</span></li>`)
	if strings.Contains(p, "The file cannot be imported") {
		t.Error("the mapped preview still cannot be imported")
	}

	if st := waitImport(t, a, cookie, commitForm(t, a, cookie, csrf, id, "India+2019+mapped")); st.Phase != phaseDone {
		t.Fatalf("the import ended with %+v", st)
	}
	sets, err := a.store.Datasets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	last := sets[len(sets)-1]
	if last.Name != "India 2019 mapped" || last.RowCount != 6 {
		t.Errorf("committed dataset %q with %d rows; want India 2019 mapped, 6", last.Name, last.RowCount)
	}
}

// twoSheetBook is a workbook written here from two CSV files of the
// importers' testdata, one sheet each: "India mapping" holds
// mapping_india_2019.csv, whose header detection cannot read alone, and
// "India long" holds long.csv, whose columns are other ones and are all
// detected. Its figures are those files' UN Comtrade figures.
func twoSheetBook(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, sheet := range []struct{ name, csv string }{{"India mapping", "mapping_india_2019.csv"}, {"India long", "long.csv"}} {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet.name); err != nil {
				tb.Fatal(err)
			}
		} else if _, err := f.NewSheet(sheet.name); err != nil {
			tb.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join("..", "importers", "testdata", "xlsx", sheet.csv))
		if err != nil {
			tb.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			tb.Fatal(err)
		}
		for r, row := range rows {
			for c, text := range row {
				var v any = text
				// Numbers as a spreadsheet stores them; a code such as "01" stays text.
				if n, err := strconv.ParseFloat(text, 64); err == nil && !strings.HasPrefix(text, "0") {
					v = n
				}
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					tb.Fatal(err)
				}
				if err := f.SetCellValue(sheet.name, cell, v); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// checkPage reports what a page lacks of want and has of unwanted.
func checkPage(tb testing.TB, what, page string, want, unwanted []string) {
	tb.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			tb.Errorf("%s lacks %s", what, w)
		}
	}
	for _, u := range unwanted {
		if strings.Contains(page, u) {
			tb.Errorf("%s has %s", what, u)
		}
	}
}

// TestPreviewSheetDropsMapping: the column choices made on one sheet are
// kept while the preview stays on that sheet (a unit changed, the sheet
// named that it read), but a preview of another sheet, whose columns are
// other ones, reads that sheet with its detected columns although the
// form still sends the earlier choices.
func TestPreviewSheetDropsMapping(t *testing.T) {
	t.Parallel()
	a := mustAdminServer(t, 0)
	cookie, csrf := signIn(t, a)
	h := func(ct string) map[string]string { return map[string]string{"Cookie": cookie, "Content-Type": ct} }
	mp, ct := multipartBody(t, []field{{"csrf", csrf}}, "india_two_sheets.xlsx", twoSheetBook(t), nil)
	resp, body := a.do(t, "POST", "/datasets/new", mp, h(ct))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/datasets/new?preview=") {
		t.Fatalf("upload: %d to %q\n%.500s", resp.StatusCode, loc, body)
	}
	id := strings.TrimPrefix(loc, "/datasets/new?preview=")
	again := func(fields ...field) string {
		t.Helper()
		mp, ct := multipartBody(t, append([]field{{"csrf", csrf}, {"preview", id}}, fields...), "", []byte{}, nil)
		if resp, body := a.do(t, "POST", "/datasets/new", mp, h(ct)); resp.StatusCode != 303 {
			t.Fatalf("preview again with %v: %d %.500s", fields, resp.StatusCode, body)
		}
		resp, page := a.do(t, "GET", loc, nil, map[string]string{"Cookie": cookie})
		if resp.StatusCode != 200 {
			t.Fatalf("preview page: %d", resp.StatusCode)
		}
		return page
	}
	mapped := []field{{"map_partner", "B"}, {"map_value", "E"}}

	checkPage(t, "the first sheet, mapped", again(append([]field{{"sheet", ""}}, mapped...)...),
		[]string{"<dt>Sheet</dt><dd>India mapping</dd>", "Commit: import 6 figures", "6,226,189,464",
			`<option value="E" selected>E · Trade Value (US$)</option>`},
		[]string{"The file cannot be imported"})

	// The same sheet, now named, with another unit: the choices stay.
	checkPage(t, "the first sheet by name, in thousand US$", again(append([]field{{"sheet", "India mapping"}, {"unit", "thousand US$"}}, mapped...)...),
		[]string{"<dt>Sheet</dt><dd>India mapping</dd>", "6,226,189,464,000", `<option value="B" selected>B · Country</option>`,
			`<li data-role="value">value: <b>E</b> “Trade Value (US$)” <span class="muted">(as you chose)</span></li>`},
		[]string{"The file cannot be imported"})

	// The other sheet, with the form's earlier choices still sent: column
	// E there is the product, which would be refused as a value.
	checkPage(t, "the second sheet", again(append([]field{{"sheet", "India long"}}, mapped...)...),
		[]string{"<dt>Sheet</dt><dd>India long</dd>", "Commit: import 10 figures", "505,657,359", "478,883,729,111",
			`<option value="India long" selected>India long</option>`,
			`<option value="" selected>detected: B · Partner</option>`, `<option value="" selected>detected: F · Value (US$)</option>`,
			`<li data-role="value">value: <b>F</b> “Value (US$)” <span class="muted">(detected)</span></li>`},
		[]string{"The file cannot be imported", "as you chose", `<option value="E" selected>`})

	// Back to the first sheet: its header needs the choices again, and
	// the ones the second sheet's form sent are not carried over.
	checkPage(t, "the first sheet again", again(field{"sheet", "India mapping"}, field{"map_value", "F"}),
		[]string{"The file cannot be imported", "<td>India mapping</td>", "both mean trade value usd"},
		[]string{`<option value="F" selected>`})
}

// TestPreviewSameSheetKeepsMapping: the sheet the preview read, asked for
// again in another way, is the same sheet, so the column choices made
// for its header stay: by its name when none was chosen, by no name (the
// first visible sheet with data) once named, by its name in other case
// (which the importers match, as Excel does). Only another sheet drops
// them, also when no name stands for another sheet than the one read.
func TestPreviewSameSheetKeepsMapping(t *testing.T) {
	t.Parallel()
	a := mustAdminServer(t, 0)
	cookie, csrf := signIn(t, a)
	id := previewForm(t, a, cookie, csrf, "india_two_sheets.xlsx", twoSheetBook(t), field{"map_partner", "B"}, field{"map_value", "E"})
	loc := "/datasets/new?preview=" + id
	mapped := []string{"<dt>Sheet</dt><dd>India mapping</dd>", "Commit: import 6 figures", "6,226,189,464",
		`<option value="B" selected>B · Country</option>`, `<option value="E" selected>E · Trade Value (US$)</option>`,
		`<li data-role="value">value: <b>E</b> “Trade Value (US$)” <span class="muted">(as you chose)</span></li>`}
	for _, step := range []struct {
		what, sheet string
		want        []string
		refused     bool
	}{
		{"the sheet read, by its name", "India mapping", mapped, false},
		{"the first visible sheet with data, the same one", "", mapped, false},
		{"its name in other case", "INDIA Mapping", mapped, false},
		{"the sheet by name again", "India mapping", mapped, false},
		{"another sheet", "India long", []string{"<dt>Sheet</dt><dd>India long</dd>", "Commit: import 10 figures",
			`<option value="" selected>detected: B · Partner</option>`, `<option value="" selected>detected: F · Value (US$)</option>`}, false},
		// From there, the first visible sheet with data is another one:
		// the choices the form sends were made for the second sheet.
		{"the first visible sheet with data, now another one", "", []string{"<td>India mapping</td>", "both mean trade value usd",
			`<select name="map_partner" data-role="partner" class="remap"><option value="" selected>detect it (none found)</option>`}, true},
	} {
		mp, ct := multipartBody(t, []field{{"csrf", csrf}, {"preview", id}, {"sheet", step.sheet}, {"map_partner", "B"}, {"map_value", "E"}}, "", []byte{}, nil)
		if resp, body := a.do(t, "POST", "/datasets/new", mp, map[string]string{"Cookie": cookie, "Content-Type": ct}); resp.StatusCode != 303 {
			t.Fatalf("%s: %d %.500s", step.what, resp.StatusCode, body)
		}
		_, page := a.do(t, "GET", loc, nil, map[string]string{"Cookie": cookie})
		checkPage(t, step.what, page, step.want, nil)
		if strings.Contains(page, "The file cannot be imported") != step.refused {
			t.Errorf("%s: the preview is refused: %v, want %v", step.what, !step.refused, step.refused)
		}
	}
}
