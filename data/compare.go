package data

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// SectorChange is one product's figure in two periods and the change.
type SectorChange struct {
	Product Product
	A, B    Figure
	Known   bool // both figures exact, so a change can be stated
	Delta   float64
	Pct     float64 // NaN when A is 0
}

// Comparison sets two periods of one dataset, side and flow against each
// other, product by product, with the all-goods totals where stated.
type Comparison struct {
	DatasetID  int64
	ReportedBy string
	Flow       Flow
	A, B       Period
	Total      SectorChange // the stated all-goods figures (Product is TotalProduct)
	Sectors    []SectorChange
}

// Compare matches the breakdowns of periods a and b that share a dataset,
// side and flow. Products present in only one period are listed with the
// other figure unknown: a sector missing from a statement is not a zero.
// Sectors are ordered by the size of their change, largest rise first and
// largest fall last, the order of a diverging bar chart. Unlike periods
// (a fiscal year and a calendar year, a year and a part of one) are never
// compared: the result is empty.
func Compare(breakdowns []SectorBreakdown, a, b Period) []Comparison {
	if !a.Like(b) {
		return nil
	}
	type key struct {
		dataset int64
		side    string
		flow    Flow
	}
	byKey := map[key][2]*SectorBreakdown{}
	var order []key
	for i := range breakdowns {
		bd := &breakdowns[i]
		k := key{bd.DatasetID, bd.ReportedBy, bd.Flow}
		pair, seen := byKey[k]
		switch bd.Period {
		case a:
			pair[0] = bd
		case b:
			pair[1] = bd
		default:
			continue
		}
		if !seen {
			order = append(order, k)
		}
		byKey[k] = pair
	}
	var out []Comparison
	for _, k := range order {
		pair := byKey[k]
		if pair[0] == nil || pair[1] == nil {
			continue
		}
		c := Comparison{DatasetID: k.dataset, ReportedBy: k.side, Flow: k.flow, A: a, B: b,
			Total: change(TotalProduct, pair[0].Total, pair[1].Total)}
		figures := map[string][2]Figure{}
		products := map[string]Product{}
		var keys []string
		for i, bd := range pair {
			for _, s := range bd.Sectors {
				pk := s.Product.Key()
				if _, ok := products[pk]; !ok {
					products[pk] = s.Product
					keys = append(keys, pk)
				}
				f := figures[pk]
				f[i] = s.Figure
				figures[pk] = f
			}
		}
		for _, pk := range keys {
			c.Sectors = append(c.Sectors, change(products[pk], figures[pk][0], figures[pk][1]))
		}
		slices.SortStableFunc(c.Sectors, func(x, y SectorChange) int {
			if x.Known != y.Known {
				if x.Known {
					return -1
				}
				return 1
			}
			return cmp.Compare(y.Delta, x.Delta)
		})
		out = append(out, c)
	}
	return out
}

func change(p Product, a, b Figure) SectorChange {
	c := SectorChange{Product: p, A: a, B: b, Pct: math.NaN()}
	if exact(a) && exact(b) {
		c.Known, c.Delta = true, b.Value-a.Value
		if a.Value != 0 {
			c.Pct = 100 * c.Delta / math.Abs(a.Value)
		}
	}
	return c
}

// LatestLikePair picks the two latest like periods that some dataset, side
// and flow give product figures for, so /compare has a sensible default.
func LatestLikePair(breakdowns []SectorBreakdown) (a, b Period, ok bool) {
	for i, x := range breakdowns {
		for _, y := range breakdowns[i+1:] {
			if x.DatasetID != y.DatasetID || x.ReportedBy != y.ReportedBy || x.Flow != y.Flow || x.Period == y.Period || !x.Period.Like(y.Period) {
				continue
			}
			lo, hi := x.Period, y.Period
			if hi.Less(lo) {
				lo, hi = hi, lo
			}
			if !ok || b.Less(hi) || hi == b && a.Less(lo) {
				a, b, ok = lo, hi, true
			}
		}
	}
	return a, b, ok
}

// ComparablePeriods lists the periods with product figures, for selectors.
func ComparablePeriods(breakdowns []SectorBreakdown) []Period {
	var out []Period
	for _, bd := range breakdowns {
		if !slices.Contains(out, bd.Period) {
			out = append(out, bd.Period)
		}
	}
	slices.SortFunc(out, func(x, y Period) int {
		if x.Less(y) {
			return -1
		}
		if y.Less(x) {
			return 1
		}
		return 0
	})
	return out
}

// ClassificationLevel is a depth of the Harmonized System at which
// sectors are compared: sections (I–XXI), chapters (2 digits) or
// headings (4 digits). The zero level keeps every product as listed.
type ClassificationLevel string

// The levels of the HS.
const (
	LevelSection ClassificationLevel = "section"
	LevelChapter ClassificationLevel = "chapter"
	LevelHeading ClassificationLevel = "heading"
)

// ClassificationLevels lists the levels from coarsest to finest.
var ClassificationLevels = []ClassificationLevel{LevelSection, LevelChapter, LevelHeading}

// ParseClassificationLevel reads "section", "chapter" or "heading"; ""
// is the zero level (every product as listed).
func ParseClassificationLevel(s string) (ClassificationLevel, error) {
	l := ClassificationLevel(strings.ToLower(strings.TrimSpace(s)))
	if l == "" || slices.Contains(ClassificationLevels, l) {
		return l, nil
	}
	return "", fmt.Errorf("%w: level must be section, chapter or heading, not %q", ErrInvalid, s)
}

// Includes reports whether p is stated at level l.
func (l ClassificationLevel) Includes(p Product) bool {
	switch l {
	case "":
		return true
	case LevelSection:
		return p.Classification == HSSection
	case LevelChapter:
		return p.Classification == HS && len(p.Code) == 2
	case LevelHeading:
		return p.Classification == HS && len(p.Code) == 4
	}
	return false
}

// AtLevel keeps each breakdown's products stated at level l, and only
// the breakdowns left with some. Figures are never added up from a finer
// level into a coarser one: a source's chapters are rarely all of its
// trade, so their sum is not the section's figure.
func AtLevel(breakdowns []SectorBreakdown, l ClassificationLevel) []SectorBreakdown {
	if l == "" {
		return breakdowns
	}
	return keepSectors(breakdowns, l.Includes)
}

// keepSectors keeps, of each breakdown, the sectors whose product keep
// accepts, with Sum the sum of the exact figures kept, and only the
// breakdowns left with some.
func keepSectors(breakdowns []SectorBreakdown, keep func(Product) bool) []SectorBreakdown {
	var out []SectorBreakdown
	for _, bd := range breakdowns {
		var kept []SectorFigure
		sum := 0.0
		for _, s := range bd.Sectors {
			if keep(s.Product) {
				kept = append(kept, s)
				if exact(s.Figure) {
					sum += s.Figure.Value
				}
			}
		}
		if len(kept) > 0 {
			bd.Sectors, bd.Sum = kept, sum
			out = append(out, bd)
		}
	}
	return out
}

// LevelsIn lists the levels at which the breakdowns state some product,
// coarsest first, for the level selector.
func LevelsIn(breakdowns []SectorBreakdown) []ClassificationLevel {
	var out []ClassificationLevel
	for _, l := range ClassificationLevels {
		if len(AtLevel(breakdowns, l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// LevelOf is the HS level p is stated at, or "" for a product at none
// (a free-text sector, a 6-digit subheading, the total).
func LevelOf(p Product) ClassificationLevel {
	for _, l := range ClassificationLevels {
		if l.Includes(p) {
			return l
		}
	}
	return ""
}

// OneLevel keeps products of a single HS level in every comparison, so
// that no figure is counted twice: a section contains its chapters and a
// chapter its headings, and a source that states all three would
// otherwise have wheat added three times over. With level l, as AtLevel.
// With the zero level, each dataset, side and flow is taken at the
// coarsest level it states in any period (so both periods of a pair
// share it); one that states no HS level, such as a list of free-text
// sectors, is kept as listed.
func OneLevel(breakdowns []SectorBreakdown, l ClassificationLevel) []SectorBreakdown {
	if l != "" {
		return AtLevel(breakdowns, l)
	}
	type key struct {
		dataset int64
		side    string
		flow    Flow
	}
	coarsest := map[key]int{}
	for _, bd := range breakdowns {
		k := key{bd.DatasetID, bd.ReportedBy, bd.Flow}
		for _, s := range bd.Sectors {
			if i := slices.Index(ClassificationLevels, LevelOf(s.Product)); i >= 0 {
				if j, ok := coarsest[k]; !ok || i < j {
					coarsest[k] = i
				}
			}
		}
	}
	var out []SectorBreakdown
	for _, bd := range breakdowns {
		i, ok := coarsest[key{bd.DatasetID, bd.ReportedBy, bd.Flow}]
		if !ok {
			out = append(out, bd)
			continue
		}
		out = append(out, AtLevel([]SectorBreakdown{bd}, ClassificationLevels[i])...)
	}
	return out
}
