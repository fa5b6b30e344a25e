package data

import (
	"errors"
	"sort"
	"testing"
)

func TestPeriodLabelsAndKinds(t *testing.T) {
	tests := []struct {
		in        string
		fiscal    int
		wantLabel string
		wantKind  PeriodKind
		wantEnd   int
	}{
		{"2023", 0, "2023", CalendarYear, 2023},
		{"2023-01..2023-12", 0, "2023", CalendarYear, 2023},
		{"FY2022-23", 7, "FY2022-23", FiscalYear, 2023},
		{"2022-23", 4, "FY2022-23", FiscalYear, 2023},
		{"2022/2023", 7, "FY2022-23", FiscalYear, 2023},
		{"1999-00", 7, "FY1999-00", FiscalYear, 2000},
		{"2022-07..2023-06", 0, "FY2022-23", FiscalYear, 2023},
		{"2020-01..2020-11", 0, "Jan–Nov 2020", Months, 2020},
		{"2022-04..2022-08", 0, "Apr–Aug 2022", Months, 2022},
		{"2022-11..2023-02", 0, "Nov 2022–Feb 2023", Months, 2023},
		{"2021-03", 0, "Mar 2021", Months, 2021},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePeriod(tt.in, tt.fiscal)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Label(); got != tt.wantLabel {
				t.Errorf("Label() = %q, want %q", got, tt.wantLabel)
			}
			if got := p.Kind(); got != tt.wantKind {
				t.Errorf("Kind() = %q, want %q", got, tt.wantKind)
			}
			if got := p.EndYear(); got != tt.wantEnd {
				t.Errorf("EndYear() = %d, want %d", got, tt.wantEnd)
			}
			back, err := ParsePeriod(p.String(), 0)
			if err != nil || back != p {
				t.Errorf("ParsePeriod(%q) = %v, %v; want %v", p.String(), back, err, p)
			}
		})
	}
}

func TestParsePeriodRefusesWhatItCannotKnow(t *testing.T) {
	for _, in := range []string{"", "FY2022-23", "2022-23", "2022-24", "2023-13", "2023-00..2023-05", "2023-05..2023-01", "2022-01..2023-06", "1800", "twenty", "2023.5"} {
		if p, err := ParsePeriod(in, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePeriod(%q, 0) = %v, %v; want ErrInvalid", in, p, err)
		}
	}
}

func TestFiscalYearIsNeverACalendarYear(t *testing.T) {
	fy := Fiscal(2022, 7)
	if fy == Year(2022) || fy == Year(2023) {
		t.Fatal("FY2022-23 equals a calendar year")
	}
	ps := []Period{Year(2023), Fiscal(2022, 7), Year(2012), {NewMonth(2020, 1), NewMonth(2020, 11)}, Fiscal(2020, 7)}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Less(ps[j]) })
	var got []string
	for _, p := range ps {
		got = append(got, p.Label())
	}
	want := []string{"2012", "Jan–Nov 2020", "FY2020-21", "FY2022-23", "2023"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order = %v, want %v", got, want)
		}
	}
}

func TestMonthRoundTrip(t *testing.T) {
	for _, v := range []int{190001, 202307, 202312, 220012} {
		if got := MonthFromYYYYMM(v).YYYYMM(); got != v {
			t.Errorf("MonthFromYYYYMM(%d).YYYYMM() = %d", v, got)
		}
	}
}

func TestAmbiguousYearDash(t *testing.T) {
	if p, _ := ParsePeriod("2011-12", 0); p.Label() != "Dec 2011" {
		t.Errorf("2011-12 without a fiscal start = %s, want Dec 2011", p.Label())
	}
	if p, _ := ParsePeriod("2011-12", 7); p.Label() != "FY2011-12" {
		t.Errorf("2011-12 with fiscal start July = %s, want FY2011-12", p.Label())
	}
}
