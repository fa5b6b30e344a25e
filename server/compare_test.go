package server

import (
	"encoding/json"
	"testing"
)

func TestCompareScenarios(t *testing.T) {
	ts, _ := mustServer(t)
	tests := []pageScenario{
		// Pharmexcil: India's pharmaceutical exports to Russia, $590.8 m in
		// FY2020-21 and $597 m in FY2021-22 (provisional): +6.2 m, +1.0%.
		{"default: the latest two like periods", "/compare?reporter=IND&partner=RUS", 200,
			[]string{"FY2021-22 against FY2020-21", "590,800,000", "597,000,000", "&#43;6,200,000", "&#43;1.0%", "(dataset 1)"}},
		{"explicit like periods", "/compare?reporter=IND&partner=RUS&a=2019-04..2020-03&b=2020-04..2021-03", 200,
			[]string{"FY2020-21 against FY2019-20", "552,410,000", "&#43;38,390,000"}},
		{"a fiscal year against a calendar year is refused", "/compare?reporter=IND&partner=RUS&a=2019-04..2020-03&b=2021", 400,
			[]string{"are not like periods"}},
		{"one period only", "/compare?reporter=IND&partner=RUS&a=2019", 400, []string{"give both periods"}},
		{"nothing to compare says so", "/compare?reporter=KAZ&partner=UZB", 200, []string{"No dataset gives sector figures"}},
	}
	runPageScenarios(t, ts.URL, tests)
	_, body := get(t, ts.URL+"/api/v1/compare?reporter=IND&partner=RUS")
	var got struct {
		A, B        string
		Comparisons []struct {
			Sectors []struct {
				Code  string
				A, B  *float64
				Delta *float64
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.A != "FY2020-21" || got.B != "FY2021-22" || len(got.Comparisons) != 1 || len(got.Comparisons[0].Sectors) != 1 ||
		*got.Comparisons[0].Sectors[0].Delta != 597e6-590.8e6 {
		t.Errorf("compare API = %s", body)
	}
}
