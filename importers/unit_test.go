package importers

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"tradedash/data"
)

// TestLongValueUnit imports a long table whose value header states
// "Trade Value (US$ thousand)": its figures are UN Comtrade's India 2019
// totals written in thousands, so the stored values must be exactly the
// US$ figures of the Comtrade Plus file beside it (1000 times the cells).
func TestLongValueUnit(t *testing.T) {
	t.Parallel()
	s := mustStore(t)
	name := filepath.Join("testdata", "long_thousand_usd.csv")
	d, rep, err := ImportReport(context.Background(), s, name, mustOpen(t, "long_thousand_usd.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.RowCount != 6 || rep.Unit != "thousand US$" || rep.UnitFrom != `the value column's header "Trade Value (US$ thousand)"` {
		t.Errorf("%d rows, unit %q (%q)", d.RowCount, rep.Unit, rep.UnitFrom)
	}
	if !strings.Contains(d.Description, "thousand US$") {
		t.Errorf("dataset description %q does not say the unit", d.Description)
	}
	for _, w := range rep.Warnings {
		if strings.Contains(w, "values are read as") {
			t.Errorf("a stated unit warns: %s", w)
		}
	}
	plus := mustParseFile(t, "comtrade_plus_india_2019.csv", Options{})
	n := 0
	for _, o := range plus.obs {
		if o.Partner == "WLD" {
			continue
		}
		n++
		if got := figure(t, s, "IND", o.Partner, 2019, o.Flow); got != o.ValueUSD {
			t.Errorf("IND %s %s 2019 stored as %.3f; want %.0f (the Comtrade Plus figure)", o.Flow, o.Partner, got, o.ValueUSD)
		}
	}
	if n != 6 {
		t.Fatalf("compared %d figures; want 6", n)
	}
}

// TestLongValueHeaders: the ways statistics tables state the unit in the
// value column's header, each read on the file above with its header
// changed in memory; --unit overrides the header; Comtrade's "Trade Value
// (US$)" stays in US$.
func TestLongValueHeaders(t *testing.T) {
	t.Parallel()
	b := mustReadTestdata(t, "long_thousand_usd.csv")
	const cell = 6226189.464 // the first row's value as written
	tests := []struct {
		header string
		o      Options
		unit   string
		from   string
		want   float64
	}{
		{"Trade Value (US$ thousand)", Options{}, "thousand US$", `the value column's header "Trade Value (US$ thousand)"`, 6226189464},
		{"Value (1000 USD)", Options{}, "thousand US$", `the value column's header "Value (1000 USD)"`, 6226189464},
		{"Value in US$ '000", Options{}, "thousand US$", `the value column's header "Value in US$ '000"`, 6226189464},
		{"Value, US$ mn", Options{}, "million US$", `the value column's header "Value, US$ mn"`, 6226189464000},
		{"Value (million US$)", Options{}, "million US$", `the value column's header "Value (million US$)"`, 6226189464000},
		{"trade_value_usd_bn", Options{}, "billion US$", `the value column's header "trade_value_usd_bn"`, 6226189464000000},
		{"Trade Value (US$)", Options{}, "US$", `the value column's header "Trade Value (US$)"`, cell},
		{"Value", Options{}, "US$", `assumed: the value column's header "Value" states no unit`, cell},
		{"Value", Options{Unit: "thousand US$"}, "thousand US$", "given with --unit", 6226189464},
		{"Trade Value (US$ thousand)", Options{Unit: "US$"}, "US$", `given with --unit, overriding the value column's header "Trade Value (US$ thousand)"`, cell},
	}
	for _, tt := range tests {
		t.Run(tt.header+"/"+tt.o.Unit, func(t *testing.T) {
			t.Parallel()
			h := tt.header
			if strings.Contains(h, ",") {
				h = `"` + h + `"`
			}
			in := strings.Replace(string(b), "Trade Value (US$ thousand)", h, 1)
			rep, err := Check(context.Background(), mustReference(t), "u.csv", strings.NewReader(in), tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Unit != tt.unit || rep.UnitFrom != tt.from {
				t.Errorf("unit %q (%q); want %q (%q)", rep.Unit, rep.UnitFrom, tt.unit, tt.from)
			}
			if got := rep.Sample[0].ValueUSD; got != tt.want {
				t.Errorf("first value %v; want %v", got, tt.want)
			}
		})
	}

	// The real Comtrade legacy file keeps its US$ figures as written.
	rep := mustCheck(t, comtradeIndia, Options{})
	if o := rep.Sample[0]; rep.Unit != "US$" || o.Partner != "WLD" || o.Flow != data.Import || o.ValueUSD != 478883729111 {
		t.Errorf("Comtrade legacy: unit %q, first row %+v; want US$ 478883729111", rep.Unit, o)
	}

	// A --unit that is not one is refused before anything is read.
	if _, err := Check(context.Background(), mustReference(t), "u.csv", strings.NewReader(string(b)), Options{Unit: "rupees"}); err == nil || !strings.Contains(err.Error(), `--unit "rupees" is not a unit`) {
		t.Errorf("--unit rupees: %v", err)
	}
}

// TestUnitDollars: a unit statement in US dollars is read at its scale,
// with "$" or "dollars" alone taken as US$; dollars qualified by another
// country (HK$, C$, Canadian dollars, AUD) are refused, not read as US$.
func TestUnitDollars(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text  string
		scale int
	}{
		{"US$", 0}, {"USD", 0}, {"(value in thousand US$)", 3}, {"US $ million", 6}, {"Value in US dollars", 0},
		{"Million U.S. dollars", 6}, {"U.S.$ thousand", 3}, {"$ million", 6}, {"thousand dollars", 3},
		{"(value in $ billion)", 9}, {"Values in United States dollars", 0}, {"USD million", 6},
	} {
		sc, _, ok, err := parseUnit(tt.text)
		if !ok || err != "" || sc != tt.scale {
			t.Errorf("parseUnit(%q) = scale %d, ok %v, %q; want scale %d", tt.text, sc, ok, err, tt.scale)
		}
	}
	for _, tt := range []struct{ text, what string }{
		{"HK$ million", "HK$"}, {"(value in C$)", "C$"}, {"A$ thousand", "A$"}, {"NZ$ million", "NZ$"}, {"Value in S$ million", "S$"},
		{"NT$ billion", "NT$"}, {"thousand Canadian dollars", "Canadian dollars"}, {"Values in Australian dollars", "Australian dollars"},
		{"HKD million", "HKD"}, {"Value (million Hong Kong dollars)", "Hong Kong dollars"},
	} {
		_, _, ok, err := parseUnit(tt.text)
		if ok || !strings.Contains(err, tt.what+", a currency other than US dollars") {
			t.Errorf("parseUnit(%q): ok %v, %q; want a refusal naming %s", tt.text, ok, err, tt.what)
		}
	}

	// A wide table's refusal names the unit's cell: its row, and its
	// column when it is in the header.
	const table = "Hong Kong: exports to selected countries\n%s\nCountry%s,2021,2022\nChina,1,2\n"
	for _, tt := range []struct{ above, header, want string }{
		{"(value in HK$ million)", "", `w.csv: row 2: "(value in HK$ million)" states values in HK$, a currency other than US dollars`},
		{"", " (thousand Canadian dollars)", `w.csv: row 3, column "Country (thousand Canadian dollars)": "Country (thousand Canadian dollars)" states values in Canadian dollars`},
	} {
		in := fmt.Sprintf(table, tt.above, tt.header)
		_, err := Check(context.Background(), mustReference(t), "w.csv", strings.NewReader(in), Options{})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: error %v; want it to start %q", in, err, tt.want)
		}
	}

	// A long table's value header naming another dollar is refused at the
	// header, not read as US$ nor as a file without a value column.
	const long = "Reporter,Partner,Year,Flow,Value (HK$ thousand)\nHKG,CHN,2021,export,5\n"
	_, err := Check(context.Background(), mustReference(t), "l.csv", strings.NewReader(long), Options{})
	if want := `l.csv: row 1: column "Value (HK$ thousand)": "Value (HK$ thousand)" states values in HK$, a currency other than US dollars; convert them to US dollars`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("long table: error %v; want it to start %q", err, want)
	}
}
