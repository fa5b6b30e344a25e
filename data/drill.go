package data

import "strings"

// SectionOf returns the HS section (I–XXI) that p belongs to, from the
// reference lists: a section's own code, a chapter's section, or a
// heading's or subheading's through its chapter; "" for the total, a
// free-text sector or a code the lists do not know.
func (r *Reference) SectionOf(p Product) string {
	switch p.Classification {
	case HSSection:
		return strings.ToUpper(p.Code)
	case HS:
		if len(p.Code) < 2 {
			return ""
		}
		ch, err := r.Product(HS, p.Code[:2])
		if err != nil || ch.ParentClassification != HSSection {
			return ""
		}
		return ch.ParentCode
	}
	return ""
}

// InSection keeps, of each breakdown, the HS chapters that belong to the
// given section, and only the breakdowns left with some: the drill-down
// from a section into its chapters. The sum is of the chapters kept; each
// share stays a share of the stated all-goods total. Chapters are never
// added up into the section's figure, which the source states or not.
func InSection(breakdowns []SectorBreakdown, section string, ref *Reference) []SectorBreakdown {
	section = strings.ToUpper(strings.TrimSpace(section))
	return keepSectors(breakdowns, func(p Product) bool {
		return LevelChapter.Includes(p) && ref.SectionOf(p) == section
	})
}

// SingleLevel reports whether every sector of b is stated at the same
// level (all sections, all chapters, all headings, or all free-text
// sectors): only then are the parts side by side in a treemap, none
// containing another.
func (b SectorBreakdown) SingleLevel() bool {
	for i, s := range b.Sectors {
		first := b.Sectors[0].Product
		if i > 0 && (LevelOf(s.Product) != LevelOf(first) || s.Product.Classification != first.Classification) {
			return false
		}
	}
	return len(b.Sectors) > 0
}
