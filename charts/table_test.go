package charts

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tradedash/data"
)

func hostileFixture() ([]data.PeriodTotals, BilateralOptions) {
	rows, o := fixture()
	rows[2].Exports.Sources = []data.Source{{ObservationID: 7, DatasetID: 1, Reporter: "PAK", Flow: data.Export, ValueUSD: 74e6, Bound: data.Exact,
		Ref: `=HYPERLINK("http://evil.example","click")`, Quote: "@SUM(1+1)"}}
	rows[2].Imports.Sources = []data.Source{{ObservationID: 8, DatasetID: 1, Reporter: "PAK", Flow: data.Import, ValueUSD: 846e6, Bound: data.Exact,
		Ref: "https://www.app.com.pk/x", Quote: "-2+3"}}
	return rows, o
}

func TestBilateralTableCSV(t *testing.T) {
	rows, o := hostileFixture()
	tab := BilateralTable(rows, o)
	var buf bytes.Buffer
	if err := tab.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+len(rows) {
		t.Fatalf("%d records, want header + %d", len(recs), len(rows))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	fy := recs[3]
	for name, want := range map[string]string{
		"period": "FY2022-23", "period_kind": "fiscal_year", "period_start": "2022-07", "period_end": "2023-06",
		"reported_by": "PAK", "mirror": "false", "exports_usd": "74000000", "imports_usd": "846000000",
		"turnover_usd": "920000000", "balance_usd": "-772000000", "notes": "turnover: derived; balance: derived",
		"source_refs": `'=HYPERLINK("http://evil.example","click") | https://www.app.com.pk/x`,
	} {
		if got := fy[col[name]]; got != want {
			t.Errorf("FY2022-23 %s = %q, want %q", name, got, want)
		}
	}
	if got := recs[4][col["notes"]]; got != "turnover: at_least" {
		t.Errorf("2023 notes = %q", got)
	}
	if got := recs[2][col["exports_usd"]]; got != "" || recs[2][col["notes"]] != "exports: sources disagree" {
		t.Errorf("2015 conflict written as %q / %q", got, recs[2][col["notes"]])
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@A1": "'@A1", "\tx": "'\tx", "\rx": "'\rx",
		"Pakistan": "Pakistan", "": "", "1-2": "1-2",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBilateralTableXLSX(t *testing.T) {
	rows, o := hostileFixture()
	var buf bytes.Buffer
	if err := BilateralTable(rows, o).WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Data,Sources" {
		t.Fatalf("sheets = %v", got)
	}
	// The negative balance is a number cell, formatted #,##0.
	typ, err := f.GetCellType("Data", "J4")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := f.GetCellValue("Data", "J4", excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue("Data", "J4")
	if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || raw != "-772000000" || shown != "-772,000,000" {
		t.Errorf("balance cell: type %v, raw %q, shown %q", typ, raw, shown)
	}
	if v, _ := f.GetCellValue("Data", "M4"); !strings.HasPrefix(v, `'=HYPERLINK`) {
		t.Errorf("source refs cell = %q, want it neutralised", v)
	}
	if formula, _ := f.GetCellFormula("Data", "M4"); formula != "" {
		t.Errorf("a text cell became a formula: %q", formula)
	}
	panes, err := f.GetPanes("Data")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v, %v", panes, err)
	}
	srcRows, err := f.GetRows("Sources")
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, r := range srcRows {
		all += strings.Join(r, "\t") + "\n"
	}
	for _, want := range []string{"Pakistan – Russia trade (US$)", "Source\tAPP, TASS", "https://www.app.com.pk/x", "'@SUM(1+1)", "'-2+3"} {
		if !strings.Contains(all, want) {
			t.Errorf("Sources sheet lacks %q:\n%s", want, all)
		}
	}
}
