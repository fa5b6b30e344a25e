package importers

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// benchCountries are the reporters and partners of the generated tables:
// twelve different countries as ISO3 codes, names and a Comtrade code
// (381, Italy), as real files mix them.
var benchCountries = []string{"IND", "Pakistan", "RUS", "China", "USA", "France", "DEU", "381", "Brazil", "JPN", "GBR", "Norway"}

// benchRow is row r (0-based) of the generated long table: synthetic
// figures made up by the generator, not statistics. Like a real
// extract, no two rows of the first 1,117,440 share reporter, partner,
// year, flow and product (a country's own column is its trade with the
// World), so the duplicate check finds nothing to read back.
func benchRow(r int) (reporter, partner string, year int, flow, product string, value float64) {
	n := len(benchCountries)
	reporter = benchCountries[r%n]
	partner = benchCountries[r/n%n]
	if partner == reporter {
		partner = "World"
	}
	flow = [...]string{"Export", "Import"}[r/(n*n)%2]
	year = 1985 + r/(n*n*2)%40
	product = fmt.Sprintf("%02d", 1+r/(n*n*2*40)%97)
	value = float64(r%100000)*1234.5 + 0.25
	return
}

var benchHeader = []string{"Reporter", "Partner", "Year", "Flow", "HS code", "Value (US$)"}

// writeLongXLSX writes a long table of rows observations (plus the
// header) with excelize's StreamWriter, as a program exporting a big
// table would.
func writeLongXLSX(tb testing.TB, path string, rows int) {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	head := make([]any, len(benchHeader))
	for i, h := range benchHeader {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		tb.Fatal(err)
	}
	cells := make([]any, 6)
	for r := 0; r < rows; r++ {
		rep, par, year, flow, prod, v := benchRow(r)
		cells[0], cells[1], cells[2], cells[3], cells[4], cells[5] = rep, par, year, flow, prod, v
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, cells); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		tb.Fatal(err)
	}
}

// writeLongCSV writes the same table as CSV.
func writeLongCSV(tb testing.TB, path string, rows int) {
	tb.Helper()
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(out)
	w.WriteString("Reporter,Partner,Year,Flow,HS code,Value (US$)\n")
	var b []byte
	for r := 0; r < rows; r++ {
		rep, par, year, flow, prod, v := benchRow(r)
		b = append(b[:0], rep...)
		b = append(b, ',')
		b = append(b, par...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(year), 10)
		b = append(b, ',')
		b = append(b, flow...)
		b = append(b, ',')
		b = append(b, prod...)
		b = append(b, ',')
		b = strconv.AppendFloat(b, v, 'f', -1, 64)
		b = append(b, '\n')
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// benchFile writes a generated table once per test binary run.
func benchFile(b *testing.B, name string, rows int, write func(testing.TB, string, int)) string {
	b.Helper()
	dir := os.Getenv("TRADEDASH_BENCH_DIR") // keep the generated files between runs
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		write(b, path, rows)
	}
	return path
}

// benchImport imports a file end to end into a fresh database: read,
// detect, parse, insert, build indexes, commit.
func benchImport(b *testing.B, path string, rows int) {
	b.ReportAllocs()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	for b.Loop() {
		b.StopTimer()
		s := mustStore(b)
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		d, err := Import(context.Background(), s, filepath.Base(path), f, Options{})
		b.StopTimer()
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if d.RowCount != int64(rows) {
			b.Fatalf("%d rows stored, want %d", d.RowCount, rows)
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkImportXLSX100k(b *testing.B) {
	benchImport(b, benchFile(b, "long100k.xlsx", 100_000, writeLongXLSX), 100_000)
}

func BenchmarkImportXLSX1M(b *testing.B) {
	benchImport(b, benchFile(b, "long1m.xlsx", 1_000_000, writeLongXLSX), 1_000_000)
}

func BenchmarkImportCSV1M(b *testing.B) {
	benchImport(b, benchFile(b, "long1m.csv", 1_000_000, writeLongCSV), 1_000_000)
}

// BenchmarkImportCSV100k is the quick CSV bench for profiling the
// per-row cost; ImportCSV1M confirms at full size.
func BenchmarkImportCSV100k(b *testing.B) {
	benchImport(b, benchFile(b, "long100k.csv", 100_000, writeLongCSV), 100_000)
}

// benchCheck reads a file as an import does, every row, without storing
// anything (Check, the dry run): the file side of an import alone.
func benchCheck(b *testing.B, path string, rows int) {
	b.ReportAllocs()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	ref := mustReference(b)
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r, err := Check(context.Background(), ref, filepath.Base(path), f, Options{})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if r.Rows != int64(rows) {
			b.Fatalf("%d rows read, want %d", r.Rows, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkCheckCSV100k(b *testing.B) {
	benchCheck(b, benchFile(b, "long100k.csv", 100_000, writeLongCSV), 100_000)
}

func BenchmarkCheckXLSX100k(b *testing.B) {
	benchCheck(b, benchFile(b, "long100k.xlsx", 100_000, writeLongXLSX), 100_000)
}
