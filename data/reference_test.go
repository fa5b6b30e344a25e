package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReferenceCountryLookup(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	tests := []struct{ in, want string }{
		// ISO3 and ISO2, any case.
		{"RUS", "RUS"}, {"rus", "RUS"}, {"PK", "PAK"}, {"pk", "PAK"}, {" IND ", "IND"},
		{"WLD", "WLD"}, {"x899", "X899"}, {"X097", "X097"},
		// ISO numeric / M49, with and without leading zeros.
		{"4", "AFG"}, {"004", "AFG"}, {"643", "RUS"}, {"586", "PAK"}, {"356", "IND"},
		{"840", "USA"}, {"250", "FRA"}, {"380", "ITA"}, {"578", "NOR"}, {"756", "CHE"}, {"158", "TWN"},
		{"1", "WLD"}, {"001", "WLD"},
		// UN Comtrade's own codes.
		{"699", "IND"}, {"842", "USA"}, {"251", "FRA"}, {"381", "ITA"}, {"579", "NOR"}, {"757", "CHE"},
		{"490", "TWN"}, {"0", "WLD"}, {"000", "WLD"}, {"899", "X899"}, {"97", "X097"}, {"837", "X837"},
		// Names, whatever the case, accents, punctuation and spacing.
		{"Russia", "RUS"}, {"russian federation", "RUS"}, {"Russian  Federation", "RUS"},
		{"TURKIYE", "TUR"}, {"Türkiye", "TUR"}, {"Turkey", "TUR"},
		{"Korea, Rep.", "KOR"}, {"Republic of Korea", "KOR"}, {"Rep. of Korea", "KOR"}, {"South Korea", "KOR"},
		{"Korea, Dem. People's Rep.", "PRK"}, {"Dem. People's Rep. of Korea", "PRK"},
		{"China, Hong Kong SAR", "HKG"}, {"Hong Kong, China", "HKG"}, {"China, Macao SAR", "MAC"},
		{"Iran, Islamic Rep.", "IRN"}, {"Egypt, Arab Rep.", "EGY"},
		{"Viet Nam", "VNM"}, {"Vietnam", "VNM"},
		{"USA", "USA"}, {"United States", "USA"}, {"United States of America", "USA"}, {"U.S.A.", "USA"},
		{"UK", "GBR"}, {"United Kingdom", "GBR"},
		{"Czechia", "CZE"}, {"Czech Republic", "CZE"}, {"Slovakia", "SVK"}, {"Slovak Republic", "SVK"},
		{"Lao PDR", "LAO"}, {"Syria", "SYR"}, {"Syrian Arab Republic", "SYR"},
		{"Venezuela, RB", "VEN"}, {"Yemen, Rep.", "YEM"}, {"Bolivia (Plurinational State of)", "BOL"},
		{"Tanzania", "TZA"}, {"United Rep. of Tanzania", "TZA"},
		{"Côte d'Ivoire", "CIV"}, {"Cote d'Ivoire", "CIV"}, {"Côte d’Ivoire", "CIV"}, {"COTE D'IVOIRE", "CIV"},
		{"Co\u0302te d'Ivoire", "CIV"}, // decomposed accent
		{"Moldova", "MDA"}, {"Rep. of Moldova", "MDA"}, {"Bosnia Herzegovina", "BIH"},
		{"Dominican Rep.", "DOM"}, {"Central African Rep.", "CAF"},
		{"Dem. Rep. of the Congo", "COD"}, {"Congo, Dem. Rep.", "COD"}, {"Congo, Rep.", "COG"}, {"Congo", "COG"},
		{"Kyrgyz Republic", "KGZ"}, {"Micronesia, Fed. Sts.", "FSM"}, {"Micronesia", "FSM"},
		{"St. Kitts and Nevis", "KNA"}, {"St. Lucia", "LCA"}, {"St. Vincent and the Grenadines", "VCT"},
		{"Gambia, The", "GMB"}, {"Bahamas, The", "BHS"}, {"Eswatini", "SWZ"}, {"Swaziland", "SWZ"},
		{"North Macedonia", "MKD"}, {"TFYR of Macedonia", "MKD"}, {"Cabo Verde", "CPV"}, {"Cape Verde", "CPV"},
		{"Taiwan", "TWN"}, {"Other Asia, nes", "TWN"}, {"Chinese Taipei", "TWN"},
		{"Brunei Darussalam", "BRN"}, {"Turks and Caicos Isds", "TCA"}, {"Solomon Isds", "SLB"},
		{"Marshall Isds", "MHL"}, {"Cayman Isds", "CYM"}, {"Cook Isds", "COK"}, {"Faeroe Isds", "FRO"},
		{"Falkland Isds (Malvinas)", "FLK"}, {"Wallis and Futuna Isds", "WLF"},
		{"Antigua & Barbuda", "ATG"}, {"antigua and barbuda", "ATG"}, {"São Tomé & Príncipe", "STP"},
		{"ÅLAND ISLANDS", "ALA"}, {"Curacao", "CUW"}, {"Réunion", "REU"}, {"China P Rp", "CHN"},
		// Names in the UN's other official languages, as statistics
		// offices publish them, articles dropped.
		{"Россия", "RUS"}, {"Российская Федерация", "RUS"}, {"российская федерация", "RUS"},
		{"Пакистан", "PAK"}, {"Индия", "IND"}, {"Китай", "CHN"}, {"巴基斯坦", "PAK"}, {"俄罗斯联邦", "RUS"},
		{"باكستان", "PAK"}, {"الهند", "IND"}, {"Pakistán", "PAK"}, {"Federación de Rusia", "RUS"},
		{"Fédération de Russie", "RUS"}, {"Inde", "IND"}, {"Chine", "CHN"}, {"Allemagne", "DEU"},
		// Aggregates.
		{"World", "WLD"}, {"All partners", "WLD"}, {"Areas, nes", "X899"}, {"Areas nes", "X899"},
		{"Areas, not elsewhere specified", "X899"}, {"EU-28", "X097"}, {"European Union", "X097"},
		{"Bunkers", "X837"}, {"Free Zones", "X838"}, {"Special Categories", "X839"},
		{"Europe EFTA, nes", "X697"}, {"Western Asia, nes", "X879"},
	}
	for _, tt := range tests {
		got, err := r.Country(tt.in)
		if err != nil {
			t.Errorf("Country(%q): %v", tt.in, err)
			continue
		}
		if got.ISO3 != tt.want {
			t.Errorf("Country(%q) = %s (%s), want %s", tt.in, got.ISO3, got.Name, tt.want)
		}
	}
}

func TestReferenceCountryNotFound(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	for _, in := range []string{"", "  ", "Atlantis", "999", "12345", "-4", "Korea", "Virgin Islands", "4.0"} {
		_, err := r.Country(in)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Country(%q) error = %v, want ErrNotFound", in, err)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("Country(%q) error %q does not quote the input", in, err)
		}
	}
}

func TestReferenceCountryFields(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	tests := []Country{
		{ISO3: "IND", ISO2: "IN", M49: 356, ComtradeCode: 699, Name: "India"},
		{ISO3: "USA", ISO2: "US", M49: 840, ComtradeCode: 842, Name: "United States"},
		{ISO3: "TWN", ISO2: "TW", M49: 158, ComtradeCode: 490, Name: "Taiwan"},
		{ISO3: "PAK", ISO2: "PK", M49: 586, ComtradeCode: 586, Name: "Pakistan"},
		{ISO3: "WLD", M49: 1, ComtradeCode: 0, Name: "World", Aggregate: true},
		{ISO3: "X899", M49: -1, ComtradeCode: 899, Name: "Areas, nes", Aggregate: true},
	}
	for _, want := range tests {
		got, err := r.Country(want.ISO3)
		if err != nil {
			t.Fatal(err)
		}
		got.Aliases = nil
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Country(%s) mismatch (-want +got):\n%s", want.ISO3, diff)
		}
	}
	rus, _ := r.Country("RUS")
	if !slices.Contains(rus.Aliases, "Russian Federation") {
		t.Errorf("RUS aliases %q lack Russian Federation", rus.Aliases)
	}
	rus.Aliases[0] = "changed"
	if again, _ := r.Country("RUS"); slices.Contains(again.Aliases, "changed") {
		t.Error("changing a returned country's aliases changed the reference")
	}
}

func TestReferenceCountries(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	all := r.Countries()
	var countries, aggregates int
	seen := make(map[string]bool)
	for i, c := range all {
		if seen[c.ISO3] {
			t.Errorf("%s listed twice", c.ISO3)
		}
		seen[c.ISO3] = true
		if c.Aggregate {
			aggregates++
			if c.ISO2 != "" {
				t.Errorf("aggregate %s has ISO2 %q", c.ISO3, c.ISO2)
			}
		} else {
			countries++
			if len(c.ISO3) != 3 || len(c.ISO2) != 2 || c.M49 <= 0 || c.ComtradeCode <= 0 {
				t.Errorf("country %+v lacks a code", c)
			}
		}
		if i > 0 && normalizeName(all[i-1].Name) > normalizeName(c.Name) {
			t.Errorf("not sorted by name: %q before %q", all[i-1].Name, c.Name)
		}
		// Every name and alias resolves to its own country.
		for _, n := range append([]string{c.Name, c.ISO3}, c.Aliases...) {
			if got, err := r.Country(n); err != nil || got.ISO3 != c.ISO3 {
				t.Errorf("Country(%q) = %s, %v; want %s", n, got.ISO3, err, c.ISO3)
			}
		}
	}
	if countries != 249 {
		t.Errorf("%d countries and territories, want 249", countries)
	}
	for _, k := range []string{"WLD", "X899", "X097"} {
		if !seen[k] {
			t.Errorf("aggregate %s missing", k)
		}
	}
	if aggregates < 2 {
		t.Errorf("only %d aggregates", aggregates)
	}
	wld, err := r.Country("WLD")
	if err != nil || !wld.Aggregate {
		t.Errorf("WLD = %+v, %v; want an aggregate", wld, err)
	}
}

// TestReferenceCountryCollisions checks that a key meaning two countries is
// refused at load time (the embedded lists load, so they have none).
func TestReferenceCountryCollisions(t *testing.T) {
	t.Parallel()
	const header = "iso3,iso2,m49,comtrade_code,name,aggregate,aliases\n"
	hs := []byte("classification,code,name,parent_classification,parent_code\nTOTAL,TOTAL,All goods,,\n")
	tests := map[string]string{
		"alias":          "AAA,AA,1,1,Alpha,0,Shared\nBBB,BB,2,2,Beta,0,shared!\n",
		"name and alias": "AAA,AA,1,1,Alpha,0,\nBBB,BB,2,2,Beta,0,ÁLPHA\n",
		"alias and iso":  "AAA,AA,1,1,Alpha,0,\nBBB,BB,2,2,Beta,0,aa\n",
		"numeric":        "AAA,AA,1,1,Alpha,0,\nBBB,BB,2,1,Beta,0,\n",
	}
	for name, countries := range tests {
		if _, err := newReference([]byte(header+countries), hs); err == nil {
			t.Errorf("%s: collision not detected", name)
		}
	}
	if _, err := newReference([]byte(header+"AAA,AA,1,1,Alpha,0,Alfa|alpha\n"), hs); err != nil {
		t.Errorf("aliases of one country: %v", err)
	}
}

func TestReferenceProducts(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	all := r.Products()
	if diff := cmp.Diff(TotalProduct, all[0]); diff != "" {
		t.Errorf("first product is not TotalProduct (-want +got):\n%s", diff)
	}
	var sections, chapters []string
	for _, p := range all {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.Key(), err)
		}
		if got, err := r.Product(p.Classification, p.Code); err != nil || got != p {
			t.Errorf("Product(%s) = %+v, %v", p.Key(), got, err)
		}
		if p.ParentClassification != "" {
			if _, err := r.Product(p.ParentClassification, p.ParentCode); err != nil {
				t.Errorf("%s: parent: %v", p.Key(), err)
			}
		}
		switch p.Classification {
		case HSSection:
			sections = append(sections, p.Code)
		case HS:
			chapters = append(chapters, p.Code)
		}
	}
	wantSections := []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
		"XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI"}
	if diff := cmp.Diff(wantSections, sections); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	// HS 2022 has chapters 01-97 except 77 (reserved), and 99 (national use);
	// 98 is not in the source.
	var wantChapters []string
	for i := 1; i <= 99; i++ {
		if i != 77 && i != 98 {
			wantChapters = append(wantChapters, fmt.Sprintf("%02d", i))
		}
	}
	if diff := cmp.Diff(wantChapters, chapters); diff != "" {
		t.Errorf("chapters (-want +got):\n%s", diff)
	}
	if n := len(all); n != 1+21+97 {
		t.Errorf("%d products, want 119", n)
	}
}

func TestReferenceProduct(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	tests := []struct {
		c    ProductClassification
		code string
		want Product
	}{
		{HS, "8", Product{HS, "08", "Fruit and nuts, edible; peel of citrus fruit or melons", HSSection, "II"}},
		{HS, "08", Product{HS, "08", "Fruit and nuts, edible; peel of citrus fruit or melons", HSSection, "II"}},
		{HS, " 27 ", Product{HS, "27", "Mineral fuels, mineral oils and products of their distillation; bituminous substances; mineral waxes", HSSection, "V"}},
		{HS, "99", Product{HS, "99", "Commodities not specified according to kind", Total, "TOTAL"}},
		{HSSection, "xi", Product{HSSection, "XI", "Textiles and textile articles", Total, "TOTAL"}},
		{HSSection, "I", Product{HSSection, "I", "Live animals; animal products", Total, "TOTAL"}},
		{Total, "total", TotalProduct},
	}
	for _, tt := range tests {
		got, err := r.Product(tt.c, tt.code)
		if err != nil {
			t.Errorf("Product(%s, %q): %v", tt.c, tt.code, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Product(%s, %q) mismatch (-want +got):\n%s", tt.c, tt.code, diff)
		}
	}
	for _, tt := range []struct {
		c    ProductClassification
		code string
	}{{HS, "77"}, {HS, "98"}, {HS, "0801"}, {HS, ""}, {HS, "x"}, {HSSection, "XXII"}, {Sector, "Textiles"}, {"CPC", "01"}} {
		if _, err := r.Product(tt.c, tt.code); !errors.Is(err, ErrNotFound) {
			t.Errorf("Product(%s, %q) error = %v, want ErrNotFound", tt.c, tt.code, err)
		}
	}
}

// TestReferenceCountryComtradeNames checks every reporter and partner in real
// UN Comtrade legacy files: its name and its code resolve to the country
// whose ISO3 the file gives. Rows without an ISO3 ("Other Asia, nes",
// "Areas, nes") must resolve by name and code to the same place.
func TestReferenceCountryComtradeNames(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	for _, file := range []string{
		"../../shared/data/ictd/Ind_Ex_Im_Countrywise_2019-20.csv",
		"../../shared/data/ictd/abcd.csv",
	} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatalf("the shared data folder is needed: %v", err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		col := make(map[string]int)
		for i, h := range rows[0] {
			col[h] = i
		}
		checked := make(map[string]bool)
		for _, row := range rows[1:] {
			for _, who := range []string{"Reporter", "Partner"} {
				code, name, iso := row[col[who+" Code"]], row[col[who]], row[col[who+" ISO"]]
				if checked[code+"|"+name+"|"+iso] {
					continue
				}
				checked[code+"|"+name+"|"+iso] = true
				byName, err := r.Country(name)
				if err != nil {
					t.Errorf("%s %q (%s): %v", who, name, iso, err)
					continue
				}
				byCode, err := r.Country(code)
				if err != nil {
					t.Errorf("%s code %s (%s): %v", who, code, name, err)
					continue
				}
				want := iso
				if want == "" {
					want = byCode.ISO3
				}
				if byName.ISO3 != want || byCode.ISO3 != want {
					t.Errorf("%s %q / code %s resolve to %s / %s, want %s", who, name, code, byName.ISO3, byCode.ISO3, want)
				}
			}
		}
		if len(checked) < 90 {
			t.Errorf("%s: only %d names checked", file, len(checked))
		}
	}
	for name, want := range map[string]string{"Other Asia, nes": "TWN", "Areas, nes": "X899", "World": "WLD"} {
		if got, err := r.Country(name); err != nil || got.ISO3 != want {
			t.Errorf("Country(%q) = %s, %v; want %s", name, got.ISO3, err, want)
		}
	}
}

func BenchmarkReferenceCountry(b *testing.B) {
	r := mustReference(b)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = r.Country("Korea, Rep.")
	}
}

func BenchmarkLoadReference(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadReference(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReferenceRegions checks the M49 and World Bank regions: each is an
// aggregate reachable by its key, its M49 code (M49 only) and its names,
// and the names both lists use resolve as data/reference/NOTICE.md says.
func TestReferenceRegions(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	tests := []struct{ in, want string }{
		// M49 regions and sub-regions, by code (with or without zeros),
		// key and name.
		{"150", "M150"}, {"002", "M002"}, {"2", "M002"}, {"019", "M019"}, {"142", "M142"}, {"9", "M009"},
		{"034", "M034"}, {"151", "M151"}, {"202", "M202"}, {"419", "M419"}, {"029", "M029"},
		{"M150", "M150"}, {"m002", "M002"},
		{"Europe", "M150"}, {"Asia", "M142"}, {"Africa", "M002"}, {"Americas", "M019"}, {"Oceania", "M009"},
		{"Southern Asia", "M034"}, {"Eastern Europe", "M151"}, {"South-eastern Asia", "M035"},
		{"Latin America and the Caribbean", "M419"}, {"Northern America", "M021"}, {"Caribbean", "M029"},
		{"Sub-Saharan Africa (M49)", "M202"}, {"Micronesia (M49)", "M057"}, {"Europe (M49)", "M150"},
		// World Bank regions, by WITS code and name.
		{"EAS", "EAS"}, {"ECS", "ECS"}, {"LCN", "LCN"}, {"MEA", "MEA"}, {"NAC", "NAC"}, {"SAS", "SAS"}, {"SSF", "SSF"},
		{"East Asia & Pacific", "EAS"}, {"East Asia and Pacific", "EAS"}, {"Europe & Central Asia", "ECS"},
		{"Latin America & Caribbean", "LCN"}, {"Middle East & North Africa", "MEA"}, {"North America", "NAC"},
		{"South Asia", "SAS"}, {"South Asia (World Bank)", "SAS"}, {"Sub-Saharan Africa (all income levels)", "SSF"},
		// A bare name both lists use means the World Bank region.
		{"Sub-Saharan Africa", "SSF"}, {"sub saharan africa", "SSF"}, {"Sub-Saharan Africa (World Bank)", "SSF"},
		// Names that stay with what they meant before the regions.
		{"Micronesia", "FSM"}, {"Eastern Europe, nes", "X221"}, {"Oceania, nes", "X527"}, {"Caribbean, nes", "X129"},
		{"World", "WLD"}, {"1", "WLD"},
	}
	for _, tt := range tests {
		got, err := r.Country(tt.in)
		if err != nil {
			t.Errorf("Country(%q): %v", tt.in, err)
			continue
		}
		if got.ISO3 != tt.want {
			t.Errorf("Country(%q) = %s (%s), want %s", tt.in, got.ISO3, got.Name, tt.want)
		}
		if !got.Aggregate && tt.want != "FSM" {
			t.Errorf("Country(%q) = %s is not an aggregate", tt.in, got.ISO3)
		}
	}
	for _, want := range []Country{
		{ISO3: "M150", M49: 150, ComtradeCode: 150, Name: "Europe", Aggregate: true},
		{ISO3: "M202", M49: 202, ComtradeCode: 202, Name: "Sub-Saharan Africa (M49)", Aggregate: true},
		{ISO3: "SSF", M49: -1, ComtradeCode: -1, Name: "Sub-Saharan Africa", Aggregate: true},
	} {
		got, err := r.Country(want.ISO3)
		if err != nil {
			t.Fatal(err)
		}
		got.Aliases = nil
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Country(%s) mismatch (-want +got):\n%s", want.ISO3, diff)
		}
	}
	var m49, wb int
	for _, c := range r.Countries() {
		switch {
		case strings.HasPrefix(c.ISO3, "M") && len(c.ISO3) == 4:
			m49++
		case slices.Contains([]string{"EAS", "ECS", "LCN", "MEA", "NAC", "SAS", "SSF"}, c.ISO3):
			wb++
		}
	}
	// The source file's regions, sub-regions and intermediate regions.
	if m49 != 29 || wb != 7 {
		t.Errorf("%d M49 regions and %d World Bank regions, want 29 and 7", m49, wb)
	}
}

// TestReferenceNoCollisions checks the whole embedded list, countries and
// aggregates together: no key, ISO2 code, name or alias (folded as lookups
// fold them) and no numeric code belongs to two entries. The loader
// refuses such a list too; this check is independent of it and names every
// collision at once.
func TestReferenceNoCollisions(t *testing.T) {
	t.Parallel()
	all := mustReference(t).Countries()
	for _, c := range collisions(all) {
		t.Error(c)
	}
	// The check itself finds what it is meant to find.
	bad := []Country{
		{ISO3: "FSM", ISO2: "FM", M49: 583, ComtradeCode: 583, Name: "Micronesia, Fed. Sts.", Aliases: []string{"Micronesia"}},
		{ISO3: "M057", M49: 57, ComtradeCode: -1, Name: "Micronesia", Aggregate: true},
		{ISO3: "SSF", M49: -1, ComtradeCode: -1, Name: "Sub-Saharan Africa", Aggregate: true},
		{ISO3: "M202", M49: 202, ComtradeCode: -1, Name: "Sub Saharan  AFRICA", Aggregate: true},
		{ISO3: "M150", M49: 150, ComtradeCode: -1, Name: "Europe", Aggregate: true},
		{ISO3: "X150", M49: -1, ComtradeCode: 150, Name: "Europe, nes", Aggregate: true, Aliases: []string{"m150", "007"}},
	}
	got := collisions(bad)
	for _, want := range []string{`"micronesia" means both FSM and M057`, `"sub saharan africa" means both SSF and M202`,
		`code 150 means both M150 and X150`, `"m150" means both M150 and X150`, `X150: name "007" is all digits`} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("collisions of a bad list = %q, lacks %q", got, want)
		}
	}
}

// collisions lists every key, name, alias or numeric code of cs that two
// entries claim, and every name that Country would read as a code.
func collisions(cs []Country) []string {
	var out []string
	owner := make(map[string]string)
	claim := func(kind, k, iso3 string) {
		if k == "" {
			return
		}
		if prev, ok := owner[kind+k]; ok && prev != iso3 {
			out = append(out, fmt.Sprintf("%s %s means both %s and %s", kind, k, prev, iso3))
			return
		}
		owner[kind+k] = iso3
	}
	for _, c := range cs {
		claim("key", strconv.Quote(strings.ToLower(c.ISO3)), c.ISO3)
		if c.ISO2 != "" {
			claim("key", strconv.Quote(strings.ToLower(c.ISO2)), c.ISO3)
		}
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			k := normalizeName(n)
			if strings.Trim(k, "0123456789") == "" {
				out = append(out, fmt.Sprintf("%s: name %q is all digits, so Country reads it as a code", c.ISO3, n))
				continue
			}
			claim("key", strconv.Quote(k), c.ISO3)
		}
		for _, n := range []int{c.M49, c.ComtradeCode} {
			if n >= 0 {
				claim("code", strconv.Itoa(n), c.ISO3)
			}
		}
	}
	return out
}

func TestReferenceGroup(t *testing.T) {
	t.Parallel()
	r := mustReference(t)
	for key, want := range map[string]bool{
		"WLD": true, "X097": true, "M150": true, "M202": true, "SSF": true, "EAS": true, "M419": true,
		"X899": false, "X837": false, "X536": false, "X221": false, "X129": false, "PAK": false, "TWN": false,
	} {
		c, err := r.Country(key)
		if err != nil {
			t.Fatal(err)
		}
		if c.Group() != want || r.groupISO3(key) != want {
			t.Errorf("%s (%s): Group() = %v, groupISO3 = %v; want %v", key, c.Name, c.Group(), r.groupISO3(key), want)
		}
	}
	if r.groupISO3("m150") || r.groupISO3("Europe") {
		t.Error("groupISO3 takes keys only")
	}
}
