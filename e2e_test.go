package main

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryServesDemoAndShutsDown runs the real binary (built once per
// test process, by mustBinary), serves on a random loopback port with a
// fresh database, reads the demo dashboard, then stops it with SIGTERM and
// expects a clean exit.
func TestBinaryServesDemoAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	bin := mustBinary(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "e2e.db"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	addrc := make(chan string, 1)
	var logs strings.Builder
	go func() {
		re := regexp.MustCompile(`msg=serving addr=(http://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-addrc:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not say where it listens")
	}

	for path, want := range map[string]string{
		"/healthz":                            `"status":"ok"`,
		"/bilateral?reporter=PAK&partner=RUS": "FY2022-23",
		"/api/v1/bilateral?reporter=IND&partner=RUS&dataset=3": `"imports":6226189464`,
		// The served binary draws chart images itself, with no browser.
		"/charts/bilateral.svg?reporter=PAK&partner=RUS&width=800&height=450": "Pakistan – Russia trade",
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit 15 s after SIGTERM")
	}
}
