-- 0001_init: the case store. One table per object of the bundle format
-- (docs/data-model.md); lists inside an object are child tables keyed by
-- (owner id, position) so their order survives. Tri-states are NULL (not
-- known), 0 or 1. Dates are ISO text at reduced precision ("2019",
-- "2019-10", "2019-10-06"), which sort by their first day. `extra` holds, as
-- JSON object text, the fields the format does not know. `digest` is a hash
-- of the object's content, so re-importing an unchanged object writes nothing;
-- `version` counts changes (the API's ETag). References between
-- objects are deferred so a bundle may list objects in any order.

CREATE TABLE source (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT,
    publisher TEXT,
    date TEXT,
    approx INTEGER NOT NULL DEFAULT 0 CHECK (approx IN (0, 1)),
    url TEXT,
    kind TEXT,
    reliability TEXT,
    credibility TEXT,
    has_file INTEGER NOT NULL DEFAULT 0 CHECK (has_file IN (0, 1)),
    file_name TEXT,
    file_sha256 TEXT,
    file_media_type TEXT,
    file_extra TEXT,
    extra TEXT,
    digest BLOB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
) STRICT;

CREATE TABLE organization (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT,
    country TEXT,
    kind TEXT,
    parent TEXT REFERENCES organization (id) DEFERRABLE INITIALLY DEFERRED,
    extra TEXT,
    digest BLOB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
) STRICT;
CREATE INDEX organization_parent ON organization (parent) WHERE parent IS NOT NULL;

CREATE TABLE person (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    sex TEXT,
    birth_date TEXT,
    ethnicity TEXT,
    religion TEXT,
    has_origin INTEGER NOT NULL DEFAULT 0 CHECK (has_origin IN (0, 1)),
    origin_country TEXT,
    origin_region TEXT,
    origin_name TEXT,
    origin_extra TEXT,
    sensitive INTEGER CHECK (sensitive IN (0, 1)),
    is_group INTEGER CHECK (is_group IN (0, 1)),
    group_size INTEGER,
    extra TEXT,
    digest BLOB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
) STRICT;

CREATE TABLE person_name (
    person TEXT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    full TEXT NOT NULL,
    script TEXT,
    lang TEXT,
    kind TEXT,
    extra TEXT,
    PRIMARY KEY (person, pos)
) STRICT, WITHOUT ROWID;

CREATE TABLE person_nationality (
    person TEXT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    country TEXT NOT NULL,
    PRIMARY KEY (person, pos)
) STRICT, WITHOUT ROWID;

CREATE TABLE person_profile (
    person TEXT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (person, pos)
) STRICT, WITHOUT ROWID;

CREATE TABLE person_source (
    person TEXT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    source TEXT NOT NULL REFERENCES source (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (person, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX person_source_source ON person_source (source);

CREATE TABLE position (
    person TEXT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    organization TEXT NOT NULL REFERENCES organization (id) DEFERRABLE INITIALLY DEFERRED,
    title TEXT,
    from_date TEXT,
    to_date TEXT,
    extra TEXT,
    PRIMARY KEY (person, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX position_organization ON position (organization);

CREATE TABLE case_file (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT,
    state TEXT,
    opened TEXT,
    status TEXT,
    summary TEXT,
    extra TEXT,
    digest BLOB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
) STRICT;

CREATE TABLE case_subject (
    case_id TEXT NOT NULL REFERENCES case_file (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    person TEXT NOT NULL REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (case_id, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_subject_person ON case_subject (person);

CREATE TABLE case_tag (
    case_id TEXT NOT NULL REFERENCES case_file (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (case_id, pos)
) STRICT, WITHOUT ROWID;

CREATE TABLE event (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    date TEXT,
    approx INTEGER NOT NULL DEFAULT 0 CHECK (approx IN (0, 1)),
    end_date TEXT,
    has_place INTEGER NOT NULL DEFAULT 0 CHECK (has_place IN (0, 1)),
    place_country TEXT,
    place_region TEXT,
    place_name TEXT,
    place_extra TEXT,
    by_org TEXT REFERENCES organization (id) DEFERRABLE INITIALLY DEFERRED,
    official TEXT REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
    description TEXT,
    from_country TEXT,
    to_country TEXT,
    by_country TEXT,
    state TEXT,
    irregular INTEGER CHECK (irregular IN (0, 1)),
    presented INTEGER CHECK (presented IN (0, 1)),
    presented_on TEXT,
    outcome TEXT,
    final INTEGER CHECK (final IN (0, 1)),
    appeal_until TEXT,
    kind TEXT,
    offence TEXT,
    law TEXT,
    sentence TEXT,
    entry_related INTEGER CHECK (entry_related IN (0, 1)),
    mode TEXT,
    provided INTEGER CHECK (provided IN (0, 1)),
    access_to TEXT,
    alleged INTEGER CHECK (alleged IN (0, 1)),
    extra TEXT,
    digest BLOB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
) STRICT;
CREATE INDEX event_by_org ON event (by_org) WHERE by_org IS NOT NULL;
CREATE INDEX event_official ON event (official) WHERE official IS NOT NULL;

CREATE TABLE event_person (
    event TEXT NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    person TEXT NOT NULL REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (event, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_person_person ON event_person (person);

CREATE TABLE event_source (
    event TEXT NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    source TEXT NOT NULL REFERENCES source (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (event, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_source_source ON event_source (source);

CREATE TABLE risk (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    country TEXT NOT NULL,
    region TEXT,
    from_date TEXT,
    to_date TEXT,
    extra TEXT,
    digest BLOB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
) STRICT;
CREATE INDEX risk_country ON risk (country);

CREATE TABLE risk_profile (
    risk TEXT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (risk, pos)
) STRICT, WITHOUT ROWID;

CREATE TABLE risk_harm (
    risk TEXT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    harm TEXT NOT NULL,
    PRIMARY KEY (risk, pos)
) STRICT, WITHOUT ROWID;

CREATE TABLE risk_source (
    risk TEXT NOT NULL REFERENCES risk (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    source TEXT NOT NULL REFERENCES source (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (risk, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX risk_source_source ON risk_source (source);

CREATE TABLE action (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES case_file (id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT,
    date TEXT,
    approx INTEGER NOT NULL DEFAULT 0 CHECK (approx IN (0, 1)),
    outcome TEXT,
    extra TEXT,
    digest BLOB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
) STRICT;
CREATE INDEX action_case ON action (case_id);

-- A target is the id of an organization or, failing that, of a person; the
-- import checks that one exists (the two lists may share ids, so no FK).
CREATE TABLE action_target (
    action TEXT NOT NULL REFERENCES action (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (action, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX action_target_target ON action_target (target);

CREATE TABLE action_demand (
    action TEXT NOT NULL REFERENCES action (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    demand TEXT NOT NULL,
    PRIMARY KEY (action, pos)
) STRICT, WITHOUT ROWID;
