package data

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Month is a calendar month counted from year 0: year*12 + (month-1).
// It makes period arithmetic and ordering plain integer work.
type Month int

// NewMonth returns the Month for a year and a month number 1..12.
func NewMonth(year, month int) Month { return Month(year*12 + month - 1) }

// Year is the calendar year of m.
func (m Month) Year() int { return int(m) / 12 }

// Number is the month of the year, 1..12.
func (m Month) Number() int { return int(m)%12 + 1 }

// YYYYMM is the month as the integer stored in the database (202307 for July 2023).
func (m Month) YYYYMM() int { return m.Year()*100 + m.Number() }

// MonthFromYYYYMM is the inverse of YYYYMM.
func MonthFromYYYYMM(v int) Month { return NewMonth(v/100, v%100) }

var monthAbbr = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// PeriodKind says what sort of period a Period is; it is derived from its
// months, never stored, so a period cannot claim to be what it is not.
type PeriodKind string

// The kinds of period. A fiscal year is twelve months that do not start in
// January; anything shorter or longer than twelve months is a partial period.
const (
	CalendarYear PeriodKind = "calendar_year"
	FiscalYear   PeriodKind = "fiscal_year"
	Months       PeriodKind = "months"
)

// Period is the span of months a trade figure covers, first and last month
// included: a calendar year (Jan–Dec), a fiscal year with its own start month
// (Pakistan's July–June, India's April–March) or a partial period such as
// January–November. Two periods are the same only if both ends are.
type Period struct {
	Start Month
	End   Month
}

// Year returns the calendar-year period y.
func Year(y int) Period { return Period{NewMonth(y, 1), NewMonth(y, 12)} }

// Fiscal returns the twelve-month fiscal year that starts in startMonth of startYear.
func Fiscal(startYear, startMonth int) Period {
	s := NewMonth(startYear, startMonth)
	return Period{s, s + 11}
}

// Kind classifies the period.
func (p Period) Kind() PeriodKind {
	switch {
	case p.End-p.Start == 11 && p.Start.Number() == 1:
		return CalendarYear
	case p.End-p.Start == 11:
		return FiscalYear
	default:
		return Months
	}
}

// EndYear is the calendar year in which the period ends (FY2022-23 → 2023).
// It is the "year" field of API rows; the label says what the period really is.
func (p Period) EndYear() int { return p.End.Year() }

// Label is how the period is written for people: "2023", "FY2022-23",
// "Jan–Nov 2020", "Mar 2021", "Nov 2022–Feb 2023".
func (p Period) Label() string {
	switch p.Kind() {
	case CalendarYear:
		return strconv.Itoa(p.Start.Year())
	case FiscalYear:
		return fmt.Sprintf("FY%d-%02d", p.Start.Year(), p.End.Year()%100)
	}
	s, e := p.Start, p.End
	switch {
	case s == e:
		return fmt.Sprintf("%s %d", monthAbbr[s.Number()-1], s.Year())
	case s.Year() == e.Year():
		return fmt.Sprintf("%s–%s %d", monthAbbr[s.Number()-1], monthAbbr[e.Number()-1], s.Year())
	default:
		return fmt.Sprintf("%s %d–%s %d", monthAbbr[s.Number()-1], s.Year(), monthAbbr[e.Number()-1], e.Year())
	}
}

// String is the period's canonical key, "2023-01..2023-12", the form
// ParsePeriod reads back whatever the kind.
func (p Period) String() string {
	return fmt.Sprintf("%04d-%02d..%04d-%02d", p.Start.Year(), p.Start.Number(), p.End.Year(), p.End.Number())
}

// Less orders periods by start, then by end, so FY2022-23 (from July 2022)
// comes before calendar 2023 and a partial period before the full one it begins.
func (p Period) Less(q Period) bool {
	if p.Start != q.Start {
		return p.Start < q.Start
	}
	return p.End < q.End
}

// Validate reports whether the period is a usable span.
func (p Period) Validate() error {
	switch {
	case p.Start.Year() < 1900 || p.End.Year() > 2200:
		return fmt.Errorf("%w: period %s is outside the years 1900–2200", ErrInvalid, p)
	case p.End < p.Start:
		return fmt.Errorf("%w: period %s ends before it starts", ErrInvalid, p)
	case p.End-p.Start > 11:
		return fmt.Errorf("%w: period %s is longer than a year", ErrInvalid, p)
	}
	return nil
}

// looksFiscal tells "2011-12" the fiscal year from "2011-12" December 2011:
// it is a fiscal year when the second part is the next year and either a
// fiscal start month is given or it cannot be a month.
func looksFiscal(s string, fiscalStartMonth int) bool {
	m := reMonth.FindStringSubmatch(s)
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	return n == (y+1)%100 && (fiscalStartMonth > 0 || n > 12 || n == 0)
}

var (
	reYear       = regexp.MustCompile(`^(\d{4})$`)
	reRange      = regexp.MustCompile(`^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$`)
	reMonth      = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	reFiscalText = regexp.MustCompile(`^(?i:FY)?\s*(\d{4})\s*[-–/]\s*(\d{2}|\d{4})$`)
)

// ParsePeriod reads a period written as "2023", "2023-03" (one month),
// "2022-07..2023-06" (any span), or a fiscal year "FY2022-23" / "2022-23"
// / "2022/2023", which needs fiscalStartMonth (7 for Pakistan, 4 for India):
// with fiscalStartMonth 0 a fiscal label is an error, never a guess.
func ParsePeriod(s string, fiscalStartMonth int) (Period, error) {
	s = strings.TrimSpace(s)
	atoi := func(v string) int { n, _ := strconv.Atoi(v); return n }
	var p Period
	switch {
	case reYear.MatchString(s):
		p = Year(atoi(s))
	case reRange.MatchString(s):
		m := reRange.FindStringSubmatch(s)
		p = Period{NewMonth(atoi(m[1]), atoi(m[2])), NewMonth(atoi(m[3]), atoi(m[4]))}
		if n := atoi(m[2]); n < 1 || n > 12 {
			return Period{}, fmt.Errorf("%w: period %q has month %d", ErrInvalid, s, n)
		}
		if n := atoi(m[4]); n < 1 || n > 12 {
			return Period{}, fmt.Errorf("%w: period %q has month %d", ErrInvalid, s, n)
		}
	case reMonth.MatchString(s) && !looksFiscal(s, fiscalStartMonth):
		m := reMonth.FindStringSubmatch(s)
		if n := atoi(m[2]); n < 1 || n > 12 {
			return Period{}, fmt.Errorf("%w: period %q has month %d", ErrInvalid, s, n)
		}
		mo := NewMonth(atoi(m[1]), atoi(m[2]))
		p = Period{mo, mo}
	case reFiscalText.MatchString(s):
		m := reFiscalText.FindStringSubmatch(s)
		start := atoi(m[1])
		end := atoi(m[2])
		if len(m[2]) == 2 {
			end = start/100*100 + end
			if end < start {
				end += 100
			}
		}
		if end != start+1 {
			return Period{}, fmt.Errorf("%w: fiscal year %q must span two consecutive years", ErrInvalid, s)
		}
		if fiscalStartMonth < 2 || fiscalStartMonth > 12 {
			return Period{}, fmt.Errorf("%w: %q is a fiscal year, but its start month is not known", ErrInvalid, s)
		}
		p = Fiscal(start, fiscalStartMonth)
	default:
		return Period{}, fmt.Errorf("%w: %q is not a period (expected 2023, 2023-03, 2022-07..2023-06 or FY2022-23)", ErrInvalid, s)
	}
	return p, p.Validate()
}

// String writes the month as "Jul 2023".
func (m Month) String() string { return fmt.Sprintf("%s %d", monthAbbr[m.Number()-1], m.Year()) }

// Months is the number of months the period covers.
func (p Period) Months() int { return int(p.End-p.Start) + 1 }

// SameClass reports whether p and q belong to one series of periods that
// never overlap: the same kind and length, and the same place in the
// year. Lengths that divide a year (months, quarters, half years, years)
// tile it, so their place is the start month modulo the length: every
// month is one class, the quarters Jan–Mar, Apr–Jun, … another. Other
// lengths (Jan–Nov each year) need the same start month, as Like does.
func (p Period) SameClass(q Period) bool {
	n := p.Months()
	if p.Kind() != q.Kind() || n != q.Months() {
		return false
	}
	if 12%n == 0 {
		return (p.Start.Number()-1)%n == (q.Start.Number()-1)%n
	}
	return p.Start.Number() == q.Start.Number()
}

// ClassPlural names p's class for people: "calendar years", "fiscal
// years", "single months", "3-month periods".
func (p Period) ClassPlural() string {
	if p.Kind() != Months {
		return KindPlural(p.Kind())
	}
	if p.Months() == 1 {
		return "single months"
	}
	return strconv.Itoa(p.Months()) + "-month periods"
}
