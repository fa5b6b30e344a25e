package data

import (
	"context"
	"math"
	"testing"
)

func TestChangeAndCAGROnlyBetweenLikePeriods(t *testing.T) {
	ex := func(v float64) Figure { return Figure{Known: true, Value: v, Bound: Exact} }
	turnover := func(r PeriodTotals) Figure { return r.Turnover }
	row := func(p Period, side string, f Figure) PeriodTotals {
		return PeriodTotals{DatasetID: 1, Period: p, ReportedBy: side, Turnover: f}
	}
	rows := []PeriodTotals{
		row(Fiscal(2017, 4), "IND", ex(10686.85e6)),
		row(Fiscal(2018, 4), "IND", ex(8229.91e6)),
		row(Year(2019), "IND", ex(9.1e9)), // a calendar year: never compared with a fiscal one
		row(Fiscal(2019, 4), "IND", ex(10110.68e6)),
		row(Fiscal(2020, 4), "IND", Figure{Known: true, Value: 8e9, Bound: AtLeast}),
		row(Fiscal(2021, 4), "IND", ex(13124.68e6)),
		row(Fiscal(2021, 4), "RUS", ex(13e9)), // the other side's statistics: a series of its own
		row(Fiscal(2024, 4), "IND", ex(68e9)),
	}
	c := ChangeOn(rows, 1, turnover)
	if !c.Known || c.From != Fiscal(2017, 4) || math.Abs(c.Delta-(8229.91e6-10686.85e6)) > 1 || math.Abs(c.Pct-(-22.99)) > 0.01 {
		t.Errorf("FY2018-19 change = %+v", c)
	}
	if c := ChangeOn(rows, 2, turnover); c.Known {
		t.Errorf("calendar 2019 has no like period a year earlier, got %+v", c)
	}
	if c := ChangeOn(rows, 4, turnover); c.Known {
		t.Errorf("a bound gives no change, got %+v", c)
	}
	if c := ChangeOn(rows, 5, turnover); c.Known {
		t.Errorf("the year before FY2021-22 is a bound: no change, got %+v", c)
	}
	if c := ChangeOn(rows, 6, turnover); c.Known {
		t.Errorf("Russia's series has no earlier year, got %+v", c)
	}
	gs := CAGR(rows, turnover)
	if len(gs) != 1 {
		t.Fatalf("CAGR gave %d series, want 1 (IND fiscal years): %+v", len(gs), gs)
	}
	g := gs[0]
	want := math.Pow(68e9/10686.85e6, 1.0/7) - 1
	if g.From != Fiscal(2017, 4) || g.To != Fiscal(2024, 4) || g.Years != 7 || math.Abs(g.Rate-want) > 1e-12 || g.ReportedBy != "IND" {
		t.Errorf("CAGR = %+v, want rate %v", g, want)
	}
}

func TestBilateralCarriesTheReportersWorldTotals(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	d, err := importAll(ctx, s, testDataset("comtrade"), []Observation{
		obs("IND", "RUS", Year(2019), Import, 6226189464, "r"),
		obs("IND", "RUS", Year(2019), Export, 2871228560, "r"),
		obs("IND", "WLD", Year(2019), Import, 478883729111, "w"),
		obs("IND", "WLD", Year(2019), Export, 323250726424, "w"),
		obs("IND", "WLD", Year(2018), Export, 1, "no pair figure in 2018: no row"),
		obs("RUS", "WLD", Year(2019), Export, 1, "Russia's world exports: not India's"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Bilateral(ctx, BilateralQuery{Reporter: "IND", Partner: "RUS", DatasetID: d.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1 (World rows never make a row of their own)", len(rows))
	}
	r := rows[0]
	if r.WorldImports.Value != 478883729111 || r.WorldExports.Value != 323250726424 || len(r.WorldExports.Sources) != 1 {
		t.Errorf("world totals = %+v / %+v", r.WorldExports, r.WorldImports)
	}
	// Asked from Russia's side, India's World totals are not Russia's.
	rows, err = s.Bilateral(ctx, BilateralQuery{Reporter: "RUS", Partner: "IND", DatasetID: d.ID})
	if err != nil || len(rows) != 1 || rows[0].WorldExports.Known {
		t.Errorf("RUS side: %+v, %v", rows, err)
	}
}
