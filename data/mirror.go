package data

import (
	"fmt"
	"math"
)

// MirrorQuery compares a pair's figures as each side states them. The
// reporter's side comes from Dataset (0: any), the partner's from
// MirrorDataset (0: any). CIFFactor, when above 1, converts the CIF side
// of each comparison (imports) to FOB by dividing by it, such as the IMF's
// 1.06; 0 or 1 compares the figures as published.
type MirrorQuery struct {
	Reporter, Partner string
	Dataset           int64
	MirrorDataset     int64
	CIFFactor         float64
}

// Validate checks the query.
func (q MirrorQuery) Validate() error {
	if err := (BilateralQuery{Reporter: q.Reporter, Partner: q.Partner}).Validate(); err != nil {
		return err
	}
	switch {
	case q.Dataset < 0 || q.MirrorDataset < 0:
		return fmt.Errorf("%w: dataset numbers must be positive", ErrInvalid)
	case math.IsNaN(q.CIFFactor) || q.CIFFactor < 0 || q.CIFFactor > 2 || q.CIFFactor > 0 && q.CIFFactor < 1:
		return fmt.Errorf("%w: CIF/FOB factor %v must be between 1 and 2 (the IMF uses 1.06)", ErrInvalid, q.CIFFactor)
	}
	return nil
}

// MirrorRow sets one flow in one period as the reporter states it beside
// the same flow as the partner states it: the reporter's exports beside the
// partner's imports from it, or the reporter's imports beside the partner's
// exports to it.
type MirrorRow struct {
	Period          Period
	Flow            Flow // Export or Import, seen from the reporter
	ReporterDataset int64
	PartnerDataset  int64
	Reported        Figure // the reporter's own figure
	Mirror          Figure // the partner's figure for the same flow
	// Adjusted is the CIF side divided by the factor (the partner's
	// imports for Export rows, the reporter's imports for Import rows);
	// equal to the published figure when no factor is given.
	AdjustedReported, AdjustedMirror float64
	Gap                              float64 // AdjustedMirror − AdjustedReported
	GapPct                           float64 // of AdjustedReported; NaN when that is 0
}

// Unmatched is a period stated by one side only, so no comparison is made.
type Unmatched struct {
	Period     Period
	ReportedBy string
	DatasetID  int64
}

// Mirror pairs the rows of Bilateral (both sides) period by period. Only
// identical periods are compared: a fiscal year is never set against a
// calendar year. Bounds and conflicts are never compared.
func Mirror(rows []PeriodTotals, q MirrorQuery) ([]MirrorRow, []Unmatched) {
	factor := q.CIFFactor
	if factor == 0 {
		factor = 1
	}
	var mine, theirs []PeriodTotals
	for _, r := range rows {
		switch {
		case r.ReportedBy == q.Reporter && (q.Dataset == 0 || r.DatasetID == q.Dataset):
			mine = append(mine, r)
		case r.ReportedBy == q.Partner && (q.MirrorDataset == 0 || r.DatasetID == q.MirrorDataset):
			theirs = append(theirs, r)
		}
	}
	var out []MirrorRow
	matched := map[int]bool{}
	matchedTheirs := map[int]bool{}
	for i, a := range mine {
		for j, b := range theirs {
			if a.Period != b.Period {
				continue
			}
			for _, f := range []struct {
				flow      Flow
				rep, mir  Figure
				cifMirror bool // true when the partner's figure is the CIF one
			}{{Export, a.Exports, b.Exports, true}, {Import, a.Imports, b.Imports, false}} {
				if !exact(f.rep) || !exact(f.mir) {
					continue
				}
				matched[i], matchedTheirs[j] = true, true
				row := MirrorRow{Period: a.Period, Flow: f.flow, ReporterDataset: a.DatasetID, PartnerDataset: b.DatasetID,
					Reported: f.rep, Mirror: f.mir, AdjustedReported: f.rep.Value, AdjustedMirror: f.mir.Value, GapPct: math.NaN()}
				if f.cifMirror {
					row.AdjustedMirror = f.mir.Value / factor
				} else {
					row.AdjustedReported = f.rep.Value / factor
				}
				row.Gap = row.AdjustedMirror - row.AdjustedReported
				if row.AdjustedReported != 0 {
					row.GapPct = 100 * row.Gap / row.AdjustedReported
				}
				out = append(out, row)
			}
		}
	}
	var un []Unmatched
	for i, a := range mine {
		if !matched[i] {
			un = append(un, Unmatched{a.Period, a.ReportedBy, a.DatasetID})
		}
	}
	for j, b := range theirs {
		if !matchedTheirs[j] {
			un = append(un, Unmatched{b.Period, b.ReportedBy, b.DatasetID})
		}
	}
	return out, un
}

// SourcesQuery sets a pair's figures from one dataset beside the same
// figures from another: a national release against UN Comtrade, say.
type SourcesQuery struct {
	Reporter, Partner  string
	DatasetA, DatasetB int64
}

// Validate checks the query.
func (q SourcesQuery) Validate() error {
	if err := (BilateralQuery{Reporter: q.Reporter, Partner: q.Partner}).Validate(); err != nil {
		return err
	}
	switch {
	case q.DatasetA <= 0 || q.DatasetB <= 0:
		return fmt.Errorf("%w: a source comparison needs two dataset numbers (dataset_a and dataset_b)", ErrInvalid)
	case q.DatasetA == q.DatasetB:
		return fmt.Errorf("%w: dataset_a and dataset_b are both %d; choose two datasets", ErrInvalid, q.DatasetA)
	}
	return nil
}

// SourceRow is one figure, for one period, side and flow, as two datasets
// state it. Flow is seen from the query's reporter, as in Bilateral.
type SourceRow struct {
	Period     Period
	ReportedBy string // whose statistics: the same side in both datasets
	Flow       Flow   // Export, Import or Turnover
	A, B       Figure
	Gap        float64 // B − A
	GapPct     float64 // of A; NaN when A is 0
}

// CompareSources pairs the rows of Bilateral (every dataset) that the two
// datasets state for the same period and the same side's statistics, flow
// by flow. Only exact figures are compared, and turnover only where at
// least one dataset states it rather than adding up its exports and
// imports (those are compared themselves). Periods and sides stated by
// one dataset only are returned as unmatched.
func CompareSources(rows []PeriodTotals, q SourcesQuery) ([]SourceRow, []Unmatched) {
	type key struct {
		period Period
		side   string
	}
	inB := map[key]PeriodTotals{}
	usedB := map[key]bool{}
	var as []PeriodTotals
	for _, r := range rows {
		switch r.DatasetID {
		case q.DatasetA:
			as = append(as, r)
		case q.DatasetB:
			inB[key{r.Period, r.ReportedBy}] = r
		}
	}
	var out []SourceRow
	var un []Unmatched
	for _, a := range as {
		k := key{a.Period, a.ReportedBy}
		b, ok := inB[k]
		if !ok {
			un = append(un, Unmatched{a.Period, a.ReportedBy, a.DatasetID})
			continue
		}
		usedB[k] = true
		for _, f := range []struct {
			flow Flow
			a, b Figure
		}{{Export, a.Exports, b.Exports}, {Import, a.Imports, b.Imports}, {Turnover, a.Turnover, b.Turnover}} {
			if !exact(f.a) || !exact(f.b) || f.flow == Turnover && f.a.Derived && f.b.Derived {
				continue
			}
			row := SourceRow{Period: a.Period, ReportedBy: a.ReportedBy, Flow: f.flow, A: f.a, B: f.b, Gap: f.b.Value - f.a.Value, GapPct: math.NaN()}
			if f.a.Value != 0 {
				row.GapPct = 100 * row.Gap / f.a.Value
			}
			out = append(out, row)
		}
	}
	for _, r := range rows {
		if k := (key{r.Period, r.ReportedBy}); r.DatasetID == q.DatasetB && !usedB[k] {
			un = append(un, Unmatched{r.Period, r.ReportedBy, r.DatasetID})
		}
	}
	return out, un
}
