package importers

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver for the test stores

	"tradedash/data"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// mustReference loads the embedded reference lists once, or stops the test.
func mustReference(tb testing.TB) *data.Reference {
	tb.Helper()
	ref, err := loadReference()
	if err != nil {
		tb.Fatalf("LoadReference: %v", err)
	}
	return ref
}

// loadReference is shared: the lists are read-only, and fuzzing calls
// parse thousands of times a second.
var loadReference = sync.OnceValues(data.LoadReference)

// mustStore opens a fresh SQLite file under tb.TempDir().
func mustStore(tb testing.TB) *data.Store {
	tb.Helper()
	s, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "t.db"), mustReference(tb))
	if err != nil {
		tb.Fatalf("data.Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// parsed is what reading a file without a store gives.
type parsed struct {
	format  string
	obs     []data.Observation
	skipped []*Error
}

// parse runs detection and the layout on b, as Import does, without a store.
func parse(tb testing.TB, name string, b []byte, o Options) (parsed, error) {
	tb.Helper()
	ref := mustReference(tb)
	var p parsed
	if err := resolveDefaults(ref, &o); err != nil {
		return p, err
	}
	o.Skipped = func(e *Error) { p.skipped = append(p.skipped, e) }
	src, err := spool(bytes.NewReader(b))
	if err != nil {
		return p, err
	}
	defer src.close()
	layout, rows, _, err := open(ref, name, src, o)
	if err != nil {
		return p, err
	}
	p.format = layout.Name()
	err = layout.Parse(context.Background(), rows, func(o data.Observation) error {
		p.obs = append(p.obs, o)
		return nil
	})
	return p, locate(err, name, "")
}

// mustParseFile parses a file from testdata.
func mustParseFile(tb testing.TB, name string, o Options) parsed {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	p, err := parse(tb, name, b, o)
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	return p
}

// render writes observations one per line, for golden files.
func render(p parsed) string {
	var b strings.Builder
	fmt.Fprintf(&b, "format %s\n", p.format)
	for _, o := range p.obs {
		q := "-"
		if o.Quantity != nil {
			q = strconv.FormatFloat(*o.Quantity, 'f', -1, 64) + " " + o.QtyUnit
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s %q\t%s\t%s\t%s\t%q\t%q\n", o.Reporter, o.Partner, o.Period.Label(), o.Flow,
			o.Product.Key(), o.Product.Name, strconv.FormatFloat(o.ValueUSD, 'f', -1, 64), o.Bound, q, o.SourceRef, o.SourceQuote)
	}
	for _, e := range p.skipped {
		fmt.Fprintf(&b, "skipped: %v\n", e)
	}
	return b.String()
}

// checkGolden compares got with testdata/golden/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// asError returns err as an *Error, failing the test when it is not one.
func asError(tb testing.TB, err error) *Error {
	tb.Helper()
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v (%T) is not an *importers.Error", err, err)
	}
	if !errors.Is(err, data.ErrInvalid) {
		tb.Errorf("error %v does not wrap data.ErrInvalid", err)
	}
	return e
}
