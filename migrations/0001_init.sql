-- caseload schema, version 1. Append-only: never edit a released migration; add the next one.
-- Pragmas live in the store's open path, not here.

CREATE TABLE clinicians (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role              TEXT NOT NULL DEFAULT 'clinician'
                      CHECK (role IN ('clinician', 'supervisor', 'admin')),
    hourly_cost_cents INTEGER NOT NULL DEFAULT 0 CHECK (hourly_cost_cents >= 0),
    created_at        TEXT NOT NULL
) STRICT;

CREATE TABLE clients (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT UNIQUE,
    name         TEXT NOT NULL,
    dob          TEXT,
    tier         TEXT NOT NULL DEFAULT 'moderate' CHECK (tier IN ('high', 'moderate', 'low')),
    status       TEXT NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'discharged', 'on-hold')),
    since        TEXT NOT NULL,
    discharged_on TEXT,
    diagnosis    TEXT,
    clinician_id INTEGER REFERENCES clinicians (id)
) STRICT;
CREATE INDEX clients_by_clinician ON clients (clinician_id, status);
CREATE INDEX clients_by_status ON clients (status);

CREATE TABLE contracts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    model       TEXT NOT NULL CHECK (model IN ('capitation', 'case-rate')),
    withhold_bp INTEGER NOT NULL DEFAULT 0 CHECK (withhold_bp BETWEEN 0 AND 10000),
    proration   TEXT NOT NULL DEFAULT 'first-of-month'
                CHECK (proration IN ('first-of-month', 'daily')),
    payer       TEXT
) STRICT;

-- A contract's rate history: the rate in effect on a date is the row with the latest
-- effective_from on or before it. The first rate is stored from 0001-01-01.
CREATE TABLE contract_rates (
    contract_id    INTEGER NOT NULL REFERENCES contracts (id),
    effective_from TEXT NOT NULL,
    rate_cents     INTEGER NOT NULL CHECK (rate_cents >= 0),
    PRIMARY KEY (contract_id, effective_from)
) STRICT, WITHOUT ROWID;

CREATE TABLE attributions (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    start_date  TEXT NOT NULL,
    end_date    TEXT,
    CHECK (end_date IS NULL OR end_date >= start_date)
) STRICT;
CREATE INDEX attributions_by_client ON attributions (client_id, contract_id, start_date);
CREATE INDEX attributions_by_contract ON attributions (contract_id, start_date, end_date);

CREATE TABLE encounters (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id),
    clinician_id INTEGER NOT NULL REFERENCES clinicians (id),
    date         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('intake', 'session', 'telehealth', 'phone', 'group',
                     'family', 'crisis', 'outreach', 'coordination', 'case-management',
                     'documentation')),
    status       TEXT NOT NULL DEFAULT 'completed'
                 CHECK (status IN ('completed', 'no-show', 'cancelled')),
    minutes      INTEGER NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 1440),
    note         TEXT
) STRICT;
-- Every encounter of a client by date: history, minutes per client.
CREATE INDEX encounters_by_client ON encounters (client_id, date);
-- Contacts only (completed encounters of contact kinds): first and last contact per client.
CREATE INDEX encounters_contacts ON encounters (client_id, date)
    WHERE status = 'completed'
      AND kind IN ('intake','session','telehealth','phone','group','family','crisis');
-- Contact-kind encounters of any status: the two latest decide "disengaged"; show rate.
CREATE INDEX encounters_contact_kinds ON encounters (client_id, date, status)
    WHERE kind IN ('intake','session','telehealth','phone','group','family','crisis');
-- Minutes per month per clinician, covering.
CREATE INDEX encounters_by_date ON encounters (date, clinician_id, minutes);

CREATE TABLE measurements (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id),
    date         TEXT NOT NULL,
    instrument   TEXT NOT NULL CHECK (instrument IN ('phq9', 'gad7', 'pcl5', 'auditc', 'ors', 'srs')),
    total        INTEGER NOT NULL CHECK (total >= 0),
    -- Item responses as comma-separated digits, NULL when only a total was given.
    items        TEXT
) STRICT;
CREATE INDEX measurements_by_client_instrument ON measurements (client_id, instrument, date);
CREATE INDEX measurements_by_client_date ON measurements (client_id, date);
CREATE INDEX measurements_by_date ON measurements (date, instrument);

CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    date      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('inpatient-discharge', 'ed-visit'))
) STRICT;
CREATE INDEX events_by_client ON events (client_id, date);
CREATE INDEX events_by_date ON events (date);

-- Practice-wide settings shared by everyone using this database.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO settings (key, value) VALUES
    ('contact-days.high', '7'),
    ('contact-days.moderate', '14'),
    ('contact-days.low', '30'),
    ('measure-days', '30');

-- Every change (and later every view): who, when, what, which client. Append-only.
CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    clinician_id INTEGER,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    client_id    INTEGER,
    detail       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_by_client ON audit (client_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
