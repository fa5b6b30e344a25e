package server

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"tradedash/data"
)

// TestProductsMonthsAndQuarters: a dataset with single months and
// quarters of the same product (made-up figures, not statistics: months
// 10, 20, 30, 40 and quarters 100, 200 of 2021) offers both, each as its
// own series, chosen with period_months.
func TestProductsMonthsAndQuarters(t *testing.T) {
	ts, store := mustServer(t)
	hs30 := data.Product{Classification: data.HS, Code: "30"}
	d, err := store.Import(context.Background(), data.Dataset{Name: "months and quarters", SHA256: strings.Repeat("9a", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			emitOne := func(p data.Period, v float64) error {
				return emit(data.Observation{Reporter: "KAZ", Partner: "CHN", Period: p, Flow: data.Export, Product: hs30, ValueUSD: v, Bound: data.Exact,
					SourceRef: "generated " + p.Label()})
			}
			for m := 1; m <= 4; m++ {
				if err := emitOne(data.Period{Start: data.NewMonth(2021, m), End: data.NewMonth(2021, m)}, float64(10*m)); err != nil {
					return err
				}
			}
			for q := 1; q <= 2; q++ {
				if err := emitOne(data.Period{Start: data.NewMonth(2021, 3*q-2), End: data.NewMonth(2021, 3*q)}, float64(100*q)); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	noKind := fmt.Sprintf("/products?reporter=KAZ&product=30&dataset=%d", d.ID)
	base := noKind + "&period_kind=months"
	runPageScenarios(t, ts.URL, []pageScenario{
		{"months by default, quarters offered", base, 200, []string{
			"Periods shown: single months only", `<select name="period_months">`, `<option value="3">3-month periods</option>`,
			">3-month periods</a> (Jan–Mar 2021, Apr–Jun 2021)"}},
		{"quarters chosen", base + "&period_months=3", 200, []string{
			"Periods shown: 3-month periods only", `<option value="3" selected>3-month periods</option>`, ">single months</a> (Jan 2021, Feb 2021, Mar 2021, Apr 2021)"}},
		{"a length the dataset lacks", base + "&period_months=6", 404, []string{"6-month periods"}},
		{"not a length", base + "&period_months=q", 400, []string{"period_months must be a number"}},
		// The form offers the length whenever parts of years are shown,
		// also with the kind left to "most stated": the length chosen there
		// means parts of years.
		{"no kind asked for: months, with the length offered", noKind, 200, []string{
			"Periods shown: single months only", `<option value="" selected>most stated</option><option value="months">`, `<select name="period_months">`}},
		{"quarters chosen, the kind left to most stated", noKind + "&period_kind=&period_months=3", 200, []string{
			"Periods shown: 3-month periods only", `<option value="3" selected>3-month periods</option>`, `<option value="" selected>most stated</option>`}},
		{"not a length, the kind left to most stated", noKind + "&period_months=q", 400, []string{"period_months must be a number"}},
		// A form switched to years keeps its length selector's value,
		// which is moot: it is ignored, and the years are looked for.
		{"years asked for with a length", noKind + "&period_kind=calendar_year&period_months=3", 404, []string{"for calendar years, only for"}},
	})
	// The link to the quarters is a permalink to them.
	_, body := get(t, ts.URL+base)
	m := regexp.MustCompile(`<a href="([^"]+)">3-month periods</a>`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(html.UnescapeString(m[1]), "period_months=3") {
		t.Fatalf("no link to the quarters in %.500s", body)
	}
	_, body = get(t, ts.URL+strings.Replace(base, "/products", "/api/v1/products", 1)+"&period_months=3")
	var got struct {
		PeriodKind   string `json:"period_kind"`
		PeriodMonths int    `json:"period_months"`
		Periods      []struct{ Label string }
		Series       []struct {
			Points []struct{ Value float64 }
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.PeriodKind != "months" || got.PeriodMonths != 3 || len(got.Periods) != 2 || len(got.Series) != 1 ||
		len(got.Series[0].Points) != 2 || got.Series[0].Points[0].Value != 100 || got.Series[0].Points[1].Value != 200 {
		t.Errorf("API = %s", body)
	}
}
