package data

import "math"

// Like reports whether two periods can be compared: the same kind, length
// and start month, such as two Pakistani fiscal years, or January–October
// of two years. A fiscal year is never like a calendar year.
func (p Period) Like(q Period) bool {
	return p.Kind() == q.Kind() && p.End-p.Start == q.End-q.Start && p.Start.Number() == q.Start.Number()
}

// Change is a figure's change on the same figure one year earlier, in a
// like period from the same dataset and the same side's statistics.
type Change struct {
	Known bool
	From  Period  // the earlier period
	Delta float64 // US$
	Pct   float64 // percent; NaN when the earlier value is 0
}

// ChangeOn returns the change of pick(rows[i]) on the like period a year
// earlier, when both figures are stated or derived exactly. Bounds and
// conflicts give no change: "at least $1 bn" minus an exact figure says
// nothing about growth.
func ChangeOn(rows []PeriodTotals, i int, pick func(PeriodTotals) Figure) Change {
	cur := rows[i]
	for j := range rows {
		prev := rows[j]
		if prev.DatasetID != cur.DatasetID || prev.ReportedBy != cur.ReportedBy ||
			prev.Period.Start != cur.Period.Start-12 || !prev.Period.Like(cur.Period) {
			continue
		}
		a, b := pick(prev), pick(cur)
		if !exact(a) || !exact(b) {
			return Change{}
		}
		c := Change{Known: true, From: prev.Period, Delta: b.Value - a.Value, Pct: math.NaN()}
		if a.Value != 0 {
			c.Pct = 100 * (b.Value - a.Value) / math.Abs(a.Value)
		}
		return c
	}
	return Change{}
}

func exact(f Figure) bool { return f.Known && !f.Conflict && f.Bound == Exact }

// Growth is a compound annual growth rate between the first and last like
// periods of a series: (last/first)^(1/years) − 1.
type Growth struct {
	DatasetID   int64
	ReportedBy  string
	From, To    Period
	First, Last float64
	Years       int
	Rate        float64 // per year, as a fraction (0.303 for 30.3 %)
}

// CAGR computes, for each dataset, side and class of like periods with at
// least two exact positive figures at least a year apart, the growth from
// the first to the last of them. Unlike periods are never chained.
func CAGR(rows []PeriodTotals, pick func(PeriodTotals) Figure) []Growth {
	var out []Growth
	done := make([]bool, len(rows))
	for i, r := range rows {
		if done[i] {
			continue
		}
		g := Growth{DatasetID: r.DatasetID, ReportedBy: r.ReportedBy}
		found := 0
		for j := i; j < len(rows); j++ {
			s := rows[j]
			if s.DatasetID != r.DatasetID || s.ReportedBy != r.ReportedBy || !s.Period.Like(r.Period) {
				continue
			}
			done[j] = true
			f := pick(s)
			if !exact(f) || f.Value <= 0 {
				continue
			}
			if found == 0 || s.Period.Less(g.From) {
				g.From, g.First = s.Period, f.Value
			}
			if found == 0 || g.To.Less(s.Period) {
				g.To, g.Last = s.Period, f.Value
			}
			found++
		}
		if found < 2 {
			continue
		}
		g.Years = int(g.To.Start-g.From.Start) / 12
		if g.Years < 1 {
			continue
		}
		g.Rate = math.Pow(g.Last/g.First, 1/float64(g.Years)) - 1
		out = append(out, g)
	}
	return out
}
