package data

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestDataVersionFollowsEveryWrite checks that each write that changes
// what the views show raises the version as seen from another Store on
// the same file (as a server sees a CLI import), and that reopening,
// failed imports and admin sessions leave it alone.
func TestDataVersionFollowsEveryWrite(t *testing.T) {
	ctx := context.Background()
	server, path := mustOpenStore(t)
	cli, err := Open(ctx, path, mustReference(t)) // a second process's view of the file
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	last, err := server.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, wantChange bool) {
		t.Helper()
		v, err := server.DataVersion(ctx)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		switch {
		case wantChange && v <= last:
			t.Errorf("%s: version stayed %d, want it raised", what, v)
		case !wantChange && v != last:
			t.Errorf("%s: version went %d -> %d, want it unchanged", what, last, v)
		}
		last = v
	}
	step("reopening the file (the reference lists upserted again)", false)

	d, err := importAll(ctx, cli, testDataset("a"), []Observation{obs("PAK", "RUS", Year(2015), Export, 285e6, "r1")})
	if err != nil {
		t.Fatal(err)
	}
	step("an import by the other store", true)

	_, err = importAll(ctx, cli, testDataset("bad"), []Observation{obs("PAK", "XXX", Year(2015), Export, 1, "r1")})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("import with an unknown partner: %v, want ErrInvalid", err)
	}
	step("a failed import (rolled back)", false)

	name := "renamed"
	if _, err := cli.UpdateDataset(ctx, d.ID, DatasetChanges{Name: &name}); err != nil {
		t.Fatal(err)
	}
	step("a rename", true)

	on := true
	if _, err := server.UpdateDataset(ctx, d.ID, DatasetChanges{Default: &on}); err != nil {
		t.Fatal(err)
	}
	step("making it the default", true)

	if _, err := server.CreateSession(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	step("an admin session", false)

	if _, err := cli.write.ExecContext(ctx, `UPDATE countries SET name = name || ' (corrected)' WHERE iso3 = 'RUS'`); err != nil {
		t.Fatal(err)
	}
	step("a country renamed", true)

	if _, err := cli.DeleteDataset(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	step("a delete", true)
}
