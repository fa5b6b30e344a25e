package server

import (
	"encoding/json"
	"testing"
)

func TestPartnersScenarios(t *testing.T) {
	ts, _ := mustServer(t)
	tests := []pageScenario{
		{"default: India's exports in its fullest dataset", "/partners?reporter=IND", 200,
			[]string{"India: exports by partner, 2019", "54,288,194,268", "16.79%", "323,250,726,424", `href="/bilateral?dataset=3&amp;partner=USA&amp;reporter=IND"`, "(group)"}},
		{"imports by name", "/partners?reporter=India&flow=import&period=2019", 200, []string{"India: imports by partner, 2019", "478,883,729,111"}},
		{"turnover is derived", "/partners?reporter=IND&flow=turnover&dataset=3", 200, []string{"trade (exports &#43; imports) by partner", "derived"}},
		{"a reporter with no partner figures", "/partners?reporter=FRA", 404, []string{"no export figures of FRA by partner"}},
		{"bad flow", "/partners?reporter=IND&flow=smuggling", 400, []string{"flow must be export, import or turnover"}},
		{"bad period", "/partners?reporter=IND&period=someday", 400, []string{"is not a period"}},
		{"csv", "/data/partners.csv?reporter=IND&flow=export&period=2019&dataset=3", 200, []string{"rank,partner,partner_name,aggregate,export_usd,share", "1,USA,United States,false,54288194268,0.16794"}},
	}
	runPageScenarios(t, ts.URL, tests)
}

func TestPartnersAPI(t *testing.T) {
	ts, _ := mustServer(t)
	resp, body := get(t, ts.URL+"/api/v1/partners?reporter=IND&flow=import")
	if resp.StatusCode != 200 {
		t.Fatalf("%d: %s", resp.StatusCode, body)
	}
	var got struct {
		Reporter, Flow, Period string
		ShareOf                string `json:"share_of"`
		Dataset                int64
		World                  float64
		Partners               []struct {
			Partner   string
			Aggregate bool
			Value     *float64
			Share     *float64
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Dataset != 3 || got.World != 478883729111 || got.ShareOf != "World" || len(got.Partners) < 200 {
		t.Fatalf("dataset %d, world %v, share of %q, %d partners", got.Dataset, got.World, got.ShareOf, len(got.Partners))
	}
	// Russia's row: India's 2019 imports from Russia, UN Comtrade.
	for _, p := range got.Partners {
		if p.Partner == "RUS" {
			if *p.Value != 6226189464 || *p.Share != 6226189464.0/478883729111 {
				t.Errorf("RUS = %v, share %v", *p.Value, *p.Share)
			}
		}
	}
	// Countries are ranked by value; groups come after every country.
	seenGroup := false
	for i, p := range got.Partners {
		if p.Aggregate {
			seenGroup = true
			continue
		}
		if seenGroup {
			t.Fatalf("country %s listed after a group", p.Partner)
		}
		if i > 0 && p.Value != nil && got.Partners[i-1].Value != nil && *p.Value > *got.Partners[i-1].Value {
			t.Fatalf("%s ranked below a smaller partner", p.Partner)
		}
	}
	if !seenGroup {
		t.Error("Areas, nes (X899) should be listed as a group")
	}
}
