// Command loaddata builds a database for the load test with
// internal/loadgen: an all-pairs HS-chapter dataset of synthetic figures,
// load-test data and not trade figures, made the default dataset.
//
//	go run ./tools/loaddata -db tmp/load.db -countries 60 -years 15
//
// 60 countries over 15 years make 10.6 million observations.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"

	"tradedash/data"
	"tradedash/internal/loadgen"
)

func main() {
	dbPath := flag.String("db", "tmp/load.db", "database file to create (must not exist)")
	size := loadgen.Size{}
	flag.IntVar(&size.Countries, "countries", 60, "how many countries trade with each other")
	flag.IntVar(&size.Years, "years", 15, "how many years, ending in 2024")
	flag.Parse()
	if err := size.Validate(); err != nil {
		log.Fatalf("loaddata: %v", err)
	}
	if _, err := os.Stat(*dbPath); err == nil {
		log.Fatalf("loaddata: %s exists; remove it first", *dbPath)
	}
	if err := os.MkdirAll(filepath.Dir(*dbPath), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := run(context.Background(), *dbPath, size); err != nil {
		log.Fatalf("loaddata: %v", err)
	}
}

func run(ctx context.Context, dbPath string, size loadgen.Size) error {
	ref, err := data.LoadReference()
	if err != nil {
		return err
	}
	s, err := data.Open(ctx, dbPath, ref)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	log.Printf("generating %d observations into %s", size.Rows(), dbPath)
	d, err := loadgen.Load(ctx, s, size, func(r string) { log.Printf("reporter %s done (%s)", r, time.Since(start).Round(time.Second)) })
	if err != nil {
		return err
	}
	on := true
	if _, err := s.UpdateDataset(ctx, d.ID, data.DatasetChanges{Default: &on}); err != nil {
		return err
	}
	log.Printf("dataset %d: %d observations in %s (%.0f rows/s) into %s", d.ID, d.RowCount,
		time.Since(start).Round(time.Second), float64(d.RowCount)/time.Since(start).Seconds(), dbPath)
	return nil
}
