// Command gen derives tradedash's embedded reference lists,
// data/reference/countries.csv and data/reference/hs.csv, from the
// public-domain datasets/country-codes and datasets/harmonized-system files
// in the data team's shared folder. Run it from the repository root:
//
//	go run ./data/reference/gen                  # reads ../shared/data/reference, writes data/reference
//	go run ./data/reference/gen -src DIR -out DIR
//
// What the source files do not have is kept in the tables below: the names
// trade files use ("Rep. of Korea", "Other Asia, nes"), UN Comtrade's own
// numeric codes and its special partner areas. The output is sorted, so a
// second run writes the same bytes; gen's test checks that the committed
// files are what this program writes.
package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Source files, in the -src folder.
const (
	srcCountries = "country-codes.csv"
	srcHS        = "harmonized-system.csv"
	srcSections  = "hs-sections.csv"
)

// Output files, in the -out folder.
const (
	outCountries = "countries.csv"
	outHS        = "hs.csv"
)

// nameOverrides replaces a CLDR display name that an analyst would not
// expect in a chart legend ("US", "UK", "Bosnia", "Congo - Brazzaville").
var nameOverrides = map[string]string{
	"BIH": "Bosnia and Herzegovina",
	"COD": "DR Congo",
	"COG": "Republic of the Congo",
	"GBR": "United Kingdom",
	"USA": "United States",
}

// comtradeCodes are UN Comtrade's numeric codes where they differ from the
// ISO 3166 numeric code. Comtrade reports Taiwan as "Other Asia, nes" (490).
var comtradeCodes = map[string]int{
	"CHE": 757, // Switzerland, incl. Liechtenstein
	"FRA": 251, // France, incl. Monaco
	"IND": 699,
	"ITA": 381,
	"NOR": 579, // Norway, incl. Svalbard and Jan Mayen
	"TWN": 490,
	"USA": 842, // USA, incl. Puerto Rico and US Virgin Islands
}

// extraAliases are spellings seen in trade files that the source's names do
// not cover: UN Comtrade (legacy and Plus), World Bank WITS, IMF DOTS and
// India's Export Import Data Bank ("China P Rp").
var extraAliases = map[string][]string{
	"ARE": {"UAE", "U Arab Emts"},
	"ATF": {"Fr. South Antarctic Terr.", "French South Antarctic Territories"},
	"BES": {"Bonaire", "Bonaire, Saint Eustatius and Saba"},
	"BGD": {"Bangladesh PR"},
	"BHS": {"Bahamas, The", "The Bahamas"},
	"BIH": {"Bosnia Herzegovina", "Bosnia-Herzegovina"},
	"BOL": {"Bolivia (Plurinational State of)"},
	"BRN": {"Brunei Darussalam"},
	"CAF": {"Central African Rep."},
	"CCK": {"Cocos Isds", "Cocos (Keeling) Isds"},
	"CHN": {"China P Rp", "China, P.R.: Mainland", "Mainland China"},
	"CIV": {"Côte d'Ivoire", "Cote d'Ivoire"},
	"COD": {"Dem. Rep. of the Congo", "Congo, Dem. Rep.", "Congo (Kinshasa)", "DRC", "Democratic Republic of the Congo"},
	"COG": {"Congo", "Congo, Rep.", "Congo (Brazzaville)"},
	"COK": {"Cook Isds"},
	"CPV": {"Cabo Verde", "Cape Verde"},
	"CHE": {"Switzerland, Liechtenstein"},
	"CXR": {"Christmas Isds", "Christmas Islands"},
	"CYM": {"Cayman Isds"},
	"CZE": {"Czechia", "Czech Republic", "Czech Rep."},
	"DOM": {"Dominican Rep."},
	"EGY": {"Egypt, Arab Rep.", "Egypt, Arab Rep. of", "Egypt A Rp"},
	"FLK": {"Falkland Isds (Malvinas)", "Falkland Islands (Malvinas)", "Falkland Isds"},
	"FRO": {"Faeroe Isds", "Faroe Isds", "Faeroe Islands"},
	"FSM": {"Micronesia, Fed. Sts.", "FS Micronesia", "Micronesia", "Federated States of Micronesia", "Federated State of Micronesia"},
	"GBR": {"UK", "U K", "United Kingdom", "Great Britain"},
	"GMB": {"Gambia, The", "The Gambia"},
	"HKG": {"China, Hong Kong SAR", "Hong Kong, China", "Hong Kong SAR, China", "Hong Kong SAR", "China, P.R.: Hong Kong"},
	"FRA": {"France, Monaco"},
	"IOT": {"Br. Indian Ocean Terr.", "British Indian Ocean Territories"},
	"IRN": {"Iran, Islamic Rep.", "Iran, Islamic Rep. of"},
	"KGZ": {"Kyrgyz Republic"},
	"KNA": {"St. Kitts and Nevis"},
	"KOR": {"Korea, Rep.", "Republic of Korea", "Rep. of Korea", "Korea, Rep. of", "Korea, Republic of", "Korea RP"},
	"LAO": {"Lao PDR", "Lao People's Dem. Rep.", "Laos"},
	"LCA": {"St. Lucia"},
	"LKA": {"Sri Lanka DSR"},
	"MAC": {"China, Macao SAR", "Macao, China", "Macao SAR, China", "Macao SAR", "China, P.R.: Macao", "Macau"},
	"MAF": {"Saint Martin (French part)", "St. Martin (French part)"},
	"MDA": {"Moldova", "Rep. of Moldova", "Moldova, Rep. of"},
	"MHL": {"Marshall Isds"},
	"MKD": {"North Macedonia", "TFYR of Macedonia", "The former Yugoslav Republic of Macedonia", "Macedonia, FYR", "Macedonia"},
	"MNP": {"N. Mariana Isds", "Northern Mariana Isds"},
	"NFK": {"Norfolk Isds", "Norfolk Islands"},
	"NLD": {"Netherland"},
	"NOR": {"Norway, Svalbard and Jan Mayen"},
	"PAK": {"Pakistan IR"},
	"PRK": {"Korea, Dem. People's Rep.", "Dem. People's Rep. of Korea", "Korea, Dem. Rep.", "DPR Korea", "Korea DP Rp"},
	"PSE": {"State of Palestine", "West Bank and Gaza"},
	"RUS": {"Russian Federation", "Russia", "Россия"},
	"SAU": {"Saudi Arab"},
	"SJM": {"Svalbard and Jan Mayen"},
	"SLB": {"Solomon Isds"},
	"SPM": {"St. Pierre and Miquelon"},
	"SVK": {"Slovakia", "Slovak Republic"},
	"SWZ": {"Eswatini", "Swaziland"},
	"SXM": {"Saint Maarten", "St. Maarten", "Sint Maarten (Dutch part)", "Saint Maarten (Dutch part)"},
	"SYR": {"Syria", "Syrian Arab Republic"},
	"TCA": {"Turks and Caicos Isds"},
	"TUR": {"Türkiye", "Turkey", "Türkiye, Rep. of", "Republic of Türkiye"},
	"TWN": {"Taiwan", "Other Asia, nes", "Other Asia, not elsewhere specified", "Chinese Taipei", "Taiwan, China", "Taiwan, Province of China", "Taiwan Province of China", "S19"},
	"TZA": {"Tanzania", "United Rep. of Tanzania"},
	"USA": {"USA", "U S A", "US", "United States", "United States of America", "USA, Puerto Rico and US Virgin Islands"},
	"VAT": {"Holy See (Vatican City State)", "Vatican"},
	"VCT": {"St. Vincent and the Grenadines"},
	"VEN": {"Venezuela, RB", "Venezuela"},
	"VGB": {"Br. Virgin Isds"},
	"VIR": {"US Virgin Isds", "Virgin Islands (U.S.)"},
	"VNM": {"Viet Nam", "Vietnam", "Vietnam Soc Rep"},
	"WLF": {"Wallis and Futuna Isds", "Wallis and Futuna"},
	"YEM": {"Yemen, Rep."},
}

// aggregate is one of UN Comtrade's partner areas that is not a country.
type aggregate struct {
	code    int // UN Comtrade partner code
	m49     int // UN M49 code, or -1
	name    string
	aliases []string
}

// aggregates are UN Comtrade's special partner areas (its published partner
// code list). 492 "Europe EU, nes" is left out: ISO 3166 gives 492 to
// Monaco, and a numeric code must resolve to one place. The short codes
// ("X1", "S19") are the ones Comtrade Plus puts in its partnerISO column.
var aggregates = []aggregate{
	{0, 1, "World", []string{"All partners", "W00"}},
	{97, -1, "European Union", []string{"EU-28", "EU-27", "EU"}},
	{129, -1, "Caribbean, nes", []string{"A49"}},
	{221, -1, "Eastern Europe, nes", []string{"E29"}},
	{290, -1, "Northern Africa, nes", []string{"F49"}},
	{471, -1, "CACM, nes", []string{"R91"}},
	{472, -1, "Africa CAMEU region, nes", nil},
	{473, -1, "LAIA, nes", nil},
	{527, -1, "Oceania, nes", []string{"O19"}},
	{536, -1, "Neutral Zone", []string{"NTZ"}},
	{568, -1, "Other Europe, nes", []string{"E19"}},
	{577, -1, "Other Africa, nes", []string{"F19"}},
	{636, -1, "Rest of America, nes", []string{"A79"}},
	{637, -1, "North America and Central America, nes", []string{"A59"}},
	{697, -1, "Europe EFTA, nes", []string{"R20"}},
	{837, -1, "Bunkers", []string{"X1"}},
	{838, -1, "Free Zones", []string{"X2"}},
	{839, -1, "Special Categories", []string{"XX"}},
	{849, -1, "US Misc. Pacific Isds", []string{"US Miscellaneous Pacific Islands", "PUS"}},
	{879, -1, "Western Asia, nes", []string{"F97"}},
	{899, -1, "Areas, nes", []string{"Areas nes"}},
}

// m49Renames names the UN M49 regions whose own name is already taken:
// "Micronesia" is the alias trade files use for the Federated States of
// Micronesia, and a bare "Sub-Saharan Africa" means the World Bank region
// (see worldBankRegions). Both stay reachable by their M49 code.
var m49Renames = map[int]string{
	57:  "Micronesia (M49)",
	202: "Sub-Saharan Africa (M49)",
}

// worldBankRegion is one of the seven World Bank geographic regions, which
// World Bank WITS lists as partners beside the countries.
type worldBankRegion struct {
	code, name string
}

// worldBankRegions are the World Bank's regions ("all income levels"), with
// the codes WITS and the World Development Indicators give them. They are
// not the M49 regions of similar names: their members differ (the World
// Bank counts Sudan in Sub-Saharan Africa, M49 in Northern Africa), so they
// are aggregates of their own. A bare name that both lists use
// ("Sub-Saharan Africa") means the World Bank region: the files that name
// region partners in words are WITS and WDI downloads, while UN files
// identify M49 areas by number (202).
var worldBankRegions = []worldBankRegion{
	{"EAS", "East Asia & Pacific"},
	{"ECS", "Europe & Central Asia"},
	{"LCN", "Latin America & Caribbean"},
	{"MEA", "Middle East & North Africa"},
	{"NAC", "North America"},
	{"SAS", "South Asia"},
	{"SSF", "Sub-Saharan Africa"},
}

func main() {
	src := flag.String("src", "../shared/data/reference", "folder holding "+srcCountries+", "+srcHS+" and "+srcSections)
	out := flag.String("out", "data/reference", "where to write "+outCountries+" and "+outHS)
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	files, err := generate(os.DirFS(src))
	if err != nil {
		return err
	}
	for _, name := range []string{outCountries, outHS} {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate reads the source files from src and returns the output files'
// contents by name.
func generate(src fs.FS) (map[string][]byte, error) {
	countries, err := countriesCSV(src)
	if err != nil {
		return nil, err
	}
	hs, err := hsCSV(src)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{outCountries: countries, outHS: hs}, nil
}

// table is a CSV file read into rows, with its columns found by name.
type table struct {
	name string
	col  map[string]int
	rows [][]string
}

func readTable(src fs.FS, name string, want ...string) (*table, error) {
	b, err := fs.ReadFile(src, name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	t := &table{name: name, col: make(map[string]int)}
	for i, h := range header {
		t.col[h] = i
	}
	for _, w := range want {
		if _, ok := t.col[w]; !ok {
			return nil, fmt.Errorf("%s: no column %q", name, w)
		}
	}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.rows = append(t.rows, row)
	}
	return t, nil
}

func (t *table) get(row []string, col string) string { return strings.TrimSpace(row[t.col[col]]) }

type country struct {
	iso3, iso2    string
	m49, comtrade int
	name          string
	aggregate     bool
	aliases       []string
	other         []string // names in the other UN languages, before dropping ambiguous ones
}

// otherLanguageCols are the source's names in the UN's other official
// languages (French, Spanish, Russian, Chinese, Arabic): statistics offices
// publish in them ("Российская Федерация", "Pakistán", "巴基斯坦").
var otherLanguageCols = []string{
	"UNTERM French Short", "UNTERM French Formal", "official_name_fr",
	"UNTERM Spanish Short", "UNTERM Spanish Formal", "official_name_es",
	"UNTERM Russian Short", "UNTERM Russian Formal", "official_name_ru",
	"UNTERM Chinese Short", "UNTERM Chinese Formal", "official_name_cn",
	"UNTERM Arabic Short", "UNTERM Arabic Formal", "official_name_ar",
}

// cleanArticles drops the French and Spanish articles UNTERM writes around
// names: "Chine (la)", "Inde (l')", "la République de l'Inde", "el Perú".
func cleanArticles(s string) string {
	for _, a := range []string{" (la)", " (le)", " (les)", " (l')", " (el)", " (los)", " (las)"} {
		s = strings.TrimSuffix(s, a)
	}
	for _, a := range []string{"la ", "le ", "les ", "l'", "l’", "el ", "los ", "las "} {
		if t, ok := strings.CutPrefix(s, a); ok {
			return t
		}
	}
	return s
}

func countriesCSV(src fs.FS) ([]byte, error) {
	const (
		colISO3     = "ISO3166-1-Alpha-3"
		colISO2     = "ISO3166-1-Alpha-2"
		colNumeric  = "ISO3166-1-numeric"
		colCLDR     = "CLDR display name"
		colUNShort  = "UNTERM English Short"
		colUNFormal = "UNTERM English Formal"
		colOfficial = "official_name_en"
	)
	t, err := readTable(src, srcCountries, slices.Concat([]string{colISO3, colISO2, colNumeric, colCLDR, colUNShort, colUNFormal, colOfficial}, otherLanguageCols)...)
	if err != nil {
		return nil, err
	}
	var out []country
	seen := make(map[string]bool)
	for i, row := range t.rows {
		c := country{iso3: t.get(row, colISO3), iso2: t.get(row, colISO2)}
		if len(c.iso3) != 3 || len(c.iso2) != 2 || seen[c.iso3] {
			return nil, fmt.Errorf("%s row %d: bad or repeated codes %q/%q", t.name, i+2, c.iso3, c.iso2)
		}
		seen[c.iso3] = true
		if c.m49, err = strconv.Atoi(t.get(row, colNumeric)); err != nil {
			return nil, fmt.Errorf("%s row %d (%s): numeric code: %w", t.name, i+2, c.iso3, err)
		}
		c.comtrade = c.m49
		if code, ok := comtradeCodes[c.iso3]; ok {
			c.comtrade = code
		}
		cldr := t.get(row, colCLDR)
		official := t.get(row, colOfficial)
		c.name = firstNonEmpty(nameOverrides[c.iso3], cldr, official)
		if c.name == "" {
			return nil, fmt.Errorf("%s row %d (%s): no name", t.name, i+2, c.iso3)
		}
		c.aliases = aliases(c.name, slices.Concat([]string{cldr, official,
			cleanUN(t.get(row, colUNShort)), cleanUN(t.get(row, colUNFormal))}, extraAliases[c.iso3]))
		for _, col := range otherLanguageCols {
			c.other = append(c.other, cleanArticles(cleanUN(t.get(row, col))))
		}
		out = append(out, c)
	}
	// A name in another language that also names a different country
	// (in any language, English included) is left out rather than guessed.
	owners := make(map[string]map[string]bool)
	own := func(n, iso3 string) {
		k := strings.ToLower(n)
		if owners[k] == nil {
			owners[k] = make(map[string]bool)
		}
		owners[k][iso3] = true
	}
	for _, c := range out {
		for _, n := range slices.Concat([]string{c.name, c.iso3, c.iso2}, c.aliases, c.other) {
			if n != "" {
				own(n, c.iso3)
			}
		}
	}
	for i, c := range out {
		var keep []string
		for _, n := range c.other {
			if n != "" && len(owners[strings.ToLower(n)]) == 1 {
				keep = append(keep, n)
			}
		}
		out[i].aliases = aliases(c.name, slices.Concat(c.aliases, keep))
	}
	for iso3 := range nameOverrides {
		if !seen[iso3] {
			return nil, fmt.Errorf("name override for unknown country %s", iso3)
		}
	}
	for iso3 := range comtradeCodes {
		if !seen[iso3] {
			return nil, fmt.Errorf("comtrade code for unknown country %s", iso3)
		}
	}
	for iso3 := range extraAliases {
		if !seen[iso3] {
			return nil, fmt.Errorf("aliases for unknown country %s", iso3)
		}
	}
	for _, a := range aggregates {
		key := fmt.Sprintf("X%03d", a.code)
		if a.code == 0 {
			key = "WLD"
		}
		var extra []string
		if base, ok := strings.CutSuffix(a.name, ", nes"); ok {
			extra = append(extra, base+", not elsewhere specified")
		}
		out = append(out, country{iso3: key, m49: a.m49, comtrade: a.code, name: a.name, aggregate: true,
			aliases: aliases(a.name, slices.Concat(a.aliases, extra))})
	}
	regions, err := m49Regions(t)
	if err != nil {
		return nil, err
	}
	out = append(out, regions...)
	for _, w := range worldBankRegions {
		out = append(out, country{iso3: w.code, m49: -1, comtrade: -1, name: w.name, aggregate: true,
			aliases: aliases(w.name, []string{w.name + " (World Bank)", w.name + " (all income levels)"})})
	}
	slices.SortFunc(out, func(a, b country) int { return strings.Compare(a.iso3, b.iso3) })

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"iso3", "iso2", "m49", "comtrade_code", "name", "aggregate", "aliases"})
	for _, c := range out {
		agg := "0"
		if c.aggregate {
			agg = "1"
		}
		for _, a := range c.aliases {
			if strings.Contains(a, "|") {
				return nil, fmt.Errorf("%s: alias %q contains the separator |", c.iso3, a)
			}
		}
		_ = w.Write([]string{c.iso3, c.iso2, strconv.Itoa(c.m49), strconv.Itoa(c.comtrade), c.name, agg, strings.Join(c.aliases, "|")})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// m49Regions returns the UN M49 regions, sub-regions and intermediate
// regions that the source's countries belong to, as aggregates keyed "M"
// and the three-digit M49 code ("M150" Europe). Their comtrade code is
// the M49 code, as for the countries Comtrade has no code of its own for.
// The World (M49 001) is WLD already.
func m49Regions(t *table) ([]country, error) {
	levels := [][2]string{
		{"Region Code", "Region Name"},
		{"Sub-region Code", "Sub-region Name"},
		{"Intermediate Region Code", "Intermediate Region Name"},
	}
	for _, l := range levels {
		for _, col := range l {
			if _, ok := t.col[col]; !ok {
				return nil, fmt.Errorf("%s: no column %q", t.name, col)
			}
		}
	}
	names := make(map[int]string)
	for i, row := range t.rows {
		for _, l := range levels {
			code, name := t.get(row, l[0]), t.get(row, l[1])
			if code == "" && name == "" {
				continue
			}
			n, err := strconv.Atoi(code)
			if err != nil || n <= 1 || n > 999 || name == "" {
				return nil, fmt.Errorf("%s row %d: bad %s %q (%q)", t.name, i+2, l[0], code, name)
			}
			if prev, ok := names[n]; ok && prev != name {
				return nil, fmt.Errorf("%s row %d: M49 region %d is both %q and %q", t.name, i+2, n, prev, name)
			}
			names[n] = name
		}
	}
	for code := range m49Renames {
		if _, ok := names[code]; !ok {
			return nil, fmt.Errorf("rename of unknown M49 region %d", code)
		}
	}
	var out []country
	for code, name := range names {
		display := firstNonEmpty(m49Renames[code], name)
		var extra []string
		if display == name {
			extra = append(extra, name+" (M49)")
		}
		out = append(out, country{iso3: fmt.Sprintf("M%03d", code), m49: code, comtrade: code, name: display,
			aggregate: true, aliases: aliases(display, extra)})
	}
	return out, nil
}

// aliases returns the distinct non-empty names other than name, sorted.
func aliases(name string, names []string) []string {
	var out []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && n != name && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// cleanUN drops UNTERM's editorial marks: "Bahamas (the)", "the Holy See *",
// "Cook Islands (the) **".
func cleanUN(s string) string {
	s = strings.TrimSpace(strings.TrimRight(s, "* "))
	s = strings.TrimSuffix(s, " (the)")
	return strings.TrimPrefix(s, "the ")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func hsCSV(src fs.FS) ([]byte, error) {
	sec, err := readTable(src, srcSections, "section", "name")
	if err != nil {
		return nil, err
	}
	hs, err := readTable(src, srcHS, "section", "hscode", "description", "level")
	if err != nil {
		return nil, err
	}

	type section struct{ code, name string }
	var sections []section
	known := make(map[string]bool)
	for i, row := range sec.rows {
		s := section{sec.get(row, "section"), capitalise(sec.get(row, "name"))}
		if roman(s.code) == 0 || s.name == "" || known[s.code] {
			return nil, fmt.Errorf("%s row %d: bad or repeated section %q", sec.name, i+2, s.code)
		}
		known[s.code] = true
		sections = append(sections, s)
	}
	slices.SortFunc(sections, func(a, b section) int { return roman(a.code) - roman(b.code) })

	var chapters [][]string
	seen := make(map[string]bool)
	for i, row := range hs.rows {
		if hs.get(row, "level") != "2" {
			continue
		}
		code, s := hs.get(row, "hscode"), hs.get(row, "section")
		if len(code) != 2 || strings.Trim(code, "0123456789") != "" || seen[code] {
			return nil, fmt.Errorf("%s row %d: bad or repeated chapter %q", hs.name, i+2, code)
		}
		seen[code] = true
		parent := []string{"HS-section", s}
		switch {
		case s == "TOTAL": // chapter 99, "commodities not specified according to kind"
			parent = []string{"TOTAL", "TOTAL"}
		case !known[s]:
			return nil, fmt.Errorf("%s row %d: chapter %s is in unknown section %q", hs.name, i+2, code, s)
		}
		chapters = append(chapters, append([]string{"HS", code, hs.get(row, "description")}, parent...))
	}
	slices.SortFunc(chapters, func(a, b []string) int { return strings.Compare(a[1], b[1]) })

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"classification", "code", "name", "parent_classification", "parent_code"})
	_ = w.Write([]string{"TOTAL", "TOTAL", "All goods", "", ""})
	for _, s := range sections {
		_ = w.Write([]string{"HS-section", s.code, s.name, "TOTAL", "TOTAL"})
	}
	for _, c := range chapters {
		_ = w.Write(c)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// capitalise upper-cases the first letter: the source has "live animals;
// animal products" beside "Vegetable products".
func capitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// roman is the value of a roman numeral up to 39 (HS has 21 sections), or 0.
func roman(s string) int {
	vals := map[byte]int{'I': 1, 'V': 5, 'X': 10}
	total := 0
	for i := 0; i < len(s); i++ {
		v := vals[s[i]]
		if v == 0 {
			return 0
		}
		if i+1 < len(s) && vals[s[i+1]] > v {
			total -= v
		} else {
			total += v
		}
	}
	return total
}
