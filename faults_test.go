package main

// Faults (issue 7, part 4): the import command killed with SIGKILL at
// random moments, and an import that runs out of disk. Both run the real
// binary, built once per test run, so that a kill hits a process doing
// exactly what an operator's would.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tradedash/data"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// mustBinary builds tradedash once per test run, without cgo or the race
// detector, as `make build` does, and beside it internal/dbcheck.
func mustBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tradedash-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "tradedash")
		for _, b := range []struct{ out, pkg string }{{builtBin, "."}, {filepath.Join(dir, "dbcheck"), "./internal/dbcheck"}} {
			cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// fsizeEnv makes the test binary a launcher: it sets RLIMIT_FSIZE to the
// variable's value in bytes and executes its arguments, so that one child
// process, not the test, runs under the limit.
const fsizeEnv = "TRADEDASH_TEST_FSIZE"

// TestMain removes the binary that mustBinary built; or, as a launcher,
// never returns.
func TestMain(m *testing.M) {
	if lim := os.Getenv(fsizeEnv); lim != "" {
		n, err := strconv.ParseUint(lim, 10, 64)
		if err == nil {
			err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
		}
		if err == nil {
			err = syscall.Exec(os.Args[1], os.Args[1:], os.Environ())
		}
		fmt.Fprintln(os.Stderr, "launcher:", err)
		os.Exit(3)
	}
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// syntheticTrade writes a long CSV of n generated observations (5
// reporters, 20 partners, 97 HS chapters, monthly from 2000): synthetic
// figures made for these tests, not trade statistics. It returns the sum
// of the values, to check what was stored against.
func syntheticTrade(t *testing.T, path string, n int) float64 {
	t.Helper()
	reporters := strings.Fields("PAK IND KAZ UZB TUR")
	partners := strings.Fields("USA CHN RUS DEU FRA GBR ITA ESP IRN ARE JPN KOR BRA CAN MEX NLD BEL POL UKR AZE")
	var b bytes.Buffer
	b.WriteString("reporter,partner,period,flow,product code,product name,value usd\n")
	sum := 0.0
	for i := range n {
		chapter, month := (i/100)%97+1, i/9700
		flow := "import"
		if i%2 == 1 {
			flow = "export"
		}
		v := 1000 + (i*7919)%100000
		sum += float64(v)
		fmt.Fprintf(&b, "%s,%s,%d-%02d,%s,%02d,synthetic chapter %d,%d\n",
			reporters[i%5], partners[(i/5)%20], 2000+month/12, month%12+1, flow, chapter, chapter, v)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return sum
}

// envInt reads a positive integer from the environment, or gives def.
func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// dbState is what a check of the database after a fault finds.
type dbState struct {
	Integrity string // PRAGMA integrity_check's answer
	DatasetID int64  // the dataset holding the file's sha256; 0 if none
	RowCount  int64  // its row_count
	Stored    int64  // its observations
	Sum       float64
	Total     int64 // observations of every dataset
}

// inspect checks the database in a new process (internal/dbcheck), which
// opens it as tradedash would after a crash: SQLite replays or discards
// the WAL on open.
func inspect(t *testing.T, path, sha string) dbState {
	t.Helper()
	out, err := exec.Command(filepath.Join(filepath.Dir(mustBinary(t)), "dbcheck"), path, sha).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("dbcheck: %v\n%s", err, exit.Stderr)
		}
		t.Fatal(err)
	}
	var s dbState
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("dbcheck: %v: %s", err, out)
	}
	return s
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestKillDuringImport runs `tradedash import` of a synthetic long CSV
// 100 times, killing it with SIGKILL at a random moment of each run (from
// before it opens the database to after it commits), and checks after
// every kill that the database passes PRAGMA integrity_check and holds the
// dataset either whole (every row, the exact sum of the values) or not at
// all, with no stray observations. Every tenth kill that leaves it out is
// retried to completion at once; after the last kill, the import is run
// once more and must succeed.
//
// The kill moments come from a seeded generator: the seed is logged, and
// TRADEDASH_KILL_SEED replays it (the moments are fractions of a measured
// import's duration, so a replay on a machine of another speed kills at
// the same stages, not the same instants). The file has 10 000 rows by
// default (0.4 MB), fewer than a real file, so that the 100 rounds stay
// near a minute in `make test`; the kill moments stretch with the timed
// import, so on a loaded machine the test takes longer (130 s at a load
// average of 14 on 2 cores, where a whole import took 1.2 s). TRADEDASH_KILL_ROWS and
// TRADEDASH_KILL_ROUNDS make a longer run:
//
//	TRADEDASH_KILL_ROWS=50000 TRADEDASH_KILL_ROUNDS=300 go test -run TestKillDuringImport -count=1 .
func TestKillDuringImport(t *testing.T) {
	bin := mustBinary(t)
	rows := envInt(t, "TRADEDASH_KILL_ROWS", 10000)
	rounds := envInt(t, "TRADEDASH_KILL_ROUNDS", 100)
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("TRADEDASH_KILL_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("TRADEDASH_KILL_SEED=%q: %v", v, err)
		}
	}
	t.Logf("seed %d (replay with TRADEDASH_KILL_SEED=%d), %d rows, %d rounds", seed, seed, rows, rounds)
	rng := rand.New(rand.NewPCG(seed, 0))

	dir := t.TempDir()
	file := filepath.Join(dir, "synthetic_trade.csv")
	wantSum := syntheticTrade(t, file, rows)
	sha := fileSHA(t, file)
	db := filepath.Join(dir, "kill.db")
	ctx := context.Background()

	importCmd := func() *exec.Cmd {
		cmd := exec.Command(bin, "import", "--db", db, "--source", "synthetic test data", file)
		cmd.Stdout, cmd.Stderr = new(bytes.Buffer), new(bytes.Buffer)
		return cmd
	}
	// whole checks the dataset is there with every row, and removes it,
	// so that the file can be imported again.
	whole := func(round int, s dbState) {
		t.Helper()
		if s.RowCount != int64(rows) || s.Stored != int64(rows) || s.Sum != wantSum || s.Total != int64(rows) {
			t.Fatalf("round %d: dataset %d has row_count %d, %d observations summing to %.0f, %d in all; want %d rows summing to %.0f",
				round, s.DatasetID, s.RowCount, s.Stored, s.Sum, s.Total, rows, wantSum)
		}
		store, err := openStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		if _, err := store.DeleteDataset(ctx, s.DatasetID); err != nil {
			t.Fatal(err)
		}
	}
	complete := func(round int) time.Duration {
		t.Helper()
		cmd := importCmd()
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("round %d: the import after the kill failed: %v\n%s", round, err, cmd.Stderr)
		}
		s := inspect(t, db, sha)
		if s.Integrity != "ok" || s.DatasetID == 0 {
			t.Fatalf("round %d: after a completed import: integrity %q, dataset %d", round, s.Integrity, s.DatasetID)
		}
		whole(round, s)
		return took
	}

	// A first, whole import creates the database (and its reference
	// lists); a second measures how long an import takes here, now.
	complete(0)
	took := complete(0)
	t.Logf("an uninterrupted import of %d rows took %v", rows, took.Round(time.Millisecond))

	var absent, present, finished, retried int
	var inspecting time.Duration
	for round := 1; round <= rounds; round++ {
		// From the process's start to a fifth past a whole import: some
		// kills come before the transaction, most inside it, a few after
		// its commit.
		frac := rng.Float64() * 1.2
		delay := time.Duration(frac * float64(took))
		cmd := importCmd()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL) // fails only if it has exited
		err := cmd.Wait()
		var exit *exec.ExitError
		killed := errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled()
		if err != nil && !killed {
			t.Fatalf("round %d: import failed before the kill: %v\n%s", round, err, cmd.Stderr)
		}
		inspectStart := time.Now()
		s := inspect(t, db, sha)
		inspecting += time.Since(inspectStart)
		if s.Integrity != "ok" {
			t.Fatalf("round %d (killed at %.2f of an import): integrity_check: %s", round, frac, s.Integrity)
		}
		switch {
		case !killed:
			finished++
			whole(round, s)
		case s.DatasetID != 0:
			present++
			whole(round, s)
		default:
			absent++
			if s.Total != 0 {
				t.Fatalf("round %d (killed at %.2f): the dataset is gone but %d observations remain", round, frac, s.Total)
			}
			if absent%10 == 0 {
				retried++
				complete(round)
			}
		}
		t.Logf("round %d: kill at %.3f of an import (%v): %s", round, frac, delay.Round(time.Millisecond),
			map[bool]string{true: "killed", false: "had finished"}[killed])
	}
	complete(rounds + 1)
	t.Logf("%d kills left no dataset, %d came after the commit, %d imports finished first; %d retried at once, all whole; checks took %v",
		absent, present, finished, retried, inspecting.Round(time.Millisecond))
	if absent == 0 {
		t.Errorf("no kill landed before the commit: the test did not test an interrupted import")
	}
}

// underFileSizeLimit is a command running bin with args under a file size
// limit of limit bytes: the disk is full for whatever would grow a file
// past it, as on a small filesystem.
func underFileSizeLimit(limit int64, bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{bin}, args...)...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", fsizeEnv, limit))
	cmd.Stdout, cmd.Stderr = new(bytes.Buffer), new(bytes.Buffer)
	return cmd
}

// TestImportIntoFullDisk imports a file whose rows need more room than the
// database may grow by (a file size limit stands in for a full disk): the
// import fails with an error that names the file and the database and
// says what to do, the database is as it was and passes integrity_check,
// and the same import succeeds once there is room.
func TestImportIntoFullDisk(t *testing.T) {
	t.Parallel()
	bin := mustBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "full.db")
	cmd := exec.Command(bin, "import", "--db", db, filepath.Join("importers", "testdata", "long_mixed.csv"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("first import: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "synthetic_trade.csv")
	const rows = 8000 // synthetic: 440 KB of CSV, whose pages need about 1 MB
	syntheticTrade(t, file, rows)
	sha := fileSHA(t, file)
	before := readSnapshot(t, db)
	originals := db + ".files"
	keptBefore := dirNames(t, originals)

	// 128 KiB: above the database's size (some 100 KiB), below the file,
	// whose copy kept as the dataset's original is written first.
	cmd = underFileSizeLimit(128<<10, bin, "import", "--db", db, file)
	if err := cmd.Run(); err == nil {
		t.Fatalf("the import succeeded under a limit below the file's size:\n%s", cmd.Stdout)
	}
	stderr := cmd.Stderr.(*bytes.Buffer).String()
	for _, want := range []string{file + ":", "nothing imported: a copy of the original cannot be kept in " + originals, "the disk is full or a file size limit"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the error does not say %q:\n%s", want, stderr)
		}
	}
	if after := readSnapshot(t, db); after != before {
		t.Errorf("the import refused before it began changed the database:\nbefore %s\nafter  %s", before, after)
	}
	if kept := dirNames(t, originals); !slices.Equal(kept, keptBefore) {
		t.Errorf("%s holds %v after the refused import; want %v", originals, kept, keptBefore)
	}

	// 512 KiB: above the database's size and the file's, below what the
	// import writes to the WAL.
	cmd = underFileSizeLimit(512<<10, bin, "import", "--db", db, file)
	err := cmd.Run()
	stderr = cmd.Stderr.(*bytes.Buffer).String()
	if err == nil {
		t.Fatalf("the import succeeded under the limit:\n%s", cmd.Stdout)
	}
	for _, want := range []string{file + ":", db, "disk is full or a file size limit", "nothing of this change was kept"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the error does not say %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "launcher:") {
		t.Fatalf("the launcher failed: %s", stderr)
	}
	s := inspect(t, db, sha)
	if s.Integrity != "ok" || s.DatasetID != 0 {
		t.Errorf("after the failed import: integrity %q, dataset %d", s.Integrity, s.DatasetID)
	}
	if after := readSnapshot(t, db); after != before {
		t.Errorf("the failed import changed the database:\nbefore %s\nafter  %s", before, after)
	}
	if kept := dirNames(t, originals); !slices.Equal(kept, keptBefore) {
		t.Errorf("%s holds %v after the failed import; want %v", originals, kept, keptBefore)
	}

	// With room, the same file goes in.
	cmd = exec.Command(bin, "import", "--db", db, file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import with room: %v\n%s", err, out)
	}
	if s := inspect(t, db, sha); s.Integrity != "ok" || s.Stored != rows {
		t.Errorf("import with room: integrity %q, %d rows; want %d", s.Integrity, s.Stored, rows)
	}
	if kept := dirNames(t, originals); !slices.Contains(kept, sha) || len(kept) != len(keptBefore)+1 {
		t.Errorf("%s holds %v after the import; want %v and %s", originals, kept, keptBefore, sha)
	}
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// readSnapshot is snapshot (adversarial_test.go) of the database at path.
func readSnapshot(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return snapshot(t, db)
}

// TestLockedDatabaseAtStart: while another connection holds the write
// lock for longer than the busy timeout (5 s), serve and import stop at
// start with an error that names the database and says what to do, not
// SQLite's bare "database is locked".
func TestLockedDatabaseAtStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "locked.db")
	if err := run(ctx, []string{"datasets", "--db", db}, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	holder, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	var wg sync.WaitGroup
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--no-demo", "--db", db},
		{"import", "--db", db, filepath.Join("importers", "testdata", "long_mixed.csv")},
	} {
		wg.Go(func() {
			// A bound, in case serve wrongly starts: it then returns nil.
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			err := run(ctx, args, new(bytes.Buffer), new(bytes.Buffer))
			if !errors.Is(err, data.ErrStorage) {
				t.Errorf("%s: %v; want data.ErrStorage", args[0], err)
				return
			}
			for _, want := range []string{db, "another program is writing to it", "wait for it or stop it"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %q does not say %q", args[0], err, want)
				}
			}
		})
	}
	wg.Wait()
}
