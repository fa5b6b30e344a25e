package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"tradedash/data"
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

// TestCompareOneLevelAtATime: a source that states an HS section, one of
// its chapters and one of that chapter's headings is compared at the
// section alone by default, so the waterfall does not walk the same goods
// three times (and "All other goods" does not absorb the excess).
func TestCompareOneLevelAtATime(t *testing.T) {
	ts, store := mustServer(t)
	// Generated figures, not real trade.
	var rows []data.Observation
	for _, p := range []struct {
		period                   data.Period
		total, sec, chap, headng float64
	}{{data.Year(2020), 1000, 300, 200, 150}, {data.Year(2021), 1100, 350, 240, 160}} {
		for _, f := range []struct {
			product data.Product
			value   float64
		}{
			{data.TotalProduct, p.total},
			{data.Product{Classification: data.HSSection, Code: "II", Name: "Vegetable products"}, p.sec},
			{data.Product{Classification: data.HS, Code: "10", Name: "Cereals"}, p.chap},
			{data.Product{Classification: data.HS, Code: "1001", Name: "Wheat and meslin"}, p.headng},
		} {
			rows = append(rows, data.Observation{Reporter: "KAZ", Partner: "KGZ", Period: p.period, Flow: data.Export,
				Product: f.product, ValueUSD: f.value, Bound: data.Exact, SourceRef: "generated in TestCompareOneLevelAtATime"})
		}
	}
	if _, err := store.Import(context.Background(), data.Dataset{Name: "nested levels", Source: "generated", SHA256: strings.Repeat("ab", 32), Format: "test"},
		func(emit func(data.Observation) error) error {
			for _, o := range rows {
				if err := emit(o); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		t.Fatal(err)
	}
	codes := func(query string) (level string, codes []string) {
		t.Helper()
		_, body := get(t, ts.URL+"/api/v1/compare?reporter=KAZ&partner=KGZ"+query)
		var got struct {
			Comparisons []struct {
				Level   string
				Sectors []struct{ Code string }
			}
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.Comparisons) != 1 {
			t.Fatalf("%s: %v %s", query, err, body)
		}
		for _, s := range got.Comparisons[0].Sectors {
			codes = append(codes, s.Code)
		}
		return got.Comparisons[0].Level, codes
	}
	for query, want := range map[string][]string{"": {"section", "II"}, "&level=chapter": {"chapter", "10"}, "&level=heading": {"heading", "1001"}} {
		level, got := codes(query)
		if diff := cmp.Diff(want, append([]string{level}, got...)); diff != "" {
			t.Errorf("%q: level and codes (-want +got):\n%s", query, diff)
		}
	}
	// The waterfall: 1000, +50 for section II, +50 for all other goods, 1100.
	steps := waterfallSteps(t, ts.URL+"/compare?reporter=KAZ&partner=KGZ&chart=waterfall")
	want := []string{"2020: all goods", "HS section II Vegetable products +50", "All other goods +50", "2021: all goods"}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("waterfall steps (-want +got):\n%s", diff)
	}
	_, page := get(t, ts.URL+"/compare?reporter=KAZ&partner=KGZ")
	if strings.Contains(page, "Cereals") || !strings.Contains(page, "HS sections") || !strings.Contains(page, "never shown side by side") ||
		!strings.Contains(page, "HS section II Vegetable products") {
		t.Errorf("the default page must show the sections only, labelled as sections, and say why")
	}
}

// waterfallSteps reads the first waterfall chart on a compare page: each
// step's label, with the size of its rise or fall.
func waterfallSteps(t *testing.T, url string) []string {
	t.Helper()
	_, page := get(t, url)
	m := regexp.MustCompile(`<script type="application/json" data-chart="[^"]*">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no chart on %s", url)
	}
	var ch struct {
		Meta struct {
			Kind   string
			Points []struct{ Label string }
		}
		Option struct {
			Series []struct {
				Name string
				Data []struct{ Value any }
			}
		}
	}
	if err := json.Unmarshal([]byte(m[1]), &ch); err != nil || ch.Meta.Kind != "waterfall" || len(ch.Option.Series) != 4 {
		t.Fatalf("not a waterfall (%v): %.400s", err, m[1])
	}
	var out []string
	for i, p := range ch.Meta.Points {
		s := p.Label
		if v, ok := ch.Option.Series[1].Data[i].Value.(float64); ok {
			s += fmt.Sprintf(" +%g", v)
		}
		if v, ok := ch.Option.Series[2].Data[i].Value.(float64); ok {
			s += fmt.Sprintf(" -%g", v)
		}
		out = append(out, s)
	}
	return out
}

// TestCompareFormIsNotChart: the chart's form is the form parameter;
// chart is left to the exports, where it names one of the page's charts,
// and an old /compare?chart=waterfall link is redirected to form=.
func TestCompareFormIsNotChart(t *testing.T) {
	ts, store := mustServer(t)
	mustPartnersFixture(t, store)
	q := "reporter=KAZ&partner=RUS&level=chapter&form=waterfall"
	_, page := get(t, ts.URL+"/compare?"+q)
	m := regexp.MustCompile(`data-chart="(chart-kaz-rus-waterfall-[^"]+)"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `<select name="form">`) || !strings.Contains(page, `<option value="waterfall" selected>`) {
		t.Fatalf("no waterfall chosen by form=waterfall: %.300s", page)
	}
	// The waterfall's data is the comparison's, read from the query: no
	// invisible base series, no drawing step, the same as the bars'.
	resp, body := get(t, ts.URL+"/data/compare.csv?"+q+"&chart="+m[1])
	_, bars := get(t, ts.URL+"/data/compare.csv?reporter=KAZ&partner=RUS&level=chapter")
	if resp.StatusCode != 200 || !strings.Contains(body, "TOTAL,TOTAL,All goods") || strings.Contains(body, "All other goods") ||
		strings.Contains(strings.ToLower(body), "base") || body != bars {
		t.Errorf("the waterfall's data by its chart id: %d %.300s\nbars: %.300s", resp.StatusCode, body, bars)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(ts.URL + "/compare?reporter=KAZ&partner=RUS&chart=waterfall&level=chapter")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != "/compare?form=waterfall&level=chapter&partner=RUS&reporter=KAZ" {
		t.Errorf("legacy chart=waterfall: %d, Location %q", resp.StatusCode, loc)
	}
}
