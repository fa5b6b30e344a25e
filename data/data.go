// Package data owns tradedash's domain types, the SQLite store, its
// migrations, the embedded reference lists (countries, HS products) and every
// SQL query. It imports the standard library only: the SQLite driver is
// registered at the edge (main.go and test helpers).
package data

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Sentinel errors, wrapped with context and mapped to HTTP statuses by server/.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrDuplicate = errors.New("duplicate")
)

// Flow is the direction of a trade figure, seen from the reporter.
// Turnover is not a direction but is what many official statements give
// ("bilateral trade stood at …"); it is kept as stated rather than split.
type Flow string

// The flows tradedash stores.
const (
	Export    Flow = "export"
	Import    Flow = "import"
	ReExport  Flow = "re-export"
	ReImport  Flow = "re-import"
	Turnover  Flow = "turnover"
	flowCount      = 5
)

// Flows lists every flow in display order.
var Flows = [flowCount]Flow{Export, Import, ReExport, ReImport, Turnover}

// onlyOf reports whether every byte of s is one of the ASCII bytes in
// set: strings.Trim with a cutset, without building the cutset's table
// for every product of every row.
func onlyOf(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// Validate reports whether f is a known flow.
func (f Flow) Validate() error {
	for _, g := range Flows {
		if f == g {
			return nil
		}
	}
	return fmt.Errorf("%w: flow %q is not one of export, import, re-export, re-import, turnover", ErrInvalid, string(f))
}

// Bound says whether a value is exact or only a bound: "trade exceeded
// $1 billion" is recorded as 1e9 with AtLeast, never as an exact 1e9.
type Bound string

// The bounds a value can carry.
const (
	Exact   Bound = "exact"
	AtLeast Bound = "at_least"
	AtMost  Bound = "at_most"
)

// Validate reports whether b is a known bound.
func (b Bound) Validate() error {
	switch b {
	case Exact, AtLeast, AtMost:
		return nil
	}
	return fmt.Errorf("%w: bound %q is not exact, at_least or at_most", ErrInvalid, string(b))
}

// Country is a reporter or partner: an ISO 3166 country or territory, or an
// aggregate such as World (UN Comtrade code 0) or "Areas, nes" (899) that is
// never mistaken for a country.
type Country struct {
	ISO3         string   // key; for aggregates a reserved code such as WLD or X899
	ISO2         string   // empty for aggregates
	M49          int      // ISO 3166 numeric / UN M49; -1 when it has none
	ComtradeCode int      // UN Comtrade's own numeric code where it differs (India 699); else M49; -1 when it has neither (World Bank regions)
	Name         string   // English short name
	Aliases      []string // other names seen in trade files ("Russian Federation", "Türkiye")
	Aggregate    bool
}

// ProductClassification names the code list a product code belongs to.
type ProductClassification string

// Product classifications. Total stands for all goods ("TOTAL" in Comtrade);
// Sector is a free-text sector name from a source that uses no code list.
const (
	Total     ProductClassification = "TOTAL"
	HSSection ProductClassification = "HS-section"
	HS        ProductClassification = "HS"
	Sector    ProductClassification = "sector"
)

// Product is a commodity or sector. Codes are text so that HS chapter "08"
// stays "08".
type Product struct {
	Classification ProductClassification
	Code           string
	Name           string
	// Parent is the code of the enclosing product: an HS chapter's section,
	// a heading's chapter; for sectors, optionally the HS code they fall in.
	ParentClassification ProductClassification
	ParentCode           string
}

// TotalProduct is the product "all goods".
var TotalProduct = Product{Classification: Total, Code: "TOTAL", Name: "All goods"}

// Key is the product's unique key, "HS:08".
func (p Product) Key() string { return string(p.Classification) + ":" + p.Code }

// Tag is how people cite the product's code: "HS 08" for a chapter,
// heading or subheading, "HS section XI" for a section, which is a group
// of chapters and no HS code; "" for all goods and for a source's own
// sectors, whose names say what they are.
func (p Product) Tag() string {
	switch p.Classification {
	case HS:
		return "HS " + p.Code
	case HSSection:
		return "HS section " + p.Code
	}
	return ""
}

// Label names the product for people, its tag before its name: "HS 08
// Edible fruit and nuts…", "HS section XI Textiles and textile
// articles", "All goods". Every view labels products with it.
func (p Product) Label() string {
	if t := p.Tag(); t != "" {
		return strings.TrimSpace(t + " " + p.Name)
	}
	return p.Name
}

// Validate checks the product's code against its classification.
func (p Product) Validate() error {
	switch p.Classification {
	case Total:
		if p.Code != "TOTAL" {
			return fmt.Errorf("%w: the total product must have code TOTAL, not %q", ErrInvalid, p.Code)
		}
	case HS:
		if n := len(p.Code); n != 2 && n != 4 && n != 6 || !onlyOf(p.Code, "0123456789") {
			return fmt.Errorf("%w: HS code %q must be 2, 4 or 6 digits", ErrInvalid, p.Code)
		}
	case HSSection:
		if p.Code == "" || !onlyOf(p.Code, "IVX") {
			return fmt.Errorf("%w: HS section %q must be a roman numeral", ErrInvalid, p.Code)
		}
	case Sector:
		if strings.TrimSpace(p.Code) == "" {
			return fmt.Errorf("%w: a sector needs a name", ErrInvalid)
		}
	default:
		return fmt.Errorf("%w: unknown product classification %q", ErrInvalid, string(p.Classification))
	}
	return nil
}

// Dataset is one imported file or compiled collection, with where it came
// from, so that every figure on a page can be traced back to it.
type Dataset struct {
	ID           int64
	Name         string
	Source       string // who published the figures, and where
	Licence      string
	Description  string
	OriginalName string // the file name as given; never used as a path
	SHA256       string // of the original bytes; the same file is not imported twice
	Format       string // detected layout, e.g. "comtrade-legacy" or "tradedash-demo"
	ImportedAt   time.Time
	RowCount     int64
	ImportedBy   string // who imported it: "admin", "cli:<user>"; "" when not recorded
	Default      bool   // the dataset views show when a link names none; at most one is
	// CheckDuplicates asks Import to look for figures stated twice (see
	// Duplicate): importers of files set it, where two rows with one key
	// are a repeat or a contradiction. Curated statements (the demo data)
	// leave it off: there, several sources stating one figure each have
	// their own row, and agree or conflict in the views. Not stored.
	CheckDuplicates bool
	// Duplicates are the figures the file stated twice, as Import found
	// them (at most 100 listed; DuplicatesFound counts them all). Not
	// stored: only the import that found them reports them.
	Duplicates      []Duplicate
	DuplicatesFound int
}

// Validate checks the fields a dataset must have.
func (d Dataset) Validate() error {
	switch {
	case strings.TrimSpace(d.Name) == "":
		return fmt.Errorf("%w: a dataset needs a name", ErrInvalid)
	case len(d.SHA256) != 64:
		return fmt.Errorf("%w: dataset %q needs the sha256 of its file", ErrInvalid, d.Name)
	case strings.TrimSpace(d.Format) == "":
		return fmt.Errorf("%w: dataset %q needs a format", ErrInvalid, d.Name)
	case len(d.ImportedBy) > maxImportedBy:
		return fmt.Errorf("%w: dataset %q: who imported it is %d bytes long; at most %d are kept", ErrInvalid, d.Name, len(d.ImportedBy), maxImportedBy)
	}
	return nil
}

// Observation is one trade figure as its source stated it: the reporter's
// flow with the partner in a period for a product, in US dollars.
type Observation struct {
	Reporter string // ISO3 key of the country whose statistics these are
	Partner  string // ISO3 key, possibly an aggregate such as WLD
	Period   Period
	Flow     Flow
	Product  Product
	ValueUSD float64
	Bound    Bound
	Quantity *float64 // nil when not given
	QtyUnit  string
	// SourceRef locates the figure in its source: a URL, or a file's
	// sheet and row ("Sheet1!12").
	SourceRef string
	// SourceQuote is the source's own wording, where it has any.
	SourceQuote string
}

// Validate checks an observation before it is stored. A value must be a
// finite number: a single NaN blanks a whole chart.
func (o Observation) Validate() error {
	switch {
	case o.Reporter == "":
		return fmt.Errorf("%w: observation has no reporter", ErrInvalid)
	case o.Partner == "":
		return fmt.Errorf("%w: observation has no partner", ErrInvalid)
	case o.Reporter == o.Partner:
		return fmt.Errorf("%w: reporter and partner are both %s", ErrInvalid, o.Reporter)
	case math.IsNaN(o.ValueUSD) || math.IsInf(o.ValueUSD, 0):
		return fmt.Errorf("%w: value %v is not a finite number", ErrInvalid, o.ValueUSD)
	case o.Quantity != nil && (math.IsNaN(*o.Quantity) || math.IsInf(*o.Quantity, 0)):
		return fmt.Errorf("%w: quantity %v is not a finite number", ErrInvalid, *o.Quantity)
	}
	if err := o.Period.Validate(); err != nil {
		return err
	}
	if err := o.Flow.Validate(); err != nil {
		return err
	}
	if err := o.Bound.Validate(); err != nil {
		return err
	}
	return o.Product.Validate()
}
