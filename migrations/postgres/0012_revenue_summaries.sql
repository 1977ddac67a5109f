-- caseload schema, version 12: the PostgreSQL form of migrations/0012_revenue_summaries.sql
-- (the revenue report and the check-in at 100,000 clients, issue 19).
-- Append-only: never edit a released migration; add the next one.
--
-- Three sums kept on write by triggers, each a plain count or sum of live rows (no rule of the
-- SPEC is computed here):
--
-- * `attribution_groups`: live attributions counted by contract, the client's primary clinician
--   (0 for none), start, end ('9999-12-31' for open) and diagnosis ('' for none).
-- * `clinician_month_minutes`: live encounters (how many, and their minutes) by month and the
--   clinician who logged them.
-- * `contract_month_minutes`: the same by contract, month and clinician, counted once for every
--   live attribution whose days hold the encounter's date.
--
-- Rows whose count or sum falls to 0 stay and are skipped by readers.
--
-- SQLite's upserts add one source row at a time. PostgreSQL refuses an upsert that meets the
-- same key twice in one statement, so where several source rows can share a key (two
-- attributions alike, a month's encounters) they are summed by key first: the same totals.

CREATE TABLE attribution_groups (
    contract_id   BIGINT NOT NULL,
    clinician_id  BIGINT NOT NULL,
    start_date    TEXT COLLATE "C" NOT NULL,
    end_date      TEXT COLLATE "C" NOT NULL,
    diagnosis     TEXT COLLATE "C" NOT NULL,
    members       BIGINT NOT NULL,
    PRIMARY KEY (contract_id, clinician_id, start_date, end_date, diagnosis)
);

CREATE FUNCTION attribution_groups_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attribution_groups AS g
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT NEW.contract_id, coalesce(c.clinician_id, 0), NEW.start_date,
               coalesce(NEW.end_date, '9999-12-31'), coalesce(NEW.diagnosis, ''), 1
        FROM clients c WHERE c.id = NEW.client_id
        ON CONFLICT (contract_id, clinician_id, start_date, end_date, diagnosis)
        DO UPDATE SET members = g.members + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER attribution_groups_insert AFTER INSERT ON attributions
    FOR EACH ROW WHEN (NEW.voided_at IS NULL)
    EXECUTE FUNCTION attribution_groups_insert();

CREATE FUNCTION attribution_groups_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attribution_groups AS g
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT OLD.contract_id, coalesce(c.clinician_id, 0), OLD.start_date,
               coalesce(OLD.end_date, '9999-12-31'), coalesce(OLD.diagnosis, ''), -1
        FROM clients c WHERE c.id = OLD.client_id AND OLD.voided_at IS NULL
        ON CONFLICT (contract_id, clinician_id, start_date, end_date, diagnosis)
        DO UPDATE SET members = g.members - 1;
    INSERT INTO attribution_groups AS g
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT NEW.contract_id, coalesce(c.clinician_id, 0), NEW.start_date,
               coalesce(NEW.end_date, '9999-12-31'), coalesce(NEW.diagnosis, ''), 1
        FROM clients c WHERE c.id = NEW.client_id AND NEW.voided_at IS NULL
        ON CONFLICT (contract_id, clinician_id, start_date, end_date, diagnosis)
        DO UPDATE SET members = g.members + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER attribution_groups_update AFTER UPDATE ON attributions
    FOR EACH ROW EXECUTE FUNCTION attribution_groups_update();

CREATE FUNCTION attribution_groups_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attribution_groups AS g
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT OLD.contract_id, coalesce(c.clinician_id, 0), OLD.start_date,
               coalesce(OLD.end_date, '9999-12-31'), coalesce(OLD.diagnosis, ''), -1
        FROM clients c WHERE c.id = OLD.client_id
        ON CONFLICT (contract_id, clinician_id, start_date, end_date, diagnosis)
        DO UPDATE SET members = g.members - 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER attribution_groups_delete AFTER DELETE ON attributions
    FOR EACH ROW WHEN (OLD.voided_at IS NULL)
    EXECUTE FUNCTION attribution_groups_delete();

-- A client moving to another clinician takes their attributions along.
CREATE FUNCTION attribution_groups_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attribution_groups AS g
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT contract_id, coalesce(OLD.clinician_id, 0), start_date,
               coalesce(end_date, '9999-12-31'), coalesce(diagnosis, ''), -count(*)
        FROM attributions WHERE client_id = OLD.id AND voided_at IS NULL
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (contract_id, clinician_id, start_date, end_date, diagnosis)
        DO UPDATE SET members = g.members + excluded.members;
    INSERT INTO attribution_groups AS g
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT contract_id, coalesce(NEW.clinician_id, 0), start_date,
               coalesce(end_date, '9999-12-31'), coalesce(diagnosis, ''), count(*)
        FROM attributions WHERE client_id = NEW.id AND voided_at IS NULL
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (contract_id, clinician_id, start_date, end_date, diagnosis)
        DO UPDATE SET members = g.members + excluded.members;
    RETURN NULL;
END
$$;
CREATE TRIGGER attribution_groups_client AFTER UPDATE OF clinician_id ON clients
    FOR EACH ROW WHEN (OLD.clinician_id IS DISTINCT FROM NEW.clinician_id)
    EXECUTE FUNCTION attribution_groups_client();

CREATE TABLE clinician_month_minutes (
    month         TEXT COLLATE "C" NOT NULL,
    clinician_id  BIGINT NOT NULL,
    encounters    BIGINT NOT NULL,
    minutes       BIGINT NOT NULL,
    PRIMARY KEY (month, clinician_id)
);

CREATE TABLE contract_month_minutes (
    contract_id   BIGINT NOT NULL,
    month         TEXT COLLATE "C" NOT NULL,
    clinician_id  BIGINT NOT NULL,
    encounters    BIGINT NOT NULL,
    minutes       BIGINT NOT NULL,
    PRIMARY KEY (contract_id, month, clinician_id)
);

-- An encounter added, changed, voided or removed: its month's figures, once per live
-- attribution holding its date.
CREATE FUNCTION revenue_minutes_encounter_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clinician_month_minutes AS t (month, clinician_id, encounters, minutes)
        VALUES (substr(NEW.date, 1, 7), NEW.clinician_id, 1, NEW.minutes)
        ON CONFLICT (month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    INSERT INTO contract_month_minutes AS t (contract_id, month, clinician_id, encounters, minutes)
        SELECT a.contract_id, substr(NEW.date, 1, 7), NEW.clinician_id, count(*),
               count(*) * NEW.minutes
        FROM attributions a
        WHERE a.client_id = NEW.client_id AND a.voided_at IS NULL
          AND a.start_date <= NEW.date AND (a.end_date IS NULL OR a.end_date >= NEW.date)
        GROUP BY a.contract_id
        ON CONFLICT (contract_id, month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER revenue_minutes_encounter_insert AFTER INSERT ON encounters
    FOR EACH ROW WHEN (NEW.voided_at IS NULL)
    EXECUTE FUNCTION revenue_minutes_encounter_insert();

CREATE FUNCTION revenue_minutes_encounter_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clinician_month_minutes AS t (month, clinician_id, encounters, minutes)
        SELECT substr(OLD.date, 1, 7), OLD.clinician_id, -1, -OLD.minutes
        WHERE OLD.voided_at IS NULL
        ON CONFLICT (month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    INSERT INTO contract_month_minutes AS t (contract_id, month, clinician_id, encounters, minutes)
        SELECT a.contract_id, substr(OLD.date, 1, 7), OLD.clinician_id, -count(*),
               -count(*) * OLD.minutes
        FROM attributions a
        WHERE OLD.voided_at IS NULL AND a.client_id = OLD.client_id AND a.voided_at IS NULL
          AND a.start_date <= OLD.date AND (a.end_date IS NULL OR a.end_date >= OLD.date)
        GROUP BY a.contract_id
        ON CONFLICT (contract_id, month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    INSERT INTO clinician_month_minutes AS t (month, clinician_id, encounters, minutes)
        SELECT substr(NEW.date, 1, 7), NEW.clinician_id, 1, NEW.minutes
        WHERE NEW.voided_at IS NULL
        ON CONFLICT (month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    INSERT INTO contract_month_minutes AS t (contract_id, month, clinician_id, encounters, minutes)
        SELECT a.contract_id, substr(NEW.date, 1, 7), NEW.clinician_id, count(*),
               count(*) * NEW.minutes
        FROM attributions a
        WHERE NEW.voided_at IS NULL AND a.client_id = NEW.client_id AND a.voided_at IS NULL
          AND a.start_date <= NEW.date AND (a.end_date IS NULL OR a.end_date >= NEW.date)
        GROUP BY a.contract_id
        ON CONFLICT (contract_id, month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER revenue_minutes_encounter_update
    AFTER UPDATE OF client_id, clinician_id, date, minutes, voided_at ON encounters
    FOR EACH ROW EXECUTE FUNCTION revenue_minutes_encounter_update();

CREATE FUNCTION revenue_minutes_encounter_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clinician_month_minutes AS t (month, clinician_id, encounters, minutes)
        VALUES (substr(OLD.date, 1, 7), OLD.clinician_id, -1, -OLD.minutes)
        ON CONFLICT (month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    INSERT INTO contract_month_minutes AS t (contract_id, month, clinician_id, encounters, minutes)
        SELECT a.contract_id, substr(OLD.date, 1, 7), OLD.clinician_id, -count(*),
               -count(*) * OLD.minutes
        FROM attributions a
        WHERE a.client_id = OLD.client_id AND a.voided_at IS NULL
          AND a.start_date <= OLD.date AND (a.end_date IS NULL OR a.end_date >= OLD.date)
        GROUP BY a.contract_id
        ON CONFLICT (contract_id, month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER revenue_minutes_encounter_delete AFTER DELETE ON encounters
    FOR EACH ROW WHEN (OLD.voided_at IS NULL)
    EXECUTE FUNCTION revenue_minutes_encounter_delete();

-- An attribution added, changed, voided or removed brings or takes its days' minutes.
CREATE FUNCTION revenue_minutes_attribution_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contract_month_minutes AS t (contract_id, month, clinician_id, encounters, minutes)
        SELECT NEW.contract_id, substr(e.date, 1, 7), e.clinician_id, count(*),
               sum(e.minutes)::bigint
        FROM encounters e
        WHERE e.client_id = NEW.client_id AND e.voided_at IS NULL
          AND e.date >= NEW.start_date AND (NEW.end_date IS NULL OR e.date <= NEW.end_date)
        GROUP BY 2, 3
        ON CONFLICT (contract_id, month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER revenue_minutes_attribution_insert AFTER INSERT ON attributions
    FOR EACH ROW WHEN (NEW.voided_at IS NULL)
    EXECUTE FUNCTION revenue_minutes_attribution_insert();

CREATE FUNCTION revenue_minutes_attribution_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contract_month_minutes AS t (contract_id, month, clinician_id, encounters, minutes)
        SELECT OLD.contract_id, substr(e.date, 1, 7), e.clinician_id, -count(*),
               -sum(e.minutes)::bigint
        FROM encounters e
        WHERE OLD.voided_at IS NULL AND e.client_id = OLD.client_id AND e.voided_at IS NULL
          AND e.date >= OLD.start_date AND (OLD.end_date IS NULL OR e.date <= OLD.end_date)
        GROUP BY 2, 3
        ON CONFLICT (contract_id, month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    INSERT INTO contract_month_minutes AS t (contract_id, month, clinician_id, encounters, minutes)
        SELECT NEW.contract_id, substr(e.date, 1, 7), e.clinician_id, count(*),
               sum(e.minutes)::bigint
        FROM encounters e
        WHERE NEW.voided_at IS NULL AND e.client_id = NEW.client_id AND e.voided_at IS NULL
          AND e.date >= NEW.start_date AND (NEW.end_date IS NULL OR e.date <= NEW.end_date)
        GROUP BY 2, 3
        ON CONFLICT (contract_id, month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER revenue_minutes_attribution_update
    AFTER UPDATE OF client_id, contract_id, start_date, end_date, voided_at ON attributions
    FOR EACH ROW EXECUTE FUNCTION revenue_minutes_attribution_update();

CREATE FUNCTION revenue_minutes_attribution_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contract_month_minutes AS t (contract_id, month, clinician_id, encounters, minutes)
        SELECT OLD.contract_id, substr(e.date, 1, 7), e.clinician_id, -count(*),
               -sum(e.minutes)::bigint
        FROM encounters e
        WHERE e.client_id = OLD.client_id AND e.voided_at IS NULL
          AND e.date >= OLD.start_date AND (OLD.end_date IS NULL OR e.date <= OLD.end_date)
        GROUP BY 2, 3
        ON CONFLICT (contract_id, month, clinician_id) DO UPDATE SET
            encounters = t.encounters + excluded.encounters, minutes = t.minutes + excluded.minutes;
    RETURN NULL;
END
$$;
CREATE TRIGGER revenue_minutes_attribution_delete AFTER DELETE ON attributions
    FOR EACH ROW WHEN (OLD.voided_at IS NULL)
    EXECUTE FUNCTION revenue_minutes_attribution_delete();

-- The clients whose attributions may overlap (more than one live attribution), with each
-- attribution's days, from the index alone.
CREATE INDEX attributions_spans ON attributions
    (client_id, voided_at, start_date, end_date, id, contract_id)
    WHERE voided_at IS NULL;

-- The day's encounters in the order they were logged, with what the check-in shows of them.
CREATE INDEX encounters_on_day ON encounters
    (date, voided_at, id, client_id, clinician_id, kind, status, minutes)
    WHERE voided_at IS NULL;

INSERT INTO attribution_groups
    (contract_id, clinician_id, start_date, end_date, diagnosis, members)
    SELECT a.contract_id, coalesce(c.clinician_id, 0), a.start_date,
           coalesce(a.end_date, '9999-12-31'), coalesce(a.diagnosis, ''), count(*)
    FROM attributions a JOIN clients c ON c.id = a.client_id
    WHERE a.voided_at IS NULL GROUP BY 1, 2, 3, 4, 5;
INSERT INTO clinician_month_minutes (month, clinician_id, encounters, minutes)
    SELECT substr(date, 1, 7), clinician_id, count(*), sum(minutes)::bigint FROM encounters
    WHERE voided_at IS NULL GROUP BY 1, 2;
INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
    SELECT a.contract_id, substr(e.date, 1, 7), e.clinician_id, count(*), sum(e.minutes)::bigint
    FROM attributions a JOIN encounters e ON e.client_id = a.client_id
         AND e.date >= a.start_date AND (a.end_date IS NULL OR e.date <= a.end_date)
    WHERE a.voided_at IS NULL AND e.voided_at IS NULL GROUP BY 1, 2, 3;
