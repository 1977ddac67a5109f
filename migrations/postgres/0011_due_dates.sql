-- caseload schema, version 11: the PostgreSQL form of migrations/0011_due_dates.sql (what
-- falls due, indexed; the panel by flag kind; the minutes order; issue 19).
-- Append-only: never edit a released migration; add the next one.
--
-- The check-in lists what falls due from today to a week ahead: the next contact by the tier's
-- interval (or the first contact of a client never seen) and the next outcome measurement,
-- kept beside the facts in `flag_facts` by the same pure rule in the same transaction as every
-- write (`store::windows::refresh_dirty`), so the week's clients are two index ranges.
--
-- The panel's "most minutes this month" order reads this month's summary rows most minutes
-- first off `month_minutes_order`.

CREATE TABLE flag_due (
    client_id    BIGINT PRIMARY KEY,
    -- The next contact (or first contact) due; NULL when none is (seen, then never contacted).
    contact_due  TEXT COLLATE "C",
    -- The next measurement due; NULL for a client never measured.
    measure_due  TEXT COLLATE "C"
);

CREATE INDEX flag_due_contact ON flag_due (contact_due);
CREATE INDEX flag_due_measure ON flag_due (measure_due);

-- A flag filter's window: one row per segment and live flag kind (the kind's bit position in
-- `panel_segments.kinds`), with the segment's columns, so a rare kind's few clients are an
-- index range in each order rather than a search through the whole panel.
CREATE TABLE panel_kinds (
    kind          BIGINT NOT NULL,
    client_id     BIGINT NOT NULL,
    valid_from    TEXT COLLATE "C" NOT NULL,
    valid_until   TEXT COLLATE "C" NOT NULL,
    active        BIGINT NOT NULL,
    clinician_id  BIGINT,
    rank          BIGINT NOT NULL,
    due_key       TEXT COLLATE "C" NOT NULL,
    kinds         BIGINT NOT NULL,
    name_folded   TEXT COLLATE "C" NOT NULL,
    name          TEXT COLLATE "C" NOT NULL,
    last_contact  TEXT COLLATE "C" NOT NULL,
    -- By client first: a write replaces one client's rows.
    PRIMARY KEY (client_id, valid_from, kind)
);

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
