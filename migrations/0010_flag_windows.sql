-- caseload schema, version 10: maintained flag windows (issue 19).
-- Append-only: never edit a released migration; add the next one.
--
-- What the flag rules read about a client changes only when something is written. These
-- tables keep, per client, those facts (`flag_facts`, the same columns the panel statement
-- computes) and the client's priority key for every stretch of days from the latest record on
-- (`panel_segments`), computed by the pure rules in Rust (`store::windows`). The panel for a
-- day is then an index range, and its first screen a LIMIT query.
--
-- Triggers mark the clients a write touches in `flag_dirty`; the same write transaction
-- recomputes them before it commits (`Store::write`), so the tables are never stale once a
-- write has committed. Readers use them only when no client is dirty and no client has a
-- record dated after the day asked about; otherwise they compute from scratch, as before.

CREATE TABLE flag_dirty (
    client_id INTEGER PRIMARY KEY
) STRICT;

CREATE TABLE flag_facts (
    client_id        INTEGER PRIMARY KEY,
    -- The latest date of any live record the facts read (encounter, measurement, event,
    -- review): the facts hold for every day from this one on.
    through          TEXT NOT NULL,
    first_contact    TEXT,
    last_contact     TEXT,
    last_measured    TEXT,
    phq9_base_date   TEXT,
    phq9_base_total  INTEGER,
    phq9_last_date   TEXT,
    phq9_last_total  INTEGER,
    phq9_last_items  TEXT,
    phq9_prev_total  INTEGER,
    gad7_base_date   TEXT,
    gad7_base_total  INTEGER,
    gad7_last_date   TEXT,
    gad7_last_total  INTEGER,
    gad7_prev_total  INTEGER,
    attempt1_date    TEXT,
    attempt1_status  TEXT,
    attempt2_date    TEXT,
    attempt2_status  TEXT,
    event_date       TEXT,
    event_kind       TEXT,
    event_contact_after TEXT,
    phq9_last_id     INTEGER
) STRICT;
CREATE INDEX flag_facts_through ON flag_facts (through);

CREATE TABLE panel_segments (
    client_id     INTEGER NOT NULL,
    valid_from    TEXT NOT NULL,
    -- The last day the key holds; '9999-12-31' for open-ended.
    valid_until   TEXT NOT NULL,
    active        INTEGER NOT NULL,
    clinician_id  INTEGER,
    -- The worst live flag: 0 critical, 1 warning, 2 info, 3 none.
    rank          INTEGER NOT NULL,
    -- The earliest due date among overdue flags; '9999-12-31' when nothing is overdue.
    due_key       TEXT NOT NULL,
    -- One bit per flag kind (SPEC section 4's table order).
    kinds         INTEGER NOT NULL,
    name_folded   TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- The last contact; '' for never (sorts first, and compares, unlike NULL).
    last_contact  TEXT NOT NULL,
    PRIMARY KEY (client_id, valid_from)
) STRICT, WITHOUT ROWID;
-- Priority order, and within one clinician's panel; each covers what the window filters on.
CREATE INDEX panel_priority ON panel_segments
    (rank, due_key, name_folded, name, client_id, valid_from, valid_until, active, clinician_id, kinds);
CREATE INDEX panel_priority_by_clinician ON panel_segments
    (clinician_id, rank, due_key, name_folded, name, client_id, valid_from, valid_until, active, kinds);
CREATE INDEX panel_by_name ON panel_segments
    (name_folded, rank, due_key, name, client_id, valid_from, valid_until, active, clinician_id, kinds);
-- The status line's counts for a day: every segment that has not ended by then, narrow.
CREATE INDEX panel_counts ON panel_segments (valid_until, valid_from, active, clinician_id, kinds);
CREATE INDEX panel_by_last_contact ON panel_segments
    (last_contact, rank, due_key, name_folded, name, client_id, valid_from, valid_until, active, clinician_id, kinds);

CREATE TRIGGER flag_dirty_client_insert AFTER INSERT ON clients BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (NEW.id);
END;
CREATE TRIGGER flag_dirty_client_update AFTER UPDATE ON clients BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (NEW.id);
END;
CREATE TRIGGER flag_dirty_client_delete AFTER DELETE ON clients BEGIN
    DELETE FROM flag_facts WHERE client_id = OLD.id;
    DELETE FROM panel_segments WHERE client_id = OLD.id;
    DELETE FROM flag_dirty WHERE client_id = OLD.id;
END;

CREATE TRIGGER flag_dirty_encounter_insert AFTER INSERT ON encounters BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (NEW.client_id);
END;
CREATE TRIGGER flag_dirty_encounter_update AFTER UPDATE ON encounters BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (OLD.client_id), (NEW.client_id);
END;
CREATE TRIGGER flag_dirty_encounter_delete AFTER DELETE ON encounters BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (OLD.client_id);
END;

CREATE TRIGGER flag_dirty_measurement_insert AFTER INSERT ON measurements BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (NEW.client_id);
END;
CREATE TRIGGER flag_dirty_measurement_update AFTER UPDATE ON measurements BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (OLD.client_id), (NEW.client_id);
END;
CREATE TRIGGER flag_dirty_measurement_delete AFTER DELETE ON measurements BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (OLD.client_id);
END;

CREATE TRIGGER flag_dirty_event_insert AFTER INSERT ON events BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (NEW.client_id);
END;
CREATE TRIGGER flag_dirty_event_update AFTER UPDATE ON events BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (OLD.client_id), (NEW.client_id);
END;
CREATE TRIGGER flag_dirty_event_delete AFTER DELETE ON events BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (OLD.client_id);
END;

CREATE TRIGGER flag_dirty_review_insert AFTER INSERT ON reviews BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (NEW.client_id);
END;
CREATE TRIGGER flag_dirty_review_update AFTER UPDATE ON reviews BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (OLD.client_id), (NEW.client_id);
END;
CREATE TRIGGER flag_dirty_review_delete AFTER DELETE ON reviews BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (OLD.client_id);
END;

-- The intervals are settings: a change of them moves everyone's windows.
CREATE TRIGGER flag_dirty_settings_insert AFTER INSERT ON settings
    WHEN NEW.key LIKE 'contact-days.%' OR NEW.key = 'measure-days' BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) SELECT id FROM clients;
END;
CREATE TRIGGER flag_dirty_settings_update AFTER UPDATE ON settings
    WHEN NEW.key LIKE 'contact-days.%' OR NEW.key = 'measure-days' BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) SELECT id FROM clients;
END;
CREATE TRIGGER flag_dirty_settings_delete AFTER DELETE ON settings
    WHEN OLD.key LIKE 'contact-days.%' OR OLD.key = 'measure-days' BEGIN
    INSERT OR IGNORE INTO flag_dirty (client_id) SELECT id FROM clients;
END;

-- Every existing client is computed by the rules as part of this upgrade (a client changed
-- later by another SQLite tool is marked by the triggers and computed at the next write;
-- readers compute from scratch meanwhile).
INSERT INTO flag_dirty (client_id) SELECT id FROM clients;
-- caseload: compute flag windows --

-- This month's minutes, maintained on write (issue 19): per client and month, and per month,
-- primary clinician (0 for none) and active-or-not, so the panel's status line sums a month
-- without reading a month of encounters. Live encounters only, all kinds and statuses (the
-- panel's "minutes this month").
CREATE TABLE month_minutes (
    month      TEXT NOT NULL,
    client_id  INTEGER NOT NULL,
    minutes    INTEGER NOT NULL,
    PRIMARY KEY (month, client_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX month_minutes_by_client ON month_minutes (client_id, month);

CREATE TABLE month_minutes_by_scope (
    month         TEXT NOT NULL,
    clinician_id  INTEGER NOT NULL,
    active        INTEGER NOT NULL,
    minutes       INTEGER NOT NULL,
    PRIMARY KEY (month, clinician_id, active)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER month_minutes_encounter_insert AFTER INSERT ON encounters
    WHEN NEW.voided_at IS NULL BEGIN
    INSERT INTO month_minutes (month, client_id, minutes)
        VALUES (substr(NEW.date, 1, 7), NEW.client_id, NEW.minutes)
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope (month, clinician_id, active, minutes)
        SELECT substr(NEW.date, 1, 7), coalesce(c.clinician_id, 0), c.status = 'active', NEW.minutes
        FROM clients c WHERE c.id = NEW.client_id
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
END;
CREATE TRIGGER month_minutes_encounter_update AFTER UPDATE ON encounters BEGIN
    INSERT INTO month_minutes (month, client_id, minutes)
        SELECT substr(OLD.date, 1, 7), OLD.client_id, -OLD.minutes WHERE OLD.voided_at IS NULL
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope (month, clinician_id, active, minutes)
        SELECT substr(OLD.date, 1, 7), coalesce(c.clinician_id, 0), c.status = 'active', -OLD.minutes
        FROM clients c WHERE c.id = OLD.client_id AND OLD.voided_at IS NULL
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
    INSERT INTO month_minutes (month, client_id, minutes)
        SELECT substr(NEW.date, 1, 7), NEW.client_id, NEW.minutes WHERE NEW.voided_at IS NULL
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope (month, clinician_id, active, minutes)
        SELECT substr(NEW.date, 1, 7), coalesce(c.clinician_id, 0), c.status = 'active', NEW.minutes
        FROM clients c WHERE c.id = NEW.client_id AND NEW.voided_at IS NULL
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
END;
CREATE TRIGGER month_minutes_encounter_delete AFTER DELETE ON encounters
    WHEN OLD.voided_at IS NULL BEGIN
    INSERT INTO month_minutes (month, client_id, minutes)
        VALUES (substr(OLD.date, 1, 7), OLD.client_id, -OLD.minutes)
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope (month, clinician_id, active, minutes)
        SELECT substr(OLD.date, 1, 7), coalesce(c.clinician_id, 0), c.status = 'active', -OLD.minutes
        FROM clients c WHERE c.id = OLD.client_id
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
END;
-- A client moving to another clinician, or on or off the active panel, takes their minutes.
CREATE TRIGGER month_minutes_client_scope AFTER UPDATE OF clinician_id, status ON clients
    WHEN OLD.clinician_id IS NOT NEW.clinician_id
      OR (OLD.status = 'active') <> (NEW.status = 'active') BEGIN
    INSERT INTO month_minutes_by_scope (month, clinician_id, active, minutes)
        SELECT month, coalesce(OLD.clinician_id, 0), OLD.status = 'active', -minutes
        FROM month_minutes WHERE client_id = OLD.id
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope (month, clinician_id, active, minutes)
        SELECT month, coalesce(NEW.clinician_id, 0), NEW.status = 'active', minutes
        FROM month_minutes WHERE client_id = NEW.id
        ON CONFLICT DO UPDATE SET minutes = minutes + excluded.minutes;
END;

INSERT INTO month_minutes (month, client_id, minutes)
    SELECT substr(date, 1, 7), client_id, sum(minutes) FROM encounters
    WHERE voided_at IS NULL GROUP BY 1, 2;
INSERT INTO month_minutes_by_scope (month, clinician_id, active, minutes)
    SELECT m.month, coalesce(c.clinician_id, 0), c.status = 'active', sum(m.minutes)
    FROM month_minutes m JOIN clients c ON c.id = m.client_id GROUP BY 1, 2, 3;
