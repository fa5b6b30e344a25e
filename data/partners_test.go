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
