package data

import "testing"

func TestSectionOfAndInSection(t *testing.T) {
	ref := mustReference(t)
	for _, tc := range []struct {
		p    Product
		want string
	}{
		{Product{Classification: HSSection, Code: "xi"}, "XI"},
		{Product{Classification: HS, Code: "30"}, "VI"},   // pharmaceutical products: chemicals
		{Product{Classification: HS, Code: "0801"}, "II"}, // a heading of chapter 08, vegetable products
		{Product{Classification: HS, Code: "52"}, "XI"},   // cotton: textiles
		{Product{Classification: Sector, Code: "food"}, ""},
		{TotalProduct, ""},
	} {
		if got := ref.SectionOf(tc.p); got != tc.want {
			t.Errorf("SectionOf(%s) = %q, want %q", tc.p.Key(), got, tc.want)
		}
	}
	// Synthetic figures, made up for this test.
	fig := func(v float64) Figure { return Figure{Known: true, Value: v, Bound: Exact} }
	bd := SectorBreakdown{Total: fig(1000), Sum: 999, Sectors: []SectorFigure{
		{Product: Product{Classification: HSSection, Code: "XI"}, Figure: fig(400)},
		{Product: Product{Classification: HS, Code: "52"}, Figure: fig(150), Share: 0.15},
		{Product: Product{Classification: HS, Code: "61"}, Figure: fig(120), Share: 0.12},
		{Product: Product{Classification: HS, Code: "5201"}, Figure: fig(90)},
		{Product: Product{Classification: HS, Code: "30"}, Figure: fig(200)},
		{Product: Product{Classification: HS, Code: "62"}, Figure: Figure{Known: true, Value: 50, Bound: AtLeast}},
	}}
	got := InSection([]SectorBreakdown{bd}, " xi ", ref)
	if len(got) != 1 {
		t.Fatalf("InSection kept %d breakdowns, want 1", len(got))
	}
	var codes []string
	for _, s := range got[0].Sectors {
		codes = append(codes, s.Product.Code)
	}
	// Chapters 52, 61 and 62 are textiles; the section itself, heading
	// 5201 and chapter 30 are not chapters of XI.
	if want := []string{"52", "61", "62"}; !equalStrings(codes, want) {
		t.Errorf("InSection codes = %v, want %v", codes, want)
	}
	if got[0].Sum != 150+120 { // the bound (≥ 50) is not added
		t.Errorf("InSection sum = %v, want 270", got[0].Sum)
	}
	if got[0].Sectors[0].Share != 0.15 || got[0].Total.Value != 1000 {
		t.Errorf("InSection changed the share or total: %+v", got[0])
	}
	if len(bd.Sectors) != 6 {
		t.Errorf("InSection changed its input")
	}
	if none := InSection([]SectorBreakdown{bd}, "XXI", ref); len(none) != 0 {
		t.Errorf("InSection(XXI) = %v, want none", none)
	}
	if bd.SingleLevel() {
		t.Error("SingleLevel of sections, chapters and headings mixed = true")
	}
	if !got[0].SingleLevel() {
		t.Error("SingleLevel of chapters only = false")
	}
	if (SectorBreakdown{}).SingleLevel() {
		t.Error("SingleLevel of nothing = true")
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
