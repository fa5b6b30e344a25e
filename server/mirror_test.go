package server

import (
	"context"
	"encoding/json"
	"fmt"
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
		// The downloads are of the figures shown: the dataset choices go
		// with the JSON, CSV and XLSX links.
		{"links keep the dataset", "/mirror?reporter=KAZ&partner=TKM&dataset=all", 200, []string{
			`href="/api/v1/mirror?reporter=KAZ&amp;partner=TKM&amp;dataset=all"`,
			`href="/data/mirror.csv?reporter=KAZ&amp;partner=TKM&amp;dataset=all`}},
	}
	runPageScenarios(t, ts.URL, tests)
	sets, err := store.Datasets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range sets {
		if d.Name == "mirror fixture" {
			found = true
			_, page := get(t, fmt.Sprintf("%s/mirror?reporter=KAZ&partner=TKM&mirror_dataset=%d", ts.URL, d.ID))
			if want := fmt.Sprintf(`href="/data/mirror.xlsx?reporter=KAZ&amp;partner=TKM&amp;mirror_dataset=%d`, d.ID); !strings.Contains(page, want) {
				t.Errorf("the mirror page lacks %s", want)
			}
		}
	}
	if !found {
		t.Error("no dataset named \"mirror fixture\"")
	}
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

// mustSecondSourceFixture adds a made-up second source (not statistics)
// for Kazakhstan's 2019 exports to Turkmenistan: 1,100 against the mirror
// fixture's 1,000.
func mustSecondSourceFixture(tb testing.TB, store *data.Store) int64 {
	tb.Helper()
	d, err := store.Import(context.Background(), data.Dataset{Name: "second source", Source: "test: a second release", SHA256: strings.Repeat("ef", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			return emit(data.Observation{Reporter: "KAZ", Partner: "TKM", Period: data.Year(2019), Flow: data.Export, Product: data.TotalProduct,
				ValueUSD: 1100, Bound: data.Exact, SourceRef: "second release, table 3"})
		})
	if err != nil {
		tb.Fatal(err)
	}
	return d.ID
}

func TestSourceComparisonScenarios(t *testing.T) {
	ts, store := mustServer(t)
	mustMirrorFixture(t, store)
	second := mustSecondSourceFixture(t, store)
	var first int64
	sets, err := store.DatasetList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sets {
		if d.Name == "mirror fixture" {
			first = d.ID
		}
	}
	pair := fmt.Sprintf("/mirror?reporter=KAZ&partner=TKM&dataset_a=%d&dataset_b=%d", first, second)
	tests := []pageScenario{
		// Demo: the official statements cite UN Comtrade for India–Russia 2019, so the two agree.
		{"demo: the same figure in two datasets", "/mirror?reporter=IND&partner=RUS&dataset_a=1&dataset_b=3", 200,
			[]string{"Two sources compared: dataset 1 against dataset 3", "<td class=\"num\">2,871,228,560</td><td class=\"num\">2,871,228,560</td><td class=\"num\">0</td><td class=\"num\">&#43;0.0%</td>",
				"Ind_Ex_Im_Countrywise_2019-20.csv", `data-chart="chart-ind-rus-sources"`, "only in dataset 1"}},
		{"fixture: a 10% gap", pair, 200, []string{"<td class=\"num\">1,000</td><td class=\"num\">1,100</td><td class=\"num\">100</td><td class=\"num\">&#43;10.0%</td>", "second release, table 3",
			"Turkmenistan&#39;s statistics: only in dataset"}},
		{"one dataset only", "/mirror?reporter=KAZ&partner=TKM&dataset_a=1", 400, []string{"needs two dataset numbers"}},
		{"the same dataset twice", "/mirror?reporter=KAZ&partner=TKM&dataset_a=2&dataset_b=2", 400, []string{"are both 2"}},
		{"unknown dataset", "/mirror?reporter=KAZ&partner=TKM&dataset_a=1&dataset_b=99", 404, []string{"there is no dataset 99"}},
		{"bad number", "/mirror?reporter=KAZ&partner=TKM&dataset_a=x&dataset_b=2", 400, []string{"dataset_a must be a dataset number"}},
		{"nothing in common", "/mirror?reporter=PAK&partner=RUS&dataset_a=2&dataset_b=3", 200, []string{"state no exact figure for the same period, side and flow"}},
	}
	runPageScenarios(t, ts.URL, tests)

	_, body := get(t, ts.URL+strings.Replace(pair, "/mirror", "/api/v1/mirror", 1))
	var got struct {
		Sources *struct {
			A    int64 `json:"dataset_a"`
			Rows []struct {
				Flow       string
				ReportedBy string `json:"reported_by"`
				A, B, Gap  float64
				GapPct     float64       `json:"gap_pct"`
				SourcesB   []data.Source `json:"sources_b"`
			} `json:"comparisons"`
			Unmatched []struct{ Period string } `json:"unmatched"`
		} `json:"source_comparison"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if s := got.Sources; s == nil || s.A != first || len(s.Rows) != 1 || s.Rows[0].A != 1000 || s.Rows[0].B != 1100 || s.Rows[0].GapPct != 10 ||
		s.Rows[0].SourcesB[0].Ref != "second release, table 3" || len(s.Unmatched) != 1 {
		t.Errorf("source comparison API = %s", body)
	}
	_, body = get(t, ts.URL+"/api/v1/mirror?reporter=KAZ&partner=TKM")
	if !strings.Contains(body, `"source_comparison":null`) {
		t.Errorf("without two datasets: %s", body)
	}
}
