-- Admin access. The admin token and the session ids are secrets: only
-- their SHA-256 is stored, so a copy of the database (a backup, a leaked
-- file) signs no one in. Times are Unix milliseconds.

-- The one admin token; a new token replaces the row.
CREATE TABLE admin_token (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    hash   BLOB NOT NULL CHECK (typeof(hash) = 'blob' AND length(hash) = 32),
    set_at INTEGER NOT NULL CHECK (set_at > 0)
) STRICT;

-- Browser sessions opened by signing in with the admin token. csrf is the
-- session's form token: it is put in every form the session is shown, so it
-- is no secret from the signed-in browser and is stored as it is.
CREATE TABLE admin_sessions (
    id_hash    BLOB PRIMARY KEY CHECK (typeof(id_hash) = 'blob' AND length(id_hash) = 32),
    csrf       TEXT NOT NULL CHECK (length(csrf) >= 32),
    created_at INTEGER NOT NULL CHECK (created_at > 0),
    expires_at INTEGER NOT NULL CHECK (expires_at > created_at)
) STRICT, WITHOUT ROWID;

CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);

-- Failed sign-ins, by client address, for rate limiting. Rows older than
-- the rate-limit window are deleted as new ones arrive.
CREATE TABLE admin_failed_signins (
    id     INTEGER PRIMARY KEY,
    client TEXT NOT NULL CHECK (client <> '' AND length(client) <= 100),
    at     INTEGER NOT NULL CHECK (at > 0)
) STRICT;

CREATE INDEX admin_failed_signins_client ON admin_failed_signins (client, at);
