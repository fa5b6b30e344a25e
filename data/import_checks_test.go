package data

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// tableChecks returns the CHECK constraints of a table as its schema
// states them, each expression with its spaces collapsed.
func tableChecks(t *testing.T, s *Store, table string) []string {
	t.Helper()
	var def string
	if err := s.read.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&def); err != nil {
		t.Fatal(err)
	}
	var checks []string
	rest := def
	for {
		i := strings.Index(rest, "CHECK (")
		if i < 0 {
			return checks
		}
		rest = rest[i+len("CHECK ("):]
		depth, end := 1, 0
		for end = 0; depth > 0; end++ {
			switch rest[end] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		checks = append(checks, strings.Join(strings.Fields(rest[:end-1]), " "))
		rest = rest[end:]
	}
}

// TestBulkInsertChecksEveryConstraint: the observations' bulk insert
// runs with SQLite's CHECK constraints off, so the writer must refuse
// whatever they would. Every CHECK of observations and products (the
// import adds products in the same phase) must be listed here with a row
// that breaks it, and Import must refuse that row with ErrInvalid and
// store nothing. A new CHECK in a migration fails this test until
// Observation.Validate enforces it too.
func TestBulkInsertChecksEveryConstraint(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	good := obs("PAK", "RUS", Year(2020), Export, 1, "")
	breaking := map[string]func(o *Observation){
		"period_start BETWEEN 190001 AND 220012":                             func(o *Observation) { o.Period = Period{NewMonth(1899, 12), NewMonth(1899, 12)} },
		"period_end >= period_start":                                         func(o *Observation) { o.Period = Period{NewMonth(2020, 5), NewMonth(2020, 3)} },
		"flow IN ('export', 'import', 're-export', 're-import', 'turnover')": func(o *Observation) { o.Flow = "transit" },
		"bound IN ('exact', 'at_least', 'at_most')":                          func(o *Observation) { o.Bound = "about" },
		"reporter <> partner":                                                func(o *Observation) { o.Partner = o.Reporter },
		"classification IN ('TOTAL', 'HS-section', 'HS', 'sector')": func(o *Observation) {
			o.Product = Product{Classification: "SITC", Code: "01", Name: "a product of no known classification"}
		},
	}
	late := map[string]func(o *Observation){ // beyond the first batch, so the insert runs before the refusal
		"period_start BETWEEN 190001 AND 220012 (2201)": func(o *Observation) { o.Period = Period{NewMonth(2201, 1), NewMonth(2201, 1)} },
	}
	checks := append(tableChecks(t, s, "observations"), tableChecks(t, s, "products")...)
	if len(checks) != len(breaking) {
		t.Errorf("observations and products have %d CHECK constraints, the test knows %d: %q", len(checks), len(breaking), checks)
	}
	for _, c := range checks {
		if breaking[c] == nil {
			t.Errorf("CHECK (%s) has no row breaking it here: add it, and make Observation.Validate refuse such rows", c)
		}
	}
	for name, f := range breaking {
		late[name] = f
	}
	for name, f := range late {
		bad := good
		f(&bad)
		_, err := s.Import(ctx, testDataset(name), func(emit func(Observation) error) error {
			for i := range 3 * insertBatch {
				o := good
				o.Period = Year(1950 + i%70)
				o.Partner = []string{"RUS", "CHN", "USA"}[i/70%3]
				if err := emit(o); err != nil {
					return err
				}
			}
			return emit(bad)
		})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("a row breaking CHECK (%s): err = %v, want ErrInvalid", name, err)
		}
		assertCounts(t, s, 0, 0)
	}
}

// checkConstraintsEnforced fails unless the write connection has the
// CHECK constraints on: the flag reads 0 and an observation breaking one
// is refused.
func checkConstraintsEnforced(t *testing.T, s *Store, when string) {
	t.Helper()
	ctx := context.Background()
	var ignored int
	if err := s.write.QueryRowContext(ctx, `PRAGMA ignore_check_constraints`).Scan(&ignored); err != nil {
		t.Fatal(err)
	}
	if ignored != 0 {
		t.Errorf("%s: ignore_check_constraints = %d on the write connection, want 0", when, ignored)
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO observations (dataset_id, reporter, partner, period_start, period_end, flow, product_id, value_usd)
		VALUES (999999, 'PAK', 'RUS', 202001, 202012, 'transit', (SELECT min(id) FROM products), 1)`)
	if err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
		t.Errorf("%s: an observation with the flow 'transit' was not refused by its CHECK (err = %v)", when, err)
	}
}
