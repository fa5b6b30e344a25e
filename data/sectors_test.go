package data

import (
	"context"
	"math"
	"testing"
)

func TestSectorsBesideTheStatedTotal(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	sector := func(rep, par string, f Flow, v float64, code, name string) Observation {
		o := obs(rep, par, Year(2012), f, v, code)
		o.Product = Product{Classification: Sector, Code: code, Name: name}
		return o
	}
	chapter := obs("PAK", "RUS", Year(2013), Export, 5, "hs 30")
	chapter.Product = Product{Classification: HS, Code: "30"}
	if _, err := importAll(ctx, s, testDataset("statements"), []Observation{
		obs("RUS", "PAK", Year(2012), Import, 332e6, "total"),
		sector("RUS", "PAK", Import, 111.1e6, "food", "food (vegetables, fruits, nuts, rice)"),
		sector("RUS", "PAK", Import, 10.6e6, "pharmaceutical-products", "pharmaceutical products"),
		sector("RUS", "PAK", Export, 124.5e6, "ferrous", "ferrous materials and products"),
		chapter,
		obs("PAK", "RUS", Year(2014), Turnover, 454e6, "total only: no breakdown"),
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Sectors(ctx, BilateralQuery{Reporter: "PAK", Partner: "RUS"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d breakdowns, want 3: %+v", len(got), got)
	}
	// Russia's imports from Pakistan are Pakistan's exports, in Russia's statistics.
	b := got[0]
	if b.ReportedBy != "RUS" || b.Flow != Export || b.Total.Value != 332e6 || len(b.Sectors) != 2 || b.Sum != 121.7e6 {
		t.Fatalf("2012 RUS imports breakdown = %+v", b)
	}
	if b.Sectors[0].Product.Code != "food" || math.Abs(b.Sectors[1].Share-10.6/332) > 1e-12 {
		t.Errorf("sectors = %+v", b.Sectors)
	}
	// Russia's exports to Pakistan: a sector with no stated total has no share.
	if b := got[1]; b.Flow != Import || b.Total.Known || b.Sectors[0].Share != 0 {
		t.Errorf("2012 RUS exports breakdown = %+v", b)
	}
	if b := got[2]; b.ReportedBy != "PAK" || b.Sectors[0].Product.Classification != HS || b.Sectors[0].Product.Name != "Pharmaceutical products" {
		t.Errorf("2013 HS chapter breakdown = %+v", b)
	}
}
