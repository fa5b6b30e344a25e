package data_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"tradedash/data"
	"tradedash/internal/loadgen"
)

// benchLoadSize is the synthetic database the query benchmarks read:
// 10 countries over 15 years, 294,000 observations, made once per test
// binary (about half a minute) and removed by TestMain.
var benchLoadSize = loadgen.Size{Countries: 10, Years: 15}

var (
	benchLoadOnce  sync.Once
	benchLoadDir   string
	benchLoadStore *data.Store
	benchLoadSet   data.Dataset
	benchLoadErr   error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchLoadStore != nil {
		benchLoadStore.Close()
	}
	if benchLoadDir != "" {
		os.RemoveAll(benchLoadDir)
	}
	os.Exit(code)
}

// mustLoadStore returns the shared synthetic database, making it on
// first use.
func mustLoadStore(b *testing.B) (*data.Store, data.Dataset) {
	b.Helper()
	benchLoadOnce.Do(func() {
		ctx := context.Background()
		var ref *data.Reference
		if ref, benchLoadErr = data.LoadReference(); benchLoadErr != nil {
			return
		}
		if benchLoadDir, benchLoadErr = os.MkdirTemp("", "tradedash-bench-"); benchLoadErr != nil {
			return
		}
		if benchLoadStore, benchLoadErr = data.Open(ctx, filepath.Join(benchLoadDir, "load.db"), ref); benchLoadErr != nil {
			return
		}
		benchLoadSet, benchLoadErr = loadgen.Load(ctx, benchLoadStore, benchLoadSize, nil)
	})
	if benchLoadErr != nil {
		b.Fatal(benchLoadErr)
	}
	return benchLoadStore, benchLoadSet
}

// benchmarkQuery runs one store call on the synthetic database.
func benchmarkQuery(b *testing.B, call func(context.Context, *data.Store, data.Dataset) error) {
	s, d := mustLoadStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := call(ctx, s, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSyntheticBilateral: a pair's all-goods totals by year, both sides
// and the World (all_goods).
func BenchmarkSyntheticBilateral(b *testing.B) {
	benchmarkQuery(b, func(ctx context.Context, s *data.Store, d data.Dataset) error {
		_, err := s.Bilateral(ctx, data.BilateralQuery{Reporter: "PAK", Partner: "RUS", DatasetID: d.ID})
		return err
	})
}

// BenchmarkSyntheticPartners: a reporter's partners ranked in its latest year.
func BenchmarkSyntheticPartners(b *testing.B) {
	benchmarkQuery(b, func(ctx context.Context, s *data.Store, d data.Dataset) error {
		_, err := s.Partners(ctx, data.PartnersQuery{Reporter: "PAK", Flow: data.Export})
		return err
	})
}

// BenchmarkSyntheticPartnerSeries: three partners' exports over every year.
func BenchmarkSyntheticPartnerSeries(b *testing.B) {
	benchmarkQuery(b, func(ctx context.Context, s *data.Store, d data.Dataset) error {
		_, err := s.PartnerSeries(ctx, data.PartnerSeriesQuery{Reporter: "PAK", Partners: []string{"RUS", "CHN", "IND"}, Flow: data.Export, DatasetID: d.ID})
		return err
	})
}

// BenchmarkSyntheticPairs: a dataset's pairs, largest first (dataset_pairs).
func BenchmarkSyntheticPairs(b *testing.B) {
	benchmarkQuery(b, func(ctx context.Context, s *data.Store, d data.Dataset) error {
		_, err := s.Pairs(ctx, d.ID, 0)
		return err
	})
}

// BenchmarkSyntheticDatasets: every dataset with its coverage (dataset_pairs).
func BenchmarkSyntheticDatasets(b *testing.B) {
	benchmarkQuery(b, func(ctx context.Context, s *data.Store, d data.Dataset) error {
		_, err := s.Datasets(ctx)
		return err
	})
}

// BenchmarkSyntheticProducts: a reporter's exports of two chapters to every
// partner over every year.
func BenchmarkSyntheticProducts(b *testing.B) {
	benchmarkQuery(b, func(ctx context.Context, s *data.Store, d data.Dataset) error {
		_, err := s.Products(ctx, data.ProductsQuery{Reporter: "PAK", Flow: data.Export,
			Products: []data.Product{{Classification: data.HS, Code: "30"}, {Classification: data.HS, Code: "10"}}})
		return err
	})
}

// BenchmarkSyntheticSectors: a pair's chapter breakdowns, every year, both sides.
func BenchmarkSyntheticSectors(b *testing.B) {
	benchmarkQuery(b, func(ctx context.Context, s *data.Store, d data.Dataset) error {
		_, err := s.Sectors(ctx, data.BilateralQuery{Reporter: "PAK", Partner: "RUS", DatasetID: d.ID})
		return err
	})
}
