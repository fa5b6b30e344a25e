package data

import (
	"context"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompareTwoPeriodsBySector(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	fy20, fy21 := Fiscal(2020, 4), Fiscal(2021, 4)
	sector := func(p Period, v float64, code string) Observation {
		o := obs("IND", "RUS", p, Export, v, code)
		o.Product = Product{Classification: Sector, Code: code, Name: code}
		return o
	}
	if _, err := importAll(ctx, s, testDataset("pharmexcil"), []Observation{
		sector(fy20, 590.8e6, "pharmaceuticals"),
		sector(fy21, 597e6, "pharmaceuticals"),
		sector(fy20, 10, "only-in-a"),
		sector(fy21, 3, "falls"),
		sector(fy20, 5, "falls"),
		obs("IND", "RUS", fy20, Export, 2.5e9, "total a"),
		obs("IND", "RUS", fy21, Export, 3.25e9, "total b"),
		sector(Year(2021), 1, "a calendar year is not compared"),
	}); err != nil {
		t.Fatal(err)
	}
	bds, err := s.Sectors(ctx, BilateralQuery{Reporter: "IND", Partner: "RUS"})
	if err != nil {
		t.Fatal(err)
	}
	got := Compare(bds, fy20, fy21)
	if len(got) != 1 {
		t.Fatalf("%d comparisons, want 1: %+v", len(got), got)
	}
	c := got[0]
	if !c.Total.Known || c.Total.Delta != 0.75e9 || math.Abs(c.Total.Pct-30) > 1e-9 {
		t.Errorf("total change = %+v", c.Total)
	}
	var order []string
	for _, s := range c.Sectors {
		order = append(order, s.Product.Code)
	}
	if len(order) != 3 || order[0] != "pharmaceuticals" || order[1] != "falls" || order[2] != "only-in-a" {
		t.Fatalf("order = %v, want rise, fall, then the sector with one period only", order)
	}
	if p := c.Sectors[0]; math.Abs(p.Delta-6.2e6) > 1e-3 || !p.Known {
		t.Errorf("pharmaceuticals change = %+v", p)
	}
	if p := c.Sectors[2]; p.Known || !p.A.Known || p.B.Known {
		t.Errorf("a sector missing from period b must not count as zero: %+v", p)
	}
	if got := Compare(bds, fy20, Year(2021)); len(got) != 0 {
		t.Errorf("a fiscal year against a calendar year: %+v", got)
	}
}

func TestClassificationLevels(t *testing.T) {
	sec := Product{Classification: HSSection, Code: "II", Name: "Vegetable products"}
	ch := Product{Classification: HS, Code: "10", Name: "Cereals"}
	head := Product{Classification: HS, Code: "1001", Name: "Wheat and meslin"}
	other := Product{Classification: Sector, Code: "pharma", Name: "pharmaceuticals"}
	fig := func(v float64) Figure { return Figure{Known: true, Value: v, Bound: Exact} }
	// Generated figures, not real trade.
	bds := []SectorBreakdown{
		{DatasetID: 1, Period: Year(2020), Sectors: []SectorFigure{{Product: sec, Figure: fig(100)}, {Product: ch, Figure: fig(60)}, {Product: head, Figure: fig(40)}, {Product: other, Figure: fig(7)}}},
		{DatasetID: 1, Period: Year(2021), Sectors: []SectorFigure{{Product: other, Figure: fig(9)}}},
	}
	for _, tt := range []struct {
		level ClassificationLevel
		want  []string
		sum   float64
	}{
		{"", []string{"HS-section:II", "HS:10", "HS:1001", "sector:pharma", "sector:pharma"}, 0},
		{LevelSection, []string{"HS-section:II"}, 100},
		{LevelChapter, []string{"HS:10"}, 60},
		{LevelHeading, []string{"HS:1001"}, 40},
	} {
		var got []string
		out := AtLevel(bds, tt.level)
		for _, bd := range out {
			for _, s := range bd.Sectors {
				got = append(got, s.Product.Key())
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("level %q (-want +got):\n%s", tt.level, diff)
		}
		if tt.level != "" && (len(out) != 1 || out[0].Sum != tt.sum) {
			t.Errorf("level %q: %d breakdowns, sum %v; a breakdown with nothing at the level is dropped, and the sum is of the kept products", tt.level, len(out), tt.sum)
		}
	}
	if diff := cmp.Diff(ClassificationLevels, LevelsIn(bds)); diff != "" {
		t.Errorf("levels (-want +got):\n%s", diff)
	}
	if got := LevelsIn(bds[1:]); len(got) != 0 {
		t.Errorf("a sector list has no HS level: %v", got)
	}
	for in, want := range map[string]ClassificationLevel{"": "", "Chapter": LevelChapter, " heading ": LevelHeading} {
		if got, err := ParseClassificationLevel(in); err != nil || got != want {
			t.Errorf("ParseClassificationLevel(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseClassificationLevel("subheading"); !errors.Is(err, ErrInvalid) {
		t.Errorf("subheading: %v, want ErrInvalid", err)
	}
}

// TestOneLevelNeverNests: a source stating a section, one of its chapters
// and one of that chapter's headings must not have the same goods counted
// three times; by default each dataset is compared at the coarsest level
// it states, in both periods alike.
func TestOneLevelNeverNests(t *testing.T) {
	sec := Product{Classification: HSSection, Code: "II", Name: "Vegetable products"}
	ch := Product{Classification: HS, Code: "10", Name: "Cereals"}
	head := Product{Classification: HS, Code: "1001", Name: "Wheat and meslin"}
	pharma := Product{Classification: Sector, Code: "pharma", Name: "pharmaceuticals"}
	fig := func(v float64) Figure { return Figure{Known: true, Value: v, Bound: Exact} }
	// Generated figures, not real trade.
	bds := []SectorBreakdown{
		{DatasetID: 1, Period: Year(2020), Sectors: []SectorFigure{{Product: sec, Figure: fig(100)}, {Product: ch, Figure: fig(60)}, {Product: head, Figure: fig(40)}}},
		// The later period states no section: it is dropped rather than
		// compared at another level than the first.
		{DatasetID: 1, Period: Year(2021), Sectors: []SectorFigure{{Product: ch, Figure: fig(70)}, {Product: head, Figure: fig(45)}}},
		{DatasetID: 1, Period: Year(2022), Sectors: []SectorFigure{{Product: sec, Figure: fig(120)}, {Product: ch, Figure: fig(75)}}},
		{DatasetID: 2, Period: Year(2020), Sectors: []SectorFigure{{Product: pharma, Figure: fig(7)}}},
	}
	keys := func(out []SectorBreakdown) []string {
		var got []string
		for _, bd := range out {
			for _, s := range bd.Sectors {
				got = append(got, strconv.FormatInt(bd.DatasetID, 10)+" "+bd.Period.Label()+" "+s.Product.Key())
			}
		}
		return got
	}
	want := []string{"1 2020 HS-section:II", "1 2022 HS-section:II", "2 2020 sector:pharma"}
	if diff := cmp.Diff(want, keys(OneLevel(bds, ""))); diff != "" {
		t.Errorf("default level (-want +got):\n%s", diff)
	}
	want = []string{"1 2020 HS:10", "1 2021 HS:10", "1 2022 HS:10"}
	if diff := cmp.Diff(want, keys(OneLevel(bds, LevelChapter))); diff != "" {
		t.Errorf("chapters (-want +got):\n%s", diff)
	}
	c := Compare(OneLevel(bds, ""), Year(2020), Year(2022))
	if len(c) != 1 || len(c[0].Sectors) != 1 || c[0].Sectors[0].Delta != 20 {
		t.Errorf("2020 against 2022 by default: %+v, want the section's change alone", c)
	}
	for p, want := range map[Product]ClassificationLevel{sec: LevelSection, ch: LevelChapter, head: LevelHeading, pharma: "", {Classification: HS, Code: "100110"}: ""} {
		if got := LevelOf(p); got != want {
			t.Errorf("LevelOf(%s) = %q, want %q", p.Key(), got, want)
		}
	}
}
