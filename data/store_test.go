package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"
)

// mustOpenStore opens a fresh database file in a temporary directory.
func mustOpenStore(tb testing.TB) (*Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "test.db")
	s, err := Open(context.Background(), path, mustReference(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, path
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func testDataset(name string) Dataset {
	return Dataset{Name: name, Source: "test fixture", SHA256: sha(name), Format: "test"}
}

func importAll(ctx context.Context, s *Store, d Dataset, obs []Observation) (Dataset, error) {
	return s.Import(ctx, d, func(emit func(Observation) error) error {
		for _, o := range obs {
			if err := emit(o); err != nil {
				return err
			}
		}
		return nil
	})
}

func obs(rep, par string, p Period, f Flow, v float64, ref string) Observation {
	return Observation{Reporter: rep, Partner: par, Period: p, Flow: f, Product: TotalProduct, ValueUSD: v, Bound: Exact, SourceRef: ref}
}

func TestMigrationsAreNumberedContiguously(t *testing.T) {
	names, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no migrations embedded")
	}
	for i, n := range names {
		if want := fmt.Sprintf("%04d_", i+1); !strings.HasPrefix(n, want) {
			t.Errorf("migration %d is %q, want prefix %q", i, n, want)
		}
	}
}

func TestOpenTwiceIsANoOp(t *testing.T) {
	ctx := context.Background()
	s, path := mustOpenStore(t)
	first, err := s.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := Migrations()
	if diff := cmp.Diff(names, first); diff != "" {
		t.Fatalf("applied migrations differ from embedded (-want +got):\n%s", diff)
	}
	if _, err := importAll(ctx, s, testDataset("a"), []Observation{obs("PAK", "RUS", Year(2015), Export, 285e6, "r1")}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(ctx, path, mustReference(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	second, err := s2.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("reopening changed the migrations (-first +second):\n%s", diff)
	}
	sets, err := s2.Datasets(ctx)
	if err != nil || len(sets) != 1 || sets[0].RowCount != 1 {
		t.Fatalf("after reopen: datasets %+v, %v", sets, err)
	}
	var countries int
	if err := s2.read.QueryRowContext(ctx, `SELECT count(*) FROM countries`).Scan(&countries); err != nil {
		t.Fatal(err)
	}
	if countries != len(s2.ref.Countries()) {
		t.Errorf("countries table has %d rows, reference has %d", countries, len(s2.ref.Countries()))
	}
}

func TestBilateralFromBothSides(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	fy23 := Fiscal(2022, 7)
	atLeast := obs("RUS", "PAK", Year(2023), Turnover, 1e9, "https://tass.example/1")
	atLeast.Bound = AtLeast
	atLeast2 := atLeast
	atLeast2.SourceRef = "https://brecorder.example/2"
	pharma := obs("RUS", "PAK", Year(2012), Import, 10.6e6, "sector row")
	pharma.Product = Product{Classification: Sector, Code: "pharmaceutical-products", Name: "pharmaceutical products"}
	d, err := importAll(ctx, s, testDataset("statements"), []Observation{
		obs("PAK", "RUS", fy23, Export, 74e6, "app"),
		obs("PAK", "RUS", fy23, Import, 846e6, "app"),
		obs("RUS", "PAK", Year(2012), Export, 210e6, "br"),
		obs("RUS", "PAK", Year(2012), Import, 332e6, "br"),
		pharma,
		atLeast, atLeast2,
		obs("PAK", "RUS", Year(2014), Turnover, 454e6, "dawn"),
		obs("PAK", "RUS", Year(2015), Export, 285e6, "dawn a"),
		obs("PAK", "RUS", Year(2015), Export, 290e6, "other"), // disagrees
		obs("PAK", "IND", Year(2015), Export, 1, "not this pair"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.RowCount != 11 {
		t.Errorf("RowCount = %d, want 11", d.RowCount)
	}
	rows, err := s.Bilateral(ctx, BilateralQuery{Reporter: "PAK", Partner: "RUS"})
	if err != nil {
		t.Fatal(err)
	}
	type fig struct {
		Known, Derived, Conflict bool
		Value                    float64
		Bound                    Bound
		Sources                  int
	}
	f := func(x Figure) fig { return fig{x.Known, x.Derived, x.Conflict, x.Value, x.Bound, len(x.Sources)} }
	type row struct {
		Period, Side                        string
		Exports, Imports, Turnover, Balance fig
	}
	var got []row
	for _, r := range rows {
		got = append(got, row{r.Period.Label(), r.ReportedBy, f(r.Exports), f(r.Imports), f(r.Turnover), f(r.Balance)})
	}
	none := fig{}
	want := []row{
		// Russia's 2012 exports to Pakistan are Pakistan's imports, seen from Pakistan;
		// the pharmaceutical sector row is not a total and is left out.
		{"2012", "RUS", fig{true, false, false, 332e6, Exact, 1}, fig{true, false, false, 210e6, Exact, 1},
			fig{true, true, false, 542e6, Exact, 2}, fig{true, true, false, 122e6, Exact, 2}},
		{"2014", "PAK", none, none, fig{true, false, false, 454e6, Exact, 1}, none},
		{"2015", "PAK", fig{false, false, true, 0, "", 2}, none, none, none},
		{"FY2022-23", "PAK", fig{true, false, false, 74e6, Exact, 1}, fig{true, false, false, 846e6, Exact, 1},
			fig{true, true, false, 920e6, Exact, 2}, fig{true, true, false, -772e6, Exact, 2}},
		{"2023", "RUS", none, none, fig{true, false, false, 1e9, AtLeast, 2}, none},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Bilateral PAK-RUS (-want +got):\n%s", diff)
	}

	other, err := s.Bilateral(ctx, BilateralQuery{Reporter: "RUS", Partner: "PAK", DatasetID: d.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(other) != len(rows) || other[0].Exports.Value != 210e6 || other[0].ReportedBy != "RUS" {
		t.Errorf("RUS-PAK first row = %+v", other[0])
	}
	if rows, err := s.Bilateral(ctx, BilateralQuery{Reporter: "PAK", Partner: "RUS", DatasetID: d.ID + 1}); err != nil || len(rows) != 0 {
		t.Errorf("another dataset: %d rows, %v", len(rows), err)
	}
}

func TestCombineBounds(t *testing.T) {
	exact := func(v float64) Figure { return Figure{Known: true, Value: v, Bound: Exact} }
	least := func(v float64) Figure { return Figure{Known: true, Value: v, Bound: AtLeast} }
	most := func(v float64) Figure { return Figure{Known: true, Value: v, Bound: AtMost} }
	tests := []struct {
		name      string
		a, b      Figure
		sign      float64
		wantKnown bool
		wantBound Bound
		wantValue float64
	}{
		{"exact+exact", exact(2), exact(3), 1, true, Exact, 5},
		{"least+exact", least(2), exact(3), 1, true, AtLeast, 5},
		{"least+least", least(2), least(3), 1, true, AtLeast, 5},
		{"least+most", least(2), most(3), 1, false, "", 0},
		{"least-exact", least(5), exact(3), -1, true, AtLeast, 2},
		{"exact-least", exact(5), least(3), -1, true, AtMost, 2},
		{"least-most", least(5), most(3), -1, true, AtLeast, 2},
		{"least-least", least(5), least(3), -1, false, "", 0},
		{"unknown", Figure{}, exact(1), 1, false, "", 0},
	}
	for _, tt := range tests {
		got := combine(tt.a, tt.b, tt.sign)
		if got.Known != tt.wantKnown || got.Bound != tt.wantBound || got.Value != tt.wantValue {
			t.Errorf("%s: got %+v", tt.name, got)
		}
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	tests := []struct {
		name string
		bad  Observation
	}{
		{"unknown country", obs("PAK", "XXX", Year(2015), Export, 1, "r")},
		{"NaN value", obs("PAK", "RUS", Year(2015), Export, nan(), "r")},
		{"bad flow", obs("PAK", "RUS", Year(2015), Flow("exported"), 1, "r")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importAll(ctx, s, testDataset(tt.name), []Observation{
				obs("PAK", "RUS", Year(2014), Export, 1, "ok"), tt.bad,
			})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			assertCounts(t, s, 0, 0)
		})
	}
}

func nan() float64 { var z float64; return z / z }

func assertCounts(t *testing.T, s *Store, datasets, observations int) {
	t.Helper()
	var d, o int
	if err := s.read.QueryRow(`SELECT (SELECT count(*) FROM datasets), (SELECT count(*) FROM observations)`).Scan(&d, &o); err != nil {
		t.Fatal(err)
	}
	if d != datasets || o != observations {
		t.Fatalf("database holds %d datasets and %d observations, want %d and %d", d, o, datasets, observations)
	}
}

func TestImportRefusesTheSameFileTwice(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	rows := []Observation{obs("PAK", "RUS", Year(2014), Export, 1, "r")}
	if _, err := importAll(ctx, s, testDataset("same"), rows); err != nil {
		t.Fatal(err)
	}
	_, err := importAll(ctx, s, testDataset("same"), rows)
	if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), "dataset 1") {
		t.Fatalf("second import: %v, want ErrDuplicate naming dataset 1", err)
	}
	assertCounts(t, s, 1, 1)
}

// TestConcurrentImportsAndReads runs writers and readers at once: with one
// write connection and IMMEDIATE transactions none may see "database is locked".
func TestConcurrentImportsAndReads(t *testing.T) {
	ctx := context.Background()
	s, path := mustOpenStore(t)
	// A second Store on the same file is a second process's worth of writers.
	other, err := Open(ctx, path, mustReference(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	const writers, perWriter = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*2)
	for w := range writers {
		store := s
		if w%2 == 1 {
			store = other
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			var rows []Observation
			for i := range perWriter {
				rows = append(rows, obs("PAK", "RUS", Year(1950+i), Export, float64(w*1000+i), "r"))
			}
			if _, err := importAll(ctx, store, testDataset(fmt.Sprint("w", w)), rows); err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := store.Bilateral(ctx, BilateralQuery{Reporter: "PAK", Partner: "RUS"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assertCounts(t, s, writers, writers*perWriter)
}

func TestDatasetsAndPairs(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Fatalf("new store: Empty() = %v, %v", empty, err)
	}
	d, err := importAll(ctx, s, testDataset("pairs"), []Observation{
		obs("RUS", "PAK", Year(2012), Export, 210e6, "a"),
		obs("PAK", "RUS", Fiscal(2022, 7), Import, 846e6, "b"),
		obs("IND", "RUS", Year(2019), Import, 6e9, "c"),
		obs("IND", "WLD", Year(2019), Import, 4e11, "world is an aggregate"),
		obs("IND", "CHN", Year(2019), Import, 1, "India reports on China"),
		obs("IND", "CHN", Year(2019), Export, 1, "twice"),
		obs("CHN", "IND", Year(2019), Import, 1, "China once"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if empty, _ := s.Empty(ctx); empty {
		t.Error("Empty() after an import")
	}
	sets, err := s.Datasets(ctx)
	if err != nil || len(sets) != 1 {
		t.Fatalf("Datasets() = %v, %v", sets, err)
	}
	got := sets[0]
	if got.ID != d.ID || got.RowCount != 7 || got.Reporters != 4 || got.Pairs != 6 ||
		got.FirstMonth != NewMonth(2012, 1) || got.LastMonth != NewMonth(2023, 6) {
		t.Errorf("summary = %+v", got)
	}
	pairs, err := s.Pairs(ctx, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pairs {
		names = append(names, fmt.Sprintf("%s-%s:%d", p.Reporter, p.Partner, p.Observations))
	}
	// India–Russia has the most trade; on Pakistan–Russia both sides report
	// one total each, so the alphabet decides; India reports more on
	// India–China than China does, so India is its reporter.
	if diff := cmp.Diff([]string{"IND-RUS:1", "PAK-RUS:2", "IND-CHN:3"}, names); diff != "" {
		t.Errorf("Pairs (-want +got):\n%s", diff)
	}
	if _, err := s.Dataset(ctx, d.ID+1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Dataset(missing) = %v, want ErrNotFound", err)
	}
	if one, err := s.Dataset(ctx, d.ID); err != nil || one.Name != "pairs" || one.ImportedAt.IsZero() {
		t.Errorf("Dataset(%d) = %+v, %v", d.ID, one, err)
	}
}

func TestDatasetIDsAreNeverReused(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	a, err := importAll(ctx, s, testDataset("a"), []Observation{obs("PAK", "RUS", Year(2015), Export, 1, "r")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteDataset(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	b, err := importAll(ctx, s, testDataset("b"), []Observation{obs("PAK", "RUS", Year(2015), Export, 1, "r")})
	if err != nil {
		t.Fatal(err)
	}
	if b.ID == a.ID {
		t.Errorf("the deleted dataset's id %d was given to a new dataset", a.ID)
	}
}

func TestDatasetListMatchesDatasets(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	for _, name := range []string{"one", "two"} {
		if _, err := importAll(ctx, s, testDataset(name), []Observation{obs("PAK", "RUS", Year(2015), Export, 1, "r")}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.DatasetList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || len(full) != 2 {
		t.Fatalf("DatasetList %d, Datasets %d", len(list), len(full))
	}
	for i := range list {
		if diff := cmp.Diff(full[i].Dataset, list[i]); diff != "" {
			t.Errorf("dataset %d differs (-Datasets +DatasetList):\n%s", i, diff)
		}
	}
}

// TestImportBatchBoundaries imports around the multi-row INSERT's batch
// size: every row must arrive, the last partial batch included.
func TestImportBatchBoundaries(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	for _, n := range []int{0, 1, insertBatch - 1, insertBatch, insertBatch + 1, 2*insertBatch + 50} {
		var rows []Observation
		var sum float64
		for i := range n {
			rows = append(rows, obs("PAK", "RUS", Year(1900+i%300), Export, float64(i+1), fmt.Sprint("row ", i)))
			sum += float64(i + 1)
		}
		d, err := importAll(ctx, s, testDataset(fmt.Sprint("batch ", n)), rows)
		if err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		var count int
		var total float64
		if err := s.read.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(value_usd), 0) FROM observations WHERE dataset_id = ?`, d.ID).Scan(&count, &total); err != nil {
			t.Fatal(err)
		}
		if count != n || d.RowCount != int64(n) || total != sum {
			t.Errorf("%d rows: stored %d (row_count %d), sum %v want %v", n, count, d.RowCount, total, sum)
		}
	}
}

// TestWriteWaitsForOtherWriters: once open, the write connection waits
// writeBusyTimeout for another process's write lock (an import of a
// million rows holds it for tens of seconds), while start-up and readers
// keep the short timeout (TestLockedDatabaseAtStart, at the top).
func TestWriteWaitsForOtherWriters(t *testing.T) {
	s, _ := mustOpenStore(t)
	for _, c := range []struct {
		db   *sql.DB
		want int64
	}{{s.write, writeBusyTimeout.Milliseconds()}, {s.read, 5000}} {
		var got int64
		if err := c.db.QueryRow(`PRAGMA busy_timeout`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("busy_timeout %d ms; want %d", got, c.want)
		}
	}
}

// TestPairsLimitMatchesFullRanking: Pairs with a limit and LargestPairs
// (the top pairs chosen in SQL) gives exactly the first pairs of the full ranking (merged
// in Go), ties at the boundary included, and LargestPairs' count is the full
// ranking's length. Synthetic figures generated here (not statistics):
// nine countries, each pair worth (i×j mod 4) million from one or both
// sides, so many pairs tie; a World figure that must not count.
func TestPairsLimitMatchesFullRanking(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	cs := []string{"AFG", "CHN", "IND", "IRN", "KAZ", "KGZ", "PAK", "RUS", "UZB"}
	var all []Observation
	for i, a := range cs {
		all = append(all, obs(a, "WLD", Year(2019), Export, 1e12, "synthetic world"))
		for j, b := range cs {
			if j <= i {
				continue
			}
			v := float64((i*j)%4+1) * 1e6
			all = append(all, obs(a, b, Year(2019), Export, v, fmt.Sprintf("synthetic %s %s", a, b)))
			if (i+j)%3 == 0 { // the other side reports too: its figures count in the pair's value
				all = append(all, obs(b, a, Year(2020), Import, v/2, fmt.Sprintf("synthetic %s %s", b, a)))
			}
		}
	}
	d, err := importAll(ctx, s, testDataset("pairs limit"), all)
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.Pairs(ctx, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) != len(cs)*(len(cs)-1)/2 {
		t.Errorf("Pairs lists %d pairs, want %d", len(full), len(cs)*(len(cs)-1)/2)
	}
	for limit := 1; limit <= len(full)+1; limit++ {
		got, err := s.Pairs(ctx, d.ID, limit)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full[:min(limit, len(full))], got); diff != "" {
			t.Errorf("Pairs(limit %d) (-full ranking +got):\n%s", limit, diff)
		}
		largest, counts, err := s.LargestPairs(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full[:min(limit, len(full))], largest[d.ID]); diff != "" || counts[d.ID] != len(full) || len(largest) != 1 {
			t.Errorf("LargestPairs(%d): count %d of %d, %d datasets, (-full ranking +got):\n%s", limit, counts[d.ID], len(full), len(largest), diff)
		}
	}
}
