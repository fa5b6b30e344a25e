package importers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tradedash/data"
)

// mustCheck runs the dry run on a file from testdata (or a path).
func mustCheck(tb testing.TB, path string, o Options) *Report {
	tb.Helper()
	if !strings.Contains(path, "/") {
		path = filepath.Join("testdata", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	rep, err := Check(context.Background(), mustReference(tb), filepath.Base(path), bytes.NewReader(b), o)
	if err != nil {
		tb.Fatalf("Check %s: %v", path, err)
	}
	return rep
}

// TestReportDetection checks what the dry run says about each layout's
// real-format file: the layout and why, the header row, the unit and
// where it was stated, and what the rows hold.
func TestReportDetection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file              string
		o                 Options
		layout, reason    string
		header            int
		unit, unitFrom    string
		rows              int64
		periods, numPairs int
		detail            string
	}{
		{comtradeIndia, Options{}, "comtrade-legacy", "Comtrade legacy: 35 of 35 headers matched", 1, "US$", `the value column's header "Trade Value (US$)"`, 438, 1, 227, ""},
		{"comtrade_plus_india_2019.csv", Options{}, "comtrade-plus", "Comtrade Plus: 47 of 47 headers matched", 1, "US$", "UN Comtrade Plus states primaryValue in US dollars", 8, 1, 4, ""},
		{"baci_madeup.csv", Options{}, "baci", "CEPII BACI: header t,i,j,k,v,q", 1, "thousand US$", "CEPII BACI states v in thousands of US dollars", 4, 1, 3, ""},
		{"long_mixed.csv", Options{}, "long", `long table: reporter "Reporter", partner "Partner ISO", period "Year", flow "Trade Flow", product "HS Code", value "Trade Value (US$)"`, 1, "US$", `the value column's header "Trade Value (US$)"`, 5, 1, 5, ""},
		{"wide_pakistan_fy.csv", Options{FiscalStartMonth: 7}, "wide", "wide table: 3 period columns", 5, "thousand US$", `row 3 "(value in thousand US$)"`, 2, 2, 1,
			`reporter PAK, flow export from the title in row 1 "Pakistan: exports to selected countries"`},
		{"testdata/xlsx/lo_wide_pakistan_fy.xlsx", Options{FiscalStartMonth: 7}, "wide", "wide table: 3 period columns (2020-21 … 2022-23)", 5, "thousand US$", `row 3 "(value in thousand US$)"`, 2, 2, 1, ""},
		{"wide_months_2023.csv", Options{}, "wide", "wide table: 6 period columns", 4, "million US$", `row 2 "US$ million"`, 12, 6, 2, `months read in 2023 (row 1 "Exports of Pakistan to selected countries, January–June 2023")`},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			t.Parallel()
			r := mustCheck(t, tt.file, tt.o)
			if r.Layout != tt.layout || !strings.HasPrefix(r.Reason, tt.reason) || r.HeaderRow != tt.header || r.Unit != tt.unit || r.UnitFrom != tt.unitFrom {
				t.Errorf("layout %q (%q), header row %d, unit %q (%q); want %q (%q…), %d, %q (%q)",
					r.Layout, r.Reason, r.HeaderRow, r.Unit, r.UnitFrom, tt.layout, tt.reason, tt.header, tt.unit, tt.unitFrom)
			}
			if r.Rows != tt.rows || len(r.Periods) != tt.periods || r.NumPairs != tt.numPairs {
				t.Errorf("%d rows, periods %v, %d pairs; want %d, %d, %d", r.Rows, r.Periods, r.NumPairs, tt.rows, tt.periods, tt.numPairs)
			}
			if xlsx := strings.HasSuffix(tt.file, ".xlsx"); xlsx != (r.Sheet != "") || xlsx == (r.Encoding != "") {
				t.Errorf("sheet %q, encoding %q", r.Sheet, r.Encoding)
			}
			if tt.detail != "" && !strings.Contains(strings.Join(r.Details, "\n"), tt.detail) {
				t.Errorf("details %q lack %q", r.Details, tt.detail)
			}
			if want := min(int(tt.rows), 10); len(r.Sample) != want {
				t.Errorf("%d sample rows; want %d", len(r.Sample), want)
			}
		})
	}
}

// TestCheckMatchesImport: the dry run reads what the import then stores.
func TestCheckMatchesImport(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"long_mixed.csv", "baci_madeup.csv", "wide_months_2023.csv"} {
		rep := mustCheck(t, file, Options{SampleRows: -1})
		s := mustStore(t)
		d, irep, err := ImportReport(context.Background(), s, file, mustOpen(t, file), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d.RowCount != rep.Rows || irep.Rows != rep.Rows || len(rep.Sample) != 0 {
			t.Errorf("%s: dry run %d rows (sample %d), import %d (report %d)", file, rep.Rows, len(rep.Sample), d.RowCount, irep.Rows)
		}
	}
}

func mustOpen(tb testing.TB, name string) *os.File {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// TestSkipBadRows: without the option any bad row refuses the file and
// stores nothing; with it the good rows go in and every bad one is listed
// with its place.
func TestSkipBadRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustStore(t)
	if _, err := Import(ctx, s, "bad_value.csv", mustOpen(t, "bad_value.csv"), Options{}); err == nil {
		t.Fatal("bad_value.csv imported without --skip-bad-rows")
	}
	if sets, _ := s.Datasets(ctx); len(sets) != 0 {
		t.Fatalf("a refused file left %d datasets", len(sets))
	}
	d, rep, err := ImportReport(ctx, s, "bad_value.csv", mustOpen(t, "bad_value.csv"), Options{SkipBadRows: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.RowCount != 3 || rep.BadRowCount != 1 || len(rep.BadRows) != 1 {
		t.Fatalf("%d rows stored, %d bad rows %v; want 3 and 1", d.RowCount, rep.BadRowCount, rep.BadRows)
	}
	if e := rep.BadRows[0]; e.File != "bad_value.csv" || e.Row != 5 || e.Column != "Trade Value (US$)" || e.Value != "12x" || !strings.Contains(e.Msg, "not a number") {
		t.Errorf("bad row %+v", e)
	}

	// A wide table: a row with one bad cell is left out whole, the others stay.
	wide := "Pakistan's exports to selected countries (US$ million)\nCountry,2021,2022\nChina,1.5,2\nRussia,3,x4\nIndia,5,6\n"
	for _, skip := range []bool{false, true} {
		rep, err := Check(ctx, mustReference(t), "w.csv", strings.NewReader(wide), Options{SkipBadRows: skip})
		switch {
		case !skip && (err == nil || !strings.Contains(err.Error(), `w.csv: row 4, column "2022": "x4"`)):
			t.Errorf("wide without skipping: %v", err)
		case skip && (err != nil || rep.Rows != 4 || rep.BadRowCount != 1 || rep.BadRows[0].Row != 4):
			t.Errorf("wide with skipping: %v, %+v", err, rep)
		}
	}

	// Every row bad: nothing to import is still an error.
	all := "Reporter,Partner,Year,Flow,Value\nIND,RUS,2019,export,x\nIND,XXX,2019,export,1\n"
	rep, err = Check(ctx, mustReference(t), "all.csv", strings.NewReader(all), Options{SkipBadRows: true})
	if err == nil || rep.BadRowCount != 2 {
		t.Errorf("all rows bad: %v, %d bad rows", err, rep.BadRowCount)
	}
}

// TestYearOption: a long table without a period column, and a wide table
// of months without a year, need --year (or, for the months, a title
// that states the year).
func TestYearOption(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref := mustReference(t)
	long := "Reporter,Partner,Flow,Value\nIND,RUS,export,100\n"
	if _, err := Check(ctx, ref, "y.csv", strings.NewReader(long), Options{}); err == nil || !strings.Contains(err.Error(), "or give --year") {
		t.Errorf("no period column, no --year: %v", err)
	}
	rep, err := Check(ctx, ref, "y.csv", strings.NewReader(long), Options{Year: 2021})
	if err != nil || len(rep.Sample) != 1 || rep.Sample[0].Period != data.Year(2021) {
		t.Fatalf("--year 2021: %v %+v", err, rep)
	}

	months := "India's imports from China (US$ million)\nCommodity,Jan,Feb,Mar\nTOTAL,1,2,3\n"
	if _, err := Check(ctx, ref, "m.csv", strings.NewReader(months), Options{}); err == nil || !strings.Contains(err.Error(), `"Jan" is a month without a year`) {
		t.Errorf("months without a year: %v", err)
	}
	rep, err = Check(ctx, ref, "m.csv", strings.NewReader(months), Options{Year: 2020})
	if err != nil {
		t.Fatal(err)
	}
	want := []data.Period{calMonth(2020, 1), calMonth(2020, 2), calMonth(2020, 3)}
	if fmt.Sprint(rep.Periods) != fmt.Sprint(want) || rep.Sample[2].ValueUSD != 3e6 || rep.Sample[0].Reporter != "IND" || rep.Sample[0].Partner != "CHN" || rep.Sample[0].Flow != data.Import {
		t.Errorf("months with --year: periods %v, sample %+v", rep.Periods, rep.Sample)
	}
}

// TestPartsVersusTotal reads UN Comtrade's real legacy file of India's
// 2019 trade with every partner, whose World rows equal the sum of the
// partners within rounding: no warning. The real Comtrade Plus file of
// World and three partners lists a selection, whose shortfall is no
// error: no warning either, nor when one partner's row is taken out of
// the legacy file (in memory). With China's export row doubled (in
// memory), the partners exceed World, an inconsistency whatever the file
// lists, and the warning gives the excess, computed here from the file.
func TestPartsVersusTotal(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(comtradeIndia)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{comtradeIndia, "comtrade_plus_india_2019.csv"} {
		for _, w := range partsWarnings(mustCheck(t, f, Options{})) {
			t.Errorf("real file %s: %s", f, w)
		}
	}

	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var world, parts, china float64
	var without, doubled [][]string
	for i, r := range recs {
		// Columns: Trade Flow 7, Partner ISO 13, Trade Value (US$) 31.
		if i == 0 || r[7] != "Export" {
			without, doubled = append(without, r), append(doubled, r)
			continue
		}
		v, err := strconv.ParseFloat(r[31], 64)
		if err != nil {
			t.Fatal(err)
		}
		switch r[13] {
		case "WLD":
			world = v
		case "CHN":
			china = v
			r2 := slices.Clone(r)
			r2[31] = strconv.FormatFloat(2*v, 'f', -1, 64)
			doubled = append(doubled, r2)
			parts += 2 * v
			continue
		default:
			parts += v
		}
		without, doubled = append(without, r), append(doubled, r)
	}
	check := func(name string, rows [][]string) *Report {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(rows); err != nil {
			t.Fatal(err)
		}
		rep, err := Check(context.Background(), mustReference(t), name, &buf, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if got := partsWarnings(check("india_without_china.csv", without)); len(got) != 0 {
		t.Errorf("a partner left out warns: %q", got)
	}
	rep := check("india_china_doubled.csv", doubled)
	want := fmt.Sprintf("IND export TOTAL, 2019: the stated total with World is %s US$ but the %d partners listed add up to %s US$ (%s US$ more than the total, ",
		usd(world), 226, usd(parts), usd(parts-world))
	if got := partsWarnings(rep); china == 0 || parts-world < china/2 || len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("warnings %q; want one starting %q", rep.Warnings, want)
	}
}

// TestPartsVersusTotalProducts generates a file with a TOTAL row and its
// HS chapters for three pairs: one whose chapters add up, one whose
// chapters exceed the total by a generated amount, one whose chapters fall
// short of it. Only the excess warns (a long file may list some chapters
// only), and each level is compared separately (no double counting).
func TestPartsVersusTotalProducts(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("reporter,partner,period,flow,product,value\n")
	const short = 1000000
	for _, partner := range []string{"RUS", "CHN", "IND"} {
		total := 0
		for ch := 1; ch <= 20; ch++ {
			v := ch * 1000003 // synthetic test figures, not statistics
			total += v
			fmt.Fprintf(&b, "PAK,%s,2022,export,%02d,%d\n", partner, ch, v)
		}
		stated := total
		switch partner {
		case "CHN":
			stated -= short // the chapters exceed the total
		case "IND":
			stated += short // the chapters fall short: some are not listed
		}
		fmt.Fprintf(&b, "PAK,%s,2022,export,TOTAL,%d\n", partner, stated)
		fmt.Fprintf(&b, "PAK,%s,2022,export,Textiles,%d\n", partner, stated) // a single sector equal to the total
	}
	rep, err := Check(context.Background(), mustReference(t), "gen.csv", strings.NewReader(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := partsWarnings(rep)
	if len(got) != 1 || !strings.Contains(got[0], "PAK export CHN, 2022:") ||
		!strings.Contains(got[0], "20 HS chapters") || !strings.Contains(got[0], "("+usd(short)+" US$ more than the total") {
		t.Errorf("warnings %q; want one for CHN's chapters, over by %d (above the 0.1%% tolerance)", rep.Warnings, short)
	}
}

// monthPeriod is one calendar month.
func calMonth(y, m int) data.Period {
	return data.Period{Start: data.NewMonth(y, m), End: data.NewMonth(y, m)}
}

// partsWarnings are a report's warnings about totals and their parts.
func partsWarnings(r *Report) []string {
	var out []string
	for _, w := range r.Warnings {
		if strings.Contains(w, "add up to") {
			out = append(out, w)
		}
	}
	return out
}

// TestPartsVersusTotalWide: a wide table's Total row under partner rows
// is their sum (not the World, so it is not stored), compared month by
// month with the partner rows above it, so a shortfall warns as well as
// an excess:
// the test file's made-up June total is 0.5 million more than its two
// partners; lowered to 9 (in memory), it is 0.5 million less.
func TestPartsVersusTotalWide(t *testing.T) {
	t.Parallel()
	got := partsWarnings(mustCheck(t, "wide_months_2023.csv", Options{}))
	want := "PAK export TOTAL, Jun 2023: the Total row (row 7, the sum of the partners listed; not stored) states 10,000,000 US$ but the 2 partners listed add up to 9,500,000 US$ (difference 500,000 US$, 5.00% of the total); the partners are kept as stated"
	if len(got) != 1 || got[0] != want {
		t.Errorf("warnings %q; want [%q]", got, want)
	}

	b := string(mustReadTestdata(t, "wide_months_2023.csv"))
	lowered := strings.Replace(b, `Total,4,3,4,"1,001",1,10`, `Total,4,3,4,"1,001",1,9`, 1)
	if lowered == b {
		t.Fatal("the test file's Total row has changed; update this test")
	}
	rep, err := Check(context.Background(), mustReference(t), "w.csv", strings.NewReader(lowered), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want = "PAK export TOTAL, Jun 2023: the Total row (row 7, the sum of the partners listed; not stored) states 9,000,000 US$ but the 2 partners listed add up to 9,500,000 US$ (500,000 US$ more than the total, 5.56% of the total); the partners are kept as stated"
	if got := partsWarnings(rep); len(got) != 1 || got[0] != want {
		t.Errorf("warnings %q; want [%q]", got, want)
	}
}

// FuzzCheck runs the dry run with every option that changes the row path
// (bad rows skipped, a default year and flow) on arbitrary bytes: it may
// refuse them, but must not panic, must locate every refusal, and its
// report must agree with itself.
func FuzzCheck(f *testing.F) {
	for _, name := range []string{"long_mixed.csv", "bad_value.csv", "wide_months_2023.csv", "baci_madeup.csv", "wide_pakistan_fy.csv"} {
		f.Add(mustReadTestdata(f, name))
	}
	f.Add([]byte("Trade between India and Russia\n(US$ million)\nCountry,Jan,Feb\nChina,1,x\nTotal,2,3\n"))
	f.Add([]byte("reporter,partner,flow,product,value\nIND,RUS,export,TOTAL,10\nIND,RUS,export,01,4\nIND,RUS,export,02,x\n"))
	ref := mustReference(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := Check(context.Background(), ref, "fuzz.csv", bytes.NewReader(b), Options{SkipBadRows: true, Year: 2020, FiscalStartMonth: 7})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			return
		}
		if rep.Rows == 0 || int64(len(rep.Sample)) > rep.Rows || len(rep.BadRows) != min(rep.BadRowCount, maxBadRowsKept) || len(rep.Periods) == 0 {
			t.Fatalf("report disagrees with itself: %+v", rep)
		}
		for _, e := range rep.BadRows {
			if e.Row == 0 || e.File != "fuzz.csv" {
				t.Fatalf("bad row without its place: %+v", e)
			}
		}
	})
}

// BenchmarkRecorder measures what the report adds to reading a file
// (periods, pairs, the parts-versus-total sums) per observation, on a
// generated file of 300,000 long-table rows with many pairs and HS6
// products and no totals: the sums are given up after noTotalsAfter rows.
func BenchmarkRecorder(b *testing.B) {
	ref := mustReference(b)
	var countries []string
	for _, c := range ref.Countries() {
		if !c.Aggregate {
			countries = append(countries, c.ISO3)
		}
	}
	obs := make([]data.Observation, 300000)
	for i := range obs {
		obs[i] = data.Observation{Reporter: countries[i%len(countries)], Partner: countries[(i/7+1)%len(countries)], Period: data.Year(2019 + i%3),
			Flow: data.Export, Product: data.Product{Classification: data.HS, Code: fmt.Sprintf("%06d", 10000+i%5000)}, ValueUSD: float64(i), Bound: data.Exact}
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := newRecorder(&Report{}, Options{}, mustReference(b))
		for _, o := range obs {
			rec.add(o)
		}
		rec.finish()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(obs)), "ns/row")
}

// TestPartsCheckGivesUp: a file whose first noTotalsAfter observations
// state no total is not followed further (its sums cost time on every
// row); a total after that is reported as not compared, not ignored.
func TestPartsCheckGivesUp(t *testing.T) {
	t.Parallel()
	for _, late := range []bool{false, true} {
		c := newPartsCheck(false, mustReference(t))
		for i := range noTotalsAfter + 10 {
			c.add(data.Observation{Reporter: "IND", Partner: "RUS", Period: data.Year(2000 + i%20), Flow: data.Export,
				Product: data.Product{Classification: data.HS, Code: fmt.Sprintf("%06d", i%900000)}, ValueUSD: 1, Bound: data.Exact})
		}
		if late {
			c.add(data.Observation{Reporter: "IND", Partner: "RUS", Period: data.Year(2000), Flow: data.Export, Product: data.TotalProduct, ValueUSD: 5, Bound: data.Exact})
		}
		w := c.warnings()
		if !c.gaveUp || c.products != nil || late != (len(w) == 1 && strings.Contains(w[0], "not compared")) || !late && len(w) != 0 {
			t.Errorf("late total %v: gave up %v, warnings %q", late, c.gaveUp, w)
		}
	}
}

// TestPartsLevelsByCodeLength: HS codes of different lengths overlap (an
// HS6 subheading holds its 8- and 10-digit tariff lines), so each length
// is its own level: six-digit and eight-digit rows that each add up to
// the total warn nothing, and each level is still checked on its own.
// The figures are synthetic.
func TestPartsLevelsByCodeLength(t *testing.T) {
	t.Parallel()
	obs := func(code string, v float64) data.Observation {
		p := data.Product{Classification: data.HS, Code: code}
		if code == "TOTAL" {
			p = data.TotalProduct
		}
		return data.Observation{Reporter: "IND", Partner: "RUS", Period: data.Year(2022), Flow: data.Export, Product: p, ValueUSD: v, Bound: data.Exact}
	}
	c := newPartsCheck(false, mustReference(t))
	for _, o := range []data.Observation{obs("TOTAL", 100), obs("010121", 60), obs("010129", 40), obs("01012100", 60), obs("01012900", 40),
		obs("0101210010", 30), obs("0101210020", 30), obs("0101290000", 40)} {
		c.add(o)
	}
	if w := c.warnings(); len(w) != 0 {
		t.Errorf("levels of different code lengths were added together: %q", w)
	}
	c.add(obs("01019000", 5)) // the 8-digit lines now exceed the total
	if w := c.warnings(); len(w) != 1 || !strings.Contains(w[0], "its 3 HS codes of 8 digits add up to 105 US$") {
		t.Errorf("warnings %q; want one for the 8-digit codes", w)
	}
}

// TestPartsGroupings: a partner the reference marks as an aggregate
// overlaps the countries (World, the EU, any group added to it) and is
// not one of the parts; the residual areas UN Comtrade adds into World
// ("Areas, nes", bunkers, free zones, special categories) are.
func TestPartsGroupings(t *testing.T) {
	t.Parallel()
	ref := mustReference(t)
	for _, tt := range []struct {
		partner string
		group   bool
	}{{"WLD", true}, {"X097", true}, {"CHN", false}, {"X899", false}, {"X837", false}, {"X838", false}, {"X839", false}, {"X129", false}} {
		c, err := ref.Country(tt.partner)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Group(); got != tt.group {
			t.Errorf("Group(%s %q) = %v; want %v", c.ISO3, c.Name, got, tt.group)
		}
	}
	// Any other aggregate is a group, not a part.
	if !(data.Country{ISO3: "X990", Name: "ASEAN", Aggregate: true, M49: -1, ComtradeCode: 990}).Group() {
		t.Error("an aggregate the reference might add (ASEAN) is counted as a part")
	}

	// In a file: World 100 = China 60 + Areas, nes 40; the EU's 70
	// overlaps them and is not added.
	in := "reporter,partner,period,flow,product,value\nIND,World,2022,export,TOTAL,100\nIND,China,2022,export,TOTAL,60\nIND,\"Areas, nes\",2022,export,TOTAL,40\nIND,EU,2022,export,TOTAL,70\n"
	rep, err := Check(context.Background(), ref, "g.csv", strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := partsWarnings(rep); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
}

// TestRecorderSetsAreObservations: the report's periods and pairs are
// those of the observations added, in order, whatever else the totals
// check (which shares their numbering) has seen: a wide table's Total row
// in another period is not an observation.
func TestRecorderSetsAreObservations(t *testing.T) {
	t.Parallel()
	rec := newRecorder(&Report{}, Options{}, mustReference(t))
	ob := func(rep, par string, year int) data.Observation {
		return data.Observation{Reporter: rep, Partner: par, Period: data.Year(year), Flow: data.Export,
			Product: data.Product{Classification: data.HS, Code: "01"}, ValueUSD: 1, Bound: data.Exact}
	}
	rec.totals.addListed(ob("FRA", "", 1999), 3)
	for _, o := range []data.Observation{ob("IND", "RUS", 2021), ob("RUS", "IND", 2020), ob("IND", "RUS", 2021), ob("IND", "CHN", 2020), ob("RUS", "IND", 2020)} {
		rec.add(o)
	}
	rec.finish()
	r := rec.r
	wantPeriods := []data.Period{data.Year(2020), data.Year(2021)}
	wantPairs := []string{"IND-CHN", "IND-RUS", "RUS-IND"}
	if !slices.Equal(r.Periods, wantPeriods) || !slices.Equal(r.Pairs, wantPairs) || r.NumPairs != 3 || r.Rows != 5 {
		t.Errorf("periods %v, pairs %v (%d), %d rows; want %v, %v (3), 5 rows", r.Periods, r.Pairs, r.NumPairs, r.Rows, wantPeriods, wantPairs)
	}
}

// TestProgressEvery: Progress is told the rows read every ProgressEvery
// observations and once at the end, so a small upload's bar moves; with
// no ProgressEvery, a file under 10,000 rows is reported at the end only.
func TestProgressEvery(t *testing.T) {
	read := func(every int64) []int64 {
		t.Helper()
		f, err := os.Open(filepath.Join("testdata", "comtrade_plus_india_2019.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var calls []int64
		r, err := Check(context.Background(), mustReference(t), "comtrade_plus_india_2019.csv", f, Options{ProgressEvery: every, Progress: func(rows int64) { calls = append(calls, rows) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 0 || calls[len(calls)-1] != r.Rows {
			t.Fatalf("ProgressEvery %d: calls %v do not end at the file's %d rows", every, calls, r.Rows)
		}
		return calls
	}
	calls := read(3)
	for i, n := range calls[:len(calls)-1] {
		if n != int64(3*(i+1)) {
			t.Fatalf("ProgressEvery 3: calls %v, want 3, 6, 9, … then the total", calls)
		}
	}
	if len(calls) < 3 {
		t.Fatalf("ProgressEvery 3: only %d calls (%v): the test file is too small to show progress", len(calls), calls)
	}
	if calls := read(0); len(calls) != 1 {
		t.Errorf("no ProgressEvery: calls %v, want only the total (the file has under 10,000 rows)", calls)
	}
}
