// Command soak runs tradedash under load on loopback for a bounded time and
// says whether it held up: `make soak` (reads with uploads and deletes in
// between) and `make loadtest` (reads only) run it.
//
// It builds the binary, serves a fresh database with the demo data on a
// random loopback port, and sends pages, API answers and CSV downloads
// from many concurrent readers while a writer uploads a synthetic dataset,
// reads it and deletes it, over and over. It reports every error (there
// must be none), latency percentiles per kind of request, requests per
// second, and the server's memory (resident set, Go heap in use,
// goroutines, from its /metrics) after a warm-up and after the load, and
// fails when memory grew past the stated bounds or the server did not stop
// cleanly on SIGTERM.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// Memory bounds. The SQLite caches are allowed for: the write connection
// may cache 64 MiB of pages and each of the 8 read connections 2 MiB, and
// they fill as uploads and reads touch pages, outside the Go heap. The Go
// heap holds nothing per request once it is answered.
const (
	rssGrowthBound  = 128 << 20 // bytes of resident set the run may add after its warm-up
	heapGrowthBound = 32 << 20  // bytes of Go heap in use it may add
	goroutineBound  = 20        // goroutines it may add (none should outlive their request)
)

func run() error {
	duration := flag.Duration("duration", envDuration("SOAKTIME", 60*time.Second), "how long the load runs, after the warm-up (env SOAKTIME)")
	warmup := flag.Duration("warmup", 10*time.Second, "load before the first memory reading, to fill caches and pools")
	readers := flag.Int("readers", 64, "concurrent readers")
	writes := flag.Bool("writes", true, "upload, read and delete datasets while the readers read")
	uploadEvery := flag.Duration("upload-every", time.Second, "pause between one upload's delete and the next upload")
	flag.Parse()

	dir, err := os.MkdirTemp("", "tradedash-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "tradedash")
	build := exec.Command("go", "build", "-o", bin, "tradedash")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}

	token := randomHex(16)
	srv, err := startServer(bin, filepath.Join(dir, "soak.db"), token)
	if err != nil {
		return err
	}
	defer srv.cmd.Process.Kill()
	fmt.Printf("soak: %s at %s, %d readers, writes %v, warm-up %v, load %v (%d cores)\n",
		bin, srv.base, *readers, *writes, *warmup, *duration, runtime.NumCPU())

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *readers + 4}, Timeout: 60 * time.Second}
	l := &load{base: srv.base, token: token, client: client, stats: map[string]*kindStats{}}

	// Warm-up, then the measured run, each with its own statistics.
	if err := l.run(*warmup, *readers, *writes, *uploadEvery); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	client.CloseIdleConnections()
	before, err := l.memory()
	if err != nil {
		return err
	}
	l.reset()
	start := time.Now()
	if err := l.run(*duration, *readers, *writes, *uploadEvery); err != nil {
		return err
	}
	elapsed := time.Since(start)
	// Let the server's connections and requests end before reading memory.
	client.CloseIdleConnections()
	time.Sleep(2 * time.Second)
	after, err := l.memory()
	if err != nil {
		return err
	}

	var failures []string
	report := l.report(elapsed)
	fmt.Print(report)
	if n := l.errors.Load(); n > 0 {
		failures = append(failures, fmt.Sprintf("%d errors", n))
	}
	fmt.Printf("\n%-22s %12s %12s %12s %12s\n", "memory (server)", "after warm-up", "at the end", "growth", "bound")
	for _, m := range []struct {
		name          string
		before, after float64
		bound         float64
		unit          string
	}{
		{"resident set", before.rss, after.rss, rssGrowthBound, "MiB"},
		{"Go heap in use", before.heap, after.heap, heapGrowthBound, "MiB"},
		{"goroutines", before.goroutines, after.goroutines, goroutineBound, ""},
	} {
		f := func(v float64) string {
			if m.unit == "MiB" {
				return fmt.Sprintf("%.1f MiB", v/(1<<20))
			}
			return fmt.Sprintf("%.0f", v)
		}
		fmt.Printf("%-22s %12s %12s %12s %12s\n", m.name, f(m.before), f(m.after), f(m.after-m.before), f(m.bound))
		if m.after-m.before > m.bound {
			failures = append(failures, fmt.Sprintf("%s grew by %s, more than %s", m.name, f(m.after-m.before), f(m.bound)))
		}
	}

	if err := srv.stop(); err != nil {
		failures = append(failures, err.Error())
	}
	if n := srv.errorLines.Load(); n > 0 {
		failures = append(failures, fmt.Sprintf("the server logged %d errors, the first: %s", n, srv.firstError()))
	}
	if len(failures) > 0 {
		fmt.Println("\nFAIL:", strings.Join(failures, "; "))
		return errors.New("the soak failed")
	}
	fmt.Println("\nPASS: no errors, memory within its bounds, a clean shutdown")
	return nil
}

// --- the server ---------------------------------------------------------

type server struct {
	cmd        *exec.Cmd
	base       string
	done       chan error
	errorLines atomic.Int64
	mu         sync.Mutex
	firstErr   string
}

// startServer runs `tradedash serve` on a random loopback port, with the
// demo data, and waits until it says where it listens. Its log is read
// as it comes, to count the errors it logs.
func startServer(bin, db, token string) (*server, error) {
	s := &server{done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db)
	s.cmd.Env = append(os.Environ(), "TRADEDASH_ADMIN_TOKEN="+token)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	addrc := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`msg=serving addr=(http://\S+)`)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if s.base == "" {
				if m := re.FindStringSubmatch(line); m != nil {
					s.base = m[1]
					addrc <- m[1]
				}
			}
			if strings.Contains(line, "level=ERROR") || strings.Contains(line, "level=WARN") {
				if s.errorLines.Add(1) == 1 {
					s.mu.Lock()
					s.firstErr = line
					s.mu.Unlock()
				}
			}
		}
		s.done <- s.cmd.Wait()
	}()
	select {
	case <-addrc:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("the server stopped at start: %v", err)
	case <-time.After(60 * time.Second):
		return nil, errors.New("the server did not say where it listens within 60 s")
	}
}

func (s *server) firstError() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.firstErr
}

// stop sends SIGTERM and expects a clean exit within 15 s.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-s.done:
		if err != nil {
			return fmt.Errorf("the server's exit after SIGTERM: %v", err)
		}
		return nil
	case <-time.After(15 * time.Second):
		return errors.New("the server did not exit within 15 s of SIGTERM")
	}
}

// --- the load -----------------------------------------------------------

// reads are what the readers ask for, by kind: pages, API answers and
// downloads of the demo data's pairs.
var reads = []struct{ kind, path string }{
	{"page", "/"},
	{"page", "/bilateral?reporter=PAK&partner=RUS"},
	{"page", "/bilateral?reporter=IND&partner=RUS&dataset=3"},
	{"page", "/partners?reporter=IND&flow=export&period=2019"},
	{"page", "/compare?reporter=IND&partner=RUS&a=2019-04..2020-03&b=2020-04..2021-03"},
	{"page", "/mirror?reporter=PAK&partner=RUS"},
	{"page", "/datasets"},
	{"api", "/api/v1/bilateral?reporter=PAK&partner=RUS"},
	{"api", "/api/v1/bilateral?reporter=IND&partner=RUS&dataset=3"},
	{"api", "/api/v1/partners?reporter=IND&flow=import"},
	{"api", "/api/v1/compare?reporter=IND&partner=RUS&a=2019-04..2020-03&b=2020-04..2021-03"},
	{"api", "/api/v1/mirror?reporter=PAK&partner=RUS"},
	{"api", "/api/v1/datasets"},
	{"download", "/data/bilateral.csv?reporter=PAK&partner=RUS"},
	{"download", "/data/partners.csv?reporter=IND&flow=export"},
}

type load struct {
	base, token string
	client      *http.Client
	errors      atomic.Int64
	requests    atomic.Int64

	mu        sync.Mutex
	stats     map[string]*kindStats
	errorList []string
	uploads   int
}

type kindStats struct{ took []time.Duration }

func (l *load) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats = map[string]*kindStats{}
	l.errorList = nil
	l.uploads = 0
	l.errors.Store(0)
	l.requests.Store(0)
}

func (l *load) record(kind string, took time.Duration, err error) {
	l.requests.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stats[kind]
	if st == nil {
		st = &kindStats{}
		l.stats[kind] = st
	}
	st.took = append(st.took, took)
	if err != nil {
		l.errors.Add(1)
		if len(l.errorList) < 10 {
			l.errorList = append(l.errorList, kind+": "+err.Error())
		}
	}
}

// do sends one request and reads its answer to the end; any status but
// want is an error.
func (l *load) do(kind, method, path string, body io.Reader, header map[string]string, want int) ([]byte, error) {
	req, err := http.NewRequest(method, l.base+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := l.client.Do(req)
	var b []byte
	if err == nil {
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != want {
			err = fmt.Errorf("%s %s: %d %.200s", method, path, resp.StatusCode, b)
		}
	}
	l.record(kind, time.Since(start), err)
	return b, err
}

// run loads the server for d: readers in a loop, and the writer.
func (l *load) run(d time.Duration, readers int, writes bool, uploadEvery time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for i := range readers {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(i), 1))
			for ctx.Err() == nil {
				r := reads[rng.IntN(len(reads))]
				l.do(r.kind, http.MethodGet, r.path, nil, nil, http.StatusOK)
			}
		})
	}
	if writes {
		wg.Go(func() {
			for ctx.Err() == nil {
				l.uploadReadDelete()
				select {
				case <-ctx.Done():
				case <-time.After(uploadEvery):
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// uploadReadDelete uploads a synthetic dataset, reads its chart's data and
// deletes it. Each upload's figures differ, so none is a duplicate.
func (l *load) uploadReadDelete() {
	l.mu.Lock()
	l.uploads++
	n := l.uploads
	l.mu.Unlock()
	var csv bytes.Buffer
	csv.WriteString("reporter,partner,period,flow,value_usd\n")
	for i := range 240 { // 20 years of months, synthetic figures
		fmt.Fprintf(&csv, "KAZ,UZB,%04d-%02d,export,%d\n", 2000+i/12, i%12+1, 1000*n+i)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("name", fmt.Sprintf("soak %d (synthetic)", n))
	fw, _ := w.CreateFormFile("file", fmt.Sprintf("soak-%d.csv", n))
	fw.Write(csv.Bytes())
	w.Close()
	auth := map[string]string{"Authorization": "Bearer " + l.token}
	b, err := l.do("upload", http.MethodPost, "/api/v1/datasets", &body,
		map[string]string{"Authorization": "Bearer " + l.token, "Content-Type": w.FormDataContentType()}, http.StatusCreated)
	if err != nil {
		return
	}
	var d struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &d); err != nil || d.ID == 0 {
		l.record("upload", 0, fmt.Errorf("the upload's answer has no id: %.200s", b))
		return
	}
	l.do("api", http.MethodGet, fmt.Sprintf("/api/v1/bilateral?reporter=KAZ&partner=UZB&dataset=%d", d.ID), nil, nil, http.StatusOK)
	l.do("delete", http.MethodDelete, fmt.Sprintf("/api/v1/datasets/%d", d.ID), nil, auth, http.StatusOK)
}

type memory struct{ rss, heap, goroutines float64 }

// memory reads the server's own figures from its /metrics.
func (l *load) memory() (memory, error) {
	resp, err := l.client.Get(l.base + "/metrics")
	if err != nil {
		return memory{}, err
	}
	defer resp.Body.Close()
	var m memory
	found := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		dst := map[string]*float64{"process_resident_memory_bytes": &m.rss, "go_memstats_heap_inuse_bytes": &m.heap, "go_goroutines": &m.goroutines}[name]
		if dst != nil {
			if *dst, err = strconv.ParseFloat(value, 64); err != nil {
				return m, fmt.Errorf("/metrics: %s: %v", name, err)
			}
			found++
		}
	}
	if found != 3 {
		return m, fmt.Errorf("/metrics lacks the resident set, the Go heap or the goroutines (%d of 3 found)", found)
	}
	return m, sc.Err()
}

func (l *load) report(elapsed time.Duration) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	n := l.requests.Load()
	fmt.Fprintf(&b, "\n%d requests in %v: %.0f requests/s; %d uploads; %d errors\n", n, elapsed.Round(time.Millisecond),
		float64(n)/elapsed.Seconds(), l.uploads, l.errors.Load())
	for _, e := range l.errorList {
		fmt.Fprintln(&b, "  error:", e)
	}
	fmt.Fprintf(&b, "\n%-10s %8s %10s %10s %10s\n", "kind", "count", "p50", "p99", "max")
	kinds := make([]string, 0, len(l.stats))
	for k := range l.stats {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		t := l.stats[k].took
		slices.Sort(t)
		fmt.Fprintf(&b, "%-10s %8d %10v %10v %10v\n", k, len(t), pct(t, 50), pct(t, 99), t[len(t)-1].Round(10*time.Microsecond))
	}
	return b.String()
}

// pct is the p-th percentile of sorted durations (nearest rank).
func pct(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(i, 0)].Round(10 * time.Microsecond)
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "soak: %s=%q: %v\n", name, v, err)
			os.Exit(2)
		}
		return d
	}
	return def
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
