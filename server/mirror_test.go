package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"tradedash/data"
)

// mustMirrorFixture adds made-up test figures (not statistics) with
// hand-checkable gaps: Kazakhstan's 1,000 of exports to Turkmenistan
// against Turkmenistan's 1,060 of imports (CIF) from Kazakhstan.
func mustMirrorFixture(tb testing.TB, store *data.Store) {
	tb.Helper()
	_, err := store.Import(context.Background(), data.Dataset{Name: "mirror fixture", SHA256: strings.Repeat("ab", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			for _, o := range []data.Observation{
				{Reporter: "KAZ", Partner: "TKM", Period: data.Year(2019), Flow: data.Export, ValueUSD: 1000},
				{Reporter: "TKM", Partner: "KAZ", Period: data.Year(2019), Flow: data.Import, ValueUSD: 1060},
			} {
				o.Product, o.Bound = data.TotalProduct, data.Exact
				if err := emit(o); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestMirrorScenarios(t *testing.T) {
	ts, store := mustServer(t)
	mustMirrorFixture(t, store)
	tests := []pageScenario{
		{"demo: nothing to compare, and why", "/mirror?reporter=PAK&partner=RUS", 200,
			[]string{"No period has all-goods figures from both Pakistan and Russia", "Stated by one side only", "FY2022-23 (Pakistan&#39;s statistics", "2023 (Russia&#39;s statistics"}},
		{"a comparison as published", "/mirror?reporter=KAZ&partner=TKM", 200, []string{"1,000", "1,060", "&#43;6.0%", `data-chart="chart-kaz-tkm-mirror"`}},
		{"with the IMF factor the gap closes", "/mirror?reporter=KAZ&partner=TKM&cif=1.06", 200, []string{"imports ÷ 1.06", "&#43;0.0%", `<td class="num">1,000</td><td class="num">1,000</td><td class="num">0</td>`}},
		{"bad factor", "/mirror?reporter=KAZ&partner=TKM&cif=7", 400, []string{"between 1 and 2"}},
		{"bad mirror dataset", "/mirror?reporter=KAZ&partner=TKM&mirror_dataset=x", 400, []string{"mirror_dataset"}},
		{"bilateral page links to it", "/bilateral?reporter=PAK&partner=RUS", 200, []string{`href="/mirror?partner=RUS&amp;reporter=PAK"`}},
	}
	runPageScenarios(t, ts.URL, tests)
	_, body := get(t, ts.URL+"/api/v1/mirror?reporter=KAZ&partner=TKM&cif=1.06")
	var got struct {
		CIF  float64 `json:"cif_factor"`
		Rows []struct {
			Flow             string
			Reported, Mirror float64
			AdjMirror        float64 `json:"adjusted_mirror"`
			Gap              float64
			Sources          []data.Source
		} `json:"comparisons"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.CIF != 1.06 || len(got.Rows) != 1 || got.Rows[0].Mirror != 1060 || got.Rows[0].AdjMirror != 1000 || len(got.Rows[0].Sources) != 2 {
		t.Errorf("mirror API = %s", body)
	}
}
