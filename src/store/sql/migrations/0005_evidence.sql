-- 0005_evidence: evidence files, and the tamper-evident log with its signed
-- checkpoints (docs/evidence.md). Nothing here is ever updated or deleted:
-- triggers refuse it, and `refuge verify` detects it when the triggers are
-- dropped. Times are ISO 8601 UTC text.

-- The log: one leaf per audit entry and per evidence custody record, in the
-- order they were written. `leaf` is the exact text hashed into the RFC 9162
-- Merkle tree (leaf hash = SHA-256(0x00 || leaf)); kind, time and ref repeat
-- what it says, for queries, and verify checks they agree with it. ref is
-- audit_log.seq or evidence.id.
CREATE TABLE proof_log (
    idx INTEGER PRIMARY KEY CHECK (idx >= 0),
    time TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('audit', 'custody')),
    ref INTEGER NOT NULL,
    leaf BLOB NOT NULL CHECK (length(leaf) BETWEEN 1 AND 4096)
) STRICT;

CREATE TRIGGER proof_log_no_update BEFORE UPDATE ON proof_log
BEGIN
    SELECT RAISE(ABORT, 'the proof log is append-only');
END;

CREATE TRIGGER proof_log_no_delete BEFORE DELETE ON proof_log
BEGIN
    SELECT RAISE(ABORT, 'the proof log is append-only');
END;

-- The audit entries written before this migration become the first leaves
-- (the leaf text is the one service/evidence.c writes for an audit entry).
INSERT INTO proof_log (idx, time, kind, ref, leaf)
SELECT seq - 1, time, 'audit', seq,
       CAST('refuge-log/1' || char(10) || 'kind audit' || char(10) || 'time ' || time || char(10)
            || 'audit-seq ' || seq || char(10) || 'audit-hash ' || lower(hex(hash)) || char(10)
            AS BLOB)
FROM audit_log ORDER BY seq;

CREATE TRIGGER proof_log_in_order BEFORE INSERT ON proof_log
WHEN NEW.idx IS NOT coalesce((SELECT max(idx) FROM proof_log), -1) + 1
BEGIN
    SELECT RAISE(ABORT, 'leaves are appended at the end of the log');
END;

-- The database's Ed25519 signing key, made on first need. The secret key is
-- as safe as the database file: keep the file encrypted at rest
-- (docs/evidence.md). name is the key name and checkpoint origin.
CREATE TABLE proof_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    public_key BLOB NOT NULL CHECK (length(public_key) = 32),
    secret_key BLOB NOT NULL CHECK (length(secret_key) = 64),
    created TEXT NOT NULL
) STRICT;

CREATE TRIGGER proof_key_no_update BEFORE UPDATE ON proof_key
BEGIN
    SELECT RAISE(ABORT, 'the signing key never changes');
END;

CREATE TRIGGER proof_key_no_delete BEFORE DELETE ON proof_key
BEGIN
    SELECT RAISE(ABORT, 'the signing key never changes');
END;

-- Signed checkpoints (C2SP signed notes), in order; sizes never go down
-- and never exceed the log.
CREATE TABLE proof_checkpoint (
    id INTEGER PRIMARY KEY,
    size INTEGER NOT NULL CHECK (size >= 0),
    root BLOB NOT NULL CHECK (length(root) = 32),
    time TEXT NOT NULL,
    note TEXT NOT NULL
) STRICT;

CREATE TRIGGER proof_checkpoint_in_order BEFORE INSERT ON proof_checkpoint
WHEN NEW.size < coalesce((SELECT max(size) FROM proof_checkpoint), 0)
    OR NEW.size > coalesce((SELECT max(idx) FROM proof_log), -1) + 1
BEGIN
    SELECT RAISE(ABORT, 'a checkpoint covers at least the previous one and at most the log');
END;

CREATE TRIGGER proof_checkpoint_no_update BEFORE UPDATE ON proof_checkpoint
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are never changed');
END;

CREATE TRIGGER proof_checkpoint_no_delete BEFORE DELETE ON proof_checkpoint
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are never changed');
END;

-- Evidence files, content-addressed: one row per distinct content, hashed
-- (SHA-256 and BLAKE2b-256) from the bytes as received.
CREATE TABLE evidence_blob (
    id INTEGER PRIMARY KEY,
    sha256 BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32),
    blake2b BLOB NOT NULL CHECK (length(blake2b) = 32),
    size INTEGER NOT NULL CHECK (size >= 0),
    content BLOB NOT NULL CHECK (length(content) = size)
) STRICT;

-- Custody records: who attached which content to which source, when, under
-- what name and media type. A source deleted later keeps its records.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    sha256 BLOB NOT NULL REFERENCES evidence_blob (sha256),
    media_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added TEXT NOT NULL,
    UNIQUE (source_id, sha256)
) STRICT;

CREATE TRIGGER evidence_blob_no_update BEFORE UPDATE ON evidence_blob
BEGIN
    SELECT RAISE(ABORT, 'evidence is never changed');
END;

CREATE TRIGGER evidence_blob_no_delete BEFORE DELETE ON evidence_blob
BEGIN
    SELECT RAISE(ABORT, 'evidence is never changed');
END;

CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence is never changed');
END;

CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence is never changed');
END;
