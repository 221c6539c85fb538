-- 0004_search: indexes for finding people by name and cases by their text.
--
-- name_key holds, for every name of every person, the name's matching keys
-- (readings and canonical tokens, built by src/text/namekey.c and written by
-- the service layer in the same transaction as the person) and its blocking
-- codes as a JSON array. Triggers copy the codes into name_block (the lookup
-- index: code -> key) and keep name_block_count (how many keys have each
-- code, and under '#' how many keys there are) for rare-code-first candidate
-- selection and rare-token weighting. Keys go with their person (cascade),
-- their codes with their key (trigger), so a deleted person leaves nothing.
--
-- text_doc and text_fts index the free text of cases, events and sources:
-- text_fts holds text already cut into folded words (src/text/textfold.c),
-- text_doc says which object each row is. Both are written by the service
-- layer with the objects (FTS5 cannot be written from triggers here).
--
-- The keys need ICU, so this migration only creates the tables: on a
-- database that already has objects, the first search builds them
-- (search_state says whether that is needed; `refuge reindex` rebuilds on
-- demand).

CREATE TABLE name_key (
    kid INTEGER PRIMARY KEY,
    person TEXT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    full TEXT NOT NULL,
    key TEXT NOT NULL,
    codes TEXT NOT NULL,
    UNIQUE (person, pos)
) STRICT;

CREATE TABLE name_block (
    code TEXT NOT NULL,
    kid INTEGER NOT NULL,
    PRIMARY KEY (code, kid)
) STRICT, WITHOUT ROWID;

CREATE TABLE name_block_count (
    code TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER name_key_insert AFTER INSERT ON name_key BEGIN
    INSERT OR IGNORE INTO name_block (code, kid)
        SELECT value, new.kid FROM json_each(new.codes);
    INSERT INTO name_block_count (code, n) VALUES ('#', 1)
        ON CONFLICT (code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER name_key_delete AFTER DELETE ON name_key BEGIN
    DELETE FROM name_block
        WHERE kid = old.kid AND code IN (SELECT value FROM json_each(old.codes));
    UPDATE name_block_count SET n = n - 1 WHERE code = '#';
END;

CREATE TRIGGER name_block_insert AFTER INSERT ON name_block BEGIN
    INSERT INTO name_block_count (code, n) VALUES (new.code, 1)
        ON CONFLICT (code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER name_block_delete AFTER DELETE ON name_block BEGIN
    UPDATE name_block_count SET n = n - 1 WHERE code = old.code;
END;

CREATE TABLE text_doc (
    rid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    oid TEXT NOT NULL,
    date TEXT,
    UNIQUE (kind, oid)
) STRICT;

CREATE VIRTUAL TABLE text_fts USING fts5 (
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- Text of documents attached to sources (plain text extracted by the user),
-- indexed with the source.
CREATE TABLE source_text (
    source TEXT PRIMARY KEY REFERENCES source (id) ON DELETE CASCADE,
    text TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Whether the indexes cover every object: true at once on a database with no
-- objects yet; otherwise the first search (or `refuge reindex`) builds them.
CREATE TABLE search_state (
    what TEXT PRIMARY KEY,
    built TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO search_state (what, built)
    SELECT 'index', 'migration'
    WHERE NOT EXISTS (SELECT 1 FROM person) AND NOT EXISTS (SELECT 1 FROM case_file)
      AND NOT EXISTS (SELECT 1 FROM event) AND NOT EXISTS (SELECT 1 FROM source);
