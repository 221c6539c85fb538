-- 0004_accounts: who may use refuge and what they did (docs/security.md).
-- Secrets are never stored: passwords as Argon2id strings, API and session
-- tokens as BLAKE2b-256 hashes of the token. Times are Unix seconds (UTC),
-- except the audit log's, which is ISO 8601 UTC text so that it reads and
-- hashes the same everywhere.

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'researcher', 'viewer')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created INTEGER NOT NULL
) STRICT;

-- A token may act for a user (user_id), and then has that user's case
-- assignments and dies with the user's account.
CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'researcher', 'viewer')),
    user_id INTEGER REFERENCES app_user (id),
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created INTEGER NOT NULL,
    last_used INTEGER,
    revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) STRICT;

-- The CSRF token of a session is derived from the session token (a keyed
-- hash), so neither is stored; `expires` is the absolute limit, the idle
-- limit is checked against last_seen.
CREATE TABLE session (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    address TEXT,
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    expires INTEGER NOT NULL
) STRICT;
CREATE INDEX session_user ON session (user_id);
CREATE INDEX session_expires ON session (expires);

CREATE TABLE case_assignment (
    case_id TEXT NOT NULL REFERENCES case_file (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    assigned INTEGER NOT NULL,
    PRIMARY KEY (case_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_assignment_user ON case_assignment (user_id);

-- The audit log: append-only and hash-chained. hash = BLAKE2b-256 over the
-- previous entry's hash and this entry's fields in a fixed encoding
-- (service/auth.c, docs/security.md); the first entry's prev_hash is 32 zero
-- bytes. seq counts from 1 without gaps.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    user_name TEXT NOT NULL,
    address TEXT,
    action TEXT NOT NULL,
    kind TEXT,
    object_id TEXT,
    detail TEXT,
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE INDEX audit_log_user ON audit_log (user_name, seq);
CREATE INDEX audit_log_time ON audit_log (time);

-- The head of the chain (last seq and hash), moved only by appending, so
-- that removing the newest entries also means editing this row.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_in_order BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE id = 1)
    OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'audit entries must extend the chain');
END;

CREATE TRIGGER audit_log_advance AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;

CREATE TRIGGER audit_head_only_advances BEFORE UPDATE ON audit_head
WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1
    OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq)
BEGIN
    SELECT RAISE(ABORT, 'the audit head moves only by appending');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'the audit head cannot be removed');
END;
