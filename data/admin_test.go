package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"testing"
	"time"
)

// setNow moves the admin tables' clock for one test; such tests do not
// run in parallel.
func setNow(tb testing.TB, t time.Time) {
	tb.Helper()
	now = func() time.Time { return t }
	tb.Cleanup(func() { now = time.Now })
}

func TestAdminTokenIsStoredOnlyAsItsHash(t *testing.T) {
	ctx := context.Background()
	s, path := mustOpenStore(t)
	if has, err := s.HasAdminToken(ctx); err != nil || has {
		t.Fatalf("a new database has an admin token: %v %v", has, err)
	}
	if ok, err := s.VerifyAdminToken(ctx, ""); err != nil || ok {
		t.Errorf("with no token stored, the empty token verifies: %v %v", ok, err)
	}
	token, err := NewSecret()
	if err != nil || len(token) != 43 {
		t.Fatalf("NewSecret = %q, %v", token, err)
	}
	if stored, err := s.InitAdminToken(ctx, token); err != nil || !stored {
		t.Fatalf("InitAdminToken = %v, %v", stored, err)
	}
	// A second start, or a second process, keeps the first token.
	other, _ := NewSecret()
	if stored, err := s.InitAdminToken(ctx, other); err != nil || stored {
		t.Errorf("InitAdminToken over a stored token = %v, %v", stored, err)
	}
	for _, tt := range []struct {
		token string
		want  bool
	}{{token, true}, {other, false}, {"", false}, {token + " ", false}, {token[:42], false}} {
		if ok, err := s.VerifyAdminToken(ctx, tt.token); err != nil || ok != tt.want {
			t.Errorf("VerifyAdminToken(%q) = %v, %v; want %v", tt.token, ok, err, tt.want)
		}
	}
	var hash []byte
	if err := s.read.QueryRowContext(ctx, `SELECT hash FROM admin_token`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte(token)); !bytes.Equal(hash, sum[:]) {
		t.Errorf("stored %x, want the SHA-256 of the token", hash)
	}
	// The token itself is nowhere in the files.
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the token", f)
		}
	}
}

func TestSetAdminTokenReplacesItAndClosesSessions(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	if _, err := s.SetAdminToken(ctx, "short"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a 5-character token: %v, want ErrInvalid", err)
	}
	if _, err := s.SetAdminToken(ctx, " padded-token-of-length "); !errors.Is(err, ErrInvalid) {
		t.Errorf("a token with spaces around it: %v, want ErrInvalid", err)
	}
	first := "first-admin-token-0001"
	if changed, err := s.SetAdminToken(ctx, first); err != nil || !changed {
		t.Fatalf("SetAdminToken = %v, %v", changed, err)
	}
	sess, err := s.CreateSession(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The same token at the next start changes nothing.
	if changed, err := s.SetAdminToken(ctx, first); err != nil || changed {
		t.Errorf("the same token again: changed = %v, %v", changed, err)
	}
	if _, err := s.Session(ctx, sess.ID); err != nil {
		t.Errorf("the session did not survive setting the same token: %v", err)
	}
	if changed, err := s.SetAdminToken(ctx, "second-admin-token-0002"); err != nil || !changed {
		t.Errorf("a new token: changed = %v, %v", changed, err)
	}
	if _, err := s.Session(ctx, sess.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session opened with the old token survives: %v", err)
	}
	if ok, _ := s.VerifyAdminToken(ctx, first); ok {
		t.Error("the old token still verifies")
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	setNow(t, start)
	a, err := s.CreateSession(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateSession(ctx, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == b.ID || a.CSRF == b.CSRF || a.ID == a.CSRF || len(a.ID) != 43 {
		t.Fatalf("sessions are not distinct random secrets: %+v %+v", a, b)
	}
	got, err := s.Session(ctx, a.ID)
	if err != nil || got.CSRF != a.CSRF || !got.Expires.Equal(start.Add(time.Hour)) || got.ID != "" {
		t.Errorf("Session = %+v, %v", got, err)
	}
	for _, id := range []string{"", "nope", a.CSRF} {
		if _, err := s.Session(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Session(%q) = %v, want ErrNotFound", id, err)
		}
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM admin_sessions WHERE id_hash = ? OR CAST(id_hash AS TEXT) = ?`, []byte(a.ID), a.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("a session id is stored as it is (%d rows, %v)", n, err)
	}
	// An hour later a has expired and b has not; the next sign-in deletes a.
	setNow(t, start.Add(time.Hour))
	if _, err := s.Session(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}
	if _, err := s.Session(ctx, b.ID); err != nil {
		t.Errorf("live session: %v", err)
	}
	if _, err := s.CreateSession(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM admin_sessions`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d sessions stored, want 2 (the expired one deleted)", n)
	}
	if err := s.DeleteSession(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, b.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
	if err := s.DeleteSession(ctx, "unknown"); err != nil {
		t.Errorf("deleting an unknown session: %v", err)
	}
	if _, err := s.CreateSession(ctx, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("a session without a lifetime: %v", err)
	}
}

func TestFailedSignIns(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	setNow(t, start)
	for i := 1; i <= 3; i++ {
		if n, err := s.RecordFailedSignIn(ctx, "192.0.2.1", time.Minute); err != nil || n != i {
			t.Errorf("failure %d: count %d, %v", i, n, err)
		}
	}
	if n, _ := s.RecordFailedSignIn(ctx, "2001:db8::1", time.Minute); n != 1 {
		t.Errorf("another client's first failure counts %d", n)
	}
	if n, err := s.FailedSignIns(ctx, "192.0.2.1", time.Minute); err != nil || n != 3 {
		t.Errorf("FailedSignIns = %d, %v", n, err)
	}
	if n, _ := s.FailedSignIns(ctx, "198.51.100.1", time.Minute); n != 0 {
		t.Errorf("a client that never failed has %d failures", n)
	}
	// A minute later the window is empty, and old rows go with the next failure.
	setNow(t, start.Add(time.Minute+time.Second))
	if n, _ := s.FailedSignIns(ctx, "192.0.2.1", time.Minute); n != 0 {
		t.Errorf("%d failures counted after the window", n)
	}
	if n, _ := s.RecordFailedSignIn(ctx, "192.0.2.1", time.Minute); n != 1 {
		t.Errorf("first failure of a new window counts %d", n)
	}
	var rows int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM admin_failed_signins`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d rows kept, want 1", rows)
	}
	if _, err := s.RecordFailedSignIn(ctx, "", time.Minute); err != nil {
		t.Errorf("a failure from an unknown address: %v", err)
	}
}

// TestAdminTablesCheck checks that the tables refuse what the code never
// writes: a token or session that is not a 32-byte hash, a second token.
func TestAdminTablesCheck(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO admin_token (id, hash, set_at) VALUES (1, ?, 1)`, []any{"plain-text-token-plain-text-token"}},
		{`INSERT INTO admin_token (id, hash, set_at) VALUES (1, ?, 1)`, []any{[]byte("short")}},
		{`INSERT INTO admin_token (id, hash, set_at) VALUES (2, ?, 1)`, []any{make([]byte, 32)}},
		{`INSERT INTO admin_sessions (id_hash, csrf, created_at, expires_at) VALUES (?, ?, 2, 1)`, []any{make([]byte, 32), "0123456789abcdef0123456789abcdef"}},
		{`INSERT INTO admin_sessions (id_hash, csrf, created_at, expires_at) VALUES (?, ?, 1, 2)`, []any{make([]byte, 32), "short"}},
		{`INSERT INTO admin_failed_signins (client, at) VALUES ('', 1)`, nil},
	} {
		if _, err := s.write.ExecContext(ctx, stmt.sql, stmt.args...); err == nil {
			t.Errorf("accepted: %s %v", stmt.sql, stmt.args)
		}
	}
}
