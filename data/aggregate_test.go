package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// aggregateChecks pair each aggregate table with the GROUP BY over
// observations it must equal.
var aggregateChecks = []struct{ table, stored, derived string }{
	{"all_goods",
		`SELECT observation_id, dataset_id, reporter, partner, period_start, period_end, flow, value_usd, bound, source_ref, source_quote
		FROM all_goods ORDER BY observation_id`,
		`SELECT o.id, o.dataset_id, o.reporter, o.partner, o.period_start, o.period_end, o.flow, o.value_usd, o.bound, o.source_ref, o.source_quote
		FROM observations o JOIN products p ON p.id = o.product_id WHERE p.classification = 'TOTAL' ORDER BY o.id`},
	{"dataset_pairs",
		`SELECT dataset_id, reporter, partner, observations, totals, abs_value, first_start, last_end
		FROM dataset_pairs ORDER BY dataset_id, reporter, partner`,
		`SELECT o.dataset_id, o.reporter, o.partner, count(*), sum(p.classification = 'TOTAL'), sum(abs(o.value_usd)), min(o.period_start), max(o.period_end)
		FROM observations o JOIN products p ON p.id = o.product_id GROUP BY o.dataset_id, o.reporter, o.partner ORDER BY 1, 2, 3`},
	{"pair_periods",
		`SELECT dataset_id, reporter, partner, period_start, period_end, flow, observations, totals
		FROM pair_periods ORDER BY 1, 2, 3, 4, 5, 6`,
		`SELECT o.dataset_id, o.reporter, o.partner, o.period_start, o.period_end, o.flow, count(*), sum(p.classification = 'TOTAL')
		FROM observations o JOIN products p ON p.id = o.product_id GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`},
}

// queryStrings returns each row of q as its columns printed.
func queryStrings(tb testing.TB, db *sql.DB, q string) []string {
	tb.Helper()
	rows, err := db.Query(q)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// assertAggregatesMatch checks every aggregate table against its GROUP BY
// over observations and returns the tables' rows.
func assertAggregatesMatch(tb testing.TB, db *sql.DB) map[string][]string {
	tb.Helper()
	got := map[string][]string{}
	for _, c := range aggregateChecks {
		stored, derived := queryStrings(tb, db, c.stored), queryStrings(tb, db, c.derived)
		if diff := cmp.Diff(derived, stored); diff != "" {
			tb.Errorf("%s differs from observations (-derived +stored):\n%s", c.table, diff)
		}
		got[c.table] = stored
	}
	return got
}

// aggregateFixture is synthetic: a pair's all-goods and chapter figures
// from both sides, with the World, over several years.
func aggregateFixture(scale float64) []Observation {
	var out []Observation
	for y := 2018; y <= 2022; y++ {
		for _, pair := range [][2]string{{"PAK", "RUS"}, {"RUS", "PAK"}, {"PAK", "WLD"}, {"PAK", "CHN"}} {
			for _, f := range []Flow{Export, Import} {
				v := scale * float64(y-2000) * float64(len(pair[1]+string(f)))
				out = append(out, obs(pair[0], pair[1], Year(y), f, v, fmt.Sprintf("fixture %s %s %d", pair[0], pair[1], y)))
				for _, ch := range []string{"27", "30", "84"} {
					o := obs(pair[0], pair[1], Year(y), f, v/4, "chapter")
					o.Product = Product{Classification: HS, Code: ch}
					out = append(out, o)
				}
			}
		}
	}
	return out
}

func TestAggregatesFollowImportsAndDeletes(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	a, err := importAll(ctx, s, testDataset("aggregates a"), aggregateFixture(1))
	if err != nil {
		t.Fatal(err)
	}
	afterA := assertAggregatesMatch(t, s.read)
	if len(afterA["all_goods"]) != 5*4*2 || len(afterA["dataset_pairs"]) != 4 {
		t.Fatalf("after one import: %d all-goods rows, %d pairs; want 40 and 4", len(afterA["all_goods"]), len(afterA["dataset_pairs"]))
	}
	b, err := importAll(ctx, s, testDataset("aggregates b"), aggregateFixture(3))
	if err != nil {
		t.Fatal(err)
	}
	afterB := assertAggregatesMatch(t, s.read)
	if len(afterB["all_goods"]) != 80 || len(afterB["dataset_pairs"]) != 8 {
		t.Fatalf("after two imports: %d all-goods rows, %d pairs; want 80 and 8", len(afterB["all_goods"]), len(afterB["dataset_pairs"]))
	}

	t.Run("failed imports change nothing", func(t *testing.T) {
		// More rows than one insert batch before the bad one, so that
		// some were written (and aggregated, were it done early) before
		// the import failed.
		rows := append(aggregateFixture(5), aggregateFixture(7)...)
		rows = append(rows, obs("PAK", "XXX", Year(2020), Export, 1, "bad"))
		if _, err := importAll(ctx, s, testDataset("aggregates bad"), rows); !errors.Is(err, ErrInvalid) {
			t.Fatalf("err = %v, want ErrInvalid", err)
		}
		if _, err := importAll(ctx, s, Dataset{Name: "again", SHA256: a.SHA256, Format: "test"}, aggregateFixture(9)); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("err = %v, want ErrDuplicate", err)
		}
		if diff := cmp.Diff(afterB, assertAggregatesMatch(t, s.read)); diff != "" {
			t.Errorf("aggregates changed by failed imports:\n%s", diff)
		}
	})

	t.Run("a delete removes its dataset's rows", func(t *testing.T) {
		if _, err := s.DeleteDataset(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		got := assertAggregatesMatch(t, s.read)
		if len(got["all_goods"]) != 40 || len(got["dataset_pairs"]) != 4 {
			t.Fatalf("after deleting one of two: %d all-goods rows, %d pairs; want 40 and 4", len(got["all_goods"]), len(got["dataset_pairs"]))
		}
		if _, err := s.DeleteDataset(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		got = assertAggregatesMatch(t, s.read)
		if len(got["all_goods"])+len(got["dataset_pairs"])+len(got["pair_periods"]) != 0 {
			t.Fatalf("after deleting both: %v", got)
		}
	})
}

// TestAggregatesMigrationFillsFromObservations applies the migrations
// before 0004 to a database holding observations, then opens it: 0004
// must derive the aggregate tables from what is already stored.
func TestAggregatesMigrationFillsFromObservations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path+"?"+pragmas)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	names, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names[:3] {
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, q := range []string{
		`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`,
		`INSERT INTO schema_migrations VALUES ('0001_init.sql', 'x'), ('0002_admin.sql', 'x'), ('0003_dataset_default_importer.sql', 'x')`,
		`INSERT INTO countries (iso3, m49, comtrade_code, name) VALUES ('PAK', 586, 586, 'Pakistan'), ('RUS', 643, 643, 'Russia'), ('WLD', 0, 0, 'World')`,
		`INSERT INTO products (id, classification, code, name) VALUES (1, 'TOTAL', 'TOTAL', 'All goods'), (2, 'HS', '30', 'Pharmaceutical products')`,
		`INSERT INTO datasets (id, name, sha256, format, imported_at) VALUES (1, 'old', '` + sha("old") + `', 'test', '2026-01-01T00:00:00Z')`,
		`INSERT INTO observations (dataset_id, reporter, partner, period_start, period_end, flow, product_id, value_usd, source_ref) VALUES
			(1, 'PAK', 'RUS', 202001, 202012, 'export', 1, 100, 'a'), (1, 'PAK', 'RUS', 202001, 202012, 'export', 2, 40, 'b'),
			(1, 'RUS', 'PAK', 202001, 202012, 'import', 1, 90, 'c'), (1, 'PAK', 'WLD', 202101, 202112, 'export', 1, -5, 'd')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s, err := Open(ctx, path, mustReference(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := assertAggregatesMatch(t, s.read)
	if len(got["all_goods"]) != 3 || len(got["dataset_pairs"]) != 3 {
		t.Fatalf("migrated aggregates: %v; want 3 all-goods rows and 3 pairs", got)
	}
}

func TestSectorPeriods(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	rows := aggregateFixture(1)
	// A pair with all-goods figures only, and one sector figure of a
	// partner's in a year the reporter states none for.
	rows = append(rows, obs("KAZ", "UZB", Year(2020), Export, 5, "total only"))
	late := obs("RUS", "PAK", Year(2023), Import, 2, "sector")
	late.Product = Product{Classification: HS, Code: "10"}
	// A re-export sector figure: Sectors gives no breakdown for it.
	reexport := obs("PAK", "RUS", Year(2024), ReExport, 2, "re-export")
	reexport.Product = Product{Classification: HS, Code: "10"}
	rows = append(rows, late, reexport)
	d, err := importAll(ctx, s, testDataset("sector periods"), rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q    BilateralQuery
		want []Period
	}{
		{BilateralQuery{Reporter: "PAK", Partner: "RUS"}, []Period{Year(2018), Year(2019), Year(2020), Year(2021), Year(2022), Year(2023)}},
		{BilateralQuery{Reporter: "RUS", Partner: "PAK", DatasetID: d.ID}, []Period{Year(2018), Year(2019), Year(2020), Year(2021), Year(2022), Year(2023)}},
		{BilateralQuery{Reporter: "KAZ", Partner: "UZB"}, nil},
		{BilateralQuery{Reporter: "PAK", Partner: "RUS", DatasetID: d.ID + 1}, nil},
	} {
		got, err := s.SectorPeriods(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("SectorPeriods(%+v) (-want +got):\n%s", tt.q, diff)
		}
	}
}

func TestSectorsInIsSectorsOfThosePeriods(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	if _, err := importAll(ctx, s, testDataset("sectors in"), aggregateFixture(1)); err != nil {
		t.Fatal(err)
	}
	q := BilateralQuery{Reporter: "PAK", Partner: "RUS"}
	all, err := s.Sectors(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	pick := []Period{Year(2019), Year(2022)}
	var want []SectorBreakdown
	for _, b := range all {
		if b.Period == pick[0] || b.Period == pick[1] {
			want = append(want, b)
		}
	}
	got, err := s.SectorsIn(ctx, q, pick)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 2*2*2 { // two years, two sides, two flows
		t.Fatalf("fixture gives %d breakdowns in the two years, want 8", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SectorsIn (-want +got):\n%s", diff)
	}
}
