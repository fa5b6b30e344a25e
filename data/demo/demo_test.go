package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"tradedash/data"
)

// shared is the data team's folder, relative to this package. The tests
// compare the demo with it and fail, never skip, when it is missing: a demo
// that cannot be checked against its sources is not to be trusted.
const shared = "../../../shared/data"

// sourceTable is a shared CSV with the 1-based line of each record.
type sourceTable struct {
	col   map[string]int
	recs  [][]string
	lines []int
}

func (t sourceTable) get(i int, col string) string { return t.recs[i][t.col[col]] }

func mustReadShared(tb testing.TB, rel string) sourceTable {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(shared, rel))
	if err != nil {
		tb.Fatalf("the demo's source is missing (the shared data folder must sit beside the repository): %v", err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	head, err := r.Read()
	if err != nil {
		tb.Fatalf("%s: %v", rel, err)
	}
	t := sourceTable{col: map[string]int{}}
	for i, h := range head {
		t.col[h] = i
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("%s: %v", rel, err)
		}
		line, _ := r.FieldPos(0)
		t.recs = append(t.recs, rec)
		t.lines = append(t.lines, line)
	}
	return t
}

func mustSets(tb testing.TB) (statements, chapters, partners Set) {
	tb.Helper()
	sets, err := Sets()
	if err != nil {
		tb.Fatal(err)
	}
	if len(sets) != 3 {
		tb.Fatalf("Sets() returned %d sets, want 3", len(sets))
	}
	return sets[0], sets[1], sets[2]
}

func TestSets(t *testing.T) {
	sets, err := Sets()
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"official_statements.csv", "comtrade_2019_exports_by_chapter.csv", "comtrade_2019_india_partners.csv"}
	if len(sets) != len(wantFiles) {
		t.Fatalf("got %d sets, want %d", len(sets), len(wantFiles))
	}
	for i, s := range sets {
		d := s.Dataset
		if d.OriginalName != wantFiles[i] {
			t.Errorf("set %d is %s, want %s", i, d.OriginalName, wantFiles[i])
		}
		b, err := os.ReadFile(d.OriginalName)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if d.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: SHA256 %s is not the file's", d.OriginalName, d.SHA256)
		}
		if d.Format != "tradedash-demo" || d.Name == "" || d.Source == "" || d.Licence == "" || d.Description == "" {
			t.Errorf("%s: dataset fields missing: %+v", d.OriginalName, d)
		}
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", d.OriginalName, err)
		}
		if d.RowCount != int64(len(s.Observations)) {
			t.Errorf("%s: RowCount %d, but %d observations", d.OriginalName, d.RowCount, len(s.Observations))
		}
		for j, o := range s.Observations {
			if err := o.Validate(); err != nil {
				t.Errorf("%s row %d: %v", d.OriginalName, j+1, err)
			}
		}
	}
}

// TestRowCounts counts the source rows independently of the generator.
func TestRowCounts(t *testing.T) {
	statements, chapters, partners := mustSets(t)

	compiled := mustReadShared(t, "demo/demo_figures_compiled.csv")
	withValue := 0
	for i := range compiled.recs {
		if compiled.get(i, "value_usd") != "" {
			withValue++
		} else if f := compiled.get(i, "flow"); f != "RUS exports to PAK (share)" {
			t.Errorf("compiled line %d (%s) has no value; only the share row is expected to lack one (and NOTICE.md to list it)", compiled.lines[i], f)
		}
	}
	if withValue != len(compiled.recs)-1 {
		t.Errorf("compiled file: %d of %d rows have a value, want all but the share row", withValue, len(compiled.recs))
	}

	abcd := mustReadShared(t, "ictd/abcd.csv")
	wantChapters := 0
	for i := range abcd.recs {
		switch abcd.get(i, "Reporter Code") {
		case "586", "643", "699":
			if abcd.get(i, "Aggregate Level") == "2" {
				wantChapters++
			}
		}
	}

	india := mustReadShared(t, "ictd/Ind_Ex_Im_Countrywise_2019-20.csv")

	for _, c := range []struct {
		set  Set
		want int
	}{{statements, withValue}, {chapters, wantChapters}, {partners, len(india.recs)}} {
		if got := len(c.set.Observations); got != c.want {
			t.Errorf("%s: %d rows, the source has %d", c.set.Dataset.OriginalName, got, c.want)
		}
	}
	// The counts the NOTICE and the MANIFEST state.
	if withValue != 48 || wantChapters != 291 || len(india.recs) != 438 {
		t.Errorf("source counts %d/%d/%d, NOTICE.md says 48/291/438", withValue, wantChapters, len(india.recs))
	}
}

func TestSpotFigures(t *testing.T) {
	statements, chapters, partners := mustSets(t)
	fy2223 := data.Fiscal(2022, 7)
	cases := []struct {
		name              string
		set               Set
		reporter, partner string
		period            data.Period
		flow              data.Flow
		product           string
		bound             data.Bound
		value             float64
		refs              []string // one matching observation per ref substring
	}{
		{"PAK exports to RUS FY2022-23", statements, "PAK", "RUS", fy2223, data.Export, "TOTAL:TOTAL", data.Exact, 74_000_000, []string{"app.com.pk"}},
		{"PAK imports from RUS FY2022-23", statements, "PAK", "RUS", fy2223, data.Import, "TOTAL:TOTAL", data.Exact, 846_000_000, []string{"app.com.pk"}},
		{"RUS turnover 2023 over $1 bn, twice", statements, "RUS", "PAK", data.Year(2023), data.Turnover, "TOTAL:TOTAL", data.AtLeast, 1e9,
			[]string{"https://tass.com/economy/1802631", "https://www.brecorder.com/news/40329447/"}},
		{"IND turnover 2023 (Sputnik calculation)", statements, "IND", "RUS", data.Year(2023), data.Turnover, "TOTAL:TOTAL", data.Exact, 65e9, []string{"sputniknews"}},
		{"RUS wheat to PAK 2023, PAK data", statements, "PAK", "RUS", data.Year(2023), data.Import, "sector:hs-10-wheat", data.Exact, 568_300_000, []string{"sputniknews"}},
		{"IND imports from RUS 2019 (Comtrade, in a)", statements, "IND", "RUS", data.Year(2019), data.Import, "TOTAL:TOTAL", data.Exact, 6_226_189_464,
			[]string{"Ind_Ex_Im_Countrywise_2019-20.csv @ bf7cf4d2927a, line 330"}},
		{"IND imports from RUS 2019", partners, "IND", "RUS", data.Year(2019), data.Import, "TOTAL:TOTAL", data.Exact, 6_226_189_464,
			[]string{"Ind_Ex_Im_Countrywise_2019-20.csv @ bf7cf4d2927a, line 330"}},
		{"IND exports to RUS 2019", partners, "IND", "RUS", data.Year(2019), data.Export, "TOTAL:TOTAL", data.Exact, 2_871_228_560, []string{"line 331"}},
		{"IND imports from Taiwan 2019", partners, "IND", "TWN", data.Year(2019), data.Import, "TOTAL:TOTAL", data.Exact, 4_194_059_011, []string{"line 250"}},
		{"IND exports to Areas, nes 2019", partners, "IND", "X899", data.Year(2019), data.Export, "TOTAL:TOTAL", data.Exact, 2_477_811_637, []string{"line 439"}},
		{"PAK chapter 30 exports 2019", chapters, "PAK", "WLD", data.Year(2019), data.Export, "HS:30", data.Exact, 217_037_075, []string{"abcd.csv @ bf7cf4d2927a, line "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var found []data.Observation
			for _, o := range c.set.Observations {
				if o.Reporter == c.reporter && o.Partner == c.partner && o.Period == c.period && o.Flow == c.flow && o.Product.Key() == c.product {
					found = append(found, o)
				}
			}
			if len(found) != len(c.refs) {
				t.Fatalf("%d observations, want %d: %+v", len(found), len(c.refs), found)
			}
			for i, o := range found {
				if o.ValueUSD != c.value || o.Bound != c.bound {
					t.Errorf("value %v %s, want %v %s", o.ValueUSD, o.Bound, c.value, c.bound)
				}
				if !strings.Contains(o.SourceRef, c.refs[i]) {
					t.Errorf("source %q, want one containing %q", o.SourceRef, c.refs[i])
				}
				if c.set.Dataset.OriginalName == "official_statements.csv" && !strings.Contains(o.SourceQuote, ": “") {
					t.Errorf("quote %q lacks the source type and wording", o.SourceQuote)
				}
			}
		})
	}

	wheat := findOne(t, statements, "sector:hs-10-wheat")
	if wheat.Quantity == nil || *wheat.Quantity != 1_600_000 || wheat.QtyUnit != "t" || wheat.Product.Name != "HS 10 wheat" {
		t.Errorf("wheat: quantity %v %q, name %q; want 1600000 t, HS 10 wheat", wheat.Quantity, wheat.QtyUnit, wheat.Product.Name)
	}
}

func findOne(tb testing.TB, s Set, product string) data.Observation {
	tb.Helper()
	for _, o := range s.Observations {
		if o.Product.Key() == product {
			return o
		}
	}
	tb.Fatalf("%s: no %s", s.Dataset.OriginalName, product)
	return data.Observation{}
}

// TestChaptersMatchTeamExtract compares set (b) with the data team's own
// filtered copy of the same Comtrade file (chapter 30: PAK 217,037,075).
func TestChaptersMatchTeamExtract(t *testing.T) {
	_, chapters, _ := mustSets(t)
	team := mustReadShared(t, "demo/exports_to_world_2019_by_hs_chapter_PAK_RUS_IND.csv")
	got := map[string]data.Observation{}
	for _, o := range chapters.Observations {
		got[o.Reporter+":"+o.Product.Code] = o
	}
	if len(team.recs) != 33 {
		t.Errorf("team extract has %d rows, want 33", len(team.recs))
	}
	for i := range team.recs {
		k := team.get(i, "reporter_iso") + ":" + team.get(i, "hs_chapter")
		want, err := strconv.ParseFloat(team.get(i, "trade_value_usd"), 64)
		if err != nil {
			t.Fatal(err)
		}
		o, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s missing from set (b)", k)
		case o.ValueUSD != want || o.Product.Name != team.get(i, "commodity"):
			t.Errorf("%s: %v %q, team extract %v %q", k, o.ValueUSD, o.Product.Name, want, team.get(i, "commodity"))
		}
	}
}

var reLine = regexp.MustCompile(`^aidatabases/ICTD ExcelFiles/(.+) @ bf7cf4d2927a, line ([0-9]+)$`)

// TestSourceLines follows every Comtrade source_ref back to its line.
func TestSourceLines(t *testing.T) {
	statements, chapters, partners := mustSets(t)
	files := map[string]sourceTable{
		"abcd.csv":                          mustReadShared(t, "ictd/abcd.csv"),
		"Ind_Ex_Im_Countrywise_2019-20.csv": mustReadShared(t, "ictd/Ind_Ex_Im_Countrywise_2019-20.csv"),
	}
	byLine := map[string]map[int]int{}
	for name, f := range files {
		byLine[name] = map[int]int{}
		for i, l := range f.lines {
			byLine[name][l] = i
		}
	}
	for _, s := range []Set{statements, chapters, partners} {
		for _, o := range s.Observations {
			m := reLine.FindStringSubmatch(o.SourceRef)
			if m == nil {
				if s.Dataset.OriginalName != "official_statements.csv" || !strings.HasPrefix(o.SourceRef, "http") {
					t.Errorf("%s: source_ref %q cites no line", s.Dataset.OriginalName, o.SourceRef)
				}
				continue
			}
			f := files[m[1]]
			line, _ := strconv.Atoi(m[2])
			i, ok := byLine[m[1]][line]
			if !ok {
				t.Errorf("%s: %q: no record starts on that line", s.Dataset.OriginalName, o.SourceRef)
				continue
			}
			v, _ := strconv.ParseFloat(f.get(i, "Trade Value (US$)"), 64)
			flow := strings.ToLower(f.get(i, "Trade Flow"))
			if v != o.ValueUSD || f.get(i, "Reporter ISO") != o.Reporter || flow != string(o.Flow) {
				t.Errorf("%s: %q holds %s %s %v, the demo %s %s %v", s.Dataset.OriginalName, o.SourceRef,
					f.get(i, "Reporter ISO"), flow, v, o.Reporter, o.Flow, o.ValueUSD)
			}
		}
	}
}

// TestPeriods checks that fiscal years are read as such: Pakistan's start
// in July, India's in April, and the FY2022-23 rows are labelled so.
func TestPeriods(t *testing.T) {
	statements, _, _ := mustSets(t)
	labelled := 0
	for _, o := range statements.Observations {
		if o.Period.Kind() != data.FiscalYear {
			continue
		}
		want := map[string]int{"PAK": 7, "IND": 4}[o.Reporter]
		if o.Period.Start.Number() != want {
			t.Errorf("%s fiscal year %s starts in month %d, want %d", o.Reporter, o.Period, o.Period.Start.Number(), want)
		}
		if o.Reporter == "PAK" && o.Period == data.Fiscal(2022, 7) {
			labelled++
			if got := o.Period.Label(); got != "FY2022-23" {
				t.Errorf("PAK %s %s: label %q, want FY2022-23", o.Flow, o.Period, got)
			}
		}
	}
	if labelled != 2 {
		t.Errorf("%d Pakistani FY2022-23 rows, want 2 (exports 74 m, imports 846 m)", labelled)
	}
}

// TestGenReproduces runs the generator and compares its output with the
// committed CSVs byte for byte.
func TestGenReproduces(t *testing.T) {
	if _, err := os.Stat(shared); err != nil {
		t.Fatalf("the shared data folder is missing: %v", err)
	}
	out := t.TempDir()
	cmd := exec.CommandContext(t.Context(), "go", "run", "./gen", "-shared", shared, "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, b)
	}
	for _, d := range sets {
		want, err := os.ReadFile(d.OriginalName)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, d.OriginalName))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what gen writes; run go run ./data/demo/gen and review the diff", d.OriginalName)
		}
	}
}

func TestParseErrorsNamePlace(t *testing.T) {
	good := strings.Join(columns, ",") + "\n"
	for _, c := range []struct{ name, body, want string }{
		{"bad period", good + "PAK,RUS,FY2022-23,export,TOTAL,TOTAL,All goods,1,exact,,,x,\n", "x.csv line 2, column 3 (period)"},
		{"bad value", good + "PAK,RUS,2023,export,TOTAL,TOTAL,All goods,1 bn,exact,,,x,\n", "x.csv line 2, column 8 (value_usd)"},
		{"bad flow", good + "PAK,RUS,2023,sent,TOTAL,TOTAL,All goods,1,exact,,,x,\n", "x.csv line 2, column 4 (flow)"},
		{"bad HS code", good + "PAK,WLD,2023,export,HS,8,Fruit,1,exact,,,x,\n", "x.csv line 2, column 6 (product_code)"},
		{"same countries", good + "PAK,PAK,2023,export,TOTAL,TOTAL,All goods,1,exact,,,x,\n", "x.csv line 2"},
		{"short row", good + "PAK,RUS,2023\n", "x.csv"},
		{"wrong header", "reporter,partner\n", "x.csv line 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse("x.csv", []byte(c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, data.ErrInvalid) {
				t.Errorf("error %v, want one wrapping ErrInvalid and naming %q", err, c.want)
			}
		})
	}
}

func mustOpenStore(tb testing.TB) *data.Store {
	tb.Helper()
	ref, err := data.LoadReference()
	if err != nil {
		tb.Fatal(err)
	}
	s, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "t.db"), ref)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestLoadIntoStore(t *testing.T) {
	ctx := t.Context()
	s := mustOpenStore(t)
	if err := Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := s.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := Sets()
	if len(got) != len(all) {
		t.Fatalf("%d datasets stored, want %d", len(got), len(all))
	}
	for i, d := range got {
		if d.Name != all[i].Dataset.Name || d.RowCount != int64(len(all[i].Observations)) || d.Format != Format {
			t.Errorf("dataset %d: %q, %d rows, format %q; want %q, %d rows", i, d.Name, d.RowCount, d.Format, all[i].Dataset.Name, len(all[i].Observations))
		}
	}
	if err := Load(ctx, s); !errors.Is(err, data.ErrDuplicate) {
		t.Errorf("second Load: %v, want ErrDuplicate", err)
	}
}
