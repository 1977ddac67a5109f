-- caseload schema, version 10: the PostgreSQL form of migrations/0010_flag_windows.sql
-- (maintained flag windows, issue 19).
-- Append-only: never edit a released migration; add the next one.
--
-- What the flag rules read about a client changes only when something is written. These
-- tables keep, per client, those facts (`flag_facts`) and the client's priority key for every
-- stretch of days from the latest record on (`panel_segments`), computed by the pure rules in
-- Rust (`store::windows`). Triggers mark the clients a write touches in `flag_dirty`; the same
-- write transaction recomputes them before it commits.
--
-- SQLite's triggers become PL/pgSQL trigger functions of the same names. Where SQLite writes
-- `INSERT OR IGNORE` this writes `ON CONFLICT DO NOTHING`; where it upserts with a bare
-- `ON CONFLICT DO UPDATE` this names the key. PostgreSQL runs a row trigger's statements after
-- the whole triggering statement (SQLite after each row); no trigger here reads a table its own
-- statement writes, so the rows come out the same. The keys the program gives (`client_id`
-- here) are plain BIGINT keys.

CREATE TABLE flag_dirty (
    client_id BIGINT PRIMARY KEY
);

CREATE TABLE flag_facts (
    client_id        BIGINT PRIMARY KEY,
    -- The latest date of any live record the facts read (encounter, measurement, event,
    -- review): the facts hold for every day from this one on.
    through          TEXT COLLATE "C" NOT NULL,
    first_contact    TEXT COLLATE "C",
    last_contact     TEXT COLLATE "C",
    last_measured    TEXT COLLATE "C",
    phq9_base_date   TEXT COLLATE "C",
    phq9_base_total  BIGINT,
    phq9_last_date   TEXT COLLATE "C",
    phq9_last_total  BIGINT,
    phq9_last_items  TEXT COLLATE "C",
    phq9_prev_total  BIGINT,
    gad7_base_date   TEXT COLLATE "C",
    gad7_base_total  BIGINT,
    gad7_last_date   TEXT COLLATE "C",
    gad7_last_total  BIGINT,
    gad7_prev_total  BIGINT,
    attempt1_date    TEXT COLLATE "C",
    attempt1_status  TEXT COLLATE "C",
    attempt2_date    TEXT COLLATE "C",
    attempt2_status  TEXT COLLATE "C",
    event_date       TEXT COLLATE "C",
    event_kind       TEXT COLLATE "C",
    event_contact_after TEXT COLLATE "C",
    phq9_last_id     BIGINT
);
CREATE INDEX flag_facts_through ON flag_facts (through);

CREATE TABLE panel_segments (
    client_id     BIGINT NOT NULL,
    valid_from    TEXT COLLATE "C" NOT NULL,
    -- The last day the key holds; '9999-12-31' for open-ended.
    valid_until   TEXT COLLATE "C" NOT NULL,
    active        BIGINT NOT NULL,
    clinician_id  BIGINT,
    -- The worst live flag: 0 critical, 1 warning, 2 info, 3 none.
    rank          BIGINT NOT NULL,
    -- The earliest due date among overdue flags; '9999-12-31' when nothing is overdue.
    due_key       TEXT COLLATE "C" NOT NULL,
    -- One bit per flag kind (SPEC section 4's table order).
    kinds         BIGINT NOT NULL,
    name_folded   TEXT COLLATE "C" NOT NULL,
    name          TEXT COLLATE "C" NOT NULL,
    -- The last contact; '' for never (sorts first, and compares, unlike NULL).
    last_contact  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (client_id, valid_from)
);
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

-- A record's client is marked (a change of client marks both).
CREATE FUNCTION flag_dirty_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flag_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE FUNCTION flag_dirty_mark_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flag_dirty (client_id) VALUES (OLD.client_id), (NEW.client_id)
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE FUNCTION flag_dirty_mark_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flag_dirty (client_id) VALUES (OLD.client_id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION flag_dirty_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flag_dirty (client_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER flag_dirty_client_insert AFTER INSERT ON clients
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_client();
CREATE TRIGGER flag_dirty_client_update AFTER UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_client();
CREATE FUNCTION flag_dirty_client_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM flag_facts WHERE client_id = OLD.id;
    DELETE FROM panel_segments WHERE client_id = OLD.id;
    DELETE FROM flag_dirty WHERE client_id = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER flag_dirty_client_delete AFTER DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_client_delete();

CREATE TRIGGER flag_dirty_encounter_insert AFTER INSERT ON encounters
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_new();
CREATE TRIGGER flag_dirty_encounter_update AFTER UPDATE ON encounters
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_both();
CREATE TRIGGER flag_dirty_encounter_delete AFTER DELETE ON encounters
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_old();

CREATE TRIGGER flag_dirty_measurement_insert AFTER INSERT ON measurements
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_new();
CREATE TRIGGER flag_dirty_measurement_update AFTER UPDATE ON measurements
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_both();
CREATE TRIGGER flag_dirty_measurement_delete AFTER DELETE ON measurements
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_old();

CREATE TRIGGER flag_dirty_event_insert AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_new();
CREATE TRIGGER flag_dirty_event_update AFTER UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_both();
CREATE TRIGGER flag_dirty_event_delete AFTER DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_old();

CREATE TRIGGER flag_dirty_review_insert AFTER INSERT ON reviews
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_new();
CREATE TRIGGER flag_dirty_review_update AFTER UPDATE ON reviews
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_both();
CREATE TRIGGER flag_dirty_review_delete AFTER DELETE ON reviews
    FOR EACH ROW EXECUTE FUNCTION flag_dirty_mark_old();

-- The intervals are settings: a change of them moves everyone's windows. SQLite's LIKE
-- ignores ASCII case; ILIKE is its PostgreSQL form.
CREATE FUNCTION flag_dirty_all_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flag_dirty (client_id) SELECT id FROM clients ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER flag_dirty_settings_insert AFTER INSERT ON settings
    FOR EACH ROW WHEN (NEW.key ILIKE 'contact-days.%' OR NEW.key = 'measure-days')
    EXECUTE FUNCTION flag_dirty_all_clients();
CREATE TRIGGER flag_dirty_settings_update AFTER UPDATE ON settings
    FOR EACH ROW WHEN (NEW.key ILIKE 'contact-days.%' OR NEW.key = 'measure-days')
    EXECUTE FUNCTION flag_dirty_all_clients();
CREATE TRIGGER flag_dirty_settings_delete AFTER DELETE ON settings
    FOR EACH ROW WHEN (OLD.key ILIKE 'contact-days.%' OR OLD.key = 'measure-days')
    EXECUTE FUNCTION flag_dirty_all_clients();

-- Every existing client is computed by the rules as part of this upgrade.
INSERT INTO flag_dirty (client_id) SELECT id FROM clients;
-- caseload: compute flag windows --

-- This month's minutes, maintained on write (issue 19): per client and month, and per month,
-- primary clinician (0 for none) and active-or-not (1 or 0), so the panel's status line sums a
-- month without reading a month of encounters. Live encounters only, all kinds and statuses.
CREATE TABLE month_minutes (
    month      TEXT COLLATE "C" NOT NULL,
    client_id  BIGINT NOT NULL,
    minutes    BIGINT NOT NULL,
    PRIMARY KEY (month, client_id)
);
CREATE INDEX month_minutes_by_client ON month_minutes (client_id, month);

CREATE TABLE month_minutes_by_scope (
    month         TEXT COLLATE "C" NOT NULL,
    clinician_id  BIGINT NOT NULL,
    active        BIGINT NOT NULL,
    minutes       BIGINT NOT NULL,
    PRIMARY KEY (month, clinician_id, active)
);

CREATE FUNCTION month_minutes_encounter_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO month_minutes AS t (month, client_id, minutes)
        VALUES (substr(NEW.date, 1, 7), NEW.client_id, NEW.minutes)
        ON CONFLICT (month, client_id) DO UPDATE SET minutes = t.minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope AS t (month, clinician_id, active, minutes)
        SELECT substr(NEW.date, 1, 7), coalesce(c.clinician_id, 0),
               (c.status = 'active')::int, NEW.minutes
        FROM clients c WHERE c.id = NEW.client_id
        ON CONFLICT (month, clinician_id, active)
        DO UPDATE SET minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER month_minutes_encounter_insert AFTER INSERT ON encounters
    FOR EACH ROW WHEN (NEW.voided_at IS NULL)
    EXECUTE FUNCTION month_minutes_encounter_insert();

CREATE FUNCTION month_minutes_encounter_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO month_minutes AS t (month, client_id, minutes)
        SELECT substr(OLD.date, 1, 7), OLD.client_id, -OLD.minutes WHERE OLD.voided_at IS NULL
        ON CONFLICT (month, client_id) DO UPDATE SET minutes = t.minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope AS t (month, clinician_id, active, minutes)
        SELECT substr(OLD.date, 1, 7), coalesce(c.clinician_id, 0),
               (c.status = 'active')::int, -OLD.minutes
        FROM clients c WHERE c.id = OLD.client_id AND OLD.voided_at IS NULL
        ON CONFLICT (month, clinician_id, active)
        DO UPDATE SET minutes = t.minutes + excluded.minutes;
    INSERT INTO month_minutes AS t (month, client_id, minutes)
        SELECT substr(NEW.date, 1, 7), NEW.client_id, NEW.minutes WHERE NEW.voided_at IS NULL
        ON CONFLICT (month, client_id) DO UPDATE SET minutes = t.minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope AS t (month, clinician_id, active, minutes)
        SELECT substr(NEW.date, 1, 7), coalesce(c.clinician_id, 0),
               (c.status = 'active')::int, NEW.minutes
        FROM clients c WHERE c.id = NEW.client_id AND NEW.voided_at IS NULL
        ON CONFLICT (month, clinician_id, active)
        DO UPDATE SET minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER month_minutes_encounter_update AFTER UPDATE ON encounters
    FOR EACH ROW EXECUTE FUNCTION month_minutes_encounter_update();

CREATE FUNCTION month_minutes_encounter_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO month_minutes AS t (month, client_id, minutes)
        VALUES (substr(OLD.date, 1, 7), OLD.client_id, -OLD.minutes)
        ON CONFLICT (month, client_id) DO UPDATE SET minutes = t.minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope AS t (month, clinician_id, active, minutes)
        SELECT substr(OLD.date, 1, 7), coalesce(c.clinician_id, 0),
               (c.status = 'active')::int, -OLD.minutes
        FROM clients c WHERE c.id = OLD.client_id
        ON CONFLICT (month, clinician_id, active)
        DO UPDATE SET minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER month_minutes_encounter_delete AFTER DELETE ON encounters
    FOR EACH ROW WHEN (OLD.voided_at IS NULL)
    EXECUTE FUNCTION month_minutes_encounter_delete();

-- A client moving to another clinician, or on or off the active panel, takes their minutes.
CREATE FUNCTION month_minutes_client_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO month_minutes_by_scope AS t (month, clinician_id, active, minutes)
        SELECT m.month, coalesce(OLD.clinician_id, 0), (OLD.status = 'active')::int,
               -m.minutes
        FROM month_minutes m WHERE m.client_id = OLD.id
        ON CONFLICT (month, clinician_id, active)
        DO UPDATE SET minutes = t.minutes + excluded.minutes;
    INSERT INTO month_minutes_by_scope AS t (month, clinician_id, active, minutes)
        SELECT m.month, coalesce(NEW.clinician_id, 0), (NEW.status = 'active')::int,
               m.minutes
        FROM month_minutes m WHERE m.client_id = NEW.id
        ON CONFLICT (month, clinician_id, active)
        DO UPDATE SET minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER month_minutes_client_scope AFTER UPDATE OF clinician_id, status ON clients
    FOR EACH ROW WHEN (OLD.clinician_id IS DISTINCT FROM NEW.clinician_id
                       OR (OLD.status = 'active') <> (NEW.status = 'active'))
    EXECUTE FUNCTION month_minutes_client_scope();

INSERT INTO month_minutes (month, client_id, minutes)
    SELECT substr(date, 1, 7), client_id, sum(minutes)::bigint FROM encounters
    WHERE voided_at IS NULL GROUP BY 1, 2;
INSERT INTO month_minutes_by_scope (month, clinician_id, active, minutes)
    SELECT m.month, coalesce(c.clinician_id, 0), (c.status = 'active')::int,
           sum(m.minutes)::bigint
    FROM month_minutes m JOIN clients c ON c.id = m.client_id GROUP BY 1, 2, 3;
