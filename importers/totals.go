package importers

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"tradedash/data"
)

// A file that states a total and also its parts (Comtrade's TOTAL row
// beside its HS chapters, a wide table's Total row under its partners)
// stores both as what they are, so nothing is counted twice; but when the
// parts do not add up to the total, the user should know by how much
// before a view shows one or the other. partsCheck adds up each level of
// parts separately (HS chapters, headings and subheadings, sections,
// sectors; partner countries) and compares every level with the total.
//
// Parts that add up to MORE than their total are always reported: that is
// an inconsistency whatever the file meant to list. Parts that add up to
// less are reported only where they are meant to be complete: a wide
// table's Total row under its rows. A long file that states World and a
// few partners, or TOTAL and a few chapters, is listing a selection, and
// its shortfall is the rest of the world, not an error.

// partLevel is one level of parts that should add up to a total.
type partLevel int

// The levels: HS codes by length, since codes of different lengths
// overlap (a subheading holds its national tariff lines), then sections
// and sectors.
const (
	levelChapters partLevel = iota
	levelHeadings
	levelSubheadings
	levelTariff8  // national tariff lines of 8 digits
	levelTariff10 // of 10 digits or more
	levelSections
	levelSectors
	nLevels
)

var levelNames = [nLevels]string{"HS chapters", "HS headings", "HS subheadings", "HS codes of 8 digits", "HS codes of 10 or more digits", "HS sections", "sectors"}

// partsOf groups the parts of one stated total.
type partsOf struct {
	total    float64
	hasTotal bool
	sum      [nLevels]float64
	n        [nLevels]int
	// listed is a wide table's Total row under its partners: the sum of
	// the partners listed, not stored (it is not trade with the World),
	// kept only to check them; listedRow is its row number.
	listed    float64
	hasListed bool
	listedRow int
}

// productKey is a reporter's flow with a partner in a period: the parts
// are its products, the total its TOTAL product.
// Its parts are numbers of the keyIDs tables.
type productKey struct {
	reporter, partner, flow, period uint32
}

// partnerKey is a reporter's flow of a product in a period: the parts are
// its partners, the total the partner World.
// Its parts are numbers of the keyIDs tables.
type partnerKey struct {
	reporter, flow, period, product uint32
}

// Tolerance: totals and parts are often rounded separately (to a
// thousand or a million US$ each), so a difference within 0.1% of the
// total is not reported. (A tolerance of one rounding unit per part
// would need the precision each cell was written with, which the
// observations do not carry.)
const partsTolerance = 0.001

// maxPartsKeys bounds the memory the check takes: past it, new keys are
// not followed (a BACI file has no totals, but millions of rows).
const maxPartsKeys = 200000

// maxPartsWarnings is how many differences are listed one by one.
const maxPartsWarnings = 20

// noTotalsAfter is how many observations are followed before giving up
// on a file that has stated no total by then (a BACI-like file of HS6
// rows only): the sums cost a few hundred nanoseconds a row.
const noTotalsAfter = 100000

type partsCheck struct {
	// shortfall says parts are meant to be complete, so that falling
	// short of the total is reported too (wide tables).
	shortfall bool
	ref       *data.Reference
	ids       *keyIDs
	groups    []int8 // by partner number: 0 not looked up yet, 1 grouping, -1 not
	products  map[productKey]*partsOf
	partners  map[partnerKey]*partsOf
	// The sums last added to, by key: a file sorted by reporter,
	// partner, flow and period adds a run of products to one.
	lastProduct lastParts[productKey]
	lastPartner lastParts[partnerKey]
	truncated   bool
	seen        int  // observations added
	totals      bool // a total was seen
	gaveUp      bool // no total in the first noTotalsAfter observations
	lateTotal   bool // ...but one came after
}

func newPartsCheck(shortfall bool, ref *data.Reference) *partsCheck {
	return &partsCheck{shortfall: shortfall, ref: ref, ids: &keyIDs{},
		products: map[productKey]*partsOf{}, partners: map[partnerKey]*partsOf{}}
}

// isGroup is data.Country.Group for a partner key, numbered id; a key the
// reference does not know is a part.
func (c *partsCheck) isGroup(partner string, id uint32) bool {
	for int(id) >= len(c.groups) {
		c.groups = append(c.groups, 0)
	}
	if c.groups[id] == 0 {
		c.groups[id] = -1
		if k, err := c.ref.Country(partner); err == nil && k.Group() {
			c.groups[id] = 1
		}
	}
	return c.groups[id] > 0
}

// level says which level of parts a product is; ok is false for TOTAL.
func level(p data.Product) (partLevel, bool) {
	switch p.Classification {
	case data.HS:
		switch n := len(p.Code); {
		case n <= 2:
			return levelChapters, true
		case n <= 4:
			return levelHeadings, true
		case n <= 6:
			return levelSubheadings, true
		case n <= 8:
			return levelTariff8, true
		}
		return levelTariff10, true
	case data.HSSection:
		return levelSections, true
	case data.Sector:
		return levelSectors, true
	}
	return 0, false
}

// add adds an observation to the sums.
func (c *partsCheck) add(o data.Observation) { c.addKeyed(o, c.ids.of(o)) }

// addKeyed is add for an observation whose key c.ids has numbered.
func (c *partsCheck) addKeyed(o data.Observation, k obsKey) {
	isTotal := o.Product.Classification == data.Total || o.Partner == "WLD"
	c.totals = c.totals || isTotal
	if c.gaveUp {
		c.lateTotal = c.lateTotal || isTotal
		return
	}
	if c.seen++; c.seen > noTotalsAfter && !c.totals {
		c.gaveUp, c.products, c.partners = true, nil, nil
		return
	}
	if o.Bound != data.Exact && o.Bound != "" {
		return // a bound is not a figure to add up
	}
	pk := productKey(k)
	if s := c.lastProduct.entry(c, c.products, pk); s != nil {
		if lv, ok := level(o.Product); ok {
			s.sum[lv] += o.ValueUSD
			s.n[lv]++
		} else {
			s.total, s.hasTotal = o.ValueUSD, true
		}
	}
	if o.Partner != "WLD" && c.isGroup(o.Partner, k.partner) {
		return
	}
	qk := partnerKey{k.reporter, k.flow, k.period, c.ids.products.id(productCode{o.Product.Classification, o.Product.Code})}
	if s := c.lastPartner.entry(c, c.partners, qk); s != nil {
		if o.Partner == "WLD" {
			s.total, s.hasTotal = o.ValueUSD, true
		} else {
			s.sum[0] += o.ValueUSD
			s.n[0]++
		}
	}
}

// addListed records a wide table's Total row under partner rows, which
// should equal the sum of those partners: o has no partner.
func (c *partsCheck) addListed(o data.Observation, row int) {
	c.totals = true
	if c.gaveUp {
		c.lateTotal = true
		return
	}
	ids := c.ids
	qk := partnerKey{ids.reporters.id(o.Reporter), ids.flows.id(o.Flow), ids.periods.id(o.Period),
		ids.products.id(productCode{o.Product.Classification, o.Product.Code})}
	if s := entry(c, c.partners, qk); s != nil {
		s.listed, s.hasListed, s.listedRow = o.ValueUSD, true, row
	}
}

// entry finds or adds a key's sums; nil once too many keys are followed.
func entry[K comparable](c *partsCheck, m map[K]*partsOf, k K) *partsOf {
	if s, ok := m[k]; ok {
		return s
	}
	if len(c.products)+len(c.partners) >= maxPartsKeys {
		c.truncated = true
		return nil
	}
	s := &partsOf{}
	m[k] = s
	return s
}

// lastParts is a key and its sums, the last entry gave.
type lastParts[K comparable] struct {
	key K
	s   *partsOf
}

// entry is entry(c, m, k), answered without m when k is the last key.
func (l *lastParts[K]) entry(c *partsCheck, m map[K]*partsOf, k K) *partsOf {
	if l.s != nil && l.key == k {
		return l.s
	}
	s := entry(c, m, k)
	if s != nil {
		l.key, l.s = k, s
	}
	return s
}

// differs reports whether parts and total disagree beyond rounding in a
// way worth reporting: parts above the total always, parts below it only
// when shortfall is asked for.
func differs(total, parts float64, shortfall bool) bool {
	if !shortfall && parts <= total {
		return false
	}
	return math.Abs(parts-total) > partsTolerance*math.Abs(total)
}

// gap says by how much parts miss total: "difference 500,000 US$, 5.00% of
// the total" when they fall short, "500,000 US$ more than the total,
// 5.00%" when they exceed it.
func gap(total, parts float64) string {
	if parts > total {
		return fmt.Sprintf("%s US$ more than the total, %s", usd(parts-total), pct(parts-total, total))
	}
	return fmt.Sprintf("difference %s US$, %s", usd(total-parts), pct(total-parts, total))
}

// partsDiff is one total whose parts do not add up to it.
type partsDiff struct {
	order string        // for a stable listing
	msg   func() string // written only for the differences listed
}

// warnings lists the totals whose parts add up to something else.
func (c *partsCheck) warnings() []string {
	var diffs []partsDiff
	ids := c.ids
	for k, s := range c.products {
		if !s.hasTotal {
			continue
		}
		for lv := range nLevels {
			if s.n[lv] == 0 || !differs(s.total, s.sum[lv], c.shortfall) {
				continue
			}
			what := fmt.Sprintf("%s %s %s, %s", ids.reporters.keys[k.reporter], ids.flows.keys[k.flow], ids.partners.keys[k.partner], ids.periods.keys[k.period].Label())
			diffs = append(diffs, partsDiff{what + levelNames[lv], func() string {
				return fmt.Sprintf("%s: the stated total is %s US$ but its %d %s add up to %s US$ (%s); both are kept as stated",
					what, usd(s.total), s.n[lv], levelNames[lv], usd(s.sum[lv]), gap(s.total, s.sum[lv]))
			}})
		}
	}
	for k, s := range c.partners {
		overTotal := s.hasTotal && differs(s.total, s.sum[0], false)
		offListed := s.hasListed && differs(s.listed, s.sum[0], true)
		if s.n[0] == 0 || !overTotal && !offListed {
			continue // the common case, so the text below is only written for a difference
		}
		pc := ids.products.keys[k.product]
		product := pc.code
		if pc.class != data.Total {
			product = string(pc.class) + " " + pc.code
		}
		what := fmt.Sprintf("%s %s %s, %s", ids.reporters.keys[k.reporter], ids.flows.keys[k.flow], product, ids.periods.keys[k.period].Label())
		// World beside some partners lists a selection: only an excess
		// is an inconsistency. A Total row under them is their sum.
		if overTotal {
			diffs = append(diffs, partsDiff{what + "partners", func() string {
				return fmt.Sprintf("%s: the stated total with World is %s US$ but the %d partners listed add up to %s US$ (%s); both are kept as stated",
					what, usd(s.total), s.n[0], usd(s.sum[0]), gap(s.total, s.sum[0]))
			}})
		}
		if offListed {
			diffs = append(diffs, partsDiff{what + "partners listed", func() string {
				return fmt.Sprintf("%s: the Total row (row %d, the sum of the partners listed; not stored) states %s US$ but the %d partners listed add up to %s US$ (%s); the partners are kept as stated",
					what, s.listedRow, usd(s.listed), s.n[0], usd(s.sum[0]), gap(s.listed, s.sum[0]))
			}})
		}
	}
	slices.SortFunc(diffs, func(a, b partsDiff) int { return cmp.Compare(a.order, b.order) })
	var out []string
	for i, d := range diffs {
		if i == maxPartsWarnings {
			out = append(out, fmt.Sprintf("…and %d more totals whose parts add up to something else", len(diffs)-maxPartsWarnings))
			break
		}
		out = append(out, d.msg())
	}
	if c.lateTotal {
		out = append(out, fmt.Sprintf("totals were not compared with their parts: the first %d observations state no total, and one came later", noTotalsAfter))
	}
	if c.truncated {
		out = append(out, fmt.Sprintf("totals were compared with their parts for the first %d combinations of reporter, partner, flow, period and product only", maxPartsKeys))
	}
	return out
}

// usd writes a dollar amount with thousands separators and at most two decimals.
func usd(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		frac = strconv.FormatFloat(math.Abs(v), 'f', 2, 64)[len(whole)+1:]
	}
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" && strings.Trim(frac, "0") != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// pct is diff as a percentage of total.
func pct(diff, total float64) string {
	if total == 0 {
		return "the total is zero"
	}
	return strconv.FormatFloat(100*diff/total, 'f', 2, 64) + "% of the total"
}
