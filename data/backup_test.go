package data

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// manyObs returns n distinct rows for one pair.
func manyObs(n int, ref string) []Observation {
	out := make([]Observation, 0, n)
	flows := []Flow{Export, Import}
	for i := range n {
		out = append(out, obs("PAK", "RUS", Year(1950+i/2%70), flows[i%2], float64(i+1), ref))
	}
	return out
}

// assertCopy opens a backup and checks that it holds whole datasets only,
// each as the source holds it: the first n of the source's, in order,
// with every row.
func assertCopy(t *testing.T, src *Store, path string) []DatasetSummary {
	t.Helper()
	ctx := context.Background()
	cp, err := Open(ctx, path, mustReference(t))
	if err != nil {
		t.Fatalf("open the backup %s: %v", path, err)
	}
	defer cp.Close()
	if err := cp.QuickCheck(ctx); err != nil {
		t.Errorf("backup %s: %v", path, err)
	}
	got, err := cp.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := src.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > len(want) {
		t.Fatalf("backup has %d datasets, the source only %d", len(got), len(want))
	}
	for i, d := range got {
		w := want[i]
		if d.ID != w.ID || d.Name != w.Name || d.SHA256 != w.SHA256 || d.RowCount != w.RowCount {
			t.Errorf("backup dataset %d = %d %q %d rows; source has %d %q %d rows", i, d.ID, d.Name, d.RowCount, w.ID, w.Name, w.RowCount)
		}
		var n int64
		if err := cp.read.QueryRowContext(ctx, `SELECT count(*) FROM observations WHERE dataset_id = ?`, d.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != d.RowCount {
			t.Errorf("backup dataset %d holds %d observations; its row_count says %d", d.ID, n, d.RowCount)
		}
	}
	return got
}

// TestBackupWhileImporting takes backups while imports run: a backup taken
// in the middle of an import's transaction must neither wait for it nor
// hold any of it, and every backup must open and hold whole datasets.
func TestBackupWhileImporting(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, _ := mustOpenStore(t)
	dir := t.TempDir()
	if _, err := importAll(ctx, s, testDataset("first"), manyObs(500, "first")); err != nil {
		t.Fatal(err)
	}

	// An import that stops half way, inside its transaction, until the
	// backup is done.
	mid, release := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		_, err := s.Import(ctx, testDataset("held open"), func(emit func(Observation) error) error {
			for i, o := range manyObs(1000, "held open") {
				if i == 500 {
					close(mid)
					<-release
				}
				if err := emit(o); err != nil {
					return err
				}
			}
			return nil
		})
		errc <- err
	}()
	<-mid
	held := filepath.Join(dir, "held.db")
	if err := s.Backup(ctx, held); err != nil {
		t.Fatalf("backup during an open import: %v", err)
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatalf("the import held open: %v", err)
	}
	if got := assertCopy(t, s, held); len(got) != 1 || got[0].Name != "first" {
		t.Errorf("backup taken mid-import holds %d datasets; want only the one committed before it", len(got))
	}

	// Imports one after another in a goroutine, backups meanwhile.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			name := fmt.Sprintf("loop %d", i)
			if _, err := importAll(ctx, s, testDataset(name), manyObs(300, name)); err != nil {
				t.Errorf("import %s: %v", name, err)
				return
			}
		}
	})
	var copies []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("loop-%d.db", i))
		if err := s.Backup(ctx, p); err != nil {
			t.Errorf("backup %d: %v", i, err)
		}
		copies = append(copies, p)
	}
	close(stop)
	wg.Wait()
	for _, p := range copies {
		if got := assertCopy(t, s, p); len(got) < 2 {
			t.Errorf("%s holds %d datasets; want at least the 2 committed before it", p, len(got))
		}
	}

	// Nothing but the backups is left in the directory.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".partial") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	dest := filepath.Join(t.TempDir(), "exists.db")
	for _, content := range []string{"precious", ""} {
		if err := os.WriteFile(dest, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		err := s.Backup(ctx, dest)
		if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), dest) {
			t.Errorf("backup over a file holding %q: %v; want fs.ErrExist naming %s", content, err, dest)
		}
		if b, _ := os.ReadFile(dest); string(b) != content {
			t.Errorf("the existing file now holds %q", b)
		}
	}
	if err := s.Backup(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "b.db")); err == nil {
		t.Error("backup into a missing directory: no error")
	}
}

// TestBackupFile copies a database without opening it as a Store, and
// refuses a source that does not exist rather than create it.
func TestBackupFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := mustOpenStore(t)
	if _, err := importAll(ctx, s, testDataset("one"), manyObs(10, "one")); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, path, dest); err != nil {
		t.Fatal(err)
	}
	if got := assertCopy(t, s, dest); len(got) != 1 {
		t.Errorf("copy holds %d datasets, want 1", len(got))
	}

	missing := filepath.Join(t.TempDir(), "missing.db")
	err := BackupFile(ctx, missing, filepath.Join(t.TempDir(), "out.db"))
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("backup of a missing file: %v; want an error naming it", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("backup of a missing file created it: %v", err)
	}
}
