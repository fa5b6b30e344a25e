package data

import (
	"errors"
	"testing"
)

// FuzzParsePeriod: any text gives a valid period or an ErrInvalid, never
// a panic; a period read back from its canonical key is the same period,
// and a fiscal year's label reads back as it with its start month.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{
		"2023", "2023-03", "2022-07..2023-06", "FY2022-23", "fy 2022 / 2023", "2022-23", "2011-12", "1999-00",
		"2023-13", "2023-00", "0000", "9999-12..0001-01", "2022–23", " 2023 ", "FY2022-2024", "2023-01..2024-12",
		"", "..", "2023-1", "１２３４", "2023\n", "FY9999-00",
	} {
		for _, fsm := range []int{0, 1, 4, 7, 13, -1} {
			f.Add(s, fsm)
		}
	}
	f.Fuzz(func(t *testing.T, s string, fiscalStartMonth int) {
		p, err := ParsePeriod(s, fiscalStartMonth)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParsePeriod(%q, %d): %v is not ErrInvalid", s, fiscalStartMonth, err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("ParsePeriod(%q, %d) = %v, which is invalid: %v", s, fiscalStartMonth, p, err)
		}
		if q, err := ParsePeriod(p.String(), 0); err != nil || q != p {
			t.Fatalf("ParsePeriod(%q, %d) = %v; its key %q reads back as %v, %v", s, fiscalStartMonth, p, p.String(), q, err)
		}
		if p.Kind() == FiscalYear {
			if q, err := ParsePeriod(p.Label(), p.Start.Number()); err != nil || q != p {
				t.Fatalf("ParsePeriod(%q, %d) = %v; its label %q reads back as %v, %v", s, fiscalStartMonth, p, p.Label(), q, err)
			}
		}
	})
}
