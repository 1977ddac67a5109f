-- caseload schema, version 12: the revenue report and the check-in at 100,000 clients (issue 19).
-- Append-only: never edit a released migration; add the next one.
--
-- Three sums kept on write by triggers, each a plain count or sum of live rows (no rule of the
-- SPEC is computed here: what a group of attributions earns, and which attribution owns a day's
-- time when two overlap, stay in Rust, `domain::economics`):
--
-- * `attribution_groups`: live attributions counted by contract, the client's primary clinician
--   (0 for none), start, end ('9999-12-31' for open) and diagnosis ('' for none). Attributions
--   alike in all of these earn alike, so the report computes each group once.
-- * `clinician_month_minutes`: live encounters (how many, and their minutes) by month and the
--   clinician who logged them (the report's months and clinicians; its period is whole months).
-- * `contract_month_minutes`: the same by contract, month and clinician, counted once for every
--   live attribution whose days hold the encounter's date. A client whose attributions overlap
--   is counted twice here; the report takes those few clients back out and shares their days
--   by the rule (`time_owners`).
--
-- Rows whose count or sum falls to 0 stay and are skipped by readers.

CREATE TABLE attribution_groups (
    contract_id   INTEGER NOT NULL,
    clinician_id  INTEGER NOT NULL,
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL,
    diagnosis     TEXT NOT NULL,
    members       INTEGER NOT NULL,
    PRIMARY KEY (contract_id, clinician_id, start_date, end_date, diagnosis)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER attribution_groups_insert AFTER INSERT ON attributions
    WHEN NEW.voided_at IS NULL BEGIN
    INSERT INTO attribution_groups
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT NEW.contract_id, coalesce(c.clinician_id, 0), NEW.start_date,
               coalesce(NEW.end_date, '9999-12-31'), coalesce(NEW.diagnosis, ''), 1
        FROM clients c WHERE c.id = NEW.client_id
        ON CONFLICT DO UPDATE SET members = members + 1;
END;
CREATE TRIGGER attribution_groups_update AFTER UPDATE ON attributions BEGIN
    INSERT INTO attribution_groups
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT OLD.contract_id, coalesce(c.clinician_id, 0), OLD.start_date,
               coalesce(OLD.end_date, '9999-12-31'), coalesce(OLD.diagnosis, ''), -1
        FROM clients c WHERE c.id = OLD.client_id AND OLD.voided_at IS NULL
        ON CONFLICT DO UPDATE SET members = members - 1;
    INSERT INTO attribution_groups
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT NEW.contract_id, coalesce(c.clinician_id, 0), NEW.start_date,
               coalesce(NEW.end_date, '9999-12-31'), coalesce(NEW.diagnosis, ''), 1
        FROM clients c WHERE c.id = NEW.client_id AND NEW.voided_at IS NULL
        ON CONFLICT DO UPDATE SET members = members + 1;
END;
CREATE TRIGGER attribution_groups_delete AFTER DELETE ON attributions
    WHEN OLD.voided_at IS NULL BEGIN
    INSERT INTO attribution_groups
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT OLD.contract_id, coalesce(c.clinician_id, 0), OLD.start_date,
               coalesce(OLD.end_date, '9999-12-31'), coalesce(OLD.diagnosis, ''), -1
        FROM clients c WHERE c.id = OLD.client_id
        ON CONFLICT DO UPDATE SET members = members - 1;
END;
-- A client moving to another clinician takes their attributions along.
CREATE TRIGGER attribution_groups_client AFTER UPDATE OF clinician_id ON clients
    WHEN OLD.clinician_id IS NOT NEW.clinician_id BEGIN
    INSERT INTO attribution_groups
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT contract_id, coalesce(OLD.clinician_id, 0), start_date,
               coalesce(end_date, '9999-12-31'), coalesce(diagnosis, ''), -1
        FROM attributions WHERE client_id = OLD.id AND voided_at IS NULL
        ON CONFLICT DO UPDATE SET members = members - 1;
    INSERT INTO attribution_groups
        (contract_id, clinician_id, start_date, end_date, diagnosis, members)
        SELECT contract_id, coalesce(NEW.clinician_id, 0), start_date,
               coalesce(end_date, '9999-12-31'), coalesce(diagnosis, ''), 1
        FROM attributions WHERE client_id = NEW.id AND voided_at IS NULL
        ON CONFLICT DO UPDATE SET members = members + 1;
END;

CREATE TABLE clinician_month_minutes (
    month         TEXT NOT NULL,
    clinician_id  INTEGER NOT NULL,
    encounters    INTEGER NOT NULL,
    minutes       INTEGER NOT NULL,
    PRIMARY KEY (month, clinician_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE contract_month_minutes (
    contract_id   INTEGER NOT NULL,
    month         TEXT NOT NULL,
    clinician_id  INTEGER NOT NULL,
    encounters    INTEGER NOT NULL,
    minutes       INTEGER NOT NULL,
    PRIMARY KEY (contract_id, month, clinician_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER revenue_minutes_encounter_insert AFTER INSERT ON encounters
    WHEN NEW.voided_at IS NULL BEGIN
    INSERT INTO clinician_month_minutes (month, clinician_id, encounters, minutes)
        VALUES (substr(NEW.date, 1, 7), NEW.clinician_id, 1, NEW.minutes)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
    INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
        SELECT a.contract_id, substr(NEW.date, 1, 7), NEW.clinician_id, 1, NEW.minutes
        FROM attributions a
        WHERE a.client_id = NEW.client_id AND a.voided_at IS NULL
          AND a.start_date <= NEW.date AND (a.end_date IS NULL OR a.end_date >= NEW.date)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
END;
CREATE TRIGGER revenue_minutes_encounter_update
    AFTER UPDATE OF client_id, clinician_id, date, minutes, voided_at ON encounters BEGIN
    INSERT INTO clinician_month_minutes (month, clinician_id, encounters, minutes)
        SELECT substr(OLD.date, 1, 7), OLD.clinician_id, -1, -OLD.minutes WHERE OLD.voided_at IS NULL
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
    INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
        SELECT a.contract_id, substr(OLD.date, 1, 7), OLD.clinician_id, -1, -OLD.minutes
        FROM attributions a
        WHERE OLD.voided_at IS NULL AND a.client_id = OLD.client_id AND a.voided_at IS NULL
          AND a.start_date <= OLD.date AND (a.end_date IS NULL OR a.end_date >= OLD.date)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
    INSERT INTO clinician_month_minutes (month, clinician_id, encounters, minutes)
        SELECT substr(NEW.date, 1, 7), NEW.clinician_id, 1, NEW.minutes WHERE NEW.voided_at IS NULL
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
    INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
        SELECT a.contract_id, substr(NEW.date, 1, 7), NEW.clinician_id, 1, NEW.minutes
        FROM attributions a
        WHERE NEW.voided_at IS NULL AND a.client_id = NEW.client_id AND a.voided_at IS NULL
          AND a.start_date <= NEW.date AND (a.end_date IS NULL OR a.end_date >= NEW.date)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
END;
CREATE TRIGGER revenue_minutes_encounter_delete AFTER DELETE ON encounters
    WHEN OLD.voided_at IS NULL BEGIN
    INSERT INTO clinician_month_minutes (month, clinician_id, encounters, minutes)
        VALUES (substr(OLD.date, 1, 7), OLD.clinician_id, -1, -OLD.minutes)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
    INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
        SELECT a.contract_id, substr(OLD.date, 1, 7), OLD.clinician_id, -1, -OLD.minutes
        FROM attributions a
        WHERE a.client_id = OLD.client_id AND a.voided_at IS NULL
          AND a.start_date <= OLD.date AND (a.end_date IS NULL OR a.end_date >= OLD.date)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
END;
-- An attribution added, changed, voided or removed brings or takes its days' minutes.
CREATE TRIGGER revenue_minutes_attribution_insert AFTER INSERT ON attributions
    WHEN NEW.voided_at IS NULL BEGIN
    INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
        SELECT NEW.contract_id, substr(e.date, 1, 7), e.clinician_id, 1, e.minutes
        FROM encounters e
        WHERE e.client_id = NEW.client_id AND e.voided_at IS NULL
          AND e.date >= NEW.start_date AND (NEW.end_date IS NULL OR e.date <= NEW.end_date)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
END;
CREATE TRIGGER revenue_minutes_attribution_update
    AFTER UPDATE OF client_id, contract_id, start_date, end_date, voided_at ON attributions BEGIN
    INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
        SELECT OLD.contract_id, substr(e.date, 1, 7), e.clinician_id, -1, -e.minutes
        FROM encounters e
        WHERE OLD.voided_at IS NULL AND e.client_id = OLD.client_id AND e.voided_at IS NULL
          AND e.date >= OLD.start_date AND (OLD.end_date IS NULL OR e.date <= OLD.end_date)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
    INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
        SELECT NEW.contract_id, substr(e.date, 1, 7), e.clinician_id, 1, e.minutes
        FROM encounters e
        WHERE NEW.voided_at IS NULL AND e.client_id = NEW.client_id AND e.voided_at IS NULL
          AND e.date >= NEW.start_date AND (NEW.end_date IS NULL OR e.date <= NEW.end_date)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
END;
CREATE TRIGGER revenue_minutes_attribution_delete AFTER DELETE ON attributions
    WHEN OLD.voided_at IS NULL BEGIN
    INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
        SELECT OLD.contract_id, substr(e.date, 1, 7), e.clinician_id, -1, -e.minutes
        FROM encounters e
        WHERE e.client_id = OLD.client_id AND e.voided_at IS NULL
          AND e.date >= OLD.start_date AND (OLD.end_date IS NULL OR e.date <= OLD.end_date)
        ON CONFLICT DO UPDATE SET encounters = encounters + excluded.encounters,
            minutes = minutes + excluded.minutes;
END;

-- The clients whose attributions may overlap (more than one live attribution), with each
-- attribution's days, from the index alone.
CREATE INDEX attributions_spans ON attributions (client_id, voided_at, start_date, end_date, id, contract_id)
    WHERE voided_at IS NULL;

-- The day's encounters in the order they were logged, with what the check-in shows of them:
-- no encounter row is read and nothing is sorted.
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
    SELECT substr(date, 1, 7), clinician_id, count(*), sum(minutes) FROM encounters
    WHERE voided_at IS NULL GROUP BY 1, 2;
INSERT INTO contract_month_minutes (contract_id, month, clinician_id, encounters, minutes)
    SELECT a.contract_id, substr(e.date, 1, 7), e.clinician_id, count(*), sum(e.minutes)
    FROM attributions a JOIN encounters e ON e.client_id = a.client_id
         AND e.date >= a.start_date AND (a.end_date IS NULL OR e.date <= a.end_date)
    WHERE a.voided_at IS NULL AND e.voided_at IS NULL GROUP BY 1, 2, 3;
