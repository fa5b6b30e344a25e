package main

// Slow attacks (issue 7, part 1): clients that hold a connection open by
// sending slowly. They run against `tradedash serve` itself (in process,
// through run), so that its flags and its http.Server's deadlines are what
// is tested, not a test server's.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gatedTrickle sends its reader's bytes chunk by chunk with a pause
// between chunks, and stops at gate bytes until open is closed: a client
// that sends slowly, and that can tell how much it had sent when the
// server answered.
type gatedTrickle struct {
	r     io.Reader
	chunk int
	pause time.Duration
	gate  int64
	open  <-chan struct{}
	sent  atomic.Int64
}

func (g *gatedTrickle) Read(p []byte) (int, error) {
	if g.sent.Load() >= g.gate {
		if _, err := g.r.Read(p[:0]); err == io.EOF {
			return 0, io.EOF // all sent
		}
		select {
		case <-g.open:
		case <-time.After(30 * time.Second): // a bound, should the server wait for the rest
		}
		return 0, errors.New("gatedTrickle: stopped at the gate")
	}
	time.Sleep(g.pause)
	n, err := g.r.Read(p[:min(len(p), g.chunk, int(g.gate-g.sent.Load()))])
	g.sent.Add(int64(n))
	return n, err
}

// multipartCSV is an upload's body: the file in the field "file".
func multipartCSV(t *testing.T, name string, content []byte) (body []byte, contentType string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	w, err := mw.CreateFormFile("file", name)
	if err == nil {
		_, err = w.Write(content)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), mw.FormDataContentType()
}

// postSlowly posts body to the API through g (g.r is set here); once the
// answer has come it opens the gate. It returns the status, the answer's
// text and how many bytes had been sent when the answer came.
func postSlowly(t *testing.T, base string, body []byte, contentType string, g *gatedTrickle) (int, string, int64) {
	t.Helper()
	open := make(chan struct{})
	g.r, g.open = bytes.NewReader(body), open
	defer close(open)
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/datasets", io.NopCloser(g)) // no length: chunked
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+advToken)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	sent := g.sent.Load()
	if err != nil {
		t.Fatalf("upload: %v (after %d of %d bytes)", err, sent, len(body))
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), sent
}

// TestSlowAttacks serves with short deadlines (headers in 1 s, an upload
// in 3 s, files up to 1 MB) and sends: headers slowly (Slowloris), a body
// over the limit slowly, and a body under the limit too slowly. Each is
// cut off, nothing is stored, no upload's temporary file is left, and the
// server still answers and imports a file sent at a normal pace.
func TestSlowAttacks(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := filepath.Join(t.TempDir(), "slow.db")
	store, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SetAdminToken(ctx, advToken); err != nil {
		t.Fatal(err)
	}
	store.Close()

	logs := &syncWriter{hit: make(chan struct{}), on: "msg=serving"}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--no-demo", "--db", db,
			"--max-upload-mb", "1", "--header-timeout", "1s", "--upload-timeout", "3s"}, new(bytes.Buffer), logs)
	}()
	select {
	case <-logs.hit:
	case err := <-errc:
		t.Fatalf("serve stopped: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not say where it listens:\n%s", logs.String())
	}
	m := regexp.MustCompile(`msg=serving addr=http://(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no address in %q", logs.String())
	}
	addr, base := m[1], "http://"+m[1]
	healthy := func(t *testing.T) {
		t.Helper()
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatalf("/healthz: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/healthz: %d", resp.StatusCode)
		}
	}
	noUploadFiles := func(t *testing.T) {
		t.Helper()
		entries, err := os.ReadDir(db + ".files")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".upload-") || e.Type().IsRegular() {
				t.Errorf("left in the files directory: %s", e.Name())
			}
		}
	}

	t.Run("slow headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		closed := make(chan error, 1)
		var answer bytes.Buffer
		go func() {
			_, err := io.Copy(&answer, conn)
			closed <- err
		}()
		fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n", addr)
		// A header line every 100 ms, never the blank line that ends them.
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		bound := time.After(30 * time.Second)
		lines := 0
	sending:
		for {
			select {
			case <-closed:
				break sending
			case <-bound:
				t.Fatalf("the server still held the connection after 30 s of headers (%d lines)", lines)
			case <-tick.C:
				if _, err := fmt.Fprintf(conn, "X-Slow-%d: %s\r\n", lines, strings.Repeat("a", 10)); err != nil {
					break sending // closed by the server
				}
				lines++
			}
		}
		if answer.Len() != 0 {
			t.Errorf("the server answered headers that never ended: %q", answer.String())
		}
		t.Logf("the server closed the connection after %d header lines", lines)
		healthy(t)
	})

	t.Run("slow body over the limit", func(t *testing.T) {
		// 4 MB to a 1 MB limit, 64 KiB every 20 ms; the client stops at
		// 2 MB until the answer comes, so a server that waited for the
		// whole body would never answer.
		content := bytes.Repeat([]byte("PAK,RUS,2020,export,5\n"), 4<<20/22)
		body, ct := multipartCSV(t, "big.csv", append([]byte("reporter,partner,year,flow,value\n"), content...))
		g := &gatedTrickle{chunk: 64 << 10, pause: 20 * time.Millisecond, gate: 2 << 20}
		status, answer, sent := postSlowly(t, base, body, ct, g)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(answer, `The file \"big.csv\" is larger than this server accepts (1 MB`) {
			t.Errorf("answer %d %s; want 413 naming the file and the limit", status, answer)
		}
		if sent >= g.gate {
			t.Errorf("the server answered only once the client had stopped (%d bytes sent)", sent)
		}
		t.Logf("413 after %d of %d bytes", sent, len(body))
		noUploadFiles(t)
		healthy(t)
	})

	t.Run("slow body under the limit", func(t *testing.T) {
		// 200 KB at 1 KB every 100 ms (20 s) to a server that gives an
		// upload 3 s.
		var csv bytes.Buffer
		csv.WriteString("reporter,partner,year,flow,value\n")
		for i := 0; csv.Len() < 200<<10; i++ {
			fmt.Fprintf(&csv, "PAK,RUS,%d,export,%d\n", 1900+i%100, i)
		}
		body, ct := multipartCSV(t, "slow.csv", csv.Bytes())
		g := &gatedTrickle{chunk: 1 << 10, pause: 100 * time.Millisecond, gate: int64(len(body))}
		status, answer, sent := postSlowly(t, base, body, ct, g)
		if status != http.StatusRequestTimeout || !strings.Contains(answer, `The upload \"slow.csv\" was still arriving after 3s`) ||
			!strings.Contains(answer, "nothing was stored") {
			t.Errorf("answer %d %s; want 408 naming the file and the time limit", status, answer)
		}
		if sent >= int64(len(body)) {
			t.Errorf("the whole body (%d bytes) was sent before the answer", sent)
		}
		t.Logf("408 after %d of %d bytes", sent, len(body))
		noUploadFiles(t)
		healthy(t)
	})

	t.Run("normal upload afterwards", func(t *testing.T) {
		body, ct := multipartCSV(t, "normal.csv", []byte("reporter,partner,year,flow,value\nPAK,RUS,2020,export,5\n"))
		g := &gatedTrickle{chunk: len(body), gate: int64(len(body))}
		if status, answer, _ := postSlowly(t, base, body, ct, g); status != http.StatusCreated {
			t.Fatalf("upload: %d %s", status, answer)
		}
	})

	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
	// Only the normal upload was stored.
	sets := datasetsJSON(t, db)
	if len(sets) != 1 || sets[0]["name"] != "normal" {
		t.Errorf("datasets after the attacks: %v; want only the normal upload", sets)
	}
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "level=ERROR") {
			t.Errorf("logged: %s", sc.Text())
		}
	}
}

// TestServeRefusesBadTimeouts: a timeout flag that is not a positive
// duration stops serve at start, naming the flag.
func TestServeRefusesBadTimeouts(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"--header-timeout", "--request-timeout", "--upload-timeout"} {
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--no-demo",
			"--db", filepath.Join(t.TempDir(), "t.db"), flag, "0s"}, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), flag+" 0s: want a positive duration") {
			t.Errorf("%s 0s: %v", flag, err)
		}
	}
}
