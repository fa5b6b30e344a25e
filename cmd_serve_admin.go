package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"tradedash/data"
	"tradedash/server"
)

// adminTokenEnv names the environment variable that sets the admin token.
const adminTokenEnv = "TRADEDASH_ADMIN_TOKEN"

// newServer is what serve does once the store is open: it makes sure there
// is an admin token, puts uploaded originals beside the database, and
// builds the server.
func newServer(ctx context.Context, cfg server.Config, dbPath string) (*server.Server, error) {
	if err := ensureAdminToken(ctx, cfg.Store, os.Getenv(adminTokenEnv), cfg.Logger); err != nil {
		return nil, err
	}
	if cfg.FilesDir == "" {
		cfg.FilesDir = dbPath + ".files"
	}
	if err := os.MkdirAll(cfg.FilesDir, 0o700); err != nil {
		return nil, fmt.Errorf("directory for uploaded files: %w", err)
	}
	return server.New(cfg)
}

// ensureAdminToken stores the hash of the token from the environment,
// replacing the stored one; or, when the environment gives none and none
// is stored, generates a token, stores its hash and shows the token once,
// in a log record of its own on stderr (a record rather than a bare line,
// so that --log-format json keeps stderr all JSON). The token itself is
// never stored.
func ensureAdminToken(ctx context.Context, store *data.Store, fromEnv string, log *slog.Logger) error {
	if fromEnv != "" {
		changed, err := store.SetAdminToken(ctx, fromEnv)
		if err != nil {
			return fmt.Errorf("%s: %w", adminTokenEnv, err)
		}
		if changed {
			log.Info("admin token set from " + adminTokenEnv + "; sessions signed in with an earlier token were closed")
		}
		return nil
	}
	token, err := data.NewSecret()
	if err != nil {
		return err
	}
	stored, err := store.InitAdminToken(ctx, token)
	if err != nil || !stored {
		return err
	}
	log.Warn("admin token (shown once): "+token,
		"use", "sign in at /login with it, or send it as \"Authorization: Bearer <token>\"",
		"lost", fmt.Sprintf("only its hash is stored: restart with %s set to a new token of at least %d characters", adminTokenEnv, data.MinAdminTokenLength))
	return nil
}
