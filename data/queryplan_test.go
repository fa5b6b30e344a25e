package data

import (
	"context"
	"strings"
	"testing"
)

// TestObservationQueriesUseIndexes: each query on observations (the same
// SQL shapes as Sectors, Products, DatasetObservations and
// DatasetPeriods) searches an index instead of scanning the table, with
// the indexes the migrations leave, and the partner index dropped by
// migration 0005 is gone. Without ANALYZE statistics, as in use, SQLite
// chooses by its built-in guesses, which is what this checks.
func TestObservationQueriesUseIndexes(t *testing.T) {
	s, _ := mustOpenStore(t)
	queries := []struct{ name, sql, index string }{
		{"sectors of a pair", `SELECT o.id, o.product_id FROM observations o
			WHERE ((o.reporter = 'PAK' AND o.partner = 'RUS') OR (o.reporter = 'RUS' AND o.partner = 'PAK')) AND o.flow IN ('export', 'import')
			AND +o.dataset_id = 1 ORDER BY o.dataset_id, o.period_start, o.period_end, o.id`, "observations_pair"},
		{"products of a reporter", `SELECT o.id FROM observations o JOIN countries c ON c.iso3 = o.partner
			WHERE +o.dataset_id = 1 AND o.reporter = 'PAK' AND o.flow = 'export' AND o.product_id IN (5, 6) AND o.partner = 'RUS' ORDER BY o.id`, "observations_"},
		{"products' datasets", `SELECT o.dataset_id, count(*) FROM observations o
			WHERE o.reporter = 'PAK' AND o.flow = 'export' AND o.product_id IN (5, 6) GROUP BY o.dataset_id`, "observations_product"},
		{"a dataset's observations", `SELECT o.reporter FROM observations o JOIN products p ON p.id = o.product_id
			WHERE o.dataset_id = 1 ORDER BY o.id LIMIT 10`, "observations_dataset"},
		{"a dataset's periods", `SELECT DISTINCT period_start, period_end FROM observations WHERE dataset_id = 1 ORDER BY 1, 2`, "observations_dataset"},
	}
	for _, q := range queries {
		plan := queryPlan(t, s, q.name, q.sql)
		all := strings.Join(plan, "; ")
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN o") && !strings.Contains(step, "INDEX") {
				t.Errorf("%s scans the observations table: %s", q.name, all)
			}
		}
		if !strings.Contains(all, "INDEX "+q.index) {
			t.Errorf("%s does not use %s: %s", q.name, q.index, all)
		}
	}
	if got := observationIndexes(t, s); strings.Contains(strings.Join(got, " "), "observations_partner") {
		t.Errorf("observations_partner is still there: %q", got)
	}
}

// TestHomeQueriesReadAggregates: the home page's reads (Datasets, Pairs,
// LargestPairs: the very SQL they run) read dataset_pairs, by its primary
// key or (LargestPairs, every dataset) whole, and never observations, so
// the first request after a write does not group millions of rows.
func TestHomeQueriesReadAggregates(t *testing.T) {
	s, _ := mustOpenStore(t)
	for _, q := range []struct {
		name, sql string
		args      []any
	}{{"datasets", datasetsSQL, nil}, {"pairs", pairsSQL, []any{1}}, {"all pairs", allPairsSQL, nil}} {
		plan := queryPlan(t, s, q.name, q.sql, q.args...)
		all := strings.Join(plan, "; ")
		t.Logf("%s: %s", q.name, all)
		if strings.Contains(all, "observations") {
			t.Errorf("%s reads observations: %s", q.name, all)
		}
		if q.name == "all pairs" {
			// Every dataset's pairs: one pass over dataset_pairs (3,600 rows
			// at 10 M observations), nothing else.
			if all != "SCAN o" {
				t.Errorf("all pairs: %s", all)
			}
			continue
		}
		if !strings.Contains(all, "USING PRIMARY KEY (dataset_id=?") {
			t.Errorf("%s does not search dataset_pairs by dataset: %s", q.name, all)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN dp") || strings.HasPrefix(step, "SCAN o") {
				t.Errorf("%s scans dataset_pairs: %s", q.name, all)
			}
		}
	}
}

// queryPlan returns the detail column of EXPLAIN QUERY PLAN for query,
// one step a line, as the read connections plan it.
func queryPlan(t *testing.T, s *Store, name, query string, args ...any) []string {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
