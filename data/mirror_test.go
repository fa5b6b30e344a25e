package data

import (
	"context"
	"errors"
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
