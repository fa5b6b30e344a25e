package importers

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestCodeMarkerRefused: go-echarts' "__f__" marker in any text that ends
// up in a label (a country, a product or sector name, a wide table's row
// label, a sheet's or the dataset's name) refuses the file with the place
// of the text, and nothing is stored.
func TestCodeMarkerRefused(t *testing.T) {
	t.Parallel()
	const bad = "Tea __f__function(){alert(1)}__f__"
	head := "reporter,partner,year,flow,product,product_name,value\n"
	tests := []struct {
		name, content string
		o             Options
		row           int
		column, value string
	}{
		{"sector.csv", head + "PAK,RUS,2001,export,TOTAL,,10\nPAK,RUS,2001,export,\"" + bad + "\",,5\n", Options{}, 3, "product", bad},
		{"product-name.csv", head + "PAK,RUS,2001,export,0902,\"" + bad + "\",5\n", Options{}, 2, "product_name", bad},
		{"partner.csv", head + "PAK,RUS,2001,export,TOTAL,,10\nPAK,China __f__x,2001,export,TOTAL,,5\n", Options{}, 3, "partner", "China __f__x"},
		// spaces around the cell, and a column no field reads before it
		{"spaced.csv", "note," + head + "__f__,PAK,RUS,2001,export,TOTAL,,10\n,PAK,\" \u00a0China __f__x \",2001,export,TOTAL,,5\n", Options{}, 3, "partner", "China __f__x"},
		{"wide.csv", "Pakistan: exports to Russia (US$ million)\nCommodity,2021,2022\nCotton,1,2\n" + bad + ",3,4\n", Options{}, 4, "Commodity", bad},
		{"wide-partner.csv", "Pakistan's exports to selected countries (US$ million)\nCountry,2021,2022\nChina,1,2\n__f__Russia,3,4\n", Options{}, 4, "Country", "__f__Russia"},
		{"plain.csv", head + "PAK,RUS,2001,export,TOTAL,,10\n", Options{Name: "Brief __f__x"}, 0, "", "Brief __f__x"},
		{"x__f__.csv", head + "PAK,RUS,2001,export,TOTAL,,10\n", Options{}, 0, "", "x__f__"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustStore(t)
			_, err := Import(context.Background(), s, tt.name, strings.NewReader(tt.content), tt.o)
			e := asError(t, err)
			t.Log(err)
			if e.File != tt.name || e.Row != tt.row || e.Column != tt.column || e.Value != tt.value ||
				!strings.Contains(e.Msg, `contains "__f__", go-echarts' marker for JavaScript code: chart labels would treat such text as code`) {
				t.Errorf("error %+v\n%v", e, err)
			}
			if sets, err := s.Datasets(context.Background()); err != nil || len(sets) != 0 {
				t.Errorf("a refused file left %d datasets (%v)", len(sets), err)
			}
		})
	}

	// A sheet's name is in every source reference of its rows.
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Data __f__x"); err != nil {
		t.Fatal(err)
	}
	for i, r := range [][]any{{"reporter", "partner", "year", "flow", "value"}, {"PAK", "RUS", 2001, "export", 5}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Data __f__x", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, err := Check(context.Background(), mustReference(t), "book.xlsx", &buf, Options{})
	if e := asError(t, err); e.File != "book.xlsx" || e.Sheet != "Data __f__x" || e.Value != "Data __f__x" || !strings.Contains(e.Msg, `the sheet's name "Data __f__x" contains "__f__"`) {
		t.Errorf("sheet name: %v", err)
	}
}
