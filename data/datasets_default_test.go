package data

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// TestDefaultDataset: at most one dataset is the default; making another
// the default moves the flag, and deleting the default leaves none.
func TestDefaultDataset(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	var ids []int64
	for _, name := range []string{"first", "second"} {
		d, err := importAll(ctx, s, testDataset(name), []Observation{obs("PAK", "RUS", Year(2015), Export, 1, "r")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	wantDefault := func(want int64) {
		t.Helper()
		got, err := s.DefaultDataset(ctx)
		if err != nil || got != want {
			t.Fatalf("DefaultDataset = %d, %v; want %d", got, err, want)
		}
		list, err := s.DatasetList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range list {
			if d.Default != (d.ID == want) {
				t.Errorf("dataset %d: Default = %v, want %v", d.ID, d.Default, d.ID == want)
			}
		}
	}
	wantDefault(0)
	d, err := s.UpdateDataset(ctx, ids[0], DatasetChanges{Default: ptr(true)})
	if err != nil || !d.Default {
		t.Fatalf("UpdateDataset(default) = %+v, %v", d, err)
	}
	wantDefault(ids[0])
	if _, err := s.UpdateDataset(ctx, ids[1], DatasetChanges{Default: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	wantDefault(ids[1])
	// Making the default the default again changes nothing.
	if _, err := s.UpdateDataset(ctx, ids[1], DatasetChanges{Default: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	wantDefault(ids[1])
	if _, err := s.UpdateDataset(ctx, ids[1], DatasetChanges{Default: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	wantDefault(0)
	if _, err := s.UpdateDataset(ctx, ids[0], DatasetChanges{Default: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteDataset(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	wantDefault(0)
	if _, err := s.UpdateDataset(ctx, 999, DatasetChanges{Default: ptr(true)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("default on a missing dataset: %v, want ErrNotFound", err)
	}
}

// TestOneDefaultIsEnforcedBySQLite: the unique index refuses a second
// default even from SQL that bypasses UpdateDataset.
func TestOneDefaultIsEnforcedBySQLite(t *testing.T) {
	ctx := context.Background()
	s, path := mustOpenStore(t)
	for _, name := range []string{"a", "b"} {
		if _, err := importAll(ctx, s, testDataset(name), nil); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE datasets SET is_default = 1`); err == nil {
		t.Error("two datasets were made the default")
	}
}

// TestImportedByComesFromTheContext: Import records who imports, from
// the dataset when it says, else from WithImporter.
func TestImportedByComesFromTheContext(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	none, err := importAll(ctx, s, testDataset("nobody"), nil)
	if err != nil {
		t.Fatal(err)
	}
	byCtx, err := importAll(WithImporter(ctx, "cli:ana"), s, testDataset("by context"), nil)
	if err != nil {
		t.Fatal(err)
	}
	given := testDataset("given")
	given.ImportedBy = "admin"
	byField, err := importAll(WithImporter(ctx, "cli:ana"), s, given, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{none.ID: "", byCtx.ID: "cli:ana", byField.ID: "admin"}
	sums, err := s.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sums {
		if d.ImportedBy != want[d.ID] {
			t.Errorf("dataset %d %q: ImportedBy = %q, want %q", d.ID, d.Name, d.ImportedBy, want[d.ID])
		}
	}
	long := testDataset("long")
	long.ImportedBy = string(make([]byte, maxImportedBy+1))
	if _, err := importAll(ctx, s, long, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("an importer label of %d bytes: %v, want ErrInvalid", maxImportedBy+1, err)
	}
}
