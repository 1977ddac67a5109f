-- caseload schema, version 11: what falls due, indexed; the panel by flag kind; the minutes
-- order (issue 19).
-- Append-only: never edit a released migration; add the next one.
--
-- The check-in lists what falls due from today to a week ahead: the next contact by the tier's
-- interval (or the first contact of a client never seen) and the next outcome measurement.
-- Both dates follow from the facts `flag_facts` keeps, so they are kept beside them, computed
-- by the same pure rule (`domain::today::next_due`) in the same transaction as every write
-- (`store::windows::refresh_dirty`), and the week's clients are two index ranges instead of
-- the whole panel. Readers use them only when the flag windows are current.
--
-- The panel's "most minutes this month" order reads this month's summary rows most minutes
-- first off `month_minutes_order` (SQLite sorts only the clients tied on the same minutes).

CREATE TABLE flag_due (
    client_id    INTEGER PRIMARY KEY,
    -- The next contact (or first contact) due; NULL when none is (seen, then never contacted).
    contact_due  TEXT,
    -- The next measurement due; NULL for a client never measured.
    measure_due  TEXT
) STRICT;

CREATE INDEX flag_due_contact ON flag_due (contact_due);
CREATE INDEX flag_due_measure ON flag_due (measure_due);

-- A flag filter's window: one row per segment and live flag kind (the kind's bit position in
-- `panel_segments.kinds`), with the segment's columns, so a rare kind's few clients are an
-- index range in each order rather than a search through the whole panel.
CREATE TABLE panel_kinds (
    kind          INTEGER NOT NULL,
    client_id     INTEGER NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_until   TEXT NOT NULL,
    active        INTEGER NOT NULL,
    clinician_id  INTEGER,
    rank          INTEGER NOT NULL,
    due_key       TEXT NOT NULL,
    kinds         INTEGER NOT NULL,
    name_folded   TEXT NOT NULL,
    name          TEXT NOT NULL,
    last_contact  TEXT NOT NULL,
    -- By client first: a write replaces one client's rows.
    PRIMARY KEY (client_id, valid_from, kind)
) STRICT, WITHOUT ROWID;

CREATE INDEX panel_kinds_priority ON panel_kinds
    (kind, rank, due_key, name_folded, name, client_id, valid_from, valid_until, active, clinician_id, kinds);
CREATE INDEX panel_kinds_by_name ON panel_kinds
    (kind, name_folded, rank, due_key, name, client_id, valid_from, valid_until, active, clinician_id, kinds);
CREATE INDEX panel_kinds_by_last_contact ON panel_kinds
    (kind, last_contact, rank, due_key, name_folded, name, client_id, valid_from, valid_until, active, clinician_id, kinds);

CREATE INDEX month_minutes_order ON month_minutes (month, minutes);

-- Every client's dates, computed once by the Rust step below.
INSERT INTO flag_dirty (client_id) SELECT id FROM clients WHERE true
    ON CONFLICT (client_id) DO NOTHING;
-- caseload: compute flag windows and due dates --
