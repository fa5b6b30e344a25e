package data

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
)

// TestMirror uses made-up test figures (not trade statistics) chosen so
// that every gap can be checked by hand.
func TestMirror(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	d, err := importAll(ctx, s, testDataset("both sides"), []Observation{
		obs("IND", "RUS", Year(2019), Export, 1000, "IND exp"),
		obs("IND", "RUS", Year(2019), Import, 5300, "IND imp (CIF)"),
		obs("RUS", "IND", Year(2019), Import, 1060, "RUS imp from IND (CIF)"),
		obs("RUS", "IND", Year(2019), Export, 5000, "RUS exp to IND (FOB)"),
		obs("IND", "RUS", Fiscal(2019, 4), Export, 999, "India's fiscal year: nothing to compare with"),
		obs("RUS", "IND", Year(2020), Export, 1, "Russia alone in 2020"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Bilateral(ctx, BilateralQuery{Reporter: "IND", Partner: "RUS"})
	if err != nil {
		t.Fatal(err)
	}
	got, unmatched := Mirror(rows, MirrorQuery{Reporter: "IND", Partner: "RUS"})
	if len(got) != 2 {
		t.Fatalf("%d comparisons, want 2: %+v", len(got), got)
	}
	exp, imp := got[0], got[1]
	if exp.Flow != Export || exp.Reported.Value != 1000 || exp.Mirror.Value != 1060 || exp.Gap != 60 || math.Abs(exp.GapPct-6) > 1e-9 {
		t.Errorf("exports as published = %+v", exp)
	}
	if imp.Flow != Import || imp.Gap != -300 || exp.ReporterDataset != d.ID || exp.PartnerDataset != d.ID {
		t.Errorf("imports as published = %+v", imp)
	}
	if len(unmatched) != 2 || unmatched[0].Period != Fiscal(2019, 4) || unmatched[1].ReportedBy != "RUS" {
		t.Errorf("unmatched = %+v", unmatched)
	}

	// With the IMF's 1.06, the CIF side is brought to FOB: Russia's 1060 of
	// imports becomes 1000, India's 5300 becomes 5000; both gaps close.
	got, _ = Mirror(rows, MirrorQuery{Reporter: "IND", Partner: "RUS", CIFFactor: 1.06})
	for _, r := range got {
		if math.Abs(r.Gap) > 1e-9 {
			t.Errorf("%s gap after CIF/FOB = %v, want 0 (%+v)", r.Flow, r.Gap, r)
		}
	}
	for _, f := range []float64{0.5, 3, math.NaN()} {
		if err := (MirrorQuery{Reporter: "IND", Partner: "RUS", CIFFactor: f}).Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("factor %v: %v", f, err)
		}
	}
}

// TestCompareSources uses made-up test figures (not trade statistics): a
// "national release" and a second source for the same pair.
func TestCompareSources(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	national, err := importAll(ctx, s, testDataset("national"), []Observation{
		obs("PAK", "RUS", Year(2019), Export, 100, "n1"),
		obs("PAK", "RUS", Year(2019), Import, 500, "n2"),
		obs("PAK", "RUS", Year(2020), Turnover, 700, "n3: turnover only"),
		obs("RUS", "PAK", Year(2019), Import, 130, "n4: Russia's own, in the national release"),
		obs("PAK", "RUS", Fiscal(2019, 7), Export, 90, "n5: a fiscal year"),
	})
	if err != nil {
		t.Fatal(err)
	}
	other, err := importAll(ctx, s, testDataset("other"), []Observation{
		obs("PAK", "RUS", Year(2019), Export, 110, "o1"),
		obs("PAK", "RUS", Year(2019), Import, 450, "o2"),
		obs("PAK", "RUS", Year(2020), Export, 300, "o3"),
		obs("PAK", "RUS", Year(2020), Import, 350, "o4"),
		obs("RUS", "PAK", Year(2019), Import, 0, "o5"),
		obs("PAK", "RUS", Year(2021), Export, 1, "o6: only here"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Bilateral(ctx, BilateralQuery{Reporter: "PAK", Partner: "RUS"})
	if err != nil {
		t.Fatal(err)
	}
	got, un := CompareSources(rows, SourcesQuery{Reporter: "PAK", Partner: "RUS", DatasetA: national.ID, DatasetB: other.ID})
	type brief struct {
		Period, Side string
		Flow         Flow
		A, B, Gap    float64
		Pct          string
	}
	var briefs []brief
	for _, r := range got {
		briefs = append(briefs, brief{r.Period.Label(), r.ReportedBy, r.Flow, r.A.Value, r.B.Value, r.Gap, fmt.Sprintf("%.1f", r.GapPct)})
	}
	want := []brief{
		{"2019", "PAK", Export, 100, 110, 10, "10.0"},
		{"2019", "PAK", Import, 500, 450, -50, "-10.0"},
		// Both turnovers derived: exports and imports are compared instead.
		{"2019", "RUS", Export, 130, 0, -130, "-100.0"},
		// The national 700 is stated; the other source's 650 is 300 + 350.
		{"2020", "PAK", Turnover, 700, 650, -50, "-7.1"},
	}
	if fmt.Sprint(briefs) != fmt.Sprint(want) {
		t.Errorf("comparisons\n got %v\nwant %v", briefs, want)
	}
	if len(un) != 2 || un[0].Period != Fiscal(2019, 7) || un[0].DatasetID != national.ID || un[1].Period != Year(2021) || un[1].DatasetID != other.ID {
		t.Errorf("unmatched = %+v", un)
	}
	for _, q := range []SourcesQuery{{Reporter: "PAK", Partner: "RUS", DatasetA: 1}, {Reporter: "PAK", Partner: "RUS", DatasetA: 2, DatasetB: 2}} {
		if err := q.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", q, err)
		}
	}
}
