-- 0009_check_scan_indexes: covering indexes for a check of every case
-- (store/scan.c). The check reads a few columns of every case, person and
-- event; the tables' rows also hold the descriptions, names and the stored
-- JSON text, so a pass over a table read four to eight times the pages the
-- check needs. These indexes hold just those columns, in id order: the
-- pass reads the index alone, and the rows come in the order of the lists
-- that name them (subjects, names, profiles, persons of events), so that
-- joining them in memory walks both in step. About 70 bytes per event; a
-- million events take some seconds to index once.

CREATE INDEX case_check_scan ON case_file (id, state, status);

CREATE INDEX person_check_scan ON person (id, ethnicity, religion, is_group, group_size);

CREATE INDEX event_check_scan ON event (
    id, type, date, approx, end_date, has_place, place_country, from_country, to_country,
    by_country, outcome, final, appeal_until, kind, offence, entry_related, presented, provided,
    access_to);
