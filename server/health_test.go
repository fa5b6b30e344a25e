package server

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestReadyz(t *testing.T) {
	t.Parallel()
	ts, srv, store := mustBareServer(t)
	resp, body := get(t, ts.URL+"/readyz")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ready"}` {
		t.Fatalf("readyz: %d %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}

	// A closed store: not ready, with a reason; alive all the same.
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, ts.URL+"/readyz")
	var got struct{ Status, Reason string }
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("readyz body %q: %v", body, err)
	}
	if resp.StatusCode != 503 || got.Status != "unavailable" || got.Reason == "" {
		t.Errorf("readyz on a closed store: %d %+v", resp.StatusCode, got)
	}
	if strings.Contains(body, ".db") || strings.Contains(body, "sql:") {
		t.Errorf("readyz shows internals to whoever asks: %s", body)
	}
	if resp, _ := get(t, ts.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz on a closed store: %d; liveness must not depend on the database", resp.StatusCode)
	}
	if got := counter(t, srv, "tradedash_errors_total", map[string]string{"status": "503"}); got != 1 {
		t.Errorf("errors_total{503} = %v; want 1", got)
	}
}
