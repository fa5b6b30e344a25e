package data

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPartnersRanking(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	y19, y18 := Year(2019), Year(2018)
	big, err := importAll(ctx, s, testDataset("india 2019"), []Observation{
		obs("IND", "WLD", y19, Export, 1000, "w"),
		obs("IND", "RUS", y19, Export, 30, "r"),
		obs("IND", "CHN", y19, Export, 170, "c"),
		obs("IND", "PAK", y19, Export, 8, "p"),
		obs("IND", "X899", y19, Export, 2, "areas nes"),
		obs("IND", "RUS", y19, Import, 60, "r-imp"),
		obs("IND", "CHN", y19, Import, 700, "c-imp"),
		obs("IND", "RUS", y18, Export, 25, "2018"),
	})
	if err != nil {
		t.Fatal(err)
	}
	// A second dataset with the same period but fewer partners is not chosen by default.
	small, err := importAll(ctx, s, testDataset("statements"), []Observation{obs("IND", "RUS", y19, Export, 31, "s")})
	if err != nil {
		t.Fatal(err)
	}

	r, err := s.Partners(ctx, PartnersQuery{Reporter: "IND", Flow: Export})
	if err != nil {
		t.Fatal(err)
	}
	if r.DatasetID != big.ID || r.Period != y19 || r.ShareOf != "World" || r.World.Value != 1000 {
		t.Errorf("ranking chose dataset %d, period %s, share of %q, world %v", r.DatasetID, r.Period.Label(), r.ShareOf, r.World.Value)
	}
	var got []string
	for _, p := range r.Partners {
		got = append(got, fmt.Sprintf("%s %.0f %.3f %v", p.Partner, p.Figure.Value, p.Share, p.Aggregate))
	}
	want := []string{"CHN 170 0.170 false", "RUS 30 0.030 false", "PAK 8 0.008 false", "X899 2 0.002 true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exports ranking (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{big.ID, small.ID}, r.Datasets); diff != "" {
		t.Errorf("datasets with 2019 (-want +got):\n%s", diff)
	}
	if len(r.Periods) != 2 || r.Periods[0] != y18 || r.Periods[1] != y19 {
		t.Errorf("periods = %v", r.Periods)
	}

	// Turnover is exports plus imports where both are stated; no World turnover, so shares are of listed partners.
	r, err = s.Partners(ctx, PartnersQuery{Reporter: "IND", Flow: Turnover, Period: y19, DatasetID: big.ID})
	if err != nil {
		t.Fatal(err)
	}
	if r.ShareOf != "listed partners" || len(r.Partners) != 4 {
		t.Fatalf("turnover: share of %q, %d partners", r.ShareOf, len(r.Partners))
	}
	if p := r.Partners[0]; p.Partner != "CHN" || p.Figure.Value != 870 || !p.Figure.Derived || math.Abs(p.Share-870.0/960) > 1e-12 {
		t.Errorf("turnover top = %+v", p)
	}
	if p := r.Partners[2]; p.Partner != "PAK" || p.Figure.Known {
		t.Errorf("PAK has exports only, so no turnover: %+v", p)
	}

	// The small dataset asked for by id.
	r, err = s.Partners(ctx, PartnersQuery{Reporter: "IND", Flow: Export, Period: y19, DatasetID: small.ID})
	if err != nil || len(r.Partners) != 1 || r.ShareOf != "listed partners" || r.Partners[0].Share != 1 {
		t.Errorf("small dataset: %+v, %v", r, err)
	}
	// Nothing for this reporter, flow or period.
	for _, q := range []PartnersQuery{{Reporter: "PAK", Flow: Export}, {Reporter: "IND", Flow: Import, Period: y18}, {Reporter: "IND", Flow: Export, DatasetID: 99}} {
		if _, err := s.Partners(ctx, q); !errors.Is(err, ErrNotFound) {
			t.Errorf("%+v: err = %v, want ErrNotFound", q, err)
		}
	}
	if _, err := s.Partners(ctx, PartnersQuery{Reporter: "IND", Flow: ReExport}); !errors.Is(err, ErrInvalid) {
		t.Errorf("re-export ranking: %v, want ErrInvalid", err)
	}
}

// TestPartnersDefaultsToTheFullestDataset checks that a later period in a
// dataset with one partner does not hide the full partner list.
func TestPartnersDefaultsToTheFullestDataset(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	full, err := importAll(ctx, s, testDataset("full"), []Observation{
		obs("IND", "RUS", Year(2019), Import, 6, "a"), obs("IND", "CHN", Year(2019), Import, 70, "b"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importAll(ctx, s, testDataset("one statement"), []Observation{obs("IND", "RUS", Year(2023), Import, 51, "c")}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Partners(ctx, PartnersQuery{Reporter: "IND", Flow: Import})
	if err != nil || r.DatasetID != full.ID || r.Period != Year(2019) || len(r.Partners) != 2 {
		t.Errorf("default ranking: dataset %d, period %s, %d partners, %v", r.DatasetID, r.Period.Label(), len(r.Partners), err)
	}
	r, err = s.Partners(ctx, PartnersQuery{Reporter: "IND", Flow: Import, Period: Year(2023)})
	if err != nil || r.DatasetID == full.ID || len(r.Partners) != 1 {
		t.Errorf("2023: dataset %d, %d partners, %v", r.DatasetID, len(r.Partners), err)
	}
}

// TestPartnerSeries reads chosen partners over time from a generated
// dataset: values are made up in the test (year × a factor per partner),
// not real trade figures.
func TestPartnerSeries(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	factor := map[string]float64{"WLD": 1000, "RUS": 10, "CHN": 50}
	var rows []Observation
	for y := 2015; y <= 2020; y++ {
		for _, p := range []string{"WLD", "RUS", "CHN"} {
			if p == "WLD" && y == 2017 {
				continue // no World figure in 2017: no shares that year
			}
			if p == "CHN" && y == 2016 {
				continue // a gap in China's line
			}
			v := factor[p] * float64(y-2014)
			rows = append(rows, obs("KAZ", p, Year(y), Export, v, fmt.Sprintf("gen %s %d", p, y)), obs("KAZ", p, Year(y), Import, v/2, fmt.Sprintf("gen %s %d imp", p, y)))
		}
	}
	// A fiscal year in the same dataset is not joined to calendar years.
	rows = append(rows, obs("KAZ", "RUS", Fiscal(2019, 7), Export, 999, "fiscal"))
	d, err := importAll(ctx, s, testDataset("generated series"), rows)
	if err != nil {
		t.Fatal(err)
	}
	q := PartnerSeriesQuery{Reporter: "KAZ", Partners: []string{"RUS", "CHN"}, Flow: Export, DatasetID: d.ID, Like: Year(2020), From: Year(2016), To: Year(2019)}
	got, err := s.PartnerSeries(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var periods []string
	for _, p := range got.Periods {
		periods = append(periods, p.Label())
	}
	if diff := cmp.Diff([]string{"2016", "2017", "2018", "2019"}, periods); diff != "" {
		t.Fatalf("periods (-want +got):\n%s", diff)
	}
	show := func(l PartnerLine) []string {
		var out []string
		for i, f := range l.Figures {
			out = append(out, fmt.Sprintf("%v %.0f %.3f", f.Known, f.Value, l.Shares[i]))
		}
		return out
	}
	// RUS: 10×(y−2014) of World's 1000×(y−2014) = 1%, except 2017 (no World).
	if diff := cmp.Diff([]string{"true 20 0.010", "true 30 NaN", "true 40 0.010", "true 50 0.010"}, show(got.Lines[0])); diff != "" {
		t.Errorf("RUS (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"false 0 NaN", "true 150 NaN", "true 200 0.050", "true 250 0.050"}, show(got.Lines[1])); diff != "" {
		t.Errorf("CHN (-want +got):\n%s", diff)
	}
	if got.World[1].Known || !got.World[0].Known || got.World[0].Value != 2000 {
		t.Errorf("World = %+v", got.World)
	}

	// Turnover is derived from exports and imports; open range; every kind of period without Like.
	q = PartnerSeriesQuery{Reporter: "KAZ", Partners: []string{"RUS"}, Flow: Turnover, DatasetID: d.ID}
	if got, err = s.PartnerSeries(ctx, q); err != nil {
		t.Fatal(err)
	}
	if len(got.Periods) != 7 || got.Lines[0].Figures[0].Value != 15 || !got.Lines[0].Figures[0].Derived {
		t.Errorf("turnover series: %d periods, first %+v", len(got.Periods), got.Lines[0].Figures[0])
	}

	for _, bad := range []PartnerSeriesQuery{
		{Reporter: "KAZ", Flow: Export, DatasetID: d.ID},
		{Reporter: "KAZ", Partners: []string{"A", "B", "C", "D", "E", "F", "G"}, Flow: Export, DatasetID: d.ID},
		{Reporter: "KAZ", Partners: []string{"RUS", "RUS"}, Flow: Export, DatasetID: d.ID},
		{Reporter: "KAZ", Partners: []string{"KAZ"}, Flow: Export, DatasetID: d.ID},
		{Reporter: "KAZ", Partners: []string{"RUS"}, Flow: Export},
		{Reporter: "KAZ", Partners: []string{"RUS"}, Flow: ReExport, DatasetID: d.ID},
		{Reporter: "KAZ", Partners: []string{"RUS"}, Flow: Export, DatasetID: d.ID, From: Year(2020), To: Year(2018)},
	} {
		if _, err := s.PartnerSeries(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: err = %v, want ErrInvalid", bad, err)
		}
	}
}

// TestPartnersSharesLeaveGroupsOut checks a ranking without a World
// figure: shares are of the countries and residual areas listed, not of
// the regions and the EU, which overlap the countries; the groups are
// listed after the countries, never ranked among them.
func TestPartnersSharesLeaveGroupsOut(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	y := Year(2021)
	// Synthetic figures, made up for the test.
	if _, err := importAll(ctx, s, testDataset("regions"), []Observation{
		obs("PAK", "CHN", y, Export, 300, "c"),
		obs("PAK", "RUS", y, Export, 100, "r"),
		obs("PAK", "X899", y, Export, 100, "areas nes"),
		obs("PAK", "M150", y, Export, 5000, "europe"),
		obs("PAK", "SAS", y, Export, 400, "south asia"),
		obs("PAK", "X097", y, Export, 900, "eu"),
	}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Partners(ctx, PartnersQuery{Reporter: "PAK", Flow: Export})
	if err != nil {
		t.Fatal(err)
	}
	rows := func(r PartnerRanking) []string {
		var got []string
		for _, p := range r.Partners {
			share := "-"
			if p.HasShare {
				share = fmt.Sprintf("%.2f", p.Share)
			}
			got = append(got, fmt.Sprintf("%s %.0f %s %v", p.Partner, p.Figure.Value, share, p.Aggregate))
		}
		return got
	}
	// A group's figure overlaps the countries listed: it has no share of
	// their sum ("Areas, nes" does not overlap them, so it has one).
	want := []string{"CHN 300 0.60 false", "RUS 100 0.20 false", "M150 5000 - true", "X097 900 - true", "SAS 400 - true", "X899 100 0.20 true"}
	if diff := cmp.Diff(want, rows(r)); diff != "" || r.ShareOf != "listed partners" {
		t.Errorf("ranking, shares of %q (-want +got):\n%s", r.ShareOf, diff)
	}

	// Only regions, no World and no country: no share at all, rather than 0%.
	if _, err := importAll(ctx, s, testDataset("regions only"), []Observation{
		obs("IND", "M150", y, Export, 700, "europe"),
		obs("IND", "SAS", y, Export, 300, "south asia"),
	}); err != nil {
		t.Fatal(err)
	}
	r, err = s.Partners(ctx, PartnersQuery{Reporter: "IND", Flow: Export})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"M150 700 - true", "SAS 300 - true"}, rows(r)); diff != "" {
		t.Errorf("regions only (-want +got):\n%s", diff)
	}
}
