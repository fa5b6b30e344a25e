package data_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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

// cpuTime is the process's user plus system CPU time so far. On a shared
// machine the wall time of a benchmark says more about the neighbours
// than about the code; the CPU time it used is the steadier figure.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImportBulk stores 300,000 generated observations (synthetic
// values made up here, not statistics) into an empty database: the bulk
// path, where the indexes are built after the load, and the aggregates
// are filled, as a big file's import does. It reports the CPU time per
// import beside the wall time.
func BenchmarkImportBulk(b *testing.B) {
	ctx := context.Background()
	ref, err := data.LoadReference()
	if err != nil {
		b.Fatal(err)
	}
	const rows = 300_000
	reporters := []string{"PAK", "IND", "CHN", "USA", "DEU", "FRA", "RUS", "BRA", "JPN", "ITA"}
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		s, err := data.Open(ctx, filepath.Join(b.TempDir(), "bulk.db"), ref)
		if err != nil {
			b.Fatal(err)
		}
		c0 := cpuTime(b)
		b.StartTimer()
		_, err = s.Import(ctx, data.Dataset{Name: "bulk", SHA256: strings.Repeat("ab", 32), Format: "bench"}, func(emit func(data.Observation) error) error {
			for r := range rows {
				rep := reporters[r%len(reporters)]
				par := reporters[(r/len(reporters)+1+r%len(reporters))%len(reporters)]
				if par == rep {
					par = "WLD"
				}
				flow := data.Export
				if r/100%2 == 1 {
					flow = data.Import
				}
				p := data.TotalProduct
				if k := r / 200 % 98; k > 0 {
					p = data.Product{Classification: data.HS, Code: fmt.Sprintf("%02d", k)}
				}
				o := data.Observation{Reporter: rep, Partner: par, Period: data.Year(1990 + r/(200*98)%35), Flow: flow,
					Product: p, ValueUSD: float64(r%100000)*1234.5 + 0.25, Bound: data.Exact, SourceRef: fmt.Sprintf("bulk.csv, row %d", r+2)}
				if err := emit(o); err != nil {
					return err
				}
			}
			return nil
		})
		b.StopTimer()
		cpu += cpuTime(b) - c0
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}
