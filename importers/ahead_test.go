package importers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/xuri/excelize/v2"
)

// countingScanner is a rowScanner of n generated rows (cells made up by
// the test), then end; it panics with panicAt's row when that is set,
// and counts its calls. n < 0 scans forever.
type countingScanner struct {
	n, panicAt int
	end        error
	calls      atomic.Int64
}

func (s *countingScanner) Next() (int, []string, error) {
	i := int(s.calls.Add(1))
	if s.panicAt > 0 && i == s.panicAt {
		panic(fmt.Sprintf("scanner broke at row %d", i))
	}
	if s.n >= 0 && i > s.n {
		return 0, nil, s.end
	}
	return i + 1, []string{"IND", fmt.Sprint(i)}, nil
}

// TestScanAheadSameAsScanner: the rows come in order and whole, then the
// scanner's own error, for row counts around the batch size.
func TestScanAheadSameAsScanner(t *testing.T) {
	t.Parallel()
	custom := errors.New("the part is damaged")
	for _, n := range []int{0, 1, aheadBatch - 1, aheadBatch, aheadBatch + 1, aheadBatch*aheadBatches*3 + 17} {
		for _, end := range []error{io.EOF, errFallback, custom} {
			a := newScanAhead(&countingScanner{n: n, end: end})
			for i := 1; i <= n; i++ {
				row, cells, err := a.Next()
				if err != nil || row != i+1 || len(cells) != 2 || cells[1] != fmt.Sprint(i) {
					t.Fatalf("%d rows, %v: row %d is %d %q %v", n, end, i, row, cells, err)
				}
			}
			for range 2 { // and again, as the scanner would
				if _, _, err := a.Next(); err != end {
					t.Fatalf("%d rows: ended with %v, want %v", n, err, end)
				}
			}
			a.close()
			a.close()
		}
	}
}

// TestScanAheadPanic: a panic in the scanner's goroutine comes out of
// Next, in the reader's, after the rows scanned before it.
func TestScanAheadPanic(t *testing.T) {
	t.Parallel()
	a := newScanAhead(&countingScanner{n: -1, panicAt: 300})
	defer a.close()
	for i := 1; i < 300; i++ {
		if _, _, err := a.Next(); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	defer func() {
		if p := recover(); p != "scanner broke at row 300" {
			t.Errorf("recovered %v, want the scanner's panic", p)
		}
	}()
	a.Next()
	t.Error("Next returned after the scanner panicked")
}

// TestScanAheadStops: a reader that stops early stops the scanner: after
// close, an endless scanner is called no more, and it was not run far
// ahead of the rows read.
func TestScanAheadStops(t *testing.T) {
	t.Parallel()
	s := &countingScanner{n: -1}
	a := newScanAhead(s)
	for range 10 {
		if _, _, err := a.Next(); err != nil {
			t.Fatal(err)
		}
	}
	a.close()
	calls := s.calls.Load()
	if limit := int64(aheadBatch*(aheadBatches+2) + 1); calls > limit {
		t.Errorf("the scanner read %d rows for 10 read; at most %d should be ahead", calls, limit)
	}
	select {
	case <-a.done:
	default:
		t.Fatal("close returned before the goroutine")
	}
	if s.calls.Load() != calls {
		t.Error("the scanner was called after close")
	}
}

// writeBadRowXLSX writes a generated long table of rows rows whose row
// bad (1-based, the header being row 1) has a value that is not a number.
func writeBadRowXLSX(tb testing.TB, path string, rows, bad int) {
	tb.Helper()
	writeLongXLSX(tb, path, rows)
	f, err := excelize.OpenFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := f.SetCellValue("Sheet1", fmt.Sprintf("F%d", bad), "not a figure"); err != nil {
		tb.Fatal(err)
	}
	if err := f.Save(); err != nil {
		tb.Fatal(err)
	}
}

// scanAheadGoroutines counts the goroutines running scanAhead.run.
func scanAheadGoroutines() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "(*scanAhead).run(")
}

// TestScanAheadNoLeak imports and checks workbooks that stop early (a
// bad row near the top of 20,000, a cancelled context, a bad file name
// after the rows were peeked) and finds no scanner goroutine left.
// It does not run in parallel: it counts every goroutine of the test
// binary, and the parallel tests read workbooks too.
func TestScanAheadNoLeak(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.xlsx")
	writeBadRowXLSX(t, bad, 20000, 12)
	good := filepath.Join(dir, "good.xlsx")
	writeLongXLSX(t, good, 20000)
	ref := mustReference(t)
	check := func(ctx context.Context, path, name string, o Options) error {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Check(ctx, ref, name, bytes.NewReader(b), o)
		return err
	}
	var e *Error
	if err := check(context.Background(), bad, "bad.xlsx", Options{}); !errors.As(err, &e) || e.Row != 12 || e.Column != "Value (US$)" {
		t.Errorf("bad row: %v, want an error at row 12, column Value (US$)", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := check(cancelled, good, "good.xlsx", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if err := check(context.Background(), good, "good.xlsx", Options{Name: "x" + codeMarker}); err == nil {
		t.Error("a name with the code marker was accepted")
	}
	s := mustStore(t)
	f, err := os.Open(bad)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Import(context.Background(), s, "bad.xlsx", f, Options{}); !errors.As(err, &e) || e.Row != 12 {
		t.Errorf("import of a bad row: %v", err)
	}
	// close waits for the goroutine to return, but it may still be
	// leaving run's frame when counted.
	for range 100 {
		if scanAheadGoroutines() == 0 {
			return
		}
		runtime.Gosched()
	}
	t.Errorf("%d scanner goroutines left running", scanAheadGoroutines())
}
