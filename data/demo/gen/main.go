// Command gen rebuilds tradedash's built-in demo data (data/demo/*.csv) from
// the data team's shared folder. Run it from the repository root:
//
//	go run ./data/demo/gen                       # reads ../shared/data, writes data/demo
//	go run ./data/demo/gen -shared DIR -out DIR
//
// The source files carry no licence, so only their figures (facts) are
// carried over, each with a reference to its source row or page; the files
// themselves are never copied into the project. Figures are copied as text,
// exactly as published: nothing is rounded, derived, split or filled in.
// The output is deterministic, so that data/demo's test can check that the
// committed CSVs are what this program writes.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"tradedash/data"
)

// header is the one header of every demo CSV; data/demo parses exactly it.
var header = []string{"reporter", "partner", "period", "flow", "product_classification", "product_code",
	"product_name", "value_usd", "bound", "quantity", "quantity_unit", "source_ref", "source_quote"}

// Output files, in the order the demo sets are loaded.
const (
	outStatements = "official_statements.csv"
	outChapters   = "comtrade_2019_exports_by_chapter.csv"
	outPartners   = "comtrade_2019_india_partners.csv"
)

// ictdCommit is the aidatabases/ICTD snapshot the Comtrade extracts come from.
const ictdCommit = "bf7cf4d2927a"

// Source files, relative to the shared data folder. The sha256 prefixes are
// those in the folder's PROVENANCE.tsv: line numbers in source_ref only mean
// something for these exact bytes.
var (
	compiledFile     = "demo/demo_figures_compiled.csv"
	chapterCheck     = "demo/exports_to_world_2019_by_hs_chapter_PAK_RUS_IND.csv"
	chaptersFile     = sourceFile{local: "ictd/abcd.csv", repoPath: "ExcelFiles/abcd.csv", sha256Prefix: "a282d19fba6ffc7c"}
	partnersFile     = sourceFile{local: "ictd/Ind_Ex_Im_Countrywise_2019-20.csv", repoPath: "ExcelFiles/Ind_Ex_Im_Countrywise_2019-20.csv", sha256Prefix: "0e92e1a34509f874"}
	chapterReporters = map[string]bool{"586": true, "643": true, "699": true} // Comtrade reporter codes of PAK, RUS, IND
)

type sourceFile struct {
	local, repoPath, sha256Prefix string
}

// ref is the source_ref of line n of the file.
func (f sourceFile) ref(line int) string {
	return fmt.Sprintf("aidatabases/ICTD %s @ %s, line %d", f.repoPath, ictdCommit, line)
}

func main() {
	shared := flag.String("shared", "../shared/data", "the shared data folder (holds demo/ and ictd/)")
	out := flag.String("out", "data/demo", "where to write the demo CSVs")
	flag.Parse()
	if err := run(*shared, *out, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(shared, out string, log io.Writer) error {
	partners, err := comtradePartners(shared)
	if err != nil {
		return err
	}
	chapters, err := comtradeChapters(shared)
	if err != nil {
		return err
	}
	if err := checkChapters(shared, chapters); err != nil {
		return err
	}
	statements, skipped, err := officialStatements(shared, partners)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintf(log, "gen: not loaded: %s\n", s)
	}
	for _, f := range []struct {
		name string
		rows []row
	}{{outStatements, statements}, {outChapters, chapters}, {outPartners, partners}} {
		if err := write(filepath.Join(out, f.name), f.rows); err != nil {
			return err
		}
		fmt.Fprintf(log, "gen: %s: %d rows\n", f.name, len(f.rows))
	}
	return nil
}

// row is one output line; every field is text, copied or normalised, never
// recomputed from a float.
type row struct {
	reporter, partner, period, flow string
	class, code, name               string
	value, bound, qty, qtyUnit      string
	ref, quote                      string
}

func (r row) fields() []string {
	return []string{r.reporter, r.partner, r.period, r.flow, r.class, r.code, r.name,
		r.value, r.bound, r.qty, r.qtyUnit, r.ref, r.quote}
}

func write(path string, rows []row) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Write(r.fields()); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// table is a CSV file read whole, with the 1-based line each record starts on.
type table struct {
	name   string
	header map[string]int
	recs   [][]string
	lines  []int
}

func (t *table) get(i int, col string) string { return t.recs[i][t.header[col]] }

func (t *table) errorf(i int, format string, args ...any) error {
	return fmt.Errorf("%s line %d: %s", t.name, t.lines[i], fmt.Sprintf(format, args...))
}

// readTable reads a CSV, checking that the header has the named columns.
func readTable(shared, name string, cols ...string) (*table, error) {
	b, err := os.ReadFile(filepath.Join(shared, name))
	if err != nil {
		return nil, err
	}
	return parseTable(name, b, cols...)
}

func readSource(shared string, f sourceFile, cols ...string) (*table, error) {
	b, err := os.ReadFile(filepath.Join(shared, f.local))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); !strings.HasPrefix(got, f.sha256Prefix) {
		return nil, fmt.Errorf("%s: sha256 %s is not the snapshot's %s…: line numbers would not match the cited file", f.local, got, f.sha256Prefix)
	}
	return parseTable(f.local, b, cols...)
}

func parseTable(name string, b []byte, cols ...string) (*table, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	t := &table{name: name, header: map[string]int{}}
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	for i, h := range head {
		t.header[h] = i
	}
	for _, c := range cols {
		if _, ok := t.header[c]; !ok {
			return nil, fmt.Errorf("%s: no column %q", name, c)
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		t.recs = append(t.recs, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

var reUSD = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// comtradeColumns are the legacy UN Comtrade CSV columns the demo reads.
var comtradeColumns = []string{"Classification", "Year", "Period", "Aggregate Level", "Trade Flow",
	"Reporter Code", "Reporter ISO", "Partner Code", "Partner ISO", "Commodity Code", "Commodity",
	"Qty Unit", "Qty", "Trade Value (US$)"}

// comtradeRow turns one legacy Comtrade record into a demo row. The files
// give no quantities at these aggregate levels ("No Quantity", Qty 0, net
// weight 0 or blank), so quantity stays empty: a 0 there means "not
// reported", not zero tonnes.
func comtradeRow(t *table, i int, f sourceFile) (row, error) {
	g := func(c string) string { return t.get(i, c) }
	if g("Classification") != "H5" || g("Year") != "2019" || g("Period") != "2019" {
		return row{}, t.errorf(i, "expected HS 2017 (H5) for 2019, got %s %s/%s", g("Classification"), g("Year"), g("Period"))
	}
	if g("Qty Unit") != "No Quantity" {
		return row{}, t.errorf(i, "unexpected quantity unit %q", g("Qty Unit"))
	}
	reporter, err := comtradeCountry(g("Reporter Code"), g("Reporter ISO"))
	if err != nil {
		return row{}, t.errorf(i, "reporter: %v", err)
	}
	partner, err := comtradeCountry(g("Partner Code"), g("Partner ISO"))
	if err != nil {
		return row{}, t.errorf(i, "partner: %v", err)
	}
	var flow data.Flow
	switch g("Trade Flow") {
	case "Export":
		flow = data.Export
	case "Import":
		flow = data.Import
	default:
		return row{}, t.errorf(i, "flow %q is neither Export nor Import", g("Trade Flow"))
	}
	r := row{reporter: reporter, partner: partner, period: "2019", flow: string(flow),
		value: g("Trade Value (US$)"), bound: string(data.Exact), ref: f.ref(t.lines[i])}
	if !reUSD.MatchString(r.value) {
		return row{}, t.errorf(i, "trade value %q is not a number", r.value)
	}
	switch code := g("Commodity Code"); {
	case code == "TOTAL" && g("Aggregate Level") == "0":
		r.class, r.code, r.name = string(data.Total), data.TotalProduct.Code, data.TotalProduct.Name
	case len(code) == 2 && g("Aggregate Level") == "2":
		r.class, r.code, r.name = string(data.HS), code, g("Commodity")
	default:
		return row{}, t.errorf(i, "commodity %q at aggregate level %s is neither TOTAL nor an HS chapter", code, g("Aggregate Level"))
	}
	return r, nil
}

// comtradeCountry maps a Comtrade partner or reporter to tradedash's key:
// its ISO3 code, WLD for World, and the two codes the files leave without
// one: 490 "Other Asia, nes" is Taiwan (TWN) and 899 "Areas, nes" is the
// aggregate X899.
func comtradeCountry(code, iso string) (string, error) {
	switch code {
	case "0":
		return "WLD", nil
	case "490":
		return "TWN", nil
	case "899":
		return "X899", nil
	}
	if len(iso) != 3 || strings.ToUpper(iso) != iso {
		return "", fmt.Errorf("code %s has no ISO3 code (%q)", code, iso)
	}
	return iso, nil
}

// comtradePartners is dataset (c): every row of India's 2019 trade with
// each partner, in file order.
func comtradePartners(shared string) ([]row, error) {
	t, err := readSource(shared, partnersFile, comtradeColumns...)
	if err != nil {
		return nil, err
	}
	rows := make([]row, 0, len(t.recs))
	for i := range t.recs {
		r, err := comtradeRow(t, i, partnersFile)
		if err != nil {
			return nil, err
		}
		if r.class != string(data.Total) {
			return nil, t.errorf(i, "expected all commodities (TOTAL), got %s", r.code)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// comtradeChapters is dataset (b): every HS chapter row (aggregate level 2)
// of Pakistan, Russia and India's 2019 exports to World, in file order.
func comtradeChapters(shared string) ([]row, error) {
	t, err := readSource(shared, chaptersFile, comtradeColumns...)
	if err != nil {
		return nil, err
	}
	var rows []row
	for i := range t.recs {
		if !chapterReporters[t.get(i, "Reporter Code")] || t.get(i, "Aggregate Level") != "2" {
			continue
		}
		r, err := comtradeRow(t, i, chaptersFile)
		if err != nil {
			return nil, err
		}
		if r.class != string(data.HS) || r.partner != "WLD" || r.flow != string(data.Export) {
			return nil, t.errorf(i, "expected an HS chapter export to World")
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// checkChapters compares the extract with the data team's own filtered
// copy of the same source: every figure there must be in ours, equal.
func checkChapters(shared string, chapters []row) error {
	t, err := readTable(shared, chapterCheck, "year", "reporter_iso", "hs_chapter", "commodity", "trade_value_usd")
	if err != nil {
		return err
	}
	got := map[string]row{}
	for _, r := range chapters {
		got[r.reporter+":"+r.code] = r
	}
	for i := range t.recs {
		k := t.get(i, "reporter_iso") + ":" + t.get(i, "hs_chapter")
		r, ok := got[k]
		switch {
		case !ok:
			return t.errorf(i, "%s is not in the extract from %s", k, chaptersFile.local)
		case t.get(i, "year") != "2019" || r.value != t.get(i, "trade_value_usd") || r.name != t.get(i, "commodity"):
			return t.errorf(i, "%s: %s %q, but %s says %s %q", k, t.get(i, "trade_value_usd"), t.get(i, "commodity"), r.ref, r.value, r.name)
		}
	}
	return nil
}

var (
	reDirected = regexp.MustCompile(`^([A-Z]{3}) (exports to|imports from|.+ supplied to) ([A-Z]{3})$`)
	reTurnover = regexp.MustCompile(`^total (trade|turnover)$`)
	reQuantity = regexp.MustCompile(`^(.*\S)\s*\(([0-9]+(?:\.[0-9]+)?) (Mt|kt|t)\)$`)
	reSlugSep  = regexp.MustCompile(`[^a-z0-9]+`)
)

// tonnes converts a quantity's unit to tonnes.
var tonnes = map[string]int64{"Mt": 1_000_000, "kt": 1_000, "t": 1}

const (
	lowerBound  = " (lower bound)"
	provisional = "; provisional)"
)

// officialStatements is dataset (a): the compiled official statements, in
// file order. Rows without a USD value (a share, say) are skipped and
// returned as notes. partners (dataset c) locates the compiled rows that cite
// the Comtrade file, so that they cite its line like dataset (c) does.
func officialStatements(shared string, partners []row) (rows []row, skipped []string, err error) {
	t, err := readTable(shared, compiledFile, "pair", "reporter_view", "period", "period_kind", "flow",
		"value_usd", "sector", "source", "source_type", "exact_wording")
	if err != nil {
		return nil, nil, err
	}
	for i := range t.recs {
		g := func(c string) string { return t.get(i, c) }
		if g("value_usd") == "" {
			skipped = append(skipped, fmt.Sprintf("%s line %d (%s, %s, %s): no USD value", t.name, t.lines[i], g("pair"), g("period"), g("flow")))
			continue
		}
		r := row{value: g("value_usd"), bound: string(data.Exact), ref: g("source")}
		if !reUSD.MatchString(r.value) {
			return nil, nil, t.errorf(i, "value_usd %q is not a number", r.value)
		}
		if r.period, err = canonicalPeriod(g("period"), g("period_kind")); err != nil {
			return nil, nil, t.errorf(i, "%v", err)
		}
		if err := statementFlow(&r, g("pair"), g("reporter_view"), g("flow")); err != nil {
			return nil, nil, t.errorf(i, "%v", err)
		}
		status := statementProduct(&r, g("sector"))
		if strings.HasPrefix(r.ref, "repo aidatabases/ICTD "+partnersFile.repoPath+" ") {
			if r.ref, err = citeComtradeLine(r, partners); err != nil {
				return nil, nil, t.errorf(i, "%v", err)
			}
		} else if !strings.HasPrefix(r.ref, "http://") && !strings.HasPrefix(r.ref, "https://") {
			return nil, nil, t.errorf(i, "source %q is neither a URL nor a repository file", r.ref)
		}
		r.quote = fmt.Sprintf("%s%s: “%s”", g("source_type"), status, g("exact_wording"))
		rows = append(rows, r)
	}
	return rows, skipped, nil
}

// canonicalPeriod checks the compiled period against its stated kind and
// writes it the way data.ParsePeriod reads it: "2023" for a calendar year,
// "2022-07..2023-06" otherwise.
func canonicalPeriod(s, kind string) (string, error) {
	p, err := data.ParsePeriod(s, 0)
	if err != nil {
		return "", err
	}
	var want data.PeriodKind
	switch {
	case kind == "calendar year":
		want = data.CalendarYear
	case kind == "FY Pakistan Jul-Jun" && p.Start.Number() == 7, kind == "FY India Apr-Mar" && p.Start.Number() == 4:
		want = data.FiscalYear
	case strings.HasPrefix(kind, "FY part"), kind == "calendar months":
		want = data.Months
	default:
		return "", fmt.Errorf("period %s does not fit its kind %q", s, kind)
	}
	if p.Kind() != want {
		return "", fmt.Errorf("period %s is a %s, not a %q", s, p.Kind(), kind)
	}
	if want == data.CalendarYear {
		return fmt.Sprint(p.Start.Year()), nil
	}
	return p.String(), nil
}

// statementFlow sets reporter, partner, flow and bound from the compiled
// row's flow text:
//
//   - "PAK exports to RUS": reporter PAK, partner RUS, export;
//     "RUS imports from PAK": reporter RUS, partner PAK, import.
//   - "RUS wheat supplied to PAK": the reporter is whichever of the two
//     reporter_view names ("PAK data (Sputnik analysis)": PAK, importing).
//   - "total trade" / "total turnover": a turnover, kept as stated and never
//     split. Its reporter is the country named at the start of reporter_view
//     ("RUS", "IND (EAM Jaishankar)"); where reporter_view names none
//     ("Sputnik calculation") it is the first country of pair (IND-RUS: IND).
//
// A trailing " (lower bound)" ("exceeded $1 billion") makes the value
// at_least. Whatever the text, both countries must be those of pair, and a
// country named by reporter_view must be the reporter.
func statementFlow(r *row, pair, view, flow string) error {
	if s, ok := strings.CutSuffix(flow, lowerBound); ok {
		flow, r.bound = s, string(data.AtLeast)
	}
	a, b, ok := strings.Cut(pair, "-")
	if !ok || len(a) != 3 || len(b) != 3 {
		return fmt.Errorf("pair %q is not two ISO3 codes", pair)
	}
	viewCountry := ""
	if c, _, _ := strings.Cut(view, " "); c == a || c == b {
		viewCountry = c
	}
	switch m := reDirected.FindStringSubmatch(flow); {
	case m != nil && m[2] == "exports to":
		r.reporter, r.partner, r.flow = m[1], m[3], string(data.Export)
	case m != nil && m[2] == "imports from":
		r.reporter, r.partner, r.flow = m[1], m[3], string(data.Import)
	case m != nil && viewCountry == m[3]: // supplied to the reporter
		r.reporter, r.partner, r.flow = m[3], m[1], string(data.Import)
	case m != nil && viewCountry == m[1]: // supplied by the reporter
		r.reporter, r.partner, r.flow = m[1], m[3], string(data.Export)
	case reTurnover.MatchString(flow):
		r.reporter, r.flow = viewCountry, string(data.Turnover)
		if r.reporter == "" {
			r.reporter = a // reporter_view names no country: the pair's first
		}
		r.partner = map[string]string{a: b, b: a}[r.reporter]
	default:
		return fmt.Errorf("flow %q (reporter view %q) is not understood", flow, view)
	}
	if !(r.reporter == a && r.partner == b || r.reporter == b && r.partner == a) {
		return fmt.Errorf("flow %q is not between the countries of pair %s", flow, pair)
	}
	if viewCountry != "" && viewCountry != r.reporter {
		return fmt.Errorf("flow %q has reporter %s, but the reporter view is %q", flow, r.reporter, view)
	}
	return nil
}

// statementProduct sets the product from the compiled sector: "all goods"
// is the total; anything else is a sector named in the source's wording,
// with a slug of it as code. A quantity in the wording ("HS 10 wheat
// (1.6 Mt)") moves to quantity in tonnes, and a "provisional" mark
// ("pharmaceuticals (Pharmexcil scope; provisional)") is a property of the
// figure, not of the sector, so it moves to the quote; it returns that mark.
func statementProduct(r *row, sector string) (status string) {
	switch sector {
	case "all goods", "all goods (TOTAL)":
		r.class, r.code, r.name = string(data.Total), data.TotalProduct.Code, data.TotalProduct.Name
		return ""
	}
	name := sector
	if s, ok := strings.CutSuffix(name, provisional); ok {
		name, status = s+")", " (figure marked provisional)"
	}
	if m := reQuantity.FindStringSubmatch(name); m != nil {
		q, _ := new(big.Rat).SetString(m[2]) // the pattern admits only decimals
		q.Mul(q, new(big.Rat).SetInt64(tonnes[m[3]]))
		name, r.qty, r.qtyUnit = m[1], decimal(q), "t"
	}
	r.class, r.name = string(data.Sector), name
	r.code = strings.Trim(reSlugSep.ReplaceAllString(strings.ToLower(name), "-"), "-")
	return status
}

// decimal writes q without exponent or trailing zeros: 1600000, 2.5.
func decimal(q *big.Rat) string {
	if q.IsInt() {
		return q.Num().String()
	}
	return strings.TrimRight(strings.TrimRight(q.FloatString(12), "0"), ".")
}

// citeComtradeLine replaces the compiled row's "repo aidatabases/ICTD …"
// reference by the line of dataset (c) with the same figure, so both
// datasets cite the Comtrade file the same way; the figure must be there.
func citeComtradeLine(r row, partners []row) (string, error) {
	for _, p := range partners {
		if p.reporter == r.reporter && p.partner == r.partner && p.period == r.period && p.flow == r.flow &&
			p.class == r.class && p.value == r.value {
			return p.ref, nil
		}
	}
	return "", fmt.Errorf("%s %s %s %s %s is not in %s", r.reporter, r.flow, r.partner, r.period, r.value, partnersFile.local)
}
