-- 0009_check_scan: what a check of every case reads, kept apart
-- from the rows that also hold descriptions, names and the stored JSON text
-- (store/scan.c; docs/checks.md, "Checking every case").
--
-- Cases and persons: covering indexes of the few columns the check reads,
-- in id order, so that a pass reads the index alone (a fifth to a tenth of
-- the table's pages) and the rows come in the order of the lists that name
-- them (subjects, names, profiles).
--
-- Events: the check reads 18 of their columns, and SQLite decoding 18
-- columns a row was most of the time of a pass over a million events even
-- from a covering index. event_scan keeps them packed in one text per event
-- (each column "-" for NULL, or its length in bytes, ":" and its text),
-- in id order, kept in step with event by store_put() and store_delete()
-- (store/scan.c packs an event the way the statement below packs a row) in
-- the same transaction as every write; a pass reads two columns a row. Not
-- by triggers: a statement that fires one opens a statement journal, and
-- with it a savepoint of the full-text index, which then flushes its
-- pending terms on every write (an import took a third longer).
--
-- A million events: some seconds to build once, about 90 MB.

CREATE INDEX case_check_scan ON case_file (id, state, status);

CREATE INDEX person_check_scan ON person (id, ethnicity, religion, is_group, group_size);

CREATE TABLE event_scan (
    id TEXT PRIMARY KEY,
    facts TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO event_scan (id, facts)
    SELECT id,
        ifnull(length(CAST(type AS BLOB)) || ':' || type, '-')
        || ifnull(length(CAST(date AS BLOB)) || ':' || date, '-')
        || ifnull(length(CAST(approx AS BLOB)) || ':' || approx, '-')
        || ifnull(length(CAST(end_date AS BLOB)) || ':' || end_date, '-')
        || ifnull(length(CAST(has_place AS BLOB)) || ':' || has_place, '-')
        || ifnull(length(CAST(place_country AS BLOB)) || ':' || place_country, '-')
        || ifnull(length(CAST(from_country AS BLOB)) || ':' || from_country, '-')
        || ifnull(length(CAST(to_country AS BLOB)) || ':' || to_country, '-')
        || ifnull(length(CAST(by_country AS BLOB)) || ':' || by_country, '-')
        || ifnull(length(CAST(outcome AS BLOB)) || ':' || outcome, '-')
        || ifnull(length(CAST(final AS BLOB)) || ':' || final, '-')
        || ifnull(length(CAST(appeal_until AS BLOB)) || ':' || appeal_until, '-')
        || ifnull(length(CAST(kind AS BLOB)) || ':' || kind, '-')
        || ifnull(length(CAST(offence AS BLOB)) || ':' || offence, '-')
        || ifnull(length(CAST(entry_related AS BLOB)) || ':' || entry_related, '-')
        || ifnull(length(CAST(presented AS BLOB)) || ':' || presented, '-')
        || ifnull(length(CAST(provided AS BLOB)) || ':' || provided, '-')
        || ifnull(length(CAST(access_to AS BLOB)) || ':' || access_to, '-')
    FROM event;
