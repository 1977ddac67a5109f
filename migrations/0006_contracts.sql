-- caseload schema, version 6: contracts as payers write them (SPEC section 12): the `mid-month`
-- proration, case rates by diagnosis prefix, an episode's diagnosis, and quality targets.
-- Append-only: never edit a released migration; add the next one.

-- SQLite cannot change a CHECK constraint or a primary key in place, so `contracts` and
-- `contract_rates` are rebuilt the way SQLite documents (ALTER TABLE, "making other kinds of
-- table schema changes"): a new table, the rows copied, the old one dropped, the new one renamed.
-- The migration runner turns foreign key enforcement off around every migration and runs
-- `PRAGMA foreign_key_check` before committing, so the tables that reference `contracts` keep
-- pointing at the name and are checked against the new table.
CREATE TABLE contracts_v6 (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    model       TEXT NOT NULL CHECK (model IN ('capitation', 'case-rate')),
    withhold_bp INTEGER NOT NULL DEFAULT 0 CHECK (withhold_bp BETWEEN 0 AND 10000),
    proration   TEXT NOT NULL DEFAULT 'first-of-month'
                CHECK (proration IN ('first-of-month', 'daily', 'mid-month')),
    payer       TEXT
) STRICT;
INSERT INTO contracts_v6 (id, name, model, withhold_bp, proration, payer)
    SELECT id, name, model, withhold_bp, proration, payer FROM contracts;

-- A rate now belongs to a diagnosis prefix ('' for the contract's own rate, which every
-- contract has from 0001-01-01): ICD-10 without the dot, upper case ('F322', 'F33').
CREATE TABLE contract_rates_v6 (
    contract_id      INTEGER NOT NULL REFERENCES contracts (id),
    effective_from   TEXT NOT NULL,
    rate_cents       INTEGER NOT NULL CHECK (rate_cents >= 0),
    diagnosis_prefix TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (contract_id, diagnosis_prefix, effective_from)
) STRICT, WITHOUT ROWID;
INSERT INTO contract_rates_v6 (contract_id, effective_from, rate_cents, diagnosis_prefix)
    SELECT contract_id, effective_from, rate_cents, '' FROM contract_rates;

DROP TABLE contract_rates;
DROP TABLE contracts;
ALTER TABLE contracts_v6 RENAME TO contracts;
ALTER TABLE contract_rates_v6 RENAME TO contract_rates;

-- An episode's diagnosis (ICD-10 as entered): what a diagnosis rate is chosen by.
ALTER TABLE attributions ADD COLUMN diagnosis TEXT;

-- Quality targets: a measure the payer wants at or above a percentage, with a weight in the
-- earn-back of the withhold.
CREATE TABLE contract_targets (
    contract_id   INTEGER NOT NULL REFERENCES contracts (id),
    measure       TEXT NOT NULL CHECK (measure IN ('seen_within_14', 'show_rate', 'contacted',
                      'measured', 'response', 'remission', 'reliable_improvement',
                      'followed_7', 'followed_30')),
    at_least_bp   INTEGER NOT NULL CHECK (at_least_bp BETWEEN 0 AND 10000),
    weight        INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    PRIMARY KEY (contract_id, measure)
) STRICT, WITHOUT ROWID;
