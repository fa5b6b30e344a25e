package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
