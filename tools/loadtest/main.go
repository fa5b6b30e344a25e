// Command loadtest serves a database with the built binary on loopback
// and sends it bounded bursts of requests, one URL at a time: every API
// endpoint and every page. It prints requests per second and the 50th
// and 99th percentile latency of each, beside the views issue's targets,
// and exits non-zero if any request fails (transport error or a status
// other than 200).
//
//	go run ./tools/loadtest -bin bin/tradedash -db tmp/load.db -duration 5s -conns 16
//
// The load generator is this program: it runs on the same cores as the
// server, as wrk or hey would, so the figures are for the two together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// target is one URL and the goal for it.
type target struct {
	kind string // "api" or "page"
	path string
}

// Goals from the views issue: requests/s at least, p99 under.
var goals = map[string]struct {
	rps float64
	p99 time.Duration
}{
	"api":  {1500, 30 * time.Millisecond},
	"page": {500, 60 * time.Millisecond},
}

// targets name countries and years tools/loaddata generates (its first
// countries, years 2010–2024).
var targets = []target{
	{"api", "/api/v1/bilateral?reporter=PAK&partner=RUS"},
	{"api", "/api/v1/partners?reporter=PAK&flow=export"},
	{"api", "/api/v1/partners?reporter=IND&flow=import&period=2019"},
	{"api", "/api/v1/products?reporter=PAK&product=30&product=10"},
	{"api", "/api/v1/mirror?reporter=PAK&partner=RUS"},
	{"api", "/api/v1/compare?reporter=PAK&partner=RUS&a=2022&b=2023"},
	{"api", "/api/v1/sectors?reporter=PAK&partner=RUS&sectors=2023"},
	{"api", "/api/v1/datasets"},
	{"api", "/api/v1/datasets/1"},
	{"api", "/api/v1/countries"},
	{"api", "/api/v1/product-codes"},
	{"page", "/"},
	{"page", "/bilateral?reporter=PAK&partner=RUS"},
	{"page", "/partners?reporter=PAK&flow=export"},
	{"page", "/products?reporter=PAK&product=30"},
	{"page", "/mirror?reporter=PAK&partner=RUS"},
	{"page", "/compare?reporter=PAK&partner=RUS&a=2022&b=2023"},
	{"page", "/datasets"},
}

type result struct {
	target
	requests int
	errors   int
	firstErr string
	elapsed  time.Duration
	first    time.Duration // the warm-up request: with a fresh server, a cache miss
	p50, p99 time.Duration
}

func main() {
	bin := flag.String("bin", "bin/tradedash", "the tradedash binary to serve with")
	db := flag.String("db", "tmp/load.db", "database made by tools/loaddata")
	duration := flag.Duration("duration", 5*time.Second, "how long each URL is loaded")
	conns := flag.Int("conns", 16, "concurrent connections")
	only := flag.String("only", "", "load only the URLs whose path starts with this; a trailing $ matches the whole path ('/$': the home page)")
	logPath := flag.String("log", "tmp/loadtest-server.log", "where the server's log goes")
	running := flag.String("server", "", "load this running server (e.g. http://127.0.0.1:8080) instead of starting one, "+
		"for example one serving with --response-cache-mb 0")
	flag.Parse()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}, Timeout: 30 * time.Second}
	base := *running
	if base == "" {
		if _, err := os.Stat(*db); err != nil {
			fail("%v (make loaddata builds it)", err)
		}
		addr, err := freeAddr()
		if err != nil {
			fail("%v", err)
		}
		if err := os.MkdirAll(filepath.Dir(*logPath), 0o755); err != nil {
			fail("%v", err)
		}
		logFile, err := os.Create(*logPath)
		if err != nil {
			fail("%v", err)
		}
		defer logFile.Close()
		// --skip-check: the start-up quick_check reads the whole file
		// (minutes at 10 million rows) and is not what is measured.
		cmd := exec.Command(*bin, "serve", "--no-demo", "--skip-check", "--db", *db, "--addr", addr)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			fail("start %s: %v", *bin, err)
		}
		stop = func() {
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
		}
		defer stop()
		base = "http://" + addr
		started := time.Now()
		if err := waitReady(client, base+"/readyz", 20*time.Minute); err != nil {
			fail("server not ready: %v (log in %s)", err, *logPath)
		}
		fmt.Printf("server ready in %s (%s serve --no-demo --skip-check --db %s)\n", time.Since(started).Round(time.Millisecond), *bin, *db)
	}
	fmt.Printf("loading %s: %d connections, %s per URL\n", base, *conns, *duration)

	var results []result
	failed := false
	for _, t := range targets {
		if *only != "" && !startsWith(t.path, *only) {
			continue
		}
		r := load(client, base, t, *conns, *duration)
		results = append(results, r)
		if r.errors > 0 {
			failed = true
		}
	}
	w := tabwriter.NewWriter(os.Stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "kind\tURL\tfirst ms\trequests\treq/s\tp50 ms\tp99 ms\terrors\tgoal\t")
	for _, r := range results {
		g := goals[r.kind]
		rps := float64(r.requests) / r.elapsed.Seconds()
		met := "met"
		if rps < g.rps || r.p99 >= g.p99 {
			met = fmt.Sprintf("MISSED (>=%.0f/s, p99<%dms)", g.rps, g.p99.Milliseconds())
		}
		fmt.Fprintf(w, "%s\t%s\t%.1f\t%d\t%.0f\t%.1f\t%.1f\t%d\t%s\t\n", r.kind, r.path, ms(r.first), r.requests, rps, ms(r.p50), ms(r.p99), r.errors, met)
	}
	w.Flush()
	for _, r := range results {
		if r.errors > 0 {
			fmt.Printf("%s: %d errors, first: %s\n", r.path, r.errors, r.firstErr)
		}
	}
	if failed {
		fail("some requests failed")
	}
}

// load sends requests to one URL from conns goroutines for d, each
// waiting for its answer before the next (a closed loop, as wrk does).
func load(client *http.Client, base string, t target, conns int, d time.Duration) result {
	r := result{target: t}
	// One request first, so a broken URL shows its error at once and the
	// server's first-use work (template, caches) is not measured; its
	// time is reported apart (on a fresh server, what a cache miss costs).
	t0 := time.Now()
	err := get(client, base+t.path)
	r.first = time.Since(t0)
	if err != nil {
		r.errors, r.firstErr = 1, err.Error()
		r.elapsed = time.Millisecond
		return r
	}
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			var errs int
			var first string
			for time.Now().Before(deadline) {
				t0 := time.Now()
				err := get(client, base+t.path)
				local = append(local, time.Since(t0))
				if err != nil {
					if errs == 0 {
						first = err.Error()
					}
					errs++
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			r.errors += errs
			if r.firstErr == "" {
				r.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	r.requests = len(lat)
	slices.Sort(lat)
	if len(lat) > 0 {
		r.p50 = lat[len(lat)*50/100]
		r.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r
}

func get(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d: %.200s", url, resp.StatusCode, body)
	}
	return nil
}

func waitReady(client *http.Client, url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		err := get(client, url)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startsWith matches -only: a prefix, or with a trailing $ the whole
// path, so that -only '/$' loads the home page alone.
func startsWith(s, prefix string) bool {
	if exact, ok := strings.CutSuffix(prefix, "$"); ok {
		return s == exact
	}
	return strings.HasPrefix(s, prefix)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// stop stops the server this program started, if any.
var stop = func() {}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "loadtest: "+format+"\n", a...)
	stop()
	os.Exit(1)
}
