-- 0002_checks: reference data kept in the store, and the history of findings.

-- Reference data files (treaty parties and their notes): the copy compiled
-- into refuge is loaded here when the store has none or an older one, and the
-- checks read it from here.
CREATE TABLE reference_data (
    name TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    loaded TEXT NOT NULL
) STRICT;

-- One row per period in which a finding (case, person, rule) held with one
-- status: opened by the first check run that raised it, ended (`ended` set) by
-- the first run that no longer raised it or raised it with another status.
CREATE TABLE finding_history (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL,
    person TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    missing TEXT NOT NULL,  -- JSON array of fact codes
    first_seen TEXT NOT NULL,  -- UTC time of the run
    first_as_of TEXT NOT NULL, -- the run's as-of date
    last_seen TEXT NOT NULL,
    ended TEXT,
    ended_as_of TEXT
) STRICT;
CREATE INDEX finding_history_open ON finding_history (case_id, person, rule) WHERE ended IS NULL;
CREATE INDEX finding_history_case ON finding_history (case_id, first_seen);
