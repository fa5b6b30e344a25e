package importers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"tradedash/data"
	"tradedash/data/demo"
)

// comtradeIndia is UN Comtrade's legacy CSV of India's 2019 trade with
// every partner, read in place from the data team's shared folder: it has
// no licence, so it is not copied into testdata. Its absence is a failure.
const comtradeIndia = "../../shared/data/ictd/Ind_Ex_Im_Countrywise_2019-20.csv"

// mustImport imports a file and fails the test on error.
func mustImport(tb testing.TB, s *data.Store, path string, o Options) data.Dataset {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	d, err := Import(context.Background(), s, filepath.Base(path), f, o)
	if err != nil {
		tb.Fatalf("Import %s: %v", path, err)
	}
	return d
}

// figure returns the single stated all-goods figure for a pair and period.
func figure(tb testing.TB, s *data.Store, reporter, partner string, year int, flow data.Flow) float64 {
	tb.Helper()
	rows, err := s.Bilateral(context.Background(), data.BilateralQuery{Reporter: reporter, Partner: partner})
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range rows {
		if r.ReportedBy != reporter || r.Period != data.Year(year) {
			continue
		}
		f := r.Exports
		if flow == data.Import {
			f = r.Imports
		}
		if !f.Known || f.Derived || f.Conflict {
			tb.Fatalf("%s %s from %s in %d: %+v", reporter, flow, partner, year, f)
		}
		return f.Value
	}
	tb.Fatalf("no %d figures for %s–%s in %+v", year, reporter, partner, rows)
	return 0
}

func TestImportComtradeLegacy(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(comtradeIndia)
	if err != nil {
		t.Fatalf("the UN Comtrade sample must be in the shared folder: %v", err)
	}
	s := mustStore(t)
	d := mustImport(t, s, comtradeIndia, Options{Source: "UN Comtrade"})
	sum := sha256.Sum256(b)
	if d.ID == 0 || d.RowCount != 438 || d.Format != "comtrade-legacy" || d.SHA256 != hex.EncodeToString(sum[:]) ||
		d.Name != "Ind_Ex_Im_Countrywise_2019-20" || d.OriginalName != "Ind_Ex_Im_Countrywise_2019-20.csv" || d.Source != "UN Comtrade" {
		t.Errorf("dataset = %+v", d)
	}
	for _, c := range []struct {
		partner string
		flow    data.Flow
		want    float64
	}{
		{"RUS", data.Import, 6226189464},
		{"RUS", data.Export, 2871228560},
		{"WLD", data.Import, 478883729111},
		{"TWN", data.Import, 4194059011},  // "Other Asia, nes", code 490, no ISO
		{"X899", data.Export, 2477811637}, // "Areas, nes", code 899, no ISO
	} {
		if got := figure(t, s, "IND", c.partner, 2019, c.flow); got != c.want {
			t.Errorf("IND %s %s 2019 = %.0f; want %.0f", c.flow, c.partner, got, c.want)
		}
	}
	sets, err := s.Datasets(context.Background())
	if err != nil || len(sets) != 1 || sets[0].RowCount != 438 {
		t.Errorf("Datasets = %+v, %v", sets, err)
	}
}

// TestImportDemoFiles imports the canonical demo CSVs and checks that they
// give exactly the observations the demo package's own parser reads.
func TestImportDemoFiles(t *testing.T) {
	t.Parallel()
	sets, err := demo.Sets()
	if err != nil {
		t.Fatal(err)
	}
	s := mustStore(t)
	for _, set := range sets {
		path := filepath.Join("..", "data", "demo", set.Dataset.OriginalName)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := parse(t, set.Dataset.OriginalName, b, Options{})
		if err != nil {
			t.Fatal(err)
		}
		key := cmp.Transformer("key", func(p data.Product) string { return p.Key() })
		if diff := cmp.Diff(set.Observations, p.obs, key); diff != "" {
			t.Errorf("%s: observations differ from the demo parser's (-demo +importers):\n%s", path, diff)
		}
		d := mustImport(t, s, path, Options{FiscalStartMonth: 7})
		if d.RowCount != int64(len(set.Observations)) || d.Format != "tradedash-long" || d.SHA256 != set.Dataset.SHA256 {
			t.Errorf("%s: dataset %+v; want %d rows", path, d, len(set.Observations))
		}
	}
	if got := figure(t, s, "IND", "RUS", 2019, data.Import); got != 6226189464 {
		t.Errorf("IND imports from RUS 2019 = %.0f", got)
	}
}

// TestImportAllOrNothing: a bad last row leaves the database as it was.
func TestImportAllOrNothing(t *testing.T) {
	t.Parallel()
	s := mustStore(t)
	f, err := os.Open(filepath.Join("testdata", "bad_value.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Import(context.Background(), s, "bad_value.csv", f, Options{})
	e := asError(t, err)
	want := `bad_value.csv: row 5, column "Trade Value (US$)": "12x" is not a number`
	if !strings.HasPrefix(err.Error(), want) || e.Value != "12x" {
		t.Errorf("error = %q (%+v); want it to start %q", err, e, want)
	}
	if _, ok := err.(*Error); !ok {
		t.Errorf("error is a %T; want *importers.Error itself", err)
	}
	if empty, err := s.Empty(context.Background()); err != nil || !empty {
		t.Errorf("after a failed import the store is not empty (%v)", err)
	}
	for _, name := range []string{"comtrade_result_too_large.csv", "web_page.csv"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Import(context.Background(), s, name, f, Options{})
		f.Close()
		if e := asError(t, err); e.File != name || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: error %q", name, err)
		}
	}
	if empty, _ := s.Empty(context.Background()); !empty {
		t.Error("a refused file left a dataset behind")
	}
}

// TestImportDuplicate: the same bytes twice give the first dataset back
// with data.ErrDuplicate, and nothing changes.
func TestImportDuplicate(t *testing.T) {
	t.Parallel()
	s := mustStore(t)
	path := filepath.Join("testdata", "long_mixed.csv")
	first := mustImport(t, s, path, Options{Name: "first"})
	b, _ := os.ReadFile(path)
	// A reader that cannot seek takes the temporary-file path.
	again, err := Import(context.Background(), s, "renamed.csv", io.MultiReader(bytes.NewReader(b)), Options{Name: "second"})
	if !errors.Is(err, data.ErrDuplicate) || errors.Is(err, data.ErrInvalid) {
		t.Fatalf("second import: %v; want data.ErrDuplicate", err)
	}
	if again.ID != first.ID || again.Name != "first" || !strings.Contains(err.Error(), `already imported as dataset 1 "first"`) {
		t.Errorf("second import returned %+v, %q; want dataset %d named first", again, err, first.ID)
	}
	sets, err := s.Datasets(context.Background())
	if err != nil || len(sets) != 1 || sets[0].RowCount != 5 {
		t.Errorf("Datasets = %+v, %v; want the one dataset of 5 rows", sets, err)
	}
}

func TestImportOptions(t *testing.T) {
	t.Parallel()
	s := mustStore(t)
	in := "Year,Flow,Value\n2021-22,Export,1\n"
	if _, err := Import(context.Background(), s, "x.csv", strings.NewReader(in), Options{FiscalStartMonth: 13}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("month 13: %v", err)
	}
	if _, err := Import(context.Background(), s, "x.csv", strings.NewReader(in), Options{Reporter: "Nowhere", Partner: "RUS"}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("unknown reporter: %v", err)
	}
	d, err := Import(context.Background(), s, "dir/x.csv", strings.NewReader(in), Options{Reporter: "pk", Partner: "643", FiscalStartMonth: 7})
	if err != nil || d.Name != "x" || d.OriginalName != "x.csv" || d.Format != "long" || d.RowCount != 1 {
		t.Errorf("Import = %+v, %v", d, err)
	}
}
