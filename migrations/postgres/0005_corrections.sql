-- caseload schema, version 5: the PostgreSQL form of migrations/0005_corrections.sql
-- (corrections, SPEC section 9). A voided record stays stored, with who voided it, when and
-- why, but counts for nothing: every rule reads the live_* views, which leave voided rows out,
-- and the indexes the rules seek are partial on `voided_at IS NULL`. The indexes keep SQLite's
-- names and columns, voided_at included (always NULL in them), so one query's plan reads the
-- same index on both engines.
-- Append-only: never edit a released migration; add the next one.

ALTER TABLE encounters ADD COLUMN voided_at TEXT COLLATE "C";
ALTER TABLE encounters ADD COLUMN voided_by TEXT COLLATE "C";
ALTER TABLE encounters ADD COLUMN void_reason TEXT COLLATE "C";
ALTER TABLE measurements ADD COLUMN voided_at TEXT COLLATE "C";
ALTER TABLE measurements ADD COLUMN voided_by TEXT COLLATE "C";
ALTER TABLE measurements ADD COLUMN void_reason TEXT COLLATE "C";
ALTER TABLE events ADD COLUMN voided_at TEXT COLLATE "C";
ALTER TABLE events ADD COLUMN voided_by TEXT COLLATE "C";
ALTER TABLE events ADD COLUMN void_reason TEXT COLLATE "C";
ALTER TABLE attributions ADD COLUMN voided_at TEXT COLLATE "C";
ALTER TABLE attributions ADD COLUMN voided_by TEXT COLLATE "C";
ALTER TABLE attributions ADD COLUMN void_reason TEXT COLLATE "C";

CREATE VIEW live_encounters AS SELECT * FROM encounters WHERE voided_at IS NULL;
CREATE VIEW live_measurements AS SELECT * FROM measurements WHERE voided_at IS NULL;
CREATE VIEW live_events AS SELECT * FROM events WHERE voided_at IS NULL;
CREATE VIEW live_attributions AS SELECT * FROM attributions WHERE voided_at IS NULL;

-- The same indexes as version 4, now over live rows only.
DROP INDEX encounters_by_client;
CREATE INDEX encounters_by_client ON encounters (client_id, voided_at, date, clinician_id, minutes)
    WHERE voided_at IS NULL;
DROP INDEX encounters_contact_kinds;
CREATE INDEX encounters_contact_kinds ON encounters (client_id, voided_at, date, id, kind, status)
    WHERE voided_at IS NULL
      AND kind IN ('intake','session','telehealth','phone','group','family','crisis');
DROP INDEX encounters_by_date;
CREATE INDEX encounters_by_date ON encounters (date, clinician_id, minutes, voided_at)
    WHERE voided_at IS NULL;
CREATE INDEX encounters_voided ON encounters (client_id) WHERE voided_at IS NOT NULL;

DROP INDEX measurements_by_client_instrument;
CREATE INDEX measurements_by_client_instrument ON measurements (client_id, instrument, voided_at, date)
    WHERE voided_at IS NULL;
DROP INDEX measurements_by_client_date;
CREATE INDEX measurements_by_client_date ON measurements (client_id, voided_at, date)
    WHERE voided_at IS NULL;
DROP INDEX measurements_by_date;
CREATE INDEX measurements_by_date ON measurements (date, instrument, voided_at) WHERE voided_at IS NULL;
CREATE INDEX measurements_voided ON measurements (client_id) WHERE voided_at IS NOT NULL;

DROP INDEX events_by_client;
CREATE INDEX events_by_client ON events (client_id, voided_at, date) WHERE voided_at IS NULL;
DROP INDEX events_by_date;
CREATE INDEX events_by_date ON events (date, voided_at) WHERE voided_at IS NULL;
CREATE INDEX events_voided ON events (client_id) WHERE voided_at IS NOT NULL;

DROP INDEX attributions_by_client;
CREATE INDEX attributions_by_client ON attributions (client_id, voided_at, contract_id, start_date)
    WHERE voided_at IS NULL;
DROP INDEX attributions_by_contract;
CREATE INDEX attributions_by_contract ON attributions (contract_id, voided_at, start_date, end_date)
    WHERE voided_at IS NULL;
CREATE INDEX attributions_voided ON attributions (client_id) WHERE voided_at IS NOT NULL;
