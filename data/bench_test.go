package data_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"tradedash/data"
	"tradedash/data/demo"
)

func mustDemoStore(b *testing.B) *data.Store {
	b.Helper()
	ctx := context.Background()
	ref, err := data.LoadReference()
	if err != nil {
		b.Fatal(err)
	}
	s, err := data.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), ref)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := demo.Load(ctx, s); err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkBilateralDemo(b *testing.B) {
	s := mustDemoStore(b)
	ctx := context.Background()
	q := data.BilateralQuery{Reporter: "PAK", Partner: "RUS"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Bilateral(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport stores 10,000 observations per iteration in one transaction.
func BenchmarkImport(b *testing.B) {
	s := mustDemoStore(b)
	ctx := context.Background()
	const rows = 10000
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		sum := sha256.Sum256([]byte(fmt.Sprint("bench", i)))
		d := data.Dataset{Name: "bench", SHA256: hex.EncodeToString(sum[:]), Format: "bench"}
		_, err := s.Import(ctx, d, func(emit func(data.Observation) error) error {
			for r := range rows {
				o := data.Observation{Reporter: "PAK", Partner: "RUS", Period: data.Year(1950 + r%100), Flow: data.Export,
					Product: data.Product{Classification: data.HS, Code: fmt.Sprintf("%02d", 1+r%97)}, ValueUSD: float64(r), Bound: data.Exact}
				if err := emit(o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
