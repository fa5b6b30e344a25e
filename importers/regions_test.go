package importers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"tradedash/data"
)

// regionPartners are partner cells of a long table, as files write them,
// with the key each must be stored under: countries, M49 regions (by name
// and by code), World Bank regions and the World.
var regionPartners = []struct {
	cell, key string
	aggregate bool
}{
	{"Russian Federation", "RUS", false},
	{"China", "CHN", false},
	{"India", "IND", false},
	{"Europe", "M150", true},
	{"Southern Asia", "M034", true},
	{"202", "M202", true},
	{"Latin America and the Caribbean", "M419", true},
	{"South Asia", "SAS", true},
	{"Sub-Saharan Africa", "SSF", true},
	{"East Asia & Pacific", "EAS", true},
	{"World", "WLD", true},
}

// sectionProducts are product cells with the product each must be.
var sectionProducts = []struct{ cell, key string }{
	{"TOTAL", "TOTAL:TOTAL"},
	{"Section XI: Textiles and textile articles", "HS-section:XI"},
	{"HS section XVI", "HS-section:XVI"},
}

// regionFigure is the synthetic figure the test file states for partner i
// and product j: made up here, not a trade statistic.
func regionFigure(i, j int) float64 { return float64(1000*(i+1) + 10*(j+1)) }

// TestImportRegionsAndSections imports a long CSV whose partners include
// regions and whose products are written-out HS sections, through the
// store, and checks that each region is stored as its own aggregate,
// listed apart from the ranked countries, with all its rows.
func TestImportRegionsAndSections(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("Reporter,Partner,Year,Flow,Commodity,Value (US$)\n")
	for i, p := range regionPartners {
		for j, pr := range sectionProducts {
			fmt.Fprintf(&b, "Pakistan,%q,2020,Export,%q,%.0f\n", p.cell, pr.cell, regionFigure(i, j))
		}
	}
	ctx := context.Background()
	s := mustStore(t)
	d, err := Import(ctx, s, "regions.csv", strings.NewReader(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(regionPartners) * len(sectionProducts); d.RowCount != int64(want) {
		t.Errorf("%d rows stored, want %d", d.RowCount, want)
	}

	// The partner ranking: countries largest first, then the regions,
	// flagged; the World apart as the total.
	r, err := s.Partners(ctx, data.PartnersQuery{Reporter: "PAK", Flow: data.Export, Period: data.Year(2020)})
	if err != nil {
		t.Fatal(err)
	}
	if !r.World.Known || r.World.Value != regionFigure(len(regionPartners)-1, 0) || r.ShareOf != "World" {
		t.Errorf("World = %+v, shares of %q", r.World, r.ShareOf)
	}
	var order []string
	for _, p := range r.Partners {
		order = append(order, p.Partner)
	}
	// Countries by value (the file's later rows are larger), then aggregates.
	wantOrder := []string{"IND", "CHN", "RUS", "EAS", "SSF", "SAS", "M419", "M202", "M034", "M150"}
	if strings.Join(order, " ") != strings.Join(wantOrder, " ") {
		t.Errorf("partners in order %q, want %q", order, wantOrder)
	}
	for i, p := range regionPartners {
		if p.key == "WLD" {
			continue
		}
		for _, got := range r.Partners {
			if got.Partner != p.key {
				continue
			}
			if got.Aggregate != p.aggregate || got.Figure.Value != regionFigure(i, 0) {
				t.Errorf("partner %q: %s aggregate %v figure %v; want aggregate %v figure %v",
					p.cell, got.Partner, got.Aggregate, got.Figure.Value, p.aggregate, regionFigure(i, 0))
			}
		}
	}

	// Every partner, aggregates included, has its row for each product:
	// the sections are the reference's HS sections, not free text.
	products := make([]data.Product, len(sectionProducts))
	for j, pr := range sectionProducts {
		p, err := data.ParseProduct(pr.key)
		if err != nil {
			t.Fatal(err)
		}
		products[j] = p
	}
	pt, err := s.Products(ctx, data.ProductsQuery{Reporter: "PAK", Products: products, Flow: data.Export})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{}
	for _, sr := range pt.Series {
		if len(sr.Figures) != 1 || !sr.Figures[0].Known {
			t.Errorf("%s %s: figures %+v", sr.Partner, sr.Product.Key(), sr.Figures)
			continue
		}
		i := slicesIndex(sr.Partner)
		j := productIndex(sr.Product.Key())
		if i < 0 || j < 0 || sr.Figures[0].Value != regionFigure(i, j) || sr.Aggregate != regionPartners[i].aggregate {
			t.Errorf("series %s %s = %v (aggregate %v)", sr.Partner, sr.Product.Key(), sr.Figures[0].Value, sr.Aggregate)
			continue
		}
		rows[sr.Partner]++
	}
	for _, p := range regionPartners {
		if rows[p.key] != len(sectionProducts) {
			t.Errorf("%s (%q): %d rows, want %d", p.key, p.cell, rows[p.key], len(sectionProducts))
		}
	}
	if name := pt.Products[1].Name; !strings.HasPrefix(name, "Textiles") {
		t.Errorf("section XI is named %q, want the reference's name", name)
	}
	// The chart of one product's top partners ranks countries only and
	// sums only countries into "other partners".
	pt, err = s.Products(ctx, data.ProductsQuery{Reporter: "PAK", Products: products[1:2], Flow: data.Export})
	if err != nil {
		t.Fatal(err)
	}
	top, other, world := pt.TopPartners(2)
	if world == nil || len(top) != 2 || top[0].Partner != "IND" || top[1].Partner != "CHN" || other == nil {
		t.Fatalf("TopPartners(2) = %+v, %+v, %+v", top, other, world)
	}
	if want := regionFigure(0, 1); other.Figures[0].Value != want {
		t.Errorf("other partners = %v, want only RUS's %v: regions must not be summed in", other.Figures[0].Value, want)
	}
}

func slicesIndex(key string) int {
	for i, p := range regionPartners {
		if p.key == key {
			return i
		}
	}
	return -1
}

func productIndex(key string) int {
	for j, p := range sectionProducts {
		if p.key == key {
			return j
		}
	}
	return -1
}

// TestPartsRegionsAreGroups: regions overlap the countries, so the
// parts-versus-total check leaves them out of the sum of parts. World 100
// = China 60 + Areas, nes 40 (synthetic figures); Europe, South Asia and
// M49's Sub-Saharan Africa are listed too and must not make a difference.
func TestPartsRegionsAreGroups(t *testing.T) {
	t.Parallel()
	ref := mustReference(t)
	in := "reporter,partner,period,flow,product,value\nIND,World,2022,export,TOTAL,100\nIND,China,2022,export,TOTAL,60\n" +
		"IND,\"Areas, nes\",2022,export,TOTAL,40\nIND,Europe,2022,export,TOTAL,70\nIND,South Asia,2022,export,TOTAL,20\nIND,202,2022,export,TOTAL,5\n"
	rep, err := Check(context.Background(), ref, "g.csv", strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := partsWarnings(rep); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	// With China at 90 the countries exceed the World by 30: the check
	// still warns with regions present (a shortfall does not warn: a long
	// file may list some partners only), and only the 30 is reported.
	in = strings.Replace(in, "China,2022,export,TOTAL,60", "China,2022,export,TOTAL,90", 1)
	if rep, err = Check(context.Background(), ref, "g.csv", strings.NewReader(in), Options{}); err != nil {
		t.Fatal(err)
	}
	if w := partsWarnings(rep); len(w) != 1 || !strings.Contains(w[0], "(30 US$ more") {
		t.Errorf("warnings %q, want one for the excess of 30", w)
	}
}

// TestSectionThroughClassification: with a classification column saying
// HS-section, the written-out form is read as well as the bare numeral.
func TestSectionThroughClassification(t *testing.T) {
	t.Parallel()
	in := "reporter,partner,year,flow,product classification,product code,value\n" +
		"PAK,RUS,2020,export,HS-section,Section XI: Textiles,1\n" +
		"PAK,RUS,2020,export,HS section,xvi,2\n" +
		"PAK,RUS,2020,export,sector,Section XI,3\n"
	p, err := parse(t, "class.csv", []byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range p.obs {
		got = append(got, o.Product.Key())
	}
	// An explicit "sector" is kept as the file says.
	if want := "HS-section:XI HS-section:XVI sector:Section XI"; strings.Join(got, " ") != want {
		t.Errorf("products %q, want %q", got, want)
	}
}
