package server

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"tradedash/data"
)

// TestHomeListsLargestPairs: the home page, which now asks the store for
// the largest pairs and a count instead of every pair, lists for each
// dataset the first pairs of the full ranking (Pairs without a limit), in
// order, and says how many more there are. The demo data and a synthetic
// dataset of 14 pairs generated here (not statistics), so that one
// dataset has more pairs than the page lists.
func TestHomeListsLargestPairs(t *testing.T) {
	ts, store := mustServer(t)
	ctx := context.Background()
	cs := []string{"AFG", "CHN", "IND", "IRN", "KAZ", "KGZ"}
	_, err := store.Import(ctx, data.Dataset{Name: "synthetic pairs", SHA256: strings.Repeat("ab", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			for i, a := range cs {
				for j, b := range cs[i+1:] {
					if i == 0 && j == 0 {
						continue // 15 - 1 = 14 pairs
					}
					o := data.Observation{Reporter: a, Partner: b, Period: data.Year(2020), Flow: data.Export, Product: data.TotalProduct,
						ValueUSD: float64(1000*(i+1) + j), Bound: data.Exact, SourceRef: fmt.Sprintf("synthetic %s %s", a, b)}
					if err := emit(o); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	sets, err := store.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, ts.URL+"/")
	sections := regexp.MustCompile(`(?s)<section class="dataset" aria-labelledby="ds-(\d+)">.*?</section>`).FindAllStringSubmatch(body, -1)
	if len(sections) != len(sets) {
		t.Fatalf("home page has %d dataset sections, the store %d datasets", len(sections), len(sets))
	}
	more := false
	for i, d := range sets {
		all, err := store.Pairs(ctx, d.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range all[:min(homePairs, len(all))] {
			want = append(want, bilateralURL("/bilateral", p.Reporter, p.Partner, 0))
		}
		var got []string
		for _, m := range regexp.MustCompile(`<li><a href="([^"]*)">`).FindAllStringSubmatch(sections[i][0], -1) {
			got = append(got, html.UnescapeString(m[1]))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("dataset %d lists %q, want %q", d.ID, got, want)
		}
		if n := len(all) - homePairs; n > 0 {
			more = true
			if w := fmt.Sprintf("and %d more pairs.", n); !strings.Contains(sections[i][0], w) {
				t.Errorf("dataset %d: no %q", d.ID, w)
			}
		} else if strings.Contains(sections[i][0], "more pairs") {
			t.Errorf("dataset %d has %d pairs and says there are more", d.ID, len(all))
		}
	}
	if !more {
		t.Error("no dataset has more pairs than the page lists: the count is untested")
	}
}
