package data

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxProducts is how many products one ProductsQuery may set side by side:
// more lines than that cannot be told apart on a chart.
const MaxProducts = 6

// ProductsQuery asks how a reporter's trade in one or more products moves
// over time, as the reporter's own statistics in one dataset state it. With
// one product and no Partner the answer has a series per partner; with a
// Partner (WLD for the reporter's trade with the World) it has a series per
// product. DatasetID 0 means the dataset that states the most such figures,
// so that one source's figures are never mixed with another's.
type ProductsQuery struct {
	Reporter  string
	Products  []Product // Classification and Code; the name is read from the store
	Partner   string    // "" for every partner
	Flow      Flow      // Export or Import
	From, To  int       // calendar years, 0 for open; a period counts if it overlaps them
	DatasetID int64
	// PeriodKind keeps periods of that kind only; "" picks the kind the
	// dataset states most figures in. Either way one answer never mixes
	// kinds: a calendar year and a fiscal year overlap, so a line joining
	// them would mislead and a sum over both would count months twice.
	PeriodKind PeriodKind
	// PeriodMonths, with PeriodKind months, keeps the parts of years of
	// that many months (1 for single months, 3 for quarters); 0 picks the
	// length the dataset states most figures in. A dataset may state both
	// months and quarters, and a quarter overlaps its months. With
	// PeriodKind "", it applies only if the kind picked is months: a
	// form's length selector keeps its value when its kind is changed.
	PeriodMonths int
}

// Validate checks the query.
func (q ProductsQuery) Validate() error {
	switch {
	case q.Reporter == "":
		return fmt.Errorf("%w: reporter is required", ErrInvalid)
	case len(q.Products) == 0:
		return fmt.Errorf("%w: product is required (an HS code such as 30, a section such as XI, or a sector)", ErrInvalid)
	case len(q.Products) > MaxProducts:
		return fmt.Errorf("%w: at most %d products can be compared, not %d", ErrInvalid, MaxProducts, len(q.Products))
	case q.Partner == q.Reporter:
		return fmt.Errorf("%w: reporter and partner are the same country (%s)", ErrInvalid, q.Reporter)
	case q.Flow != Export && q.Flow != Import:
		return fmt.Errorf("%w: flow must be export or import, not %q", ErrInvalid, string(q.Flow))
	case q.From != 0 && (q.From < 1900 || q.From > 2200), q.To != 0 && (q.To < 1900 || q.To > 2200):
		return fmt.Errorf("%w: years must be between 1900 and 2200 (from %d, to %d)", ErrInvalid, q.From, q.To)
	case q.From != 0 && q.To != 0 && q.From > q.To:
		return fmt.Errorf("%w: the range from %d to %d ends before it starts", ErrInvalid, q.From, q.To)
	case q.DatasetID < 0:
		return fmt.Errorf("%w: dataset %d", ErrInvalid, q.DatasetID)
	case q.PeriodKind != "" && !slices.Contains(PeriodKinds, q.PeriodKind):
		return fmt.Errorf("%w: period_kind must be calendar_year, fiscal_year or months, not %q", ErrInvalid, string(q.PeriodKind))
	case q.PeriodMonths != 0 && q.PeriodKind != Months && q.PeriodKind != "":
		return fmt.Errorf("%w: period_months goes with period_kind=months", ErrInvalid)
	case q.PeriodMonths < 0 || q.PeriodMonths > 11:
		return fmt.Errorf("%w: period_months must be a number of months from 1 to 11, not %d", ErrInvalid, q.PeriodMonths)
	}
	seen := map[string]bool{}
	for _, p := range q.Products {
		if err := p.Validate(); err != nil {
			return err
		}
		if seen[p.Key()] {
			return fmt.Errorf("%w: product %s is given twice", ErrInvalid, p.Key())
		}
		seen[p.Key()] = true
	}
	return nil
}

// ParseProduct reads a product as a URL gives it: "30" or "3004" (HS; a
// lost leading zero, "8", is put back), "XI" (an HS section), "TOTAL",
// or a classified key such as "HS:30", "HS-section:XI" or
// "sector:pharmaceutical-products". Anything else is taken as the code of
// a sector, as the file it came from named it.
func ParseProduct(s string) (Product, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Product{}, fmt.Errorf("%w: an empty product code", ErrInvalid)
	}
	var p Product
	if c, code, ok := strings.Cut(s, ":"); ok {
		for _, k := range []ProductClassification{Total, HSSection, HS, Sector} {
			if strings.EqualFold(c, string(k)) {
				p = Product{Classification: k, Code: strings.TrimSpace(code)}
			}
		}
		if p.Classification == "" {
			return Product{}, fmt.Errorf("%w: product %q: %q is not one of TOTAL, HS-section, HS, sector", ErrInvalid, s, c)
		}
	} else {
		up := strings.ToUpper(s)
		switch {
		case up == "TOTAL":
			p = Product{Classification: Total}
		case strings.Trim(s, "0123456789") == "":
			p = Product{Classification: HS}
		case strings.Trim(up, "IVX") == "" && len(up) <= 5:
			p = Product{Classification: HSSection}
		default:
			p = Product{Classification: Sector}
		}
		p.Code = s
	}
	switch p.Classification {
	case HS:
		if len(p.Code)%2 == 1 {
			p.Code = "0" + p.Code
		}
	case HSSection, Total:
		p.Code = strings.ToUpper(p.Code)
	}
	if err := p.Validate(); err != nil {
		return Product{}, fmt.Errorf("product %q: %w", s, err)
	}
	return p, nil
}

// URLCode is the shortest form of the product that ParseProduct reads
// back as the same product: "30", "XI", "sector:cotton".
func (p Product) URLCode() string {
	switch p.Classification {
	case HS, HSSection, Total:
		return p.Code
	}
	return p.Key()
}

// ProductSeries is one product's trade with one partner, a figure per
// period of ProductTrade.Periods (unknown where the source states none).
type ProductSeries struct {
	Product   Product
	Partner   string
	Aggregate bool // World, "Areas, nes", the EU: listed, never ranked or summed
	Figures   []Figure
	// Sum is the sum of the exact figures over the periods; series are
	// ranked by it.
	Sum float64
}

// ProductTrade is the answer to a ProductsQuery.
type ProductTrade struct {
	DatasetID int64
	Flow      Flow
	Products  []Product // as stored, in the query's order
	Periods   []Period  // with any figure, in order, all alike (see Period.Like)
	// PeriodKind is the kind of Periods; Omitted lists, in order, the
	// periods of other kinds (or other lengths or start months) that the
	// dataset also states for the query and that are left out.
	PeriodKind PeriodKind
	Omitted    []Period
	// Series lists, product by product in the query's order, the
	// countries largest first, then the aggregates.
	Series []ProductSeries
	// Datasets lists the datasets that state any figure asked for, for
	// the dataset selector; Missing the products the chosen dataset
	// states nothing for in Periods.
	Datasets []int64
	Missing  []Product
}

// Products returns a reporter's trade in the query's products, per
// partner and period, from one dataset. An error wraps ErrNotFound when a
// product is unknown or no dataset states such figures; the message says
// what is missing.
func (s *Store) Products(ctx context.Context, q ProductsQuery) (ProductTrade, error) {
	if err := q.Validate(); err != nil {
		return ProductTrade{}, err
	}
	t := ProductTrade{DatasetID: q.DatasetID, Flow: q.Flow}
	ids, err := s.productIDs(ctx, q.Products, &t)
	if err != nil {
		return t, err
	}
	where := `o.reporter = ? AND o.flow = ?`
	args := []any{q.Reporter, string(q.Flow)}
	where += ` AND o.product_id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	for _, id := range ids {
		args = append(args, id)
	}
	if q.Partner != "" {
		where, args = where+` AND o.partner = ?`, append(args, q.Partner)
	}
	if q.From != 0 {
		where, args = where+` AND o.period_end >= ?`, append(args, q.From*100+1)
	}
	if q.To != 0 {
		where, args = where+` AND o.period_start <= ?`, append(args, q.To*100+12)
	}
	if err := s.chooseProductsDataset(ctx, where, args, &t); err != nil {
		return t, err
	}
	if t.DatasetID == 0 || !slices.Contains(t.Datasets, t.DatasetID) {
		return t, fmt.Errorf("%w: no %s figures of %s for %s%s%s%s", ErrNotFound, q.Flow, q.Reporter, productsPhrase(t.Products),
			partnerPhrase(q.Partner), yearsPhrase(q.From, q.To), datasetPhrase(q.DatasetID))
	}
	// The unary + on dataset_id makes SQLite use the reporter's product
	// index rather than read the whole dataset.
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.partner, c.aggregate, o.period_start, o.period_end, o.product_id, o.value_usd, o.bound, o.source_ref, o.source_quote
		FROM observations o JOIN countries c ON c.iso3 = o.partner
		WHERE +o.dataset_id = ? AND `+where+`
		ORDER BY o.id`, append([]any{t.DatasetID}, args...)...)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	type key struct {
		product int64
		partner string
	}
	type acc struct {
		aggregate bool
		byPeriod  map[Period][]Source
	}
	accs := map[key]*acc{}
	for rows.Next() {
		var src Source
		var k key
		var aggregate bool
		var start, end int
		if err := rows.Scan(&src.ObservationID, &k.partner, &aggregate, &start, &end, &k.product, &src.ValueUSD, &src.Bound, &src.Ref, &src.Quote); err != nil {
			return t, err
		}
		src.DatasetID, src.Reporter, src.Flow = t.DatasetID, q.Reporter, q.Flow
		p := Period{MonthFromYYYYMM(start), MonthFromYYYYMM(end)}
		a := accs[k]
		if a == nil {
			a = &acc{aggregate: aggregate, byPeriod: map[Period][]Source{}}
			accs[k] = a
		}
		a.byPeriod[p] = append(a.byPeriod[p], src)
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	figures := map[Period]int{}
	for _, a := range accs {
		for p := range a.byPeriod {
			figures[p]++
		}
	}
	kind, months := q.PeriodKind, q.PeriodMonths
	if kind == "" && months != 0 {
		// A length goes with months: it applies only when the kind the
		// dataset states most figures in is months.
		if most, _ := likePeriods(figures, "", 0); len(most) > 0 && most[0].Kind() == Months {
			kind = Months
		} else {
			months = 0
		}
	}
	t.Periods, t.Omitted = likePeriods(figures, kind, months)
	if len(t.Periods) == 0 {
		what := KindPlural(kind)
		if months != 0 {
			what = Period{NewMonth(2000, 1), NewMonth(2000, months)}.ClassPlural()
		}
		return t, fmt.Errorf("%w: dataset %d states no %s figures of %s for %s%s%s for %s, only for %s", ErrNotFound, t.DatasetID, q.Flow, q.Reporter,
			productsPhrase(t.Products), partnerPhrase(q.Partner), yearsPhrase(q.From, q.To), what, kindsPhrase(t.Omitted))
	}
	t.PeriodKind = t.Periods[0].Kind()
	for i, id := range ids {
		var series []ProductSeries
		for k, a := range accs {
			if k.product != id {
				continue
			}
			ps := ProductSeries{Product: t.Products[i], Partner: k.partner, Aggregate: a.aggregate, Figures: make([]Figure, len(t.Periods))}
			any := false
			for j, p := range t.Periods {
				any = any || len(a.byPeriod[p]) > 0
				ps.Figures[j] = stated(a.byPeriod[p])
				if exact(ps.Figures[j]) {
					ps.Sum += ps.Figures[j].Value
				}
			}
			if any { // a partner stated only in omitted periods has no line
				series = append(series, ps)
			}
		}
		if len(series) == 0 {
			t.Missing = append(t.Missing, t.Products[i])
		}
		slices.SortFunc(series, func(a, b ProductSeries) int {
			if a.Aggregate != b.Aggregate {
				if a.Aggregate {
					return 1
				}
				return -1
			}
			return cmp.Or(cmp.Compare(b.Sum, a.Sum), cmp.Compare(a.Partner, b.Partner))
		})
		t.Series = append(t.Series, series...)
	}
	return t, nil
}

// productIDs finds the stored products, filling t.Products with their
// names. A product no import or reference list has ever named is not
// found.
func (s *Store) productIDs(ctx context.Context, products []Product, t *ProductTrade) ([]int64, error) {
	ids := make([]int64, len(products))
	for i, p := range products {
		err := s.read.QueryRowContext(ctx, `SELECT id, name, parent_classification, parent_code FROM products WHERE classification = ? AND code = ?`,
			string(p.Classification), p.Code).Scan(&ids[i], &p.Name, &p.ParentClassification, &p.ParentCode)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("%w: no product %s is known: neither the HS reference list nor any imported file names it", ErrNotFound, productPhrase(p))
			}
			return nil, err
		}
		t.Products = append(t.Products, p)
	}
	return ids, nil
}

// chooseProductsDataset lists the datasets with such figures and, when
// the query names none, picks the one with the most.
func (s *Store) chooseProductsDataset(ctx context.Context, where string, args []any, t *ProductTrade) error {
	rows, err := s.read.QueryContext(ctx, `SELECT o.dataset_id, count(*) FROM observations o WHERE `+where+` GROUP BY o.dataset_id ORDER BY o.dataset_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	best := 0
	choose := t.DatasetID == 0
	for rows.Next() {
		var d int64
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return err
		}
		t.Datasets = append(t.Datasets, d)
		if choose && n > best {
			t.DatasetID, best = d, n
		}
	}
	return rows.Err()
}

// TopPartners splits a one-product answer for a chart: the n largest
// country partners, the rest summed as Other (derived, with every source;
// unknown in a period where a summed figure is disputed or undecidable),
// and the World as the source states it, if it does. Other aggregates are
// left out of both, since groups such as the EU overlap the countries.
func (t ProductTrade) TopPartners(n int) (top []ProductSeries, other, world *ProductSeries) {
	var rest []ProductSeries
	for _, s := range t.Series {
		switch {
		case s.Partner == "WLD":
			w := s
			world = &w
		case s.Aggregate:
		case len(top) < n:
			top = append(top, s)
		default:
			rest = append(rest, s)
		}
	}
	if len(rest) == 0 {
		return top, nil, world
	}
	o := ProductSeries{Product: rest[0].Product, Partner: "", Aggregate: true, Figures: make([]Figure, len(t.Periods))}
	for j := range t.Periods {
		var sum Figure
		started, undecided := false, false
		for _, s := range rest {
			f := s.Figures[j]
			switch {
			case f.Conflict:
				undecided = true
			case !f.Known:
				continue
			case !started:
				sum, started = f, true
				continue
			default:
				sum = combine(sum, f, +1)
				undecided = !sum.Known // bounds that cannot be added
			}
			if undecided {
				break
			}
		}
		if undecided {
			sum = Figure{}
		} else if started {
			sum.Derived = true
		}
		o.Figures[j] = sum
		if exact(sum) {
			o.Sum += sum.Value
		}
	}
	return top, &o, world
}

// PeriodKinds lists the kinds of period, for selectors and validation.
var PeriodKinds = []PeriodKind{CalendarYear, FiscalYear, Months}

// likePeriods splits the periods with figures into one class of periods
// that never overlap (Period.SameClass: the same kind and length, in the
// same place in the year) and the rest, both in order. The class kept is
// of the given kind and length in months, if any; among those, the one
// with the most figures, and on a tie the one with the latest period.
func likePeriods(figures map[Period]int, kind PeriodKind, months int) (kept, omitted []Period) {
	var all []Period
	for p := range figures {
		all = append(all, p)
	}
	slices.SortFunc(all, comparePeriods)
	var best Period
	bestN := -1
	for _, p := range all {
		if kind != "" && p.Kind() != kind || months != 0 && p.Months() != months {
			continue
		}
		n := 0
		for q, m := range figures {
			if q.SameClass(p) {
				n += m
			}
		}
		// all is in order, so >= lets the later class win a tie.
		if n >= bestN {
			best, bestN = p, n
		}
	}
	for _, p := range all {
		if bestN >= 0 && p.SameClass(best) {
			kept = append(kept, p)
		} else {
			omitted = append(omitted, p)
		}
	}
	return kept, omitted
}

// KindPlural names a kind of period for people: "fiscal years".
func KindPlural(k PeriodKind) string {
	switch k {
	case CalendarYear:
		return "calendar years"
	case FiscalYear:
		return "fiscal years"
	case Months:
		return "parts of years"
	}
	return "periods"
}

// kindsPhrase names the kinds of the periods, each once: "calendar years
// and fiscal years".
func kindsPhrase(ps []Period) string {
	var kinds []string
	for _, p := range ps {
		if k := KindPlural(p.Kind()); !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return "no figures"
	}
	return strings.Join(kinds, " and ")
}

func comparePeriods(a, b Period) int {
	if a.Less(b) {
		return -1
	}
	if b.Less(a) {
		return 1
	}
	return 0
}

func productPhrase(p Product) string {
	if t := p.Tag(); t != "" {
		return t
	}
	if p.Classification == Total {
		return "all goods"
	}
	return "sector " + p.Code
}

func productsPhrase(ps []Product) string {
	var names []string
	for _, p := range ps {
		names = append(names, productPhrase(p))
	}
	return strings.Join(names, ", ")
}

func partnerPhrase(p string) string {
	if p == "" {
		return ""
	}
	return " with " + p
}

func yearsPhrase(from, to int) string {
	switch {
	case from != 0 && to != 0:
		return fmt.Sprintf(" between %d and %d", from, to)
	case from != 0:
		return fmt.Sprintf(" from %d", from)
	case to != 0:
		return fmt.Sprintf(" up to %d", to)
	}
	return ""
}

func datasetPhrase(id int64) string {
	if id == 0 {
		return " in any dataset"
	}
	return fmt.Sprintf(" in dataset %d", id)
}

// ListedProduct is a product the store knows, for the products list: the
// HS sections and chapters of the reference list, and the products imports
// added (HS headings, a source's own sectors).
type ListedProduct struct {
	Product
	// Reference is true for the embedded HS list, false for products an
	// import added. Those stay listed after their datasets are deleted.
	Reference bool
}

// ProductList returns every stored product: the reference list in its
// order (all goods, sections, chapters), then the imported ones by
// classification and code.
func (s *Store) ProductList(ctx context.Context) ([]ListedProduct, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT classification, code, name, parent_classification, parent_code FROM products ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ref, added []ListedProduct
	for rows.Next() {
		var p ListedProduct
		if err := rows.Scan(&p.Classification, &p.Code, &p.Name, &p.ParentClassification, &p.ParentCode); err != nil {
			return nil, err
		}
		if _, err := s.ref.Product(p.Classification, p.Code); err == nil {
			p.Reference = true
			ref = append(ref, p)
		} else {
			added = append(added, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(added, func(a, b ListedProduct) int {
		return cmp.Or(cmp.Compare(a.Classification, b.Classification), cmp.Compare(a.Code, b.Code))
	})
	return append(ref, added...), nil
}
