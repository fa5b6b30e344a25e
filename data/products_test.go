package data

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// productObs is a made-up test figure (not a trade statistic) of product p.
func productObs(rep, par string, per Period, f Flow, p Product, v float64, ref string) Observation {
	o := obs(rep, par, per, f, v, ref)
	o.Product = p
	return o
}

var (
	hs30   = Product{Classification: HS, Code: "30", Name: "Pharmaceutical products"}
	hs10   = Product{Classification: HS, Code: "10", Name: "Cereals"}
	cotton = Product{Classification: Sector, Code: "cotton", Name: "cotton"}
)

// mustProductsStore loads two datasets of made-up figures chosen so that
// every sum below can be checked by hand.
func mustProductsStore(t *testing.T) (*Store, Dataset, Dataset) {
	t.Helper()
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	a, err := importAll(ctx, s, testDataset("by partner"), []Observation{
		productObs("PAK", "CHN", Year(2019), Export, hs30, 100, "a1"),
		productObs("PAK", "CHN", Year(2020), Export, hs30, 300, "a2"),
		productObs("PAK", "USA", Year(2019), Export, hs30, 200, "a3"),
		productObs("PAK", "USA", Year(2020), Export, hs30, 150, "a4"),
		productObs("PAK", "GBR", Year(2019), Export, hs30, 10, "a5"),
		productObs("PAK", "GBR", Year(2020), Export, hs30, 20, "a6"),
		productObs("PAK", "DEU", Year(2019), Export, hs30, 5, "a7"),
		productObs("PAK", "DEU", Year(2020), Export, hs30, 7, "a8"),
		productObs("PAK", "DEU", Year(2020), Export, hs30, 8, "a8 again, disagreeing"),
		productObs("PAK", "X097", Year(2019), Export, hs30, 12, "EU: overlaps DEU"),
		productObs("PAK", "WLD", Year(2019), Export, hs30, 400, "a9"),
		productObs("PAK", "WLD", Year(2019), Export, hs10, 900, "a10"),
		productObs("PAK", "WLD", Year(2021), Export, hs10, 950, "a11"),
		productObs("PAK", "CHN", Year(2019), Import, hs30, 55, "an import"),
		productObs("PAK", "RUS", Fiscal(2022, 7), Export, cotton, 3, "a fiscal year"),
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := importAll(ctx, s, testDataset("small"), []Observation{
		productObs("PAK", "CHN", Year(2019), Export, hs30, 101, "b1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, a, b
}

func TestProductsByPartner(t *testing.T) {
	ctx := context.Background()
	s, a, b := mustProductsStore(t)
	got, err := s.Products(ctx, ProductsQuery{Reporter: "PAK", Flow: Export, Products: []Product{{Classification: HS, Code: "30"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.DatasetID != a.ID || !cmp.Equal(got.Datasets, []int64{a.ID, b.ID}) {
		t.Errorf("dataset %d of %v, want the fuller %d", got.DatasetID, got.Datasets, a.ID)
	}
	if !cmp.Equal(got.Periods, []Period{Year(2019), Year(2020)}) || got.Products[0].Name != "Pharmaceutical products" {
		t.Errorf("periods %v, products %v", got.Periods, got.Products)
	}
	var order []string
	for _, s := range got.Series {
		order = append(order, s.Partner)
	}
	// Countries by their sum over the periods (CHN 400, USA 350, GBR 30,
	// DEU 5: its 2020 figure is disputed), then the aggregates.
	if want := []string{"CHN", "USA", "GBR", "DEU", "WLD", "X097"}; !cmp.Equal(order, want) {
		t.Errorf("series order %v, want %v", order, want)
	}
	if d := got.Series[3]; d.Sum != 5 || !d.Figures[1].Conflict {
		t.Errorf("DEU = %+v", d)
	}

	top, other, world := got.TopPartners(2)
	if len(top) != 2 || top[0].Partner != "CHN" || top[1].Partner != "USA" {
		t.Fatalf("top = %+v", top)
	}
	if world == nil || world.Figures[0].Value != 400 || world.Figures[1].Known {
		t.Errorf("world = %+v", world)
	}
	// Other in 2019: GBR 10 + DEU 5 (the EU's 12 overlaps them and is
	// left out); in 2020 DEU's sources disagree, so no sum is claimed.
	if f := other.Figures[0]; !f.Known || !f.Derived || f.Value != 15 || len(f.Sources) != 2 {
		t.Errorf("other 2019 = %+v", f)
	}
	if f := other.Figures[1]; f.Known {
		t.Errorf("other 2020 = %+v, want unknown", f)
	}
	if _, other, _ := got.TopPartners(10); other != nil {
		t.Errorf("nothing is left over, yet other = %+v", other)
	}

	// The years narrow the periods; the dataset can be chosen.
	got, err = s.Products(ctx, ProductsQuery{Reporter: "PAK", Flow: Export, Products: []Product{hs30}, From: 2020, To: 2020})
	if err != nil || !cmp.Equal(got.Periods, []Period{Year(2020)}) {
		t.Errorf("2020 only: %v, %v", got.Periods, err)
	}
	got, err = s.Products(ctx, ProductsQuery{Reporter: "PAK", Flow: Export, Products: []Product{hs30}, DatasetID: b.ID})
	if err != nil || len(got.Series) != 1 || got.Series[0].Figures[0].Value != 101 || got.Series[0].Figures[0].Sources[0].Ref != "b1" {
		t.Errorf("dataset %d: %+v, %v", b.ID, got.Series, err)
	}
}

func TestProductsComparedForOnePartner(t *testing.T) {
	ctx := context.Background()
	s, a, _ := mustProductsStore(t)
	got, err := s.Products(ctx, ProductsQuery{Reporter: "PAK", Partner: "WLD", Flow: Export, Products: []Product{hs10, hs30, cotton}})
	if err != nil {
		t.Fatal(err)
	}
	if got.DatasetID != a.ID || !cmp.Equal(got.Periods, []Period{Year(2019), Year(2021)}) {
		t.Errorf("dataset %d, periods %v", got.DatasetID, got.Periods)
	}
	if len(got.Series) != 2 || got.Series[0].Product.Code != "10" || got.Series[1].Product.Code != "30" {
		t.Fatalf("series = %+v", got.Series)
	}
	if f := got.Series[0].Figures; f[0].Value != 900 || f[1].Value != 950 || got.Series[0].Sum != 1850 {
		t.Errorf("HS 10 = %+v", got.Series[0])
	}
	if f := got.Series[1].Figures; f[0].Value != 400 || f[1].Known {
		t.Errorf("HS 30 = %+v", got.Series[1])
	}
	if len(got.Missing) != 1 || got.Missing[0].Code != "cotton" {
		t.Errorf("missing = %+v, want cotton (stated only with Russia)", got.Missing)
	}
}

func TestProductsSaysWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	s, _, _ := mustProductsStore(t)
	for _, tc := range []struct {
		q    ProductsQuery
		is   error
		want string
	}{
		{ProductsQuery{Reporter: "PAK", Flow: Export, Products: []Product{{Classification: HS, Code: "3004"}}}, ErrNotFound, "no product HS 3004 is known"},
		{ProductsQuery{Reporter: "IND", Flow: Export, Products: []Product{hs30}}, ErrNotFound, "no export figures of IND for HS 30 in any dataset"},
		{ProductsQuery{Reporter: "PAK", Flow: Import, Products: []Product{hs30}, Partner: "USA"}, ErrNotFound, "no import figures of PAK for HS 30 with USA in any dataset"},
		{ProductsQuery{Reporter: "PAK", Flow: Export, Products: []Product{hs30}, From: 2023}, ErrNotFound, "from 2023"},
		{ProductsQuery{Reporter: "PAK", Flow: Export, Products: []Product{hs10}, DatasetID: 2}, ErrNotFound, "in dataset 2"},
		{ProductsQuery{Reporter: "PAK", Flow: Turnover, Products: []Product{hs10}}, ErrInvalid, "flow must be export or import"},
		{ProductsQuery{Reporter: "PAK", Flow: Export}, ErrInvalid, "product is required"},
		{ProductsQuery{Reporter: "PAK", Flow: Export, Products: []Product{hs10, hs10}}, ErrInvalid, "given twice"},
		{ProductsQuery{Reporter: "PAK", Flow: Export, Products: []Product{hs10}, From: 2021, To: 2019}, ErrInvalid, "ends before it starts"},
	} {
		_, err := s.Products(ctx, tc.q)
		if !errors.Is(err, tc.is) || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %v containing %q", tc.q, err, tc.is, tc.want)
		}
	}
}

func TestParseProduct(t *testing.T) {
	for in, want := range map[string]Product{
		"30":                     {Classification: HS, Code: "30"},
		"8":                      {Classification: HS, Code: "08"},
		"300490":                 {Classification: HS, Code: "300490"},
		"xi":                     {Classification: HSSection, Code: "XI"},
		"total":                  {Classification: Total, Code: "TOTAL"},
		"HS:30":                  {Classification: HS, Code: "30"},
		"hs-section:XVI":         {Classification: HSSection, Code: "XVI"},
		"sector:textile goods":   {Classification: Sector, Code: "textile goods"},
		"pharmaceutical-product": {Classification: Sector, Code: "pharmaceutical-product"},
	} {
		got, err := ParseProduct(in)
		if err != nil || got != want {
			t.Errorf("ParseProduct(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParseProduct(got.URLCode()); err != nil || back != got {
			t.Errorf("%q does not read back: %+v, %v", got.URLCode(), back, err)
		}
	}
	for _, bad := range []string{"", "HS:ab", "NACE:12", "sector:  "} {
		if _, err := ParseProduct(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseProduct(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestProductList(t *testing.T) {
	s, _, _ := mustProductsStore(t)
	list, err := s.ProductList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ref := mustReference(t).Products()
	if len(list) != len(ref)+1 {
		t.Fatalf("%d products, want the %d of the reference list and cotton", len(list), len(ref))
	}
	for i, p := range ref {
		if list[i].Product != p || !list[i].Reference {
			t.Fatalf("product %d = %+v, want %+v from the reference list", i, list[i], p)
		}
	}
	if last := list[len(list)-1]; last.Key() != "sector:cotton" || last.Reference {
		t.Errorf("last = %+v, want the imported sector cotton", last)
	}
}

// TestProductsKeepOneKindOfPeriod: a dataset that states a calendar year
// and the fiscal year overlapping it must not set them on one axis, nor
// rank partners or sum "Other" over both (the months would count twice).
func TestProductsKeepOneKindOfPeriod(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	fy19, fy20 := Fiscal(2019, 4), Fiscal(2020, 4)
	// Made-up figures, not trade statistics.
	if _, err := importAll(ctx, s, testDataset("mixed periods"), []Observation{
		productObs("IND", "CHN", fy19, Export, hs30, 100, "c1"),
		productObs("IND", "CHN", fy20, Export, hs30, 110, "c2"),
		productObs("IND", "USA", fy19, Export, hs30, 90, "u1"),
		productObs("IND", "USA", fy20, Export, hs30, 95, "u2"),
		productObs("IND", "GBR", fy20, Export, hs30, 20, "g1"),
		productObs("IND", "CHN", Year(2019), Export, hs30, 50, "calendar 2019"),
		productObs("IND", "BRA", Year(2019), Export, hs30, 500, "only a calendar year"),
		productObs("IND", "DEU", Period{NewMonth(2020, 4), NewMonth(2020, 8)}, Export, hs30, 7, "five months"),
	}); err != nil {
		t.Fatal(err)
	}
	q := ProductsQuery{Reporter: "IND", Flow: Export, Products: []Product{hs30}}
	partners := func(got ProductTrade) []string {
		var out []string
		for _, s := range got.Series {
			out = append(out, s.Partner)
		}
		return out
	}
	got, err := s.Products(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	// Fiscal years state five figures, the calendar year two.
	if !cmp.Equal(got.Periods, []Period{fy19, fy20}) || got.PeriodKind != FiscalYear ||
		!cmp.Equal(got.Omitted, []Period{Year(2019), Period{NewMonth(2020, 4), NewMonth(2020, 8)}}) {
		t.Errorf("periods %v (%s), omitted %v", got.Periods, got.PeriodKind, got.Omitted)
	}
	// CHN ranks by its fiscal years alone (210), not plus its calendar
	// year; BRA, stated in a calendar year only, has no line.
	if want := []string{"CHN", "USA", "GBR"}; !cmp.Equal(partners(got), want) || got.Series[0].Sum != 210 {
		t.Errorf("series %v (CHN sum %v), want %v", partners(got), got.Series[0].Sum, want)
	}
	if _, other, _ := got.TopPartners(1); other == nil || other.Figures[0].Value != 90 || other.Figures[1].Value != 115 {
		t.Errorf("other = %+v, want USA's and GBR's fiscal years only", other)
	}
	q.PeriodKind = CalendarYear
	got, err = s.Products(ctx, q)
	if err != nil || !cmp.Equal(got.Periods, []Period{Year(2019)}) || !cmp.Equal(partners(got), []string{"BRA", "CHN"}) {
		t.Errorf("calendar years: %v %v, %v", got.Periods, partners(got), err)
	}
	q.PeriodKind, q.Products = CalendarYear, []Product{hs30}
	q.From, q.To = 2020, 2020
	if _, err := s.Products(ctx, q); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "for calendar years, only for fiscal years and parts of years") {
		t.Errorf("no calendar year in 2020: %v", err)
	}
	q.PeriodKind = "decade"
	if _, err := s.Products(ctx, q); !errors.Is(err, ErrInvalid) {
		t.Errorf("a bad kind: %v", err)
	}
}

// TestProductsMonthsAndQuarters: a dataset that states single months and
// quarters shows one series of each, selectable by length, never both on
// one axis (a quarter overlaps its months); every month is one series,
// not one per calendar month.
func TestProductsMonthsAndQuarters(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	month := func(m int) Period { return Period{NewMonth(2021, m), NewMonth(2021, m)} }
	quarter := func(q int) Period { return Period{NewMonth(2021, 3*q-2), NewMonth(2021, 3*q)} }
	// Made-up figures, not trade statistics: months 1–4 and quarters 1–2.
	var rows []Observation
	for m := 1; m <= 4; m++ {
		rows = append(rows, productObs("IND", "CHN", month(m), Export, hs30, float64(10*m), fmt.Sprintf("month %d", m)))
	}
	for q := 1; q <= 2; q++ {
		rows = append(rows, productObs("IND", "CHN", quarter(q), Export, hs30, float64(100*q), fmt.Sprintf("quarter %d", q)))
	}
	if _, err := importAll(ctx, s, testDataset("months and quarters"), rows); err != nil {
		t.Fatal(err)
	}
	q := ProductsQuery{Reporter: "IND", Flow: Export, Products: []Product{hs30}, PeriodKind: Months}
	got, err := s.Products(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	// Four months against two quarters: the months by default.
	if want := []Period{month(1), month(2), month(3), month(4)}; !cmp.Equal(got.Periods, want) || !cmp.Equal(got.Omitted, []Period{quarter(1), quarter(2)}) {
		t.Errorf("months: periods %v, omitted %v", got.Periods, got.Omitted)
	}
	q.PeriodMonths = 3
	got, err = s.Products(ctx, q)
	if err != nil || !cmp.Equal(got.Periods, []Period{quarter(1), quarter(2)}) || got.Series[0].Sum != 300 {
		t.Errorf("quarters: %v, %v, %v", got.Periods, got.Series, err)
	}
	q.PeriodMonths = 6
	if _, err := s.Products(ctx, q); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "6-month periods") {
		t.Errorf("half years: err = %v", err)
	}
	if err := (ProductsQuery{Reporter: "IND", Flow: Export, Products: []Product{hs30}, PeriodKind: CalendarYear, PeriodMonths: 3}).Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("period_months with calendar years: %v", err)
	}
	// The kind left to the most stated, here months: a length applies.
	q.PeriodKind, q.PeriodMonths = "", 3
	if got, err = s.Products(ctx, q); err != nil || !cmp.Equal(got.Periods, []Period{quarter(1), quarter(2)}) {
		t.Errorf("quarters, the kind left to the most stated: %v, %v", got.Periods, err)
	}
	// A dataset of five calendar years and two quarters: the most stated
	// kind is years, and a length left in a form's selector is moot
	// (made-up figures).
	years := []Observation{productObs("IND", "CHN", quarter(1), Export, hs30, 1, "quarter 1"), productObs("IND", "CHN", quarter(2), Export, hs30, 2, "quarter 2")}
	for y := 2015; y <= 2019; y++ {
		years = append(years, productObs("IND", "CHN", Year(y), Export, hs30, float64(y), fmt.Sprintf("year %d", y)))
	}
	d, err := importAll(ctx, s, testDataset("years and quarters"), years)
	if err != nil {
		t.Fatal(err)
	}
	q.DatasetID = d.ID
	if got, err = s.Products(ctx, q); err != nil || len(got.Periods) != 5 || got.PeriodKind != CalendarYear {
		t.Errorf("a length with the kind left to the most stated, years: %v (%s), %v", got.Periods, got.PeriodKind, err)
	}
	if !month(1).SameClass(month(7)) || !quarter(1).SameClass(quarter(4)) || quarter(1).SameClass(Period{NewMonth(2021, 2), NewMonth(2021, 4)}) ||
		month(1).SameClass(quarter(1)) || !Fiscal(2020, 7).SameClass(Fiscal(2021, 7)) || Fiscal(2020, 7).SameClass(Fiscal(2020, 4)) {
		t.Error("SameClass")
	}
}

// TestProductLabel: a chapter or heading is cited by its HS code, a
// section as a section (its roman numeral is no HS code), and all goods
// and a source's own sectors by their names alone; names from the
// reference lists.
func TestProductLabel(t *testing.T) {
	ref, err := LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	product := func(c ProductClassification, code string) Product {
		t.Helper()
		p, err := ref.Product(c, code)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		p          Product
		tag, label string
	}{
		{product(HSSection, "XI"), "HS section XI", "HS section XI Textiles and textile articles"},
		{product(HS, "52"), "HS 52", "HS 52 Cotton"},
		{Product{Classification: HS, Code: "0801"}, "HS 0801", "HS 0801"}, // a heading no import has named
		{TotalProduct, "", "All goods"},
		{Product{Classification: Sector, Code: "Machinery", Name: "Machinery"}, "", "Machinery"},
	} {
		if got := c.p.Tag(); got != c.tag {
			t.Errorf("%s: Tag() = %q; want %q", c.p.Key(), got, c.tag)
		}
		if got := c.p.Label(); got != c.label {
			t.Errorf("%s: Label() = %q; want %q", c.p.Key(), got, c.label)
		}
	}
}

// TestOnlyOfIsTrimWithACutset: onlyOf gives strings.Trim's answer (all
// of s trimmed away) for the codes a file can hold, multi-byte text
// included, for both sets Product.Validate uses.
func TestOnlyOfIsTrimWithACutset(t *testing.T) {
	for _, set := range []string{"0123456789", "IVX"} {
		for _, s := range []string{"", "08", "8", "0801", "080110", "08a", " 08", "XIV", "XIv", "IIIII", "٠٨", "０８", "Ⅻ", "XI ", "\x00", "9\xff"} {
			if got, want := onlyOf(s, set), strings.Trim(s, set) == ""; got != want {
				t.Errorf("onlyOf(%q, %q) = %v, strings.Trim says %v", s, set, got, want)
			}
		}
	}
}
