package data

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MinAdminTokenLength is the shortest admin token accepted: a token chosen
// by hand (TRADEDASH_ADMIN_TOKEN) must not be guessable in the few tries
// the sign-in rate limit allows.
const MinAdminTokenLength = 16

// now is the clock of the admin tables; tests move it.
var now = time.Now

// NewSecret returns 32 random bytes from crypto/rand, base64url-encoded
// without padding (43 characters): a generated admin token, a session id
// or a form token.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret is what is stored of a secret. A plain SHA-256 is enough for
// secrets of 256 random bits; a slow password hash would only matter for a
// short token chosen by hand, which MinAdminTokenLength and the rate limit
// guard against.
func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// ValidateAdminToken checks a token before it is stored.
func ValidateAdminToken(token string) error {
	switch {
	case len(token) < MinAdminTokenLength:
		return fmt.Errorf("%w: the admin token must be at least %d characters long", ErrInvalid, MinAdminTokenLength)
	case strings.TrimSpace(token) != token:
		return fmt.Errorf("%w: the admin token must not begin or end with white space", ErrInvalid)
	}
	return nil
}

// SetAdminToken stores the hash of token as the admin token, replacing
// any other. When it replaces a different token, every session is closed,
// since they were opened with the old one. changed says whether the stored
// hash changed.
func (s *Store) SetAdminToken(ctx context.Context, token string) (changed bool, err error) {
	if err := ValidateAdminToken(token); err != nil {
		return false, err
	}
	sum := hashSecret(token)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var old []byte
		switch err := tx.QueryRowContext(ctx, `SELECT hash FROM admin_token WHERE id = 1`).Scan(&old); {
		case err == nil && subtle.ConstantTimeCompare(old, sum) == 1:
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		changed = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO admin_token (id, hash, set_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at`, sum, now().UnixMilli()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM admin_sessions`)
		return err
	})
	return changed, err
}

// InitAdminToken stores the hash of token as the admin token only if none
// is stored yet, in one statement, so that of two processes starting on a
// new database one token wins. stored says whether this one did.
func (s *Store) InitAdminToken(ctx context.Context, token string) (stored bool, err error) {
	if err := ValidateAdminToken(token); err != nil {
		return false, err
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO admin_token (id, hash, set_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`,
		hashSecret(token), now().UnixMilli())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// HasAdminToken reports whether an admin token is stored.
func (s *Store) HasAdminToken(ctx context.Context) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM admin_token`).Scan(&n)
	return n > 0, err
}

// VerifyAdminToken reports whether token is the admin token, comparing
// hashes in constant time. With no token stored, nothing verifies.
func (s *Store) VerifyAdminToken(ctx context.Context, token string) (bool, error) {
	var stored []byte
	err := s.read.QueryRowContext(ctx, `SELECT hash FROM admin_token WHERE id = 1`).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(stored, hashSecret(token)) == 1, nil
}

// Session is a signed-in browser.
type Session struct {
	// ID is the session's secret, the cookie's value. It is set only by
	// CreateSession: the store keeps its hash, not the id.
	ID string
	// CSRF is the token every form of this session must carry.
	CSRF    string
	Created time.Time
	Expires time.Time
}

// CreateSession opens a session that lasts ttl, and deletes expired ones.
func (s *Store) CreateSession(ctx context.Context, ttl time.Duration) (Session, error) {
	if ttl <= 0 {
		return Session{}, fmt.Errorf("%w: session lifetime %v", ErrInvalid, ttl)
	}
	id, err := NewSecret()
	if err != nil {
		return Session{}, err
	}
	csrf, err := NewSecret()
	if err != nil {
		return Session{}, err
	}
	t := now()
	sess := Session{ID: id, CSRF: csrf, Created: t, Expires: t.Add(ttl)}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM admin_sessions WHERE expires_at <= ?`, t.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO admin_sessions (id_hash, csrf, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			hashSecret(id), csrf, t.UnixMilli(), sess.Expires.UnixMilli())
		return err
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Session returns the unexpired session whose id is id, without its ID,
// or an error wrapping ErrNotFound. It looks the session up by the hash of
// id: an index lookup whose timing tells nothing about the id itself.
func (s *Store) Session(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, fmt.Errorf("%w: no session id", ErrNotFound)
	}
	var created, expires int64
	var sess Session
	err := s.read.QueryRowContext(ctx, `SELECT csrf, created_at, expires_at FROM admin_sessions WHERE id_hash = ? AND expires_at > ?`,
		hashSecret(id), now().UnixMilli()).Scan(&sess.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("%w: the session has expired or was closed", ErrNotFound)
	}
	if err != nil {
		return Session{}, err
	}
	sess.Created, sess.Expires = time.UnixMilli(created), time.UnixMilli(expires)
	return sess, nil
}

// DeleteSession closes the session whose id is id; closing an unknown
// session is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM admin_sessions WHERE id_hash = ?`, hashSecret(id))
	return err
}

// RecordFailedSignIn notes a failed sign-in from client (an IP address)
// and returns how many client has made within window, this one included.
// Rows older than window are deleted on the way.
func (s *Store) RecordFailedSignIn(ctx context.Context, client string, window time.Duration) (int, error) {
	client = clientKey(client)
	t := now()
	since := t.Add(-window).UnixMilli()
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM admin_failed_signins WHERE at < ?`, since); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO admin_failed_signins (client, at) VALUES (?, ?)`, client, t.UnixMilli()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM admin_failed_signins WHERE client = ? AND at >= ?`, client, since).Scan(&n)
	})
	return n, err
}

// FailedSignIns returns how many failed sign-ins client has made within window.
func (s *Store) FailedSignIns(ctx context.Context, client string, window time.Duration) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM admin_failed_signins WHERE client = ? AND at >= ?`,
		clientKey(client), now().Add(-window).UnixMilli()).Scan(&n)
	return n, err
}

// clientKey keeps a client address within the column's CHECK.
func clientKey(client string) string {
	if client == "" {
		return "unknown"
	}
	if len(client) > 100 {
		return client[:100]
	}
	return client
}
