package importers

import (
	"fmt"
	"slices"
	"strings"
)

// MapRoles are the parts of a long table's row that Options.Map can point
// at a column, in the order a Report lists them.
var MapRoles = []string{"reporter", "partner", "period", "flow", "product", "value"}

// roleFields are the fields each role stands for. A role given a column
// is read from that column alone: a reporter column so named may hold
// ISO3 codes, numeric codes or names, as country() resolves any of them.
var roleFields = map[string][]field{
	"reporter": {fReporterISO, fReporterCode, fReporterName},
	"partner":  {fPartnerISO, fPartnerCode, fPartnerName},
	"period":   {fPeriod},
	"flow":     {fFlow},
	"product":  {fProduct},
	"value":    {fValue},
}

// mappedField is the field a mapped role's column is read as.
var mappedField = map[string]field{
	"reporter": fReporterName, "partner": fPartnerName, "period": fPeriod,
	"flow": fFlow, "product": fProduct, "value": fValue,
}

// ColumnUse is the column a long table's role was read from, for a
// Report: detected from the header's text, or given with Options.Map.
type ColumnUse struct {
	Role   string // one of MapRoles
	Column string // the column's letter, as a spreadsheet shows it: "C"
	Header string // the header cell as written
	Given  bool   // named by Options.Map rather than detected
}

// checkMap refuses roles that Options.Map does not know, before the file
// is read.
func checkMap(m map[string]string) error {
	for role := range m {
		if !slices.Contains(MapRoles, role) {
			return &Error{Msg: fmt.Sprintf("the column mapping names the role %q; the roles are %s", role, strings.Join(MapRoles, ", "))}
		}
	}
	return nil
}

// mapped reports whether Options.Map names a column for any role.
func mapped(m map[string]string) bool {
	for _, v := range m {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

// ColumnLetter is a 0-based column index as a spreadsheet names it: 0 is
// "A", 26 "AA".
func ColumnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append(b, byte('A'+(i-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

// letterIndex reads a column letter ("D", "ab") as a 0-based index; false
// for anything else. Three letters at most: XFD is a sheet's last column.
func letterIndex(s string) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range strings.ToUpper(s) {
		if c < 'A' || c > 'Z' {
			return 0, false
		}
		n = n*26 + int(c-'A') + 1
	}
	return n - 1, true
}

// findColumn resolves a mapping's column: a column letter in capitals
// within the header ("B", as the upload page's lists send them), else a
// header's text (as written, or as normalised: "trade value usd" finds
// "Trade Value (US$)"), else a column letter in lower case. Capitals win
// so that a list's "B" never picks another column headed "b". The
// message says why none matches.
func findColumn(names []string, want string) (int, string) {
	want = trimSpace(want)
	if i, ok := letterIndex(want); ok && i < len(names) && want == strings.ToUpper(want) {
		return i, ""
	}
	for i, n := range names {
		if strings.EqualFold(n, want) {
			return i, ""
		}
	}
	if nw := normalizeHeader(want); nw != "" {
		for i, n := range names {
			if normalizeHeader(n) == nw {
				return i, ""
			}
		}
	}
	i, ok := letterIndex(want)
	if ok && i < len(names) {
		return i, ""
	}
	shown := make([]string, 0, min(len(names), 20)+1)
	for i, n := range names[:min(len(names), 20)] {
		shown = append(shown, ColumnLetter(i)+" "+fmt.Sprintf("%q", n))
	}
	if len(names) > 20 {
		shown = append(shown, "…")
	}
	why := fmt.Sprintf("no column is headed %q", want)
	if ok {
		why += fmt.Sprintf(", and column %s is beyond the header's last column, %s", strings.ToUpper(want), ColumnLetter(len(names)-1))
	}
	return -1, why + "; the columns are " + strings.Join(shown, ", ")
}

// applyMap points each role that Options.Map names at its column, before
// the header's text is matched, so that a mapped role is never detected
// (nor refused as ambiguous). It returns the columns it took, and why a
// mapping names no column of this header.
func (l *long) applyMap(c *columns) (map[int]bool, string) {
	taken := map[int]bool{}
	for _, role := range MapRoles {
		want := strings.TrimSpace(l.o.Map[role])
		if want == "" {
			continue
		}
		i, why := findColumn(c.names, want)
		if i < 0 {
			return nil, fmt.Sprintf("the column mapping %s=%s names no column: %s", role, want, why)
		}
		if taken[i] {
			return nil, fmt.Sprintf("the column mapping gives column %s %q to two roles; give each role its own column", ColumnLetter(i), c.names[i])
		}
		taken[i] = true
		c.idx[mappedField[role]] = i
	}
	return taken, ""
}

// roleMapped reports whether field f belongs to a role Options.Map names.
func (l *long) roleMapped(f field) bool {
	for role, fs := range roleFields {
		if strings.TrimSpace(l.o.Map[role]) != "" && slices.Contains(fs, f) {
			return true
		}
	}
	return false
}

// uses lists the column each role is read from, in MapRoles order; roles
// with no column (a reporter given with --reporter) are left out.
func (l *long) uses(c *columns) []ColumnUse {
	var out []ColumnUse
	for _, role := range MapRoles {
		fs := roleFields[role]
		if role == "product" {
			fs = []field{fProduct, fProductName} // product() reads a name column as the code when there is no code column
		}
		for _, f := range fs {
			if i := c.idx[f]; i >= 0 {
				out = append(out, ColumnUse{Role: role, Column: ColumnLetter(i), Header: c.names[i], Given: strings.TrimSpace(l.o.Map[role]) != ""})
				break
			}
		}
	}
	return out
}
